import { InputError, SourceError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import type { Limit } from '../limit.ts';
import type { BlobSource, Descriptor, ManifestNode, Platform } from '../oci/descriptor.ts';
import type { IndexChild } from '../oci/index-builder.ts';
import { MAX_CONFIG_BYTES, parseManifest, platformOf, type ManifestDescriptor } from '../oci/manifest.ts';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.ts';
import { parseReference, type ImageReference } from '../oci/reference.ts';
import { readBlob } from '../registry/blobs.ts';
import type { RegistryClient } from '../registry/transport/client.ts';
import { loadRegistryImage, type ClientFactory } from './registry-source.ts';

/** A merge source as the user wrote it, parsed. */
export interface ParsedSource {
  readonly text: string;
  readonly ref: ImageReference;
  /** The digest, or the tag to resolve. */
  readonly reference: string;
}

/** One image of the new index, and where its content is. */
export interface SourceChild extends IndexChild {
  readonly registry: string;
  readonly repository: string;
  readonly bytes: Buffer;
  /**
   * Config and layers (foreign layers, which live outside registries, left out); the config first. Each
   * mounts from the child's repository or streams from it as a `docker://` source's blobs do.
   */
  readonly blobs: readonly BlobSource[];
}

export interface ReadSource {
  readonly source: ParsedSource;
  /** What the reference named when it was read (a tag is resolved once). */
  readonly descriptor: Descriptor;
  readonly children: readonly SourceChild[];
}

/** Parses every source before any network call: a typo costs nothing. */
export function parseSources(sources: readonly string[], registry: string | undefined): ParsedSource[] {
  if (sources.length === 0) {
    throw new InputError(
      'no source to merge',
      'name the images to merge, e.g. ghcr.io/org/app@sha256:... (the digests push-by-digest printed)',
    );
  }
  return sources.map((text) => {
    const ref = parseReference(text, {
      ...(registry ? { defaultRegistry: registry } : {}),
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

/**
 * Reads one source as a `docker://` source is read (loadRegistryImage: the same manifest checks, the same
 * errors, blobs that mount or stream with resume): an image gives one child, an index each of its images.
 */
export async function readSource(
  source: ParsedSource,
  clients: ClientFactory,
  limit: Limit,
): Promise<ReadSource> {
  const { registry, repository } = source.ref;
  const client = await clients(registry, repository);
  const name = source.text;
  const { tree } = await loadRegistryImage(client, source.ref, `merge source ${name}`, {
    missingHint: 'push it first with push-by-digest, and pass the digest it printed',
    limit,
  });
  const descriptor = plain(tree.descriptor);
  const where = { source: name, registry, repository, client, limit };

  if (!isIndexMediaType(descriptor.mediaType)) {
    const child: SourceChild = {
      ...(await imageChild(where, tree)),
      annotations: undefined,
      attestation: false,
    };
    return { source, descriptor, children: [child] };
  }
  // The index's own entries: the platform and annotations it gives each child (the tree keeps only bytes).
  const parsed = parseManifest(tree.bytes, descriptor.mediaType);
  const entries = parsed.kind === 'index' ? parsed.manifests : [];
  const inner = entries.find((entry) => isIndexMediaType(entry.mediaType));
  if (inner) {
    throw new InputError(
      `merge source ${name}: index ${descriptor.digest} holds another index (${inner.digest})`,
      'name the inner index as a source instead',
    );
  }
  const children = await Promise.all(
    tree.children.map(async (node, i): Promise<SourceChild> => {
      const entry = entries[i] as ManifestDescriptor;
      return {
        ...(await imageChild(where, node, entry.platform)),
        annotations: entry.annotations,
        attestation: entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
      };
    }),
  );
  return { source, descriptor, children };
}

interface Where {
  readonly source: string;
  readonly registry: string;
  readonly repository: string;
  readonly client: RegistryClient;
  readonly limit: Limit;
}

/** An image manifest of a source, with its platform (the index entry's, else its config's). */
async function imageChild(
  where: Where,
  node: ManifestNode,
  platform?: Platform,
): Promise<Omit<SourceChild, 'annotations' | 'attestation'>> {
  const { source, registry, repository } = where;
  const descriptor = plain(node.descriptor);
  const parsed = parseManifest(node.bytes, descriptor.mediaType);
  if (!isManifestMediaType(descriptor.mediaType) || parsed.kind !== 'manifest') {
    throw new InputError(
      `merge source ${source}: ${descriptor.digest} is a "${descriptor.mediaType}", not an image manifest or index`,
      'merge images pushed by digest (OCI or Docker v2 schema 2)',
    );
  }
  return {
    source,
    registry,
    repository,
    descriptor,
    bytes: node.bytes,
    platform: platform ?? (await configPlatform(where, parsed.config)),
    blobs: node.blobs,
  };
}

/** Media type, digest and size: what an index entry of the merged index is built from. */
function plain({ mediaType, digest, size }: Descriptor): Descriptor {
  return { mediaType, digest, size };
}

/** The platform from the image config (os, architecture, variant, os.version), read and verified. */
async function configPlatform(where: Where, config: Descriptor): Promise<Platform> {
  const { client, repository, source } = where;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `merge source ${source}: config ${config.digest} is ${formatBytes(config.size)}, too big for an image config`,
    );
  }
  // readBlob checks the size and digest before it hands on the last byte, and resumes a cut download.
  const bytes = await where.limit(async () =>
    Buffer.concat((await readBlob(client, repository, config).toArray()) as Buffer[]),
  );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8')); // an image config, not a manifest
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
