import type { Limit } from '../limit.ts';
import type { Logger } from '../log.ts';
import type { Descriptor, Platform } from '../oci/descriptor.ts';
import {
  DOCKER_LAYER_GZIP,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  isIndexMediaType,
  isManifestMediaType,
} from '../oci/media-types.ts';
import { MAX_CONFIG_BYTES } from '../oci/manifest.ts';
import { platformMatches } from '../oci/platform.ts';
import { parseReference } from '../oci/reference.ts';
import { readBounded, TooLargeError } from '../read-bounded.ts';
import { readSmallBlob } from '../registry/blobs.ts';
import { pushScope } from '../registry/transport/client.ts';
import { getManifest, type FetchedManifest } from '../registry/manifests.ts';
import type { PendingImage } from '../source/types.ts';
import type { Target } from '../engine/session.ts';
import type { PlanContext } from './context.ts';

/** Where a pairing was learnt: kept for logs and the report ("from blob map"). */
export type PairingSource = 'tag' | 'latest' | 'reuse-from' | 'base' | 'blob map';

/** A layer (by diffID) and the blob a manifest in the registry stores for it. */
export interface Pairing {
  readonly descriptor: Descriptor;
  /** Digest of the image manifest whose config pairs the two. */
  readonly attestedBy: string;
  readonly registry: string;
  readonly repository: string;
  readonly via: PairingSource;
}

/** What a destination tag holds before the push: its manifest digest and, for an image, its config. */
export interface TagState {
  readonly digest: string;
  readonly configDigest: string | undefined;
}

export interface RegistryView {
  /** diffID -> pairings the destination registries make (only registries the push writes to). */
  readonly pairings: ReadonlyMap<string, readonly Pairing[]>;
  /** `registry/repository:tag` -> what the tag holds now; absent when the tag does not exist. */
  readonly tags: ReadonlyMap<string, TagState>;
}

/** What to learn besides the destination tags (the context gives the targets, the blob map, the limiter). */
export interface LearnWhat {
  /** The image being pushed when its layers are pending (their blobs unknown); otherwise only tags are read. */
  readonly image: PendingImage | undefined;
  /** Tags (in every destination repository) or references on a destination registry to learn from. */
  readonly reuseFrom: readonly string[];
  /** A destination tag that cannot be read fails the push (overwrite: false must know what it holds). */
  readonly strictTags: boolean;
}

/** Per registry, attesting manifests named by the blob map that are read again (newest first). */
const MAX_MAP_MANIFESTS = 8;
/** Children of an index read when the local platform is unknown. */
const MAX_CHILDREN = 8;

export function tagKey(target: { registry: string; repository: string }, tag: string): string {
  return `${target.registry}/${target.repository}:${tag}`;
}

/**
 * Reads what the destinations already hold, before any layer is read: the manifest under each destination
 * tag, and for an image with pending layers also `latest`, the `reuse-from` references, the base image the
 * config names and the manifests the blob map remembers, with their configs. Each image manifest whose
 * config's diff_ids line up with its layers pairs every layer with the blob the registry stores for it.
 * Only destination registries are read, only repositories the push writes to or the user or image names.
 */
export async function learnFromRegistry(context: PlanContext, options: LearnWhat): Promise<RegistryView> {
  const { targets } = context;
  const local = options.image ? await localFacts(options.image) : undefined;
  const learner = new Learner(context, local, options.strictTags);
  // Destination tags first: their state decides the tag checks, and their images are the likeliest parents.
  await Promise.all(targets.flatMap((t) => t.tags.map((tag) => learner.learn(t, tag, 'tag', tag))));
  if (!local) return learner.view();

  // Repositories the push may learn from: its own, and those the user or the image names.
  const allowed = new Set(targets.map((t) => `${t.registry}/${t.repository}`));
  const named = namedReferences(targets, options.reuseFrom, local.base, allowed, context.log);
  await Promise.all([
    ...targets.map((target) => learner.learn(target, 'latest', 'latest')),
    ...named.map(({ where, reference, via }) => learner.learn(where, reference, via)),
  ]);
  // The blob map only names manifests to read again, in those repositories; read after the rest, for the
  // layers they left unpaired.
  const remembered = context.blobMap
    ? rememberedManifests(targets, context.blobMap, local.diffIds, learner.pairings, allowed)
    : [];
  await Promise.all(remembered.map(({ where, reference }) => learner.learn(where, reference, 'blob map')));
  return learner.view();
}

type Where = { registry: string; repository: string; client: Target['client'] };

/** One manifest to read: where, by tag or digest, and why. */
interface Lookup {
  readonly where: Where;
  readonly reference: string;
  readonly via: PairingSource;
}

/** The `reuse-from` references and the image's base, as manifests to read on a destination registry. */
function namedReferences(
  targets: readonly Target[],
  reuseFrom: readonly string[],
  base: readonly { ref: string }[],
  allowed: Set<string>,
  log: Logger,
): Lookup[] {
  const lookups: Lookup[] = [];
  const named = [
    ...reuseFrom.map((ref) => ({ ref, via: 'reuse-from' as const })),
    ...base.map(({ ref }) => ({ ref, via: 'base' as const })),
  ];
  for (const { ref, via } of named) {
    if (via === 'reuse-from' && /^[\w][\w.-]{0,127}$/.test(ref)) {
      for (const target of targets) lookups.push({ where: target, reference: ref, via });
      continue;
    }
    let parsed;
    try {
      parsed = parseReference(ref);
    } catch {
      if (via === 'reuse-from')
        log.warning(`reuse-from "${ref}" is neither a tag nor an image reference: ignored`);
      continue;
    }
    const on = targets.find((t) => t.registry === parsed.registry);
    if (!on) {
      // A pairing from another registry would let that registry decide what this one stores: never.
      if (via === 'reuse-from')
        log.warning(
          `reuse-from ${ref} is not on a destination registry: ignored (layers are only reused within one registry)`,
        );
      continue;
    }
    allowed.add(`${parsed.registry}/${parsed.repository}`);
    const where = { registry: parsed.registry, repository: parsed.repository, client: on.client };
    lookups.push({ where, reference: parsed.digest ?? parsed.tag ?? 'latest', via });
  }
  return lookups;
}

/** Manifests the blob map names as attesting layers still unpaired, newest first, a few per registry. */
function rememberedManifests(
  targets: readonly Target[],
  map: NonNullable<PlanContext['blobMap']>,
  diffIds: ReadonlySet<string>,
  pairings: ReadonlyMap<string, readonly Pairing[]>,
  allowed: ReadonlySet<string>,
): Omit<Lookup, 'via'>[] {
  return targets.flatMap((target) => {
    const named = new Set<string>();
    for (const diffId of diffIds) {
      if (pairings.has(diffId)) continue;
      for (const a of map.attestations(diffId, target.registry)) {
        if (allowed.has(`${a.registry}/${a.repository}`)) named.add(`${a.repository}@${a.manifest}`);
      }
    }
    return [...named].slice(0, MAX_MAP_MANIFESTS).map((name) => {
      const [repository, digest] = name.split('@') as [string, string];
      return { where: { registry: target.registry, repository, client: target.client }, reference: digest };
    });
  });
}

/** Reads manifests (each once) and gathers what they tell: the tags' states and the layer pairings. */
class Learner {
  readonly pairings = new Map<string, Pairing[]>();
  readonly #tags = new Map<string, TagState>();
  readonly #seen = new Set<string>();
  readonly #context: PlanContext;
  readonly #local: LocalFacts | undefined;
  readonly #strictTags: boolean;

  constructor(context: PlanContext, local: LocalFacts | undefined, strictTags: boolean) {
    this.#context = context;
    this.#local = local;
    this.#strictTags = strictTags;
  }

  view(): RegistryView {
    return { pairings: this.pairings, tags: this.#tags };
  }

  /** Reads `reference` in `where`; `tag` when it is a destination tag whose state the checks need. */
  async learn(where: Where, reference: string, via: PairingSource, tag?: string): Promise<void> {
    const { targets, limit, log } = this.#context;
    const id = `${where.registry}/${where.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    // A repository being pushed to is read with its push token (one token for both); others need pull only.
    const pushed = targets.some((t) => t.registry === where.registry && t.repository === where.repository);
    const target: Repository = {
      ...where,
      scope: pushed ? pushScope(where.repository) : `repository:${where.repository}:pull`,
    };
    let fetched: FetchedManifest | undefined;
    try {
      fetched = await limit(() => getManifest(target.client, target.repository, reference, target.scope));
    } catch (err) {
      // overwrite: false needs the answer; otherwise an unreadable tag only means no skipped PUT, no reuse.
      if (tag !== undefined && this.#strictTags) throw err;
      log.debug(`cannot read ${id} to learn layers: ${(err as Error).message}`);
      return;
    }
    if (!fetched) return;
    const local = this.#local;
    if (!local) {
      // Nothing to learn for an image whose blobs are known: the tag's digest is all the checks need.
      if (tag !== undefined)
        this.#tags.set(tagKey(target, tag), { digest: fetched.descriptor.digest, configDigest: undefined });
      return;
    }
    const images = await imageManifests(target, fetched, local.platform, limit, log);
    if (tag !== undefined) {
      const config =
        images.length === 1 && !isIndexMediaType(fetched.descriptor.mediaType) ? images[0] : undefined;
      this.#tags.set(tagKey(target, tag), {
        digest: fetched.descriptor.digest,
        configDigest: config?.configDigest,
      });
    }
    for (const found of images) this.#pair(target, found, local, via);
  }

  /** Records each pairing of `found` for a layer of the local image, once per repository and blob. */
  #pair(target: Repository, found: ImageFacts, local: LocalFacts, via: PairingSource): void {
    for (const [diffId, descriptor] of found.pairs) {
      if (!local.diffIds.has(diffId)) continue;
      const list = this.pairings.get(diffId) ?? [];
      if (list.some((p) => p.repository === target.repository && p.descriptor.digest === descriptor.digest))
        continue;
      list.push({
        descriptor,
        attestedBy: found.digest,
        registry: target.registry,
        repository: target.repository,
        via,
      });
      this.pairings.set(diffId, list);
    }
  }
}

/** A repository manifests are read from, with the token scope to read it with. */
interface Repository {
  readonly registry: string;
  readonly repository: string;
  readonly client: Target['client'];
  readonly scope: string;
}

interface ImageFacts {
  readonly digest: string;
  readonly configDigest: string;
  /** diffID -> the layer blob the manifest names for it. */
  readonly pairs: Map<string, Descriptor>;
}

/** The image manifests a fetched manifest stands for (an index: the child of the local platform). */
async function imageManifests(
  target: Repository,
  fetched: FetchedManifest,
  platform: Platform | undefined,
  limit: Limit,
  log: Logger,
): Promise<ImageFacts[]> {
  const json = parse(fetched.bytes) as { manifests?: Descriptor[] } | undefined;
  if (isIndexMediaType(fetched.descriptor.mediaType) || Array.isArray(json?.manifests)) {
    const children = (json?.manifests ?? []).filter(
      (d) =>
        typeof d.digest === 'string' &&
        isManifestMediaType(d.mediaType) &&
        (platform === undefined || (d.platform !== undefined && platformMatches(d.platform, platform))),
    );
    const facts = await Promise.all(
      children.slice(0, MAX_CHILDREN).map(async (child) => {
        try {
          const got = await limit(() =>
            getManifest(target.client, target.repository, child.digest, target.scope),
          );
          return got ? await imageFacts(target, got, limit) : undefined;
        } catch (err) {
          log.debug(`cannot read ${target.repository}@${child.digest}: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );
    return facts.filter((f) => f !== undefined);
  }
  const facts = await imageFacts(target, fetched, limit).catch((err: unknown) => {
    log.debug(`cannot read the config of ${target.repository}@${fetched.descriptor.digest}: ${String(err)}`);
    return undefined;
  });
  return facts ? [facts] : [];
}

/** Pairs diff_ids with layers when they line up: same count, every layer a plain distributable tar blob. */
async function imageFacts(
  target: Repository,
  fetched: FetchedManifest,
  limit: Limit,
): Promise<ImageFacts | undefined> {
  const manifest = parse(fetched.bytes) as { config?: Descriptor; layers?: Descriptor[] } | undefined;
  const config = manifest?.config;
  if (!config || typeof config.digest !== 'string' || !Array.isArray(manifest.layers)) return undefined;
  const bytes = await limit(() =>
    readSmallBlob(target.client, target.repository, config, MAX_CONFIG_BYTES, target.scope),
  );
  const diffIds = (parse(bytes) as { rootfs?: { diff_ids?: unknown } } | undefined)?.rootfs?.diff_ids;
  const pairs = new Map<string, Descriptor>();
  const facts = { digest: fetched.descriptor.digest, configDigest: config.digest, pairs };
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) return facts;
  for (const [i, layer] of manifest.layers.entries()) {
    const diffId: unknown = diffIds[i];
    const mediaType = reusableMediaType(layer);
    if (typeof diffId !== 'string' || !mediaType || !Number.isSafeInteger(layer.size)) continue;
    pairs.set(diffId, { mediaType, digest: layer.digest, size: layer.size });
  }
  return facts;
}

/**
 * The media type under which a stored layer blob goes into the new manifest: gzip under Docker's name (the
 * same bytes; the built manifest is Docker schema 2), zstd under OCI's. Foreign, non-distributable and
 * uncompressed layers, and layers with external URLs, are not reused.
 */
function reusableMediaType(layer: Descriptor & { urls?: unknown }): string | undefined {
  if (typeof layer.digest !== 'string' || layer.urls !== undefined) return undefined;
  if (layer.mediaType === DOCKER_LAYER_GZIP || layer.mediaType === OCI_LAYER_GZIP) return DOCKER_LAYER_GZIP;
  if (layer.mediaType === OCI_LAYER_ZSTD) return OCI_LAYER_ZSTD;
  return undefined;
}

/** What the local image says about itself: its diffIDs, platform and base image (from its config). */
interface LocalFacts {
  readonly diffIds: Set<string>;
  readonly platform: Platform | undefined;
  readonly base: { ref: string }[];
}

async function localFacts(image: PendingImage): Promise<LocalFacts> {
  const diffIds = new Set(image.layers.map((l) => l.diffId));
  if (!('available' in image.config) || !image.config.available)
    return { diffIds, platform: image.platform, base: image.baseName ? [{ ref: image.baseName }] : [] };
  // Bounded like every config read; a local config larger than that is no image config to learn from.
  const size = Math.min(image.config.descriptor.size, MAX_CONFIG_BYTES);
  const bytes = await readBounded(await image.config.open(), size).catch((err: unknown) => {
    if (err instanceof TooLargeError) return undefined;
    throw err;
  });
  const config = parse(bytes) as
    | { architecture?: string; os?: string; variant?: string; config?: { Labels?: Record<string, string> } }
    | undefined;
  const platform =
    typeof config?.architecture === 'string' && typeof config.os === 'string'
      ? {
          architecture: config.architecture,
          os: config.os,
          ...(config.variant ? { variant: config.variant } : {}),
        }
      : undefined;
  return { diffIds, platform, base: baseOf(config?.config?.Labels) };
}

/** The base image a config's labels name (as buildx and many Dockerfiles write them), by digest when given. */
export function baseOf(labels: Record<string, string> | undefined): { ref: string }[] {
  const name = labels?.['org.opencontainers.image.base.name'];
  if (typeof name !== 'string' || name === '') return [];
  const digest = labels?.['org.opencontainers.image.base.digest'];
  try {
    const parsed = parseReference(name);
    const ref =
      typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest)
        ? `${parsed.registry}/${parsed.repository}@${digest}`
        : name;
    return [{ ref }];
  } catch {
    return [];
  }
}

function parse(bytes: Buffer | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
