import { SourceError } from '../errors.ts';
import { createLimiter, type Limit } from '../limit.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import { sha256Digest } from '../oci/digest.ts';
import { MAX_MANIFEST_BYTES } from '../oci/manifest.ts';
import { parseReference, type ImageReference } from '../oci/reference.ts';
import { readBlob } from '../registry/blobs.ts';
import type { RegistryClient } from '../registry/transport/client.ts';
import { RegistryError } from '../registry/transport/errors.ts';
import {
  getManifest,
  listReferrers,
  ManifestTooLargeError,
  type FetchedManifest,
} from '../registry/manifests.ts';
import { loadManifestTree, type ManifestStore } from './manifest-tree.ts';
import type { ImageSource } from './types.ts';

/**
 * Gives the client for a repository of a registry: the push's own, so credentials (which may be scoped to a
 * repository) and connections are shared.
 */
export type ClientFactory = (registry: string, repository: string) => Promise<RegistryClient>;

/** How many referrers listings are asked for at once. */
const REFERRER_LISTINGS = 8;
/** Foreign layers (Windows base images) are fetched from their URLs, never from a registry. */
const FOREIGN_LAYER = /\.foreign\.|nondistributable/;

/**
 * An image in a registry, `docker://REGISTRY/REPO:TAG` or `docker://REGISTRY/REPO@sha256:...` (skopeo's
 * transport): the manifest or the whole index with every child, byte for byte, so the digest is kept. Blob
 * bytes are streamed from the registry only when a destination lacks them and cannot mount them; every
 * blob carries where it lives, so a destination on the same registry mounts it instead.
 */
export class RegistrySource implements ImageSource {
  readonly name: string;
  readonly #ref: ImageReference;
  readonly #clients: ClientFactory;
  /** The store load() used: referrers() reads through it too. */
  #store: ManifestStore | undefined;
  #client: RegistryClient | undefined;

  /** `reference` is what follows `docker://`; it is parsed now, so a typo fails before any request. */
  constructor(reference: string, clients: ClientFactory) {
    this.name = `docker://${reference}`;
    this.#ref = parseReference(reference);
    this.#clients = clients;
  }

  async load(): Promise<ManifestNode> {
    const client = (this.#client ??= await this.#clients(this.#ref.registry, this.#ref.repository));
    const image = await loadRegistryImage(client, this.#ref, this.name, {
      missingHint: 'check the tag or digest (skopeo inspect docker://... shows what is there)',
    });
    this.#store = image.store;
    return image.tree;
  }

  /**
   * Artifacts whose `subject` is one of `subjects` (signatures, SBOMs), and the artifacts of those: from the
   * OCI 1.1 referrers API, or the `sha256-<hex>` tag where the registry lacks it. A listing is not trusted:
   * an artifact counts only if its own bytes name the subject.
   */
  async referrers(subjects: ReadonlySet<string>): Promise<ManifestNode[]> {
    const store = this.#store;
    const client = this.#client;
    if (!store || !client) return [];
    const repository = this.#ref.repository;
    const found: ManifestNode[] = [];
    const seen = new Set(subjects);
    // Wave by wave (the image's manifests, then their artifacts, ...), each wave's listings a few at a time:
    // an index of 5,000 children listed at once opened 5,000 requests together (and ~300 MB with them).
    const listing = createLimiter(REFERRER_LISTINGS);
    for (let wave = [...subjects]; wave.length > 0;) {
      const listings = await Promise.all(
        wave.map((subject) =>
          listing(async () => ({ subject, listed: await listReferrers(client, repository, subject) })),
        ),
      );
      const next: string[] = [];
      for (const { subject, listed } of listings) {
        for (const { mediaType, digest, size } of listed) {
          if (seen.has(digest)) continue;
          seen.add(digest);
          const node = await loadManifestTree(store, { mediaType, digest, size }, this.name);
          const named = (JSON.parse(node.bytes.toString('utf8')) as { subject?: { digest?: unknown } })
            .subject;
          if (named?.digest !== subject) continue; // a stale tag listing
          found.push(node);
          next.push(digest);
        }
      }
      wave = next;
    }
    return found;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An image in a registry, read the one way image-push reads registries (a `docker://` source, a merge source). */
export interface RegistryImage {
  /** The manifest or index named, with every child manifest, each checked against its digest. */
  readonly tree: ManifestNode;
  /** Where the tree came from: artifacts found later (referrers) load through it. */
  readonly store: ManifestStore;
}

export interface LoadImageOptions {
  /** How to fix a reference the registry does not hold (the message is the same for every caller). */
  readonly missingHint: string;
  /** Every manifest GET waits for a slot (a merge reads its sources through the push's limiter). */
  readonly limit?: Limit | undefined;
}

/**
 * Reads `ref` (its digest, else its tag, else `latest`) and every manifest under it, byte for byte. Blobs
 * are not read here: each becomes a BlobSource that mounts from `ref`'s repository where the destination
 * shares the registry, and otherwise streams with readBlob, which resumes a cut download with Range.
 */
export async function loadRegistryImage(
  client: RegistryClient,
  ref: ImageReference,
  sourceName: string,
  options: LoadImageOptions,
): Promise<RegistryImage> {
  const { registry, repository } = ref;
  const limit = options.limit ?? ((task) => task());
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const where = ref.digest ? `the manifest ${reference}` : `the manifest under tag ${reference}`;
  const root = await limit(() => getManifest(client, repository, reference)).catch((err: unknown) => {
    throw err instanceof ManifestTooLargeError ? tooLarge(sourceName, where, err.size, true) : err;
  });
  if (!root) {
    // The registry's 404, whoever asked: a copy and a merge fail alike (the CLI's exit code 4).
    throw new RegistryError(
      `${sourceName}: ${registry} has no manifest ${reference} in ${repository}`,
      options.missingHint,
      { status: 404 },
    );
  }
  const store = remoteStore(client, repository, sourceName, root, limit);
  return { tree: await loadManifestTree(store, root.descriptor, sourceName, where), store };
}

/**
 * A manifest over the 4 MiB registries accept, said as what it is: the image the reference names (which no
 * registry would take), or a child of its index (then another platform may be copied on its own).
 */
function tooLarge(sourceName: string, where: string, size: number | undefined, root: boolean): SourceError {
  const bytes = size === undefined ? '(it went on past 4 MiB, where reading stopped)' : `(${size} bytes)`;
  return new SourceError(
    `${sourceName}: ${where} is over the 4 MiB limit of registries ${bytes}`,
    root
      ? 'registries refuse manifests this large, so no destination would take it; check that the reference names the image you mean'
      : 'registries refuse manifests this large; copy another image of the index by its digest instead',
  );
}

/** Manifests fetched by digest and checked; blobs streamed from the registry when opened. */
function remoteStore(
  client: RegistryClient,
  repository: string,
  sourceName: string,
  root: FetchedManifest,
  limit: Limit,
): ManifestStore {
  const mountFrom = { registry: client.registry, repository };
  return {
    manifest: async (descriptor, where) => {
      const isRoot = descriptor.digest === root.descriptor.digest;
      const what = isRoot ? where : `manifest ${descriptor.digest} (${where})`;
      if (descriptor.size > MAX_MANIFEST_BYTES) throw tooLarge(sourceName, what, descriptor.size, isRoot);
      const bytes = isRoot
        ? root.bytes
        : (
            await limit(() => getManifest(client, repository, descriptor.digest)).catch((err: unknown) => {
              throw err instanceof ManifestTooLargeError ? tooLarge(sourceName, what, err.size, false) : err;
            })
          )?.bytes;
      if (!bytes) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) is missing from ${client.registry}/${repository}`,
          'the source image is incomplete in its registry; push it there again',
        );
      }
      if (bytes.length !== descriptor.size || sha256Digest(bytes) !== descriptor.digest) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) does not match its descriptor (${bytes.length} bytes, not ${descriptor.size})`,
          'the source registry holds inconsistent content; push the image there again',
        );
      }
      return bytes;
    },
    blob: (descriptor) => {
      const urls = (descriptor as Descriptor & { urls?: unknown }).urls;
      if (Array.isArray(urls) && urls.length > 0 && FOREIGN_LAYER.test(descriptor.mediaType)) {
        return Promise.resolve(undefined);
      }
      const blob: BlobSource = {
        descriptor,
        available: true,
        mountFrom,
        open: () =>
          Promise.resolve(
            // The upload hashes every byte it sends and commits only the digest it was given.
            readBlob(client, repository, descriptor, {
              verify: false,
              onResume: (offset, reason) =>
                client.log.info(
                  `${sourceName}: reading blob ${descriptor.digest} again from byte ${offset} (${reason})`,
                ),
            }),
          ),
      };
      return Promise.resolve(blob);
    },
  };
}
