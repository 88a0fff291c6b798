import { availableParallelism } from 'node:os';
import { verifyDiffId } from '../compress/verify-diff-id.ts';
import { SourceError } from '../errors.ts';
import { createLimiter } from '../limit.ts';
import type { BlobSource, ManifestNode } from '../oci/descriptor.ts';
import { MAX_CONFIG_BYTES } from '../oci/manifest.ts';
import { DOCKER_CONFIG, OCI_CONFIG } from '../oci/media-types.ts';

export interface VerifyOptions {
  readonly sourceName: string;
  /** Blobs already checked against their diffID on the way in (layers image-push compressed itself). */
  readonly skip?: (blob: BlobSource) => boolean;
  readonly signal?: AbortSignal;
}

export interface VerifySummary {
  readonly layers: number;
  /** Uncompressed bytes hashed. */
  readonly bytes: number;
}

/**
 * Checks every layer of every image in the tree against the diff_ids of its config: same count, and each layer,
 * decompressed, hashes to its diffID. Layers the source does not hold (foreign, or known to be in the registry
 * already) cannot be read and are left out; so are manifests whose config is no image config (artifacts). Layers
 * are checked a few at a time (decompression runs on libuv's thread pool, one core per layer).
 */
export async function verifyLayers(root: ManifestNode, options: VerifyOptions): Promise<VerifySummary> {
  const nodes = new Map<string, ManifestNode>();
  const visit = (node: ManifestNode): void => {
    if (nodes.has(node.descriptor.digest)) return;
    nodes.set(node.descriptor.digest, node);
    node.children.forEach(visit);
  };
  visit(root);
  const limit = createLimiter(Math.max(1, Math.min(4, availableParallelism())));
  // The first failure stops the others: nothing goes on reading a layer nobody will use.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let firstError: unknown;
  const fail = (err: unknown): never => {
    firstError ??= err;
    stop.abort();
    throw err;
  };
  const checks: Promise<number>[] = [];
  for (const node of nodes.values()) {
    const [config, ...layers] = node.blobs;
    if (!config || ![OCI_CONFIG, DOCKER_CONFIG].includes(config.descriptor.mediaType)) continue;
    const where = `manifest ${node.descriptor.digest}`;
    const diffIds = await readDiffIds(config, options.sourceName, where);
    if (diffIds.length !== layers.length) {
      throw new SourceError(
        `${options.sourceName}: ${where} lists ${layers.length} layers but its config's rootfs.diff_ids names ${diffIds.length}`,
        'the image is inconsistent and docker pull would refuse it; build or export it again',
      );
    }
    for (const [i, layer] of layers.entries()) {
      if (!layer.available || options.skip?.(layer)) continue;
      const diffId = diffIds[i] as string;
      checks.push(
        limit(async () => {
          signal.throwIfAborted();
          const { digest, mediaType } = layer.descriptor;
          let result;
          try {
            result = await verifyDiffId(await layer.open(), mediaType, diffId, signal);
          } catch (err) {
            if (signal.aborted) throw err;
            return fail(
              new SourceError(
                `${options.sourceName}: layer ${digest} (layers[${i}] of ${where}) cannot be decompressed as ${mediaType}: ${(err as Error).message}`,
                'the image is corrupt; build or export it again',
                { cause: err },
              ),
            );
          }
          if (!result.ok) {
            return fail(
              new SourceError(
                `${options.sourceName}: layer ${digest} (layers[${i}] of ${where}) uncompresses to ${result.actual}, but the config's rootfs.diff_ids[${i}] is ${diffId}`,
                'the image is inconsistent and docker pull would refuse it; build or export it again',
              ),
            );
          }
          return result.bytes;
        }),
      );
    }
  }
  // Settle every check before returning or throwing: none may go on reading after the push ends.
  const results = await Promise.allSettled(checks);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw firstError ?? failed.reason;
  return {
    layers: checks.length,
    bytes: results.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value : 0), 0),
  };
}

async function readDiffIds(config: BlobSource, sourceName: string, where: string): Promise<string[]> {
  if (!config.available || config.descriptor.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `${sourceName}: the config of ${where} cannot be read to verify its layers`,
      'turn verify off for this image, or export it whole',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await config.open()) chunks.push(chunk as Buffer);
  let diffIds: unknown;
  try {
    diffIds = (
      JSON.parse(Buffer.concat(chunks).toString('utf8')) as { rootfs?: { diff_ids?: unknown } } | null
    )?.rootfs?.diff_ids;
  } catch {
    diffIds = undefined;
  }
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string')) {
    throw new SourceError(
      `${sourceName}: the config of ${where} has no rootfs.diff_ids list of strings`,
      'the image is corrupt; build or export it again',
    );
  }
  return diffIds;
}
