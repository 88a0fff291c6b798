import type { Readable } from 'node:stream';
import { sha256Digest } from '../oci/digest.ts';
import { InputError, SourceError } from '../errors.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  isIndexMediaType,
  isManifestMediaType,
} from '../oci/media-types.ts';
import { formatReference, parseReference, type ImageReference } from '../oci/reference.ts';
import { blobExists, mountBlob } from '../registry/blobs.ts';
import type { RegistryClient } from '../registry/client.ts';
import { RegistryError } from '../registry/errors.ts';
import { getManifest, putManifest, type FetchedManifest } from '../registry/manifests.ts';
import { uploadBlob } from '../registry/upload.ts';
import type { BlobSource, Descriptor } from '../oci/descriptor.ts';
import { formatBytes } from '../format.ts';
import type { BlobAction, BlobReport, PushResult } from './result.ts';
import { openSession, type ConnectionOptions, type PushSession, type Target } from './session.ts';

export interface MergeOptions extends ConnectionOptions {
  /** Images or indexes already in a registry: `REGISTRY/REPO@sha256:...` (or `:TAG`, resolved once). */
  readonly sources: readonly string[];
  /**
   * 'auto' (default): a Docker manifest list when every child is a Docker v2 schema 2 manifest and no index
   * annotation is asked for, else an OCI image index. 'oci' and 'docker' force one.
   */
  readonly format?: 'auto' | 'oci' | 'docker';
  /** Annotations of the index itself (OCI only). */
  readonly annotations?: Readonly<Record<string, string>>;
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

/** The platform fields an index descriptor may carry, in the OCI spec's order (for stable bytes). */
interface IndexPlatform {
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  readonly features?: readonly string[];
}

/** One image of the new index, and where its content is. */
interface Child {
  /** The user's reference it came from, for messages. */
  readonly source: string;
  readonly registry: string;
  readonly repository: string;
  readonly client: RegistryClient;
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  readonly platform: IndexPlatform;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** Config and layers (foreign layers, which live outside registries, left out). */
  readonly blobs: readonly Descriptor[];
  /** A BuildKit attestation (platform unknown/unknown): may appear once per image, not once per platform. */
  readonly attestation: boolean;
}

interface ManifestJson {
  mediaType?: unknown;
  config?: unknown;
  layers?: unknown;
  manifests?: unknown;
}

interface ParsedSource {
  readonly text: string;
  readonly ref: ImageReference;
  /** The digest, or the tag to resolve. */
  readonly reference: string;
}

/** Configs are a few KB; anything this big is not one, and is not read into memory. */
const MAX_CONFIG_BYTES = 8 << 20;
const FOREIGN_LAYER = /\.foreign\.|nondistributable/;

/**
 * Builds one image index from images already in registries (each matrix job pushed its platform by digest)
 * and pushes it, like `docker buildx imagetools create`: no layer is rebuilt or recompressed. Blobs are
 * mounted from their repository where the registry allows it and streamed across otherwise; every child is
 * complete in every destination repository before any tag moves.
 */
export async function merge(options: MergeOptions): Promise<MergeResult> {
  const sources = parseSources(options);
  const format = options.format ?? 'auto';
  if (!['auto', 'oci', 'docker'].includes(format)) {
    throw new InputError(`format "${format}" is not one of auto, oci, docker`);
  }
  const annotations = checkAnnotations(options.annotations);
  if (format === 'docker' && annotations) {
    throw new InputError(
      'index annotations were given, but a Docker manifest list cannot hold annotations',
      'drop the annotations, or use format oci',
    );
  }

  let session: PushSession | undefined;
  const reports = new Map<string, Promise<BlobReport>>();
  try {
    session = await openSession(options);
    return await mergeInto(options, session, sources, format, annotations, reports);
  } finally {
    // Settle every started copy before the connections close (a failed merge may leave some in flight).
    await Promise.allSettled(reports.values());
    await session?.close();
  }
}

async function mergeInto(
  options: MergeOptions,
  session: PushSession,
  sources: readonly ParsedSource[],
  format: 'auto' | 'oci' | 'docker',
  annotations: Record<string, string> | undefined,
  reports: Map<string, Promise<BlobReport>>,
): Promise<MergeResult> {
  const { targets, limit } = session;
  const log = options.logger;

  const read = await settleInOrder(sources.map((source) => readSource(source, session)));
  const resolved: MergedSource[] = read.map(({ source, manifest }) => ({
    reference: formatReference(source.ref),
    digest: manifest.descriptor.digest,
    mediaType: manifest.descriptor.mediaType,
  }));
  for (const [i, { source }] of read.entries()) {
    const { digest, mediaType } = resolved[i] as MergedSource;
    if (source.ref.digest === undefined)
      log.info(`${formatReference(source.ref)} is ${digest} (${mediaType})`);
  }
  const children = uniqueChildren(read.flatMap((r) => r.children));
  checkPlatforms(children);

  const docker = useDockerList(children, format, annotations !== undefined);
  const index = buildIndex(children, docker, annotations);
  const indexDigest = index.descriptor.digest;
  checkPinnedDigests(targets, indexDigest);
  log.info(
    `${indexDigest}: ${docker ? 'Docker manifest list' : 'OCI image index'} of ${children.length} manifests: ` +
      children.map((c) => `${describePlatform(c.platform)} ${c.descriptor.digest}`).join(', '),
  );

  // One promise per (repository, digest): a blob shared by several children is handled once.
  const ensure = (target: Target, child: Child, blob: Descriptor): Promise<BlobReport> => {
    const key = `${target.registry}/${target.repository}@${blob.digest}`;
    let report = reports.get(key);
    if (!report) {
      report = ensureBlob(target, child, blob);
      reports.set(key, report);
    }
    return report;
  };
  const ensureBlob = async (target: Target, child: Child, blob: Descriptor): Promise<BlobReport> => {
    const present = await limit(() => blobExists(target.client, target.repository, blob));
    if (present) return blobReport(target, blob, 'skipped', 0);
    const sameRegistry = child.registry === target.registry;
    if (sameRegistry && child.repository === target.repository) {
      throw new RegistryError(
        `${child.source}: blob ${blob.digest} of manifest ${child.descriptor.digest} is missing from ${target.registry}/${target.repository}`,
        'the registry lost content of that image; push it again with push-by-digest',
      );
    }
    if (sameRegistry) {
      const mounted = await limit(() => mountBlob(target.client, target.repository, blob, child.repository));
      if (mounted) {
        log.debug(`mounted ${blob.digest} from ${child.repository} into ${target.repository}`);
        return blobReport(target, blob, 'mounted', 0);
      }
      log.info(`${target.registry} declined to mount ${blob.digest} from ${child.repository}: copying it`);
    }
    return limit(async () => {
      const started = performance.now();
      await uploadBlob(target.client, target.repository, remoteBlob(child, blob), {
        chunkSize: options.chunkSize,
      });
      const seconds = (performance.now() - started) / 1000;
      log.info(
        `copied ${blob.digest} (${formatBytes(blob.size)}) from ${child.registry}/${child.repository} ` +
          `to ${target.repository} in ${seconds.toFixed(1)}s`,
      );
      return blobReport(target, blob, 'uploaded', seconds);
    });
  };

  // Largest first: the biggest copy is the critical path.
  const work = targets.flatMap((target) =>
    children.flatMap((child) => child.blobs.map((blob) => ({ target, child, blob }))),
  );
  work.sort((a, b) => b.blob.size - a.blob.size);
  await settleInOrder(work.map(({ target, child, blob }) => ensure(target, child, blob)));

  // Every child manifest by digest in every repository, before any tag moves.
  await settleInOrder(
    targets.flatMap((target) =>
      children.map((child) =>
        limit(() =>
          putManifest(
            target.client,
            target.repository,
            child.descriptor.digest,
            child.descriptor,
            child.bytes,
          ),
        ),
      ),
    ),
  );
  for (const target of targets) {
    const references = target.tags.length ? target.tags : [indexDigest];
    await settleInOrder(
      references.map((reference) =>
        limit(() => putManifest(target.client, target.repository, reference, index.descriptor, index.bytes)),
      ),
    );
    for (const reference of target.references)
      log.info(`pushed ${formatReference(reference)}@${indexDigest}`);
  }

  const blobs = await Promise.all(reports.values());
  const count = (action: BlobAction): number => blobs.filter((b) => b.action === action).length;
  log.info(
    `${indexDigest}: ${count('mounted')} blobs mounted, ${count('uploaded')} copied, ` +
      `${count('skipped')} already present, ${targets.length} repositories`,
  );
  const first = targets[0] as Target;
  return {
    digest: indexDigest,
    mediaType: index.descriptor.mediaType,
    size: index.descriptor.size,
    references: targets.flatMap((t) => t.references.map(formatReference)),
    image: `${first.registry}/${first.repository}@${indexDigest}`,
    blobs,
    bytesCompressed: 0,
    layersRead: 0,
    children: children.map(({ descriptor: { digest, mediaType, size }, platform }) => ({
      digest,
      mediaType,
      size,
      platform,
    })),
    sources: resolved,
  };
}

/** Parses every source before any network call: a typo costs nothing. */
function parseSources(options: MergeOptions): ParsedSource[] {
  if (options.sources.length === 0) {
    throw new InputError(
      'no source to merge',
      'name the images to merge, e.g. ghcr.io/org/app@sha256:... (the digests push-by-digest printed)',
    );
  }
  return options.sources.map((text) => {
    const ref = parseReference(text, {
      ...(options.registry ? { defaultRegistry: options.registry } : {}),
      defaultTag: false,
    });
    const reference = ref.digest ?? ref.tag;
    if (reference === undefined) {
      throw new InputError(
        `merge source "${text.trim()}" names neither a digest nor a tag`,
        'write it as REGISTRY/REPOSITORY@sha256:<digest>, the digest push-by-digest printed',
      );
    }
    return { text: text.trim(), ref, reference };
  });
}

function checkAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const entries = Object.entries(annotations);
  if (entries.length === 0) return undefined;
  for (const [key, value] of entries) {
    if (key === '' || typeof value !== 'string') {
      throw new InputError(`index annotation "${key}" needs a non-empty key and a string value`);
    }
  }
  // Sorted keys: the same annotations in any order give the same bytes.
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Reads one source: an image gives one child, an index each of its images. */
async function readSource(
  source: ParsedSource,
  session: PushSession,
): Promise<{ source: ParsedSource; manifest: FetchedManifest; children: Child[] }> {
  const { registry, repository } = source.ref;
  const client = await session.clientFor(registry);
  const limit = session.limit;
  const name = source.text;
  const manifest = await limit(() => getManifest(client, repository, source.reference));
  if (!manifest) {
    throw new RegistryError(
      `merge source ${formatReference(source.ref)}: ${registry} has no such manifest in ${repository}`,
      'push it first with push-by-digest, and pass the digest it printed',
      { status: 404 },
    );
  }
  const json = parseJson(manifest.bytes, name, manifest.descriptor.digest);
  const where = { source: name, registry, repository, client };

  if (isIndexMediaType(manifest.descriptor.mediaType) || Array.isArray(json.manifests)) {
    const entries = descriptorList(json.manifests, name, manifest.descriptor.digest);
    const children = await Promise.all(
      entries.map(async (entry) => {
        const child = await limit(() => getManifest(client, repository, entry.digest));
        if (!child) {
          throw new RegistryError(
            `merge source ${formatReference(source.ref)}: its index names ${entry.digest}, which ${registry} does not hold in ${repository}`,
            'push the whole index again',
            { status: 404 },
          );
        }
        const childJson = parseJson(child.bytes, name, entry.digest);
        const blobs = imageBlobs(childJson, child.descriptor, name);
        const platform =
          platformOf(entry.platform) ?? (await configPlatform(where, blobs[0] as Descriptor, session));
        const annotations = stringRecord(entry.annotations);
        return {
          ...where,
          descriptor: child.descriptor,
          bytes: child.bytes,
          platform,
          annotations,
          blobs,
          attestation: annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
        };
      }),
    );
    return { source, manifest, children };
  }

  const blobs = imageBlobs(json, manifest.descriptor, name);
  const platform = await configPlatform(where, blobs[0] as Descriptor, session);
  const child: Child = {
    ...where,
    descriptor: manifest.descriptor,
    bytes: manifest.bytes,
    platform,
    annotations: undefined,
    blobs,
    attestation: false,
  };
  return { source, manifest, children: [child] };
}

function parseJson(bytes: Buffer, source: string, digest: string): ManifestJson {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) return json;
  } catch {
    // reported below
  }
  throw new SourceError(`merge source ${source}: manifest ${digest} is not a JSON object`);
}

function isDescriptor(value: unknown): value is { digest: string; size: number; mediaType?: unknown } {
  const d = value as { digest?: unknown; size?: unknown } | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.digest === 'string' &&
    /^sha256:[a-f0-9]{64}$/.test(d.digest) &&
    typeof d.size === 'number' &&
    Number.isSafeInteger(d.size) &&
    d.size >= 0
  );
}

interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform?: unknown;
  readonly annotations?: unknown;
}

function descriptorList(value: unknown, source: string, digest: string): IndexEntry[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  return list.map((entry) => {
    if (!isDescriptor(entry)) {
      throw new SourceError(`merge source ${source}: index ${digest} holds an invalid descriptor`);
    }
    const mediaType = typeof entry.mediaType === 'string' ? entry.mediaType : '';
    if (isIndexMediaType(mediaType)) {
      throw new InputError(
        `merge source ${source}: index ${digest} holds another index (${entry.digest})`,
        'name the inner index as a source instead',
      );
    }
    return entry as IndexEntry;
  });
}

/** The config and layers of an image manifest; the config first. */
function imageBlobs(json: ManifestJson, descriptor: Descriptor, source: string): Descriptor[] {
  if (
    !isManifestMediaType(descriptor.mediaType) ||
    !isDescriptor(json.config) ||
    !Array.isArray(json.layers)
  ) {
    throw new InputError(
      `merge source ${source}: ${descriptor.digest} is a "${descriptor.mediaType}", not an image manifest or index`,
      'merge images pushed by digest (OCI or Docker v2 schema 2)',
    );
  }
  const blobs: Descriptor[] = [asDescriptor(json.config)];
  for (const layer of json.layers as unknown[]) {
    if (!isDescriptor(layer)) {
      throw new SourceError(`merge source ${source}: manifest ${descriptor.digest} holds an invalid layer`);
    }
    const urls = (layer as { urls?: unknown }).urls;
    const mediaType = typeof layer.mediaType === 'string' ? layer.mediaType : '';
    // Foreign layers (Windows base images) are fetched from their URLs, never from a registry.
    if (Array.isArray(urls) && urls.length > 0 && FOREIGN_LAYER.test(mediaType)) continue;
    blobs.push(asDescriptor(layer));
  }
  return blobs;
}

function asDescriptor(d: { digest: string; size: number; mediaType?: unknown }): Descriptor {
  return {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : 'application/octet-stream',
    digest: d.digest,
    size: d.size,
  };
}

/** The platform an index descriptor gives, in a fixed key order; undefined when it gives none. */
function platformOf(value: unknown): IndexPlatform | undefined {
  const p = value as Record<string, unknown> | null | undefined;
  if (!p || typeof p !== 'object' || typeof p.os !== 'string' || typeof p.architecture !== 'string')
    return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const list = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v : undefined;
  const osVersion = str(p['os.version']);
  const osFeatures = list(p['os.features']);
  const variant = str(p.variant);
  const features = list(p.features);
  return {
    architecture: p.architecture,
    os: p.os,
    ...(osVersion ? { 'os.version': osVersion } : {}),
    ...(osFeatures ? { 'os.features': osFeatures } : {}),
    ...(variant ? { variant } : {}),
    ...(features ? { features } : {}),
  };
}

/** The platform from the image config (os, architecture, variant, os.version), read and verified. */
async function configPlatform(
  where: { source: string; registry: string; repository: string; client: RegistryClient },
  config: Descriptor,
  session: PushSession,
): Promise<IndexPlatform> {
  const { client, repository, source } = where;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `merge source ${source}: config ${config.digest} is ${formatBytes(config.size)}, too big for an image config`,
    );
  }
  const what = `reading config ${config.digest} from ${repository}`;
  const bytes = await session.limit(async () => {
    const res = await client.request(what, [`repository:${repository}:pull`], {
      method: 'GET',
      url: `/v2/${repository}/blobs/${config.digest}`,
      ok: [200],
    });
    return Buffer.from(await res.body.arrayBuffer());
  });
  const digest = sha256Digest(bytes);
  if (digest !== config.digest) {
    throw new RegistryError(
      `${what}: ${client.registry} sent bytes hashing to ${digest}`,
      'the registry or a proxy altered the blob',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  const platform = platformOf(json);
  if (!platform) {
    throw new InputError(
      `merge source ${source}: config ${config.digest} names no os and architecture`,
      'only container images can be merged into an index by platform',
    );
  }
  return platform;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The same manifest named twice (by two sources, or an index and one of its images) is one child. */
function uniqueChildren(children: readonly Child[]): Child[] {
  const seen = new Set<string>();
  return children.filter((child) => {
    if (seen.has(child.descriptor.digest)) return false;
    seen.add(child.descriptor.digest);
    return true;
  });
}

function platformKey(p: IndexPlatform): string {
  // arm64 is v8 unless said otherwise: `linux/arm64` and `linux/arm64/v8` are one platform.
  const variant = p.architecture === 'arm64' && p.variant === 'v8' ? undefined : p.variant;
  return [p.os, p.architecture, variant ?? '', p['os.version'] ?? ''].join('/');
}

function describePlatform(p: IndexPlatform): string {
  return [
    p.os,
    p.architecture,
    ...(p.variant ? [p.variant] : []),
    ...(p['os.version'] ? [p['os.version']] : []),
  ].join('/');
}

function checkPlatforms(children: readonly Child[]): void {
  const byPlatform = new Map<string, Child>();
  for (const child of children) {
    if (child.attestation) continue;
    const key = platformKey(child.platform);
    const other = byPlatform.get(key);
    if (other) {
      throw new InputError(
        `${other.source} (${other.descriptor.digest}) and ${child.source} (${child.descriptor.digest}) are both ${describePlatform(child.platform)}`,
        'an index holds one image per platform: drop one of them, or build it for another platform',
      );
    }
    byPlatform.set(key, child);
  }
}

function useDockerList(
  children: readonly Child[],
  format: 'auto' | 'oci' | 'docker',
  hasAnnotations: boolean,
): boolean {
  if (format === 'oci') return false;
  const oci = children.find((c) => c.descriptor.mediaType !== DOCKER_MANIFEST);
  if (format === 'docker' && oci) {
    throw new InputError(
      `format docker was asked for, but ${oci.source} (${oci.descriptor.digest}) is a ${oci.descriptor.mediaType}`,
      'a Docker manifest list holds only Docker v2 schema 2 manifests: use format oci or auto',
    );
  }
  // A manifest list has no place for annotations: asking for them means an OCI index.
  return oci === undefined && !hasAnnotations;
}

/** The index's exact bytes: the same children in the same order always give the same digest. */
function buildIndex(
  children: readonly Child[],
  docker: boolean,
  annotations: Record<string, string> | undefined,
): { descriptor: Descriptor; bytes: Buffer } {
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const manifests = children.map((child) => ({
    mediaType: child.descriptor.mediaType,
    digest: child.descriptor.digest,
    size: child.descriptor.size,
    platform: child.platform,
    ...(!docker && child.annotations ? { annotations: child.annotations } : {}),
  }));
  const json = {
    schemaVersion: 2,
    mediaType,
    manifests,
    ...(annotations ? { annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(json));
  return { descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length }, bytes };
}

function checkPinnedDigests(targets: readonly Target[], digest: string): void {
  for (const target of targets) {
    const wrong = target.digests.find((d) => d !== digest);
    if (wrong) {
      throw new InputError(
        `destination ${target.registry}/${target.repository}@${wrong} pins a digest, but the merged index is ${digest}`,
        'drop the digest from the destination',
      );
    }
  }
}

/** A blob of a child, streamed from its own repository (possibly on another registry) when copied. */
function remoteBlob(child: Child, descriptor: Descriptor): BlobSource {
  return {
    descriptor,
    available: true,
    open: async (): Promise<Readable> => {
      const res = await child.client.request(
        `reading blob ${descriptor.digest} from ${child.registry}/${child.repository}`,
        [`repository:${child.repository}:pull`],
        { method: 'GET', url: `/v2/${child.repository}/blobs/${descriptor.digest}`, ok: [200] },
      );
      return res.body;
    },
  };
}

function blobReport(target: Target, descriptor: Descriptor, action: BlobAction, seconds: number): BlobReport {
  return {
    repository: `${target.registry}/${target.repository}`,
    digest: descriptor.digest,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    action,
    compressed: false,
    fromBlobMap: false,
    seconds,
  };
}

/**
 * Waits for every task (so none is left running against a closing connection), then throws the first
 * failure in the given order: the same inputs always report the same error.
 */
async function settleInOrder<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
