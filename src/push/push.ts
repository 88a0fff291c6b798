import type { Dispatcher } from 'undici';
import { InputError, SourceError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { formatReference, registryApiHost } from '../reference.ts';
import type { Credentials } from '../registry/auth.ts';
import { blobExists, uploadBlob } from '../registry/blobs.ts';
import { RegistryClient } from '../registry/client.ts';
import { createDispatcher } from '../registry/http.ts';
import { putManifest } from '../registry/manifests.ts';
import { openSource } from '../source/index.ts';
import type { BlobSource, ManifestNode } from '../source/types.ts';
import { createLimiter } from './limit.ts';
import { parseTargets, type RepositoryTarget } from './targets.ts';
import { VERSION } from '../version.ts';

export interface PushOptions {
  /** Transport reference of the image: `oci:PATH[:NAME]`, `oci-archive:PATH[:NAME]`. */
  readonly source: string;
  /** Destination references; those naming no registry get `registry`. */
  readonly destinations: readonly string[];
  readonly registry?: string | undefined;
  readonly credentials?: Credentials | undefined;
  /** How many registry requests may run at once. */
  readonly concurrency: number;
  readonly insecureRegistries?: readonly string[];
  readonly logger: Logger;
  /** Receives each secret (password, token) before use; the action masks them. */
  readonly onSecret?: (value: string) => void;
}

export type BlobAction = 'skipped' | 'uploaded';

export interface BlobReport {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly action: BlobAction;
  readonly seconds: number;
}

export interface PushResult {
  /** Digest of the pushed root manifest or index. */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Every destination, normalised (`docker.io/library/app:1`). */
  readonly references: readonly string[];
  /** The first destination's repository, pinned by digest. */
  readonly image: string;
  readonly blobs: readonly BlobReport[];
}

interface RepositoryPlan {
  readonly target: RepositoryTarget;
  readonly client: RegistryClient;
  readonly missing: BlobSource[];
}

/**
 * Pushes one image to every destination. Nothing is tagged until everything is in place: first the blobs
 * the registries lack (found by HEAD) go up in every repository, then child manifests by digest, and only
 * then the root manifest under each tag.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const targets = parseTargets(options.destinations, options.registry);
  const credentialsFor = credentialScope(targets, options);
  const source = openSource(options.source);
  const dispatcher = createDispatcher();
  const limit = createLimiter(options.concurrency);
  const log = options.logger;
  try {
    const root = await source.load();
    checkPinnedDigests(targets, root.descriptor.digest);
    const manifests = postOrder(root);
    const blobs = uniqueBlobs(manifests);
    log.info(
      `${source.name}: ${root.descriptor.mediaType} ${root.descriptor.digest}, ${blobs.length} blobs, ${formatBytes(sum(blobs))}`,
    );

    const clients = new Map<string, RegistryClient>();
    const clientFor = (registry: string): RegistryClient => {
      let client = clients.get(registry);
      if (!client) {
        client = new RegistryClient(registry, {
          credentials: credentialsFor(registry),
          insecureRegistries: options.insecureRegistries ?? [],
          dispatcher,
          onSecret: options.onSecret ?? (() => undefined),
          userAgent: `image-push/${VERSION}`,
        });
        clients.set(registry, client);
      }
      return client;
    };

    const reports: BlobReport[] = [];
    const plans = await Promise.all(
      targets.map(async (target): Promise<RepositoryPlan> => {
        const client = clientFor(target.registry);
        const present = await Promise.all(
          blobs.map((blob) => limit(() => blobExists(client, target.repository, blob.descriptor))),
        );
        const missing = blobs.filter((_, i) => !present[i]);
        for (const blob of blobs.filter((_, i) => present[i])) {
          reports.push(report(target, blob, 'skipped', 0));
        }
        const unreadable = missing.find((blob) => !blob.available);
        if (unreadable) {
          throw new SourceError(
            `${source.name}: blob ${unreadable.descriptor.digest} is missing from the source and from ${target.registry}/${target.repository}`,
            'the source is incomplete; export the whole image again',
          );
        }
        return { target, client, missing };
      }),
    );

    // Largest first: the biggest blob is the critical path, so it should never wait behind small ones.
    const uploads = plans.flatMap(({ target, client, missing }) =>
      missing.map((blob) => ({ target, client, blob })),
    );
    uploads.sort((a, b) => b.blob.descriptor.size - a.blob.descriptor.size);
    await Promise.all(
      uploads.map(({ target, client, blob }) =>
        limit(async () => {
          const started = performance.now();
          await uploadBlob(client, target.repository, blob);
          const seconds = (performance.now() - started) / 1000;
          log.info(
            `uploaded ${blob.descriptor.digest} (${formatBytes(blob.descriptor.size)}) to ${target.repository} in ${seconds.toFixed(1)}s`,
          );
          reports.push(report(target, blob, 'uploaded', seconds));
        }),
      ),
    );

    // Child manifests by digest, deepest first, in every repository before any tag moves.
    for (const node of manifests.slice(0, -1)) {
      await Promise.all(
        plans.map(({ target, client }) =>
          limit(() =>
            putManifest(client, target.repository, node.descriptor.digest, node.descriptor, node.bytes),
          ),
        ),
      );
    }
    for (const { target, client } of plans) {
      const references = target.tags.length ? target.tags : [root.descriptor.digest];
      await Promise.all(
        references.map((reference) =>
          limit(() => putManifest(client, target.repository, reference, root.descriptor, root.bytes)),
        ),
      );
      for (const reference of target.references)
        log.info(`pushed ${formatReference(reference)}@${root.descriptor.digest}`);
    }

    const uploaded = reports.filter((r) => r.action === 'uploaded');
    const skipped = reports.filter((r) => r.action === 'skipped');
    log.info(
      `${root.descriptor.digest}: ${uploaded.length} blobs uploaded (${formatBytes(sumSizes(uploaded))}), ` +
        `${skipped.length} already present (${formatBytes(sumSizes(skipped))}), ${targets.length} repositories`,
    );
    const first = targets[0] as RepositoryTarget;
    return {
      digest: root.descriptor.digest,
      mediaType: root.descriptor.mediaType,
      size: root.descriptor.size,
      references: targets.flatMap((t) => t.references.map(formatReference)),
      image: `${first.registry}/${first.repository}@${root.descriptor.digest}`,
      blobs: reports,
    };
  } finally {
    await source.close();
    await (dispatcher as Dispatcher & { close(): Promise<void> }).close();
  }
}

/**
 * Credentials go only to the registry they are for: the `registry` input's, or the only registry the
 * destinations name. Sending them anywhere else would leak them.
 */
function credentialScope(
  targets: readonly RepositoryTarget[],
  options: PushOptions,
): (registry: string) => Credentials | undefined {
  if (!options.credentials) return () => undefined;
  const registries = [...new Set(targets.map((t) => t.registry))];
  if (options.registry) {
    const host = registryApiHost(options.registry.split('/')[0]?.toLowerCase() ?? '');
    return (registry) => (registryApiHost(registry) === host ? options.credentials : undefined);
  }
  const scoped = registries.length === 1 ? registries[0] : undefined;
  if (!scoped) {
    throw new InputError(
      `a username and password were given, but the destinations name ${registries.length} registries (${registries.join(', ')})`,
      'set the registry input to the one they are for, and log in to the others with docker/login-action',
    );
  }
  return (registry) => (registry === scoped ? options.credentials : undefined);
}

function checkPinnedDigests(targets: readonly RepositoryTarget[], digest: string): void {
  for (const target of targets) {
    const wrong = target.digests.find((d) => d !== digest);
    if (wrong) {
      throw new InputError(
        `destination ${target.registry}/${target.repository}@${wrong} pins a digest, but the image's manifest is ${digest}`,
        'drop the digest from the destination, or push the image it names',
      );
    }
  }
}

/** Manifests children-first, each once, ending with the root. */
function postOrder(root: ManifestNode): ManifestNode[] {
  const seen = new Set<string>();
  const out: ManifestNode[] = [];
  const visit = (node: ManifestNode): void => {
    if (seen.has(node.descriptor.digest)) return;
    seen.add(node.descriptor.digest);
    node.children.forEach(visit);
    out.push(node);
  };
  visit(root);
  return out;
}

function uniqueBlobs(manifests: readonly ManifestNode[]): BlobSource[] {
  const byDigest = new Map<string, BlobSource>();
  for (const node of manifests) {
    for (const blob of node.blobs)
      if (!byDigest.has(blob.descriptor.digest)) byDigest.set(blob.descriptor.digest, blob);
  }
  return [...byDigest.values()];
}

function report(target: RepositoryTarget, blob: BlobSource, action: BlobAction, seconds: number): BlobReport {
  const { digest, mediaType, size } = blob.descriptor;
  return { repository: `${target.registry}/${target.repository}`, digest, mediaType, size, action, seconds };
}

function sum(blobs: readonly BlobSource[]): number {
  return blobs.reduce((total, blob) => total + blob.descriptor.size, 0);
}

export function sumSizes(reports: readonly BlobReport[]): number {
  return reports.reduce((total, report) => total + report.size, 0);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}
