import type { BlobSource, ManifestNode } from '../oci/descriptor.ts';
import { formatReference } from '../oci/reference.ts';
import { RegistryError } from '../registry/transport/errors.ts';
import { buildIndex, describePlatform, indexSettings, type IndexFormat } from '../oci/index-builder.ts';
import { InputError } from '../errors.ts';
import { parseAnnotations } from '../oci/annotations.ts';
import { applyMergeAnnotations } from './merge-annotations.ts';
import { parseSources, readSource, type SourceChild } from '../source/merge-sources.ts';
import { planResult, planTree, writePlan } from '../engine/plan.ts';
import type { PushResult } from '../engine/result.ts';
import type { ConnectionOptions, Target } from '../engine/session.ts';
import { withWriter } from '../engine/with-writer.ts';
import { checkPinnedDigests } from '../engine/targets.ts';
import type { BlobHints } from '../engine/writer.ts';

export interface MergeOptions extends ConnectionOptions {
  /** Images or indexes already in a registry: `REGISTRY/REPO@sha256:...` (or `:TAG`, resolved once). */
  readonly sources: readonly string[];
  /**
   * 'auto' (default): a Docker manifest list when every child is a Docker v2 schema 2 manifest and no index
   * annotation is asked for, else an OCI image index. 'oci' and 'docker' force one.
   */
  readonly format?: IndexFormat;
  /** Annotations of the index itself (OCI only). */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Annotation lines as docker/metadata-action writes them (`index:KEY=VALUE`, `manifest-descriptor:...`),
   * applied as `docker buildx imagetools create --annotation` does (merge-annotations.ts).
   */
  readonly annotationLines?: readonly string[];
  /** Copy blobs in PATCH chunks of this many bytes (as in push). */
  readonly chunkSize?: number | undefined;
}

/** What a source reference named when it was read. */
export interface MergedSource {
  /** As normalised: `registry/repo:tag` or `registry/repo@digest`. */
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
}

export interface MergeResult extends PushResult {
  /** Each source in order, with the digest it had (a tag is resolved once, at the start). */
  readonly sources: readonly MergedSource[];
}

/**
 * Builds one image index from images already in registries (each matrix job pushed its platform by digest)
 * and pushes it, like `docker buildx imagetools create`: no layer is rebuilt or recompressed. Blobs are
 * mounted from their repository where the registry allows it and streamed across otherwise; every child is
 * complete in every destination repository before any tag moves.
 */
export async function merge(options: MergeOptions): Promise<MergeResult> {
  const sources = parseSources(options.sources, options.registry);
  const annotationLines = parseAnnotations(options.annotationLines ?? []);
  // Checked now (before any request); the lines are applied once the children are read.
  indexSettings(options.format, options.annotations);
  return withWriter({ ...options, writer: { chunkSize: options.chunkSize } }, async (session, writer) => {
    const log = options.logger;
    const targets = session.targets;

    const read = await writer.settle(
      sources.map((source) =>
        readSource(source, (registry, repository) => session.clientFor(registry, repository), session.limit),
      ),
    );
    const resolved: MergedSource[] = read.map(({ source, descriptor }) => {
      const { digest, mediaType } = descriptor;
      if (source.ref.digest === undefined)
        log.info(`${formatReference(source.ref)} is ${digest} (${mediaType})`);
      return { reference: formatReference(source.ref), digest, mediaType };
    });
    const annotated = applyMergeAnnotations(
      read.flatMap((r) => r.children),
      annotationLines,
      options.annotations,
    );
    if (annotated.descriptors && options.format === 'docker') {
      throw new InputError(
        'manifest-descriptor annotations were given, but a Docker manifest list cannot hold annotations',
        'drop them, or use format oci',
      );
    }
    const format = annotated.descriptors && (options.format ?? 'auto') === 'auto' ? 'oci' : options.format;
    const index = buildIndex(annotated.children, indexSettings(format, annotated.index));
    const indexDigest = index.descriptor.digest;
    checkPinnedDigests(targets, indexDigest, 'the merged index');
    log.info(
      `${indexDigest}: ${index.docker ? 'Docker manifest list' : 'OCI image index'} of ${index.children.length} manifests: ` +
        index.children.map((c) => `${describePlatform(c.platform)} ${c.descriptor.digest}`).join(', '),
    );

    // The index as a tree the writer takes: each child's blobs mount or stream from the child's own repository.
    const sourceOf = new Map<string, SourceChild>();
    const root: ManifestNode = {
      descriptor: index.descriptor,
      bytes: index.bytes,
      blobs: [],
      children: index.children.map((child) => {
        for (const { descriptor: blob } of child.blobs)
          if (!sourceOf.has(blob.digest)) sourceOf.set(blob.digest, child);
        return {
          descriptor: { ...child.descriptor, platform: child.platform },
          bytes: child.bytes,
          blobs: child.blobs,
          children: [],
        };
      }),
    };
    const plan = planTree(root, targets, {
      hints: (target, blob) => copyHints(target, sourceOf.get(blob.descriptor.digest) as SourceChild, blob),
    });
    await writePlan(writer, plan);
    await writer.drain();
    log.info(writer.describe(indexDigest, targets.length));
    return {
      ...planResult(plan, writer, { source: resolved.map((r) => r.reference).join(', ') }),
      sources: resolved,
    };
  });
}

/** A copied blob is mounted from its own repository where it shares the registry, else streamed across. */
function copyHints(target: Target, child: SourceChild, blob: BlobSource): BlobHints {
  return {
    copyFrom: { registry: child.registry, repository: child.repository },
    // Absent from the very repository it is copied from: the registry lost it.
    missing: () =>
      new RegistryError(
        `${child.source}: blob ${blob.descriptor.digest} of manifest ${child.descriptor.digest} is missing from ${target.registry}/${target.repository}`,
        'the registry lost content of that image; push it again with push-by-digest',
      ),
  };
}
