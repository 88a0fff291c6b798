import { SourceError } from '../errors.ts';
import { createLimiter } from '../limit.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import { sha256Digest } from '../oci/digest.ts';
import { parseReference, type ImageReference } from '../oci/reference.ts';
import { readBlob } from '../registry/blobs.ts';
import type { RegistryClient } from '../registry/transport/client.ts';
import { getManifest, listReferrers, ManifestTooLargeError } from '../registry/manifests.ts';
import { loadManifestTree, type ManifestStore } from './manifest-tree.ts';
import type { ImageSource } from './types.ts';

/** Gives the client for a registry: the push's own, so credentials and connections are shared. */
export type ClientFactory = (registry: string, repository: string) => Promise<RegistryClient>;

import { MAX_MANIFEST_BYTES } from '../oci/manifest.ts';
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
    const { registry, repository } = this.#ref;
    const client = (this.#client ??= await this.#clients(registry, repository));
    const reference = this.#ref.digest ?? this.#ref.tag ?? 'latest';
    const where = this.#ref.digest ? `the manifest ${reference}` : `the manifest under tag ${reference}`;
    const root = await getManifest(client, repository, reference).catch((err: unknown) => {
      throw err instanceof ManifestTooLargeError ? tooLarge(this.name, where, err.size, true) : err;
    });
    if (!root) {
      throw new SourceError(
        `${this.name}: ${registry} has no manifest ${reference} in ${repository}`,
        'check the tag or digest (skopeo inspect docker://... shows what is there)',
      );
    }
    const store = remoteStore(client, repository, this.name, root.descriptor.digest, root.bytes);
    this.#store = store;
    return loadManifestTree(store, root.descriptor, this.name, where);
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
  rootDigest: string,
  rootBytes: Buffer,
): ManifestStore {
  const mountFrom = { registry: client.registry, repository };
  return {
    manifest: async (descriptor, where) => {
      const root = descriptor.digest === rootDigest;
      const what = root ? where : `manifest ${descriptor.digest} (${where})`;
      if (descriptor.size > MAX_MANIFEST_BYTES) throw tooLarge(sourceName, what, descriptor.size, root);
      const bytes = root
        ? rootBytes
        : (
            await getManifest(client, repository, descriptor.digest).catch((err: unknown) => {
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
