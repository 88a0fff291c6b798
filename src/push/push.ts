import type { BlobMap } from '../cache/blob-map.ts';
import { InputError, SourceError } from '../errors.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import { blobExists, blobSize, mountBlob } from '../registry/blobs.ts';
import { addToReferrersTag, putManifest } from '../registry/manifests.ts';
import { uploadBlob } from '../registry/upload.ts';
import { openSource } from '../source/index.ts';
import type { LayerCompression } from '../compress/parallel-compress.ts';
import { LayerCompressor } from '../compress/layer-compressor.ts';
import type { BlobSource, Descriptor, ManifestNode, Platform } from '../oci/descriptor.ts';
import { isPending, type ImageSource, type PendingImage } from '../source/types.ts';
import { formatBytes } from '../format.ts';
import { ProgressReporter } from './progress.ts';
import { selectPlatforms } from './platforms.ts';
import { sumSizes, type BlobAction, type BlobReport, type PushResult } from './result.ts';
import { openSession, type ConnectionOptions, type PushSession, type Target } from './session.ts';
import type { RepositoryTarget } from './targets.ts';
import { learnFromRegistry, type RegistryView } from './reuse.ts';
import { rememberPairings, reuseLayer } from './reuse-layer.ts';
import { checkTagsBeforeUpload, putTag, tagAction } from './tags.ts';

export interface PushOptions extends ConnectionOptions {
  /** Transport reference of the image: `oci:PATH[:NAME]`, `docker-archive:PATH[:REF]`, ... */
  readonly source: string;
  /** How layers that arrive uncompressed are compressed: gzip (default, every client reads it) or zstd. */
  readonly compression?: LayerCompression;
  /** Level for those layers (gzip 1-9, zstd 1-19); by default 4 for gzip, 3 for zstd. */
  readonly compressionLevel?: number;
  /** Upload blobs in PATCH chunks of this many bytes; by default one PUT, falling back to chunks on 413. */
  readonly chunkSize?: number | undefined;
  /** diffID -> compressed blob memory, and where blobs live; consulted before compressing and updated after. */
  readonly blobMap?: BlobMap | undefined;
  /** Push the manifest by digest only, moving no tag (each job of a matrix, before a merge). */
  readonly pushByDigest?: boolean;
  /** For an image index: push only these platforms (the index is rewritten to hold just them). */
  readonly platforms?: readonly Platform[];
  /** Tags (in each destination repository) or same-registry references whose layers may be reused. */
  readonly reuseFrom?: readonly string[];
  /** Move a tag that holds another image (default true); false fails the push before any upload. */
  readonly overwrite?: boolean;
  /** Download every blob reused from the registry and check it against the local layer before relying on it. */
  readonly verify?: boolean;
}

/**
 * Pushes one image to every destination. Blobs go up first, each at most once per repository (a HEAD
 * decides); then child manifests by digest, and only then the root manifest under each tag, so no tag ever
 * points at something missing.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const compressor = new LayerCompressor(options.compression, options.compressionLevel);
  const source = openSource(options.source, compressor);
  let session: PushSession | undefined;
  const reports = new Map<string, Promise<BlobReport>>();
  try {
    session = await openSession(options);
    return await pushImage(options, source, compressor, session, reports);
  } finally {
    // Settle every started upload before the connections close (a failed push may leave some in flight).
    await Promise.allSettled(reports.values());
    await Promise.all([source.close(), compressor.close(), session?.close()]);
  }
}

async function pushImage(
  options: PushOptions,
  source: ImageSource,
  compressor: LayerCompressor,
  session: PushSession,
  reports: Map<string, Promise<BlobReport>>,
): Promise<PushResult> {
  const { targets, limit } = session;
  const log = options.logger;
  // One promise per (repository, digest): a blob shared by several manifests or found twice is handled once.
  const ensure = (
    target: Target,
    blob: BlobSource,
    how: { compressed?: boolean } = {},
  ): Promise<BlobReport> => {
    const key = `${target.registry}/${target.repository}@${blob.descriptor.digest}`;
    let report = reports.get(key);
    if (!report) {
      report = ensureBlob(target, blob, how.compressed ?? false);
      reports.set(key, report);
    }
    return report;
  };
  const ensureBlob = async (target: Target, blob: BlobSource, compressed: boolean): Promise<BlobReport> => {
    const { digest } = blob.descriptor;
    const seen = (action: BlobAction, seconds = 0): BlobReport => {
      options.blobMap?.recordLocation(digest, target.registry, target.repository);
      return report(target, blob.descriptor, action, { compressed, fromBlobMap: false, seconds });
    };
    const present = await limit(() => blobExists(target.client, target.repository, blob.descriptor));
    if (present) return seen('skipped');
    for (const from of mountSources(target, digest)) {
      if (await limit(() => mountBlob(target.client, target.repository, blob.descriptor, from))) {
        log.info(`mounted ${digest} from ${from} into ${target.repository}`);
        return seen('mounted');
      }
    }
    if (!blob.available) {
      throw new SourceError(
        `${source.name}: blob ${digest} is missing from the source and from ${target.registry}/${target.repository}`,
        'the source is incomplete; export the whole image again',
      );
    }
    return limit(async () => {
      const started = performance.now();
      progress.addTotal(blob.descriptor.size);
      const attempt = progress.begin();
      let sent = 0;
      try {
        await uploadBlob(target.client, target.repository, blob, {
          chunkSize: options.chunkSize,
          onProgress: (bytes) => {
            if (bytes > sent) attempt.add(bytes - sent);
            sent = Math.max(sent, bytes);
          },
        });
        attempt.done();
      } catch (err) {
        attempt.fail();
        // Name the source, as every other source error does.
        if (err instanceof SourceError && !err.message.startsWith(source.name)) {
          throw new SourceError(`${source.name}: ${err.message}`, err.hint, { cause: err });
        }
        throw err;
      }
      const seconds = (performance.now() - started) / 1000;
      log.info(
        `uploaded ${digest} (${formatBytes(blob.descriptor.size)}) to ${target.repository} in ${seconds.toFixed(1)}s`,
      );
      return seen('uploaded', seconds);
    });
  };
  /**
   * Other repositories of the same registry that hold (or may hold) a blob: those the blob map remembers,
   * and the base image the manifest names. A mount there costs one request instead of an upload.
   */
  const mountSources = (target: Target, digest: string): string[] => {
    const candidates = [
      ...(options.blobMap?.repositoriesWith(digest, target.registry) ?? []),
      ...baseRepositories.filter((base) => base.registry === target.registry).map((base) => base.repository),
    ];
    return [...new Set(candidates)].filter((repository) => repository !== target.repository).slice(0, 3);
  };
  let baseRepositories: { registry: string; repository: string }[] = [];
  const progress = new ProgressReporter({ totalBytes: 0, logger: log });

  const counters = { layersRead: 0 };
  {
    const loaded = await source.load();
    // [registry reuse] What the destinations hold, read before any layer is (push/reuse.ts, push/tags.ts).
    const pending = isPending(loaded) ? loaded : undefined;
    const view = await learnFromRegistry({
      targets,
      limit,
      log,
      image: pending,
      reuseFrom: options.reuseFrom ?? [],
      blobMap: options.blobMap,
      strictTags: options.overwrite === false,
    });
    const selected = pending ? undefined : selectPlatforms(loaded as ManifestNode, options.platforms ?? []);
    if (options.overwrite === false && !options.pushByDigest) {
      checkTagsBeforeUpload(view, targets, {
        digest: selected?.descriptor.digest,
        configDigest: pending?.config.descriptor.digest,
      });
    }
    // [/registry reuse]
    const root = pending
      ? await resolvePending(pending, targets, options, { ensure, reports, limit, counters, view })
      : (selected as ManifestNode);
    baseRepositories = baseImages(root);
    checkPinnedDigests(targets, root.descriptor.digest);
    const manifests = postOrder(root);
    const blobs = uniqueBlobs(manifests);
    log.info(
      `${source.name}: ${root.descriptor.mediaType} ${root.descriptor.digest}, ${blobs.length} blobs, ${formatBytes(sum(blobs))}`,
    );

    // Largest first: the biggest blob is the critical path, so it should never wait behind small ones.
    const bySize = [...blobs].sort((a, b) => b.descriptor.size - a.descriptor.size);
    await Promise.all(targets.flatMap((target) => bySize.map((blob) => ensure(target, blob))));

    // Child manifests by digest, deepest first, in every repository before any tag moves.
    for (const node of manifests.slice(0, -1)) {
      await Promise.all(
        targets.map((t) =>
          limit(() =>
            putManifest(t.client, t.repository, node.descriptor.digest, node.descriptor, node.bytes),
          ),
        ),
      );
    }
    for (const target of targets) {
      const references = target.tags.length && !options.pushByDigest ? target.tags : [root.descriptor.digest];
      // [registry reuse] A tag that already holds the digest is left alone (no PUT); overwrite: false holds.
      const actions = references.map((reference) =>
        reference.startsWith('sha256:')
          ? 'put'
          : tagAction(view, target, reference, root.descriptor.digest, options.overwrite !== false),
      );
      await Promise.all(
        references.map((reference, i) =>
          actions[i] === 'unchanged'
            ? Promise.resolve()
            : limit(async () => {
                if (!reference.startsWith('sha256:'))
                  return putTag(target, reference, root.descriptor, root.bytes);
                await putManifest(target.client, target.repository, reference, root.descriptor, root.bytes);
              }),
        ),
      );
      for (const [i, reference] of references.entries()) {
        const name = `${target.registry}/${target.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
        log.info(
          actions[i] === 'unchanged'
            ? `${name} already holds ${root.descriptor.digest}: not pushed again`
            : `pushed ${name}`,
        );
      }
    }
    if (pending) {
      const layers = root.blobs.slice(1).map((b) => b.descriptor);
      const diffIds = pending.layers.map((l) => l.diffId);
      rememberPairings(options.blobMap, diffIds, layers, root.descriptor.digest, targets);
    }
    // [/registry reuse]
    await pushReferrers(source, manifests, targets, limit, ensure, log);
    progress.stop();

    const all = await Promise.all(reports.values());
    const uploaded = all.filter((r) => r.action === 'uploaded');
    const skipped = all.filter((r) => r.action === 'skipped');
    const mounted = all.filter((r) => r.action === 'mounted');
    log.info(
      `${root.descriptor.digest}: ${uploaded.length} blobs uploaded (${formatBytes(sumSizes(uploaded))}), ` +
        `${mounted.length} mounted, ${skipped.length} already present (${formatBytes(sumSizes(skipped))}), ` +
        `${targets.length} ${targets.length === 1 ? 'repository' : 'repositories'}`,
    );
    const first = targets[0] as Target;
    return {
      digest: root.descriptor.digest,
      mediaType: root.descriptor.mediaType,
      size: root.descriptor.size,
      references: options.pushByDigest
        ? targets.map((t) => `${t.registry}/${t.repository}@${root.descriptor.digest}`)
        : targets.flatMap((t) => t.references.map(formatReference)),
      image: `${first.registry}/${first.repository}@${root.descriptor.digest}`,
      blobs: all,
      bytesCompressed: compressor.bytesCompressed,
      layersRead: counters.layersRead,
      children: root.children.map(({ descriptor: { digest, mediaType, size, platform } }) => ({
        digest,
        mediaType,
        size,
        ...(platform ? { platform } : {}),
      })),
    };
  }
}

/**
 * Gives every pending layer a blob: one the destination registries already pair with it (push/reuse.ts: the
 * layer is then never read), otherwise by compressing it, after which its upload starts at once, overlapping
 * the compression of the next layer.
 */
async function resolvePending(
  image: PendingImage,
  targets: readonly Target[],
  options: PushOptions,
  push: {
    ensure: (target: Target, blob: BlobSource, how?: { compressed?: boolean }) => Promise<BlobReport>;
    reports: Map<string, Promise<BlobReport>>;
    limit: <T>(task: () => Promise<T>) => Promise<T>;
    counters: { layersRead: number };
    view: RegistryView;
  },
): Promise<ManifestNode> {
  const { ensure, reports, limit, counters, view } = push;
  /** A blob every destination has: recorded as skipped, never read. */
  const inRegistries = async (descriptor: Descriptor): Promise<BlobSource | undefined> => {
    const sizes = await Promise.all(
      targets.map((t) => limit(() => blobSize(t.client, t.repository, descriptor.digest))),
    );
    const size = sizes[0];
    if (
      size === undefined ||
      sizes.some((s) => s !== size) ||
      (descriptor.size >= 0 && size !== descriptor.size)
    ) {
      return undefined;
    }
    const found = { ...descriptor, size };
    for (const target of targets) {
      const key = `${target.registry}/${target.repository}@${found.digest}`;
      reports.set(
        key,
        Promise.resolve(
          report(target, found, 'skipped', { compressed: false, fromBlobMap: false, seconds: 0 }),
        ),
      );
    }
    return {
      descriptor: found,
      available: false,
      open: () => Promise.reject(new Error(`${found.digest} was not read`)),
    };
  };

  // [registry reuse] First what the registry pairs: every layer it accounts for is settled before any is read.
  const known = await Promise.all(
    image.layers.map((layer) =>
      reuseLayer(view, layer.diffId, {
        targets,
        limit,
        log: options.logger,
        verify: options.verify === true,
        compression: options.compression,
        settled: (target, descriptor, action, pairing) => {
          options.blobMap?.recordLocation(descriptor.digest, target.registry, target.repository);
          const fromBlobMap = pairing.via === 'blob map';
          reports.set(
            `${target.registry}/${target.repository}@${descriptor.digest}`,
            Promise.resolve(
              report(target, descriptor, action, { compressed: false, fromBlobMap, seconds: 0 }),
            ),
          );
        },
      }),
    ),
  );
  // [/registry reuse]
  const layers = await Promise.all(
    image.layers.map(async (layer, i) => {
      const found = known[i];
      if (found) return found;
      counters.layersRead++;
      const blob = await layer.prepare(); // called for every layer in one pass: sources see all they must read
      for (const target of targets) {
        ensure(target, blob, { compressed: true }).catch(() => undefined); // awaited with all the others
      }
      return blob;
    }),
  );
  // A config known only by digest (docker inspect) needs no bytes when the registries have it.
  const config =
    'available' in image.config
      ? image.config
      : ((await inRegistries(image.config.descriptor)) ?? (await image.config.prepare()));
  return image.build(config, layers);
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

function report(
  target: RepositoryTarget,
  descriptor: Descriptor,
  action: BlobAction,
  details: { compressed: boolean; fromBlobMap: boolean; seconds: number },
): BlobReport {
  const { digest, mediaType, size } = descriptor;
  return {
    repository: `${target.registry}/${target.repository}`,
    digest,
    mediaType,
    size,
    action,
    ...details,
  };
}

function sum(blobs: readonly BlobSource[]): number {
  return blobs.reduce((total, blob) => total + blob.descriptor.size, 0);
}

/** `org.opencontainers.image.base.name` of the root or its manifests: where their base layers may be mounted from. */
function baseImages(root: ManifestNode): { registry: string; repository: string }[] {
  const names = [root, ...root.children].flatMap((node) => {
    try {
      const json = JSON.parse(node.bytes.toString('utf8')) as { annotations?: Record<string, string> };
      const name = json.annotations?.['org.opencontainers.image.base.name'];
      return name ? [name] : [];
    } catch {
      return [];
    }
  });
  return names.flatMap((name) => {
    try {
      const { registry, repository } = parseReference(name);
      return [{ registry, repository }];
    } catch {
      return []; // a malformed annotation is no reason to fail a push
    }
  });
}

/**
 * Artifacts in the source that refer to the pushed manifests (signatures, SBOMs), pushed after their subject:
 * blobs, then the artifact by digest. A registry without the referrers API gets the tag-schema fallback.
 */
async function pushReferrers(
  source: ImageSource,
  manifests: readonly ManifestNode[],
  targets: readonly Target[],
  limit: <T>(task: () => Promise<T>) => Promise<T>,
  ensure: (target: Target, blob: BlobSource) => Promise<BlobReport>,
  log: PushOptions['logger'],
): Promise<void> {
  const referrers = (await source.referrers?.(new Set(manifests.map((m) => m.descriptor.digest)))) ?? [];
  for (const node of referrers) {
    const json = JSON.parse(node.bytes.toString('utf8')) as {
      subject: { digest: string };
      artifactType?: string;
      config?: { mediaType?: string };
      annotations?: Record<string, string>;
    };
    const artifactType = json.artifactType ?? json.config?.mediaType;
    const { digest, mediaType, size } = node.descriptor;
    const listing = {
      mediaType,
      digest,
      size,
      ...(artifactType ? { artifactType } : {}),
      ...(json.annotations ? { annotations: json.annotations } : {}),
    };
    await Promise.all(targets.flatMap((t) => node.blobs.map((blob) => ensure(t, blob))));
    for (const target of targets) {
      const { subjectAccepted } = await limit(() =>
        putManifest(target.client, target.repository, digest, node.descriptor, node.bytes),
      );
      if (!subjectAccepted) {
        await limit(() => addToReferrersTag(target.client, target.repository, json.subject.digest, listing));
      }
      log.info(`pushed ${artifactType ?? 'artifact'} ${digest} referring to ${json.subject.digest}`);
    }
  }
}
