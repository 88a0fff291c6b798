import type { BlobMap } from '../cache/blob-map.ts';
import { InputError } from '../errors.ts';
import { LayerCompressor } from '../compress/layer-compressor.ts';
import type { LayerCompression } from '../compress/parallel-compress.ts';
import { formatBytes } from '../format.ts';
import { readBounded } from '../read-bounded.ts';
import type { BlobSource, ManifestNode, Platform } from '../oci/descriptor.ts';
import { parseManifest } from '../oci/manifest.ts';
import { parseReference } from '../oci/reference.ts';
import { openSource } from '../source/index.ts';
import { loadRegistryImage } from '../source/registry-source.ts';
import { verifyLayers } from '../source/verify-layers.ts';
import { isPending, type ImageSource } from '../source/types.ts';
import type { PlanContext } from './context.ts';
import { resolveLayers } from './layers.ts';
import { planResult, planTree, uniqueBlobs, writePlan } from '../engine/plan.ts';
import { checkAllPresent, checkSinglePlatform, platformOfConfig, selectPlatforms } from './platforms.ts';
import { pushReferrers } from './referrers.ts';
import { learnFromRegistry, tagKey, type RegistryView } from './reuse.ts';
import { rememberPairings } from './reuse-layer.ts';
import { checkTagsBeforeUpload, tagAction } from './tags.ts';
import type { PushResult } from '../engine/result.ts';
import type { ConnectionOptions, PushSession, Target } from '../engine/session.ts';
import { withWriter } from '../engine/with-writer.ts';
import { postOrder } from '../engine/manifest-order.ts';
import { checkPinnedDigests } from '../engine/targets.ts';
import { Writer, type BlobHints, type RootReferences } from '../engine/writer.ts';

export interface PushOptions extends ConnectionOptions {
  /** Transport reference of the image: `oci:PATH[:NAME]`, `docker-archive:PATH[:REF]`, ... */
  readonly source: string;
  /** How layers that arrive uncompressed are compressed: gzip (default, every client reads it) or zstd. */
  readonly compression?: LayerCompression;
  /** Level for those layers (gzip 1-9, zstd 1-19); by default 2 for gzip, 3 for zstd. */
  readonly compressionLevel?: number;
  /** Upload blobs in PATCH chunks of this many bytes; by default one PUT, falling back to chunks on 413. */
  readonly chunkSize?: number | undefined;
  /** diffID -> compressed blob memory, and where blobs live; consulted before compressing and updated after. */
  readonly blobMap?: BlobMap | undefined;
  /** Push the manifest by digest only, moving no tag (each job of a matrix, before a merge). */
  readonly pushByDigest?: boolean;
  /** For an image index: push only these platforms (the index is rewritten to hold just them). */
  readonly platforms?: readonly Platform[];
  /**
   * Check every layer read from the source against its config's diff_ids, and every blob reused from the
   * registry against its local layer, before any manifest goes up.
   */
  readonly verify?: boolean;
  /** Tags (in each destination repository) or same-registry references whose layers may be reused. */
  readonly reuseFrom?: readonly string[];
  /** Move a tag that holds another image (default true); false fails the push before any upload. */
  readonly overwrite?: boolean;
  /** Read a single image's config for the result's platform when the push did not read it (default true). */
  readonly describePlatform?: boolean;
}

/**
 * Pushes one image to every destination. Blobs go up first, each at most once per repository (a HEAD
 * decides); then child manifests by digest, and only then the root manifest under each tag, so no tag ever
 * points at something missing.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const compressor = new LayerCompressor(options.compression, options.compressionLevel);
  let session: PushSession | undefined;
  // A docker:// source reads through the session's clients; it asks for one only in load(), once it is open.
  const source = openSource(options.source, compressor, (registry, repository) => {
    if (!session) throw new Error('the source asked for a registry client before the session opened');
    return session.sourceClientFor(registry, repository);
  });
  if (options.sourceCredentials && !source.name.startsWith('docker://')) {
    await compressor.close();
    throw new InputError(
      `source credentials were given, but the image "${options.source}" is not in a registry`,
      'they are for a docker://REGISTRY/REPOSITORY:TAG source; drop them',
    );
  }
  const writer = {
    sourceName: source.name,
    chunkSize: options.chunkSize,
    blobMap: options.blobMap,
    overwrite: options.overwrite !== false,
  };
  try {
    return await withWriter({ ...options, writer }, (opened, w) => {
      session = opened;
      return pushImage(options, source, compressor, opened, w);
    });
  } finally {
    await Promise.all([source.close(), compressor.close()]);
  }
}

/** Loads the image, settles its pending layers, then plans the write and carries it out. */
async function pushImage(
  options: PushOptions,
  source: ImageSource,
  compressor: LayerCompressor,
  session: PushSession,
  writer: Writer,
): Promise<PushResult> {
  const { targets, limit } = session;
  const log = options.logger;
  let bases: readonly { registry: string; repository: string }[] = [];
  // The one place a source's mount hints reach the writer: the blob map, base images, a registry source.
  const hints = (target: Target, blob: BlobSource): BlobHints => ({
    mountFrom: mountSources(options.blobMap, bases, target, blob.descriptor.digest),
    mountFirst: mountFirst(options.blobMap, target, blob.descriptor.digest),
    ...((blob.mountFrom ?? source.copyFrom) ? { copyFrom: blob.mountFrom ?? source.copyFrom } : {}),
  });
  // What every planner below shares (push/context.ts).
  const context: PlanContext = {
    targets,
    writer,
    limit,
    log,
    sourceName: source.name,
    blobMap: options.blobMap,
    compression: options.compression,
    verify: options.verify,
    hints,
  };

  // A source that streams its blobs once (the engine's save) hands each over as it arrives, so its upload starts
  // at once; not when something must be checked before any upload (platforms, overwrite: false, verify).
  const streamBlobs = !options.platforms?.length && options.overwrite !== false && !options.verify;
  const early = await heldAlready(options, source, context);
  const loaded =
    early?.root ??
    (await source.load(
      streamBlobs
        ? {
            blobSink: (blob) =>
              Promise.all(targets.map((target) => writer.ensureBlob(target, blob, hints(target, blob)))),
          }
        : {},
    ));
  const pending = isPending(loaded) ? loaded : undefined;
  if (pending) checkSinglePlatform(pending.platform, options.platforms ?? []);
  const selected = pending
    ? undefined
    : await selectPlatforms(loaded as ManifestNode, options.platforms ?? []);
  // What the destinations hold, read before any layer is (push/reuse.ts): the tags' digests, and for a
  // pending image the layers the registry already pairs with a blob.
  // (heldAlready read the tags already; a source that knows its digest has no pending layers to pair.)
  const view =
    early && !pending
      ? early.view
      : await learnFromRegistry(context, {
          image: pending,
          reuseFrom: options.reuseFrom ?? [],
          strictTags: options.overwrite === false,
        });
  if (options.overwrite === false && !options.pushByDigest) {
    checkTagsBeforeUpload(view, targets, {
      digest: selected?.descriptor.digest,
      configDigest: pending?.config.descriptor.digest,
    });
  }
  let layersRead = 0;
  let root: ManifestNode;
  if (pending) {
    ({ root, layersRead } = await resolveLayers(pending, view, context));
  } else {
    root = selected as ManifestNode;
    if (root.descriptor.digest !== (loaded as ManifestNode).descriptor.digest) {
      log.info(
        `the index digest changed from ${(loaded as ManifestNode).descriptor.digest} to ${root.descriptor.digest} ` +
          `because platforms kept ${indexEntries(root)} of ${indexEntries(loaded as ManifestNode)} entries`,
      );
    }
  }
  checkAllPresent(root, source.name);
  bases = baseImages(root);
  checkPinnedDigests(targets, root.descriptor.digest, "the image's manifest");
  const planned = planTree(root, targets, { pushByDigest: options.pushByDigest, hints });
  const held = holdingTargets(view, targets, root.descriptor.digest);
  for (const target of held) {
    for (const blob of uniqueBlobs(postOrder(root))) {
      writer.markPresent(target, blob.descriptor, { fromBlobMap: false });
      options.blobMap?.recordLocation(blob.descriptor.digest, target.registry, target.repository);
    }
  }
  const plan = {
    ...planned,
    writes: planned.writes.filter((write) => !held.has(write.target)),
    references: unchangedTagsLeftOut(planned.references, view, root, options, log).map((refs) =>
      held.has(refs.target) ? { ...refs, holdsRoot: true } : refs,
    ),
  };
  const blobs = uniqueBlobs([...plan.children, root]);
  log.info(
    `${source.name}: ${root.descriptor.mediaType} ${root.descriptor.digest}, ${blobs.length} blobs, ` +
      formatBytes(blobs.reduce((total, blob) => total + blob.descriptor.size, 0)),
  );

  // verify runs alongside the uploads; no manifest goes up (no tag moves) until it passed.
  const stopVerify = new AbortController();
  const verified = options.verify
    ? verifyLayers(root, {
        sourceName: source.name,
        skip: (blob) => compressor.checkedDiffId(blob),
        signal: stopVerify.signal,
      }).then(({ layers, bytes }) =>
        log.info(
          `verified ${layers} layers (${formatBytes(bytes)} uncompressed) against the config's diff_ids`,
        ),
      )
    : undefined;
  try {
    await writePlan(writer, plan, verified);
  } finally {
    stopVerify.abort();
    await verified?.catch(() => undefined);
  }
  // Later runs re-read this manifest before relying on its pairings (the blob map only names it).
  if (pending) {
    const diffIds = pending.layers.map((layer) => layer.diffId);
    const layers = root.blobs.slice(1).map((blob) => blob.descriptor);
    rememberPairings(options.blobMap, diffIds, layers, root.descriptor.digest, targets);
  }
  const subjects = new Set([...plan.children, root].map((m) => m.descriptor.digest));
  const referrers = (await source.referrers?.(subjects)) ?? [];
  await pushReferrers(referrers, context);
  await writer.drain();
  log.info(writer.describe(root.descriptor.digest, targets.length));
  return planResult(plan, writer, {
    pushByDigest: options.pushByDigest,
    bytesCompressed: compressor.bytesCompressed,
    layersRead,
    source: source.name,
    platform: pending
      ? pending.platform
      : options.describePlatform === false
        ? undefined
        : await configPlatform(root),
  });
}

/**
 * A source that knows the digest it will push before reading anything (the containerd image store: the image
 * ID) need not be read when every destination repository holds that manifest already under one of its tags:
 * the tree is read back from the registry (a few GETs, each manifest checked against its digest) instead of
 * the engine's `docker save` of the whole image. The tags' view is returned either way, for the plan.
 */
async function heldAlready(
  options: PushOptions,
  source: ImageSource,
  context: PlanContext,
): Promise<{ root: ManifestNode | undefined; view: RegistryView } | undefined> {
  if (options.platforms?.length || options.verify || !source.knownRootDigest) return undefined;
  const digest = await source.knownRootDigest();
  if (!digest) return undefined;
  const { targets } = context;
  const view = await learnFromRegistry(context, {
    image: undefined,
    reuseFrom: [],
    strictTags: options.overwrite === false,
  });
  const [first] = targets;
  if (!first || holdingTargets(view, targets, digest).size !== targets.length)
    return { root: undefined, view };
  const { tree } = await loadRegistryImage(
    first.client,
    { registry: first.registry, repository: first.repository, digest, tag: undefined },
    source.name,
    { limit: context.limit, missingHint: 'the registry changed during the push: push again' },
  );
  context.log.info(
    `${source.name}: ${first.registry}/${first.repository} holds ${digest} (the image ID) already: ` +
      'read back from there instead of saving the image',
  );
  return { root: tree, view };
}

/**
 * Other repositories of the same registry that hold (or may hold) a blob: those the blob map remembers,
 * and the base image the manifest names. A mount there costs one request instead of an upload.
 */
function mountSources(
  blobMap: BlobMap | undefined,
  bases: readonly { registry: string; repository: string }[],
  target: Target,
  digest: string,
): string[] {
  const candidates = [
    ...(blobMap?.repositoriesWith(digest, target.registry) ?? []),
    ...bases.filter((base) => base.registry === target.registry).map((base) => base.repository),
  ];
  return [...new Set(candidates)].filter((repository) => repository !== target.repository).slice(0, 3);
}

/**
 * Whether the blob map names other repositories of the target's registry for the blob, and not the target's:
 * then a mount is the likely answer, and is tried before a HEAD (one request per blob instead of two).
 */
function mountFirst(blobMap: BlobMap | undefined, target: Target, digest: string): boolean {
  const known = blobMap?.repositoriesWith(digest, target.registry) ?? [];
  return known.length > 0 && !known.includes(target.repository);
}

/** `org.opencontainers.image.base.name` of the root or its manifests: where their base layers may be mounted from. */
function baseImages(root: ManifestNode): { registry: string; repository: string }[] {
  const names = [root, ...root.children].flatMap((node) => {
    try {
      const name = parseManifest(node.bytes).annotations?.['org.opencontainers.image.base.name'];
      return name ? [name] : [];
    } catch {
      return []; // the tree was checked when it loaded; an odd manifest is no reason to fail here
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

/** How many entries an index lists. */
function indexEntries(node: ManifestNode): number {
  const parsed = parseManifest(node.bytes);
  return parsed.kind === 'index' ? parsed.manifests.length : 0;
}

/**
 * Targets where a destination tag already holds the pushed manifest: the registry checked every blob and child
 * manifest it names when it went up, so the repository holds them all and none is asked about (a re-run).
 */
function holdingTargets(view: RegistryView, targets: readonly Target[], digest: string): Set<Target> {
  return new Set(
    targets.filter((target) =>
      target.tags.some((tag) => view.tags.get(tagKey(target, tag))?.digest === digest),
    ),
  );
}

/**
 * A tag that already holds the pushed digest gets no PUT (a re-run of a finished job costs a few GETs and
 * HEADs); with `overwrite: false`, one that holds another image fails here, before any manifest goes up.
 */
function unchangedTagsLeftOut(
  references: readonly RootReferences[],
  view: RegistryView,
  root: ManifestNode,
  options: PushOptions,
  log: PushOptions['logger'],
): RootReferences[] {
  const digest = root.descriptor.digest;
  return references.map(({ target, references: refs }) => ({
    target,
    references: refs.filter((reference) => {
      if (reference.startsWith('sha256:')) return true;
      if (tagAction(view, target, reference, digest, options.overwrite !== false) === 'put') return true;
      log.info(
        `${target.registry}/${target.repository}:${reference} already holds ${digest}: not pushed again`,
      );
      return false;
    }),
  }));
}

/** Bigger than any image config worth reading for its platform. */
const MAX_CONFIG_BYTES = 1 << 20;

/**
 * The platform a single image's config names, for the summary; undefined for an index or an unreadable
 * config (it is only reported, so a failure here must not fail a push that worked).
 */
async function configPlatform(root: ManifestNode): Promise<Platform | undefined> {
  const config = root.blobs[0];
  // A registry source's config would cost one more request: its platform is left out.
  if (root.children.length > 0 || !config || config.mountFrom || config.descriptor.size > MAX_CONFIG_BYTES)
    return undefined;
  try {
    return platformOfConfig(await readBounded(await config.open(), config.descriptor.size));
  } catch {
    return undefined;
  }
}
