import { InputError, SourceError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import type { Descriptor, Platform } from '../oci/descriptor.ts';
import { sha256Digest } from '../oci/digest.ts';
import {
  ManifestError,
  MAX_CONFIG_BYTES,
  manifestBlobs,
  parseManifest,
  platformOf,
  type ParsedManifest,
} from '../oci/manifest.ts';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.ts';
import { formatReference, parseReference, type ImageReference } from '../oci/reference.ts';
import type { RegistryClient } from '../registry/transport/client.ts';
import { RegistryError } from '../registry/transport/errors.ts';
import { getManifest, type FetchedManifest } from '../registry/manifests.ts';
import type { IndexChild } from '../oci/index-builder.ts';
import type { PushSession } from '../engine/session.ts';

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
  readonly client: RegistryClient;
  readonly bytes: Buffer;
  /** Config and layers (foreign layers, which live outside registries, left out); the config first. */
  readonly blobs: readonly Descriptor[];
}

export interface ReadSource {
  readonly source: ParsedSource;
  readonly manifest: FetchedManifest;
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

/** Reads one source: an image gives one child, an index each of its images. */
export async function readSource(source: ParsedSource, session: PushSession): Promise<ReadSource> {
  const { registry, repository } = source.ref;
  const client = await session.clientFor(registry, repository);
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
  const parsed = parse(manifest, name);
  const where = { source: name, registry, repository, client };

  if (parsed.kind === 'index') {
    const inner = parsed.manifests.find((entry) => isIndexMediaType(entry.mediaType));
    if (inner) {
      throw new InputError(
        `merge source ${name}: index ${manifest.descriptor.digest} holds another index (${inner.digest})`,
        'name the inner index as a source instead',
      );
    }
    const children = await Promise.all(
      parsed.manifests.map(async (entry): Promise<SourceChild> => {
        const child = await limit(() => getManifest(client, repository, entry.digest));
        if (!child) {
          throw new RegistryError(
            `merge source ${formatReference(source.ref)}: its index names ${entry.digest}, which ${registry} does not hold in ${repository}`,
            'push the whole index again',
            { status: 404 },
          );
        }
        const blobs = imageBlobs(parse(child, name), child.descriptor, name);
        const platform = entry.platform ?? (await configPlatform(where, blobs[0] as Descriptor, session));
        return {
          ...where,
          descriptor: child.descriptor,
          bytes: child.bytes,
          platform,
          annotations: entry.annotations,
          blobs,
          attestation: entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
        };
      }),
    );
    return { source, manifest, children };
  }

  const blobs = imageBlobs(parsed, manifest.descriptor, name);
  const platform = await configPlatform(where, blobs[0] as Descriptor, session);
  const child: SourceChild = {
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

/** The bytes a registry sent, parsed; the Content-Type it sent is not held against them. */
function parse(manifest: FetchedManifest, source: string): ParsedManifest {
  try {
    return parseManifest(manifest.bytes);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    const { digest, mediaType } = manifest.descriptor;
    if (!isIndexMediaType(mediaType) && !isManifestMediaType(mediaType)) {
      throw new InputError(
        `merge source ${source}: ${digest} is a "${mediaType}", not an image manifest or index`,
        'merge images pushed by digest (OCI or Docker v2 schema 2)',
      );
    }
    throw new SourceError(
      `merge source ${source}: manifest ${manifest.descriptor.digest} ${err.message}`,
      'push that image again',
    );
  }
}

/** The config and layers of an image manifest; the config first. */
function imageBlobs(parsed: ParsedManifest, descriptor: Descriptor, source: string): Descriptor[] {
  if (!isManifestMediaType(descriptor.mediaType) || parsed.kind !== 'manifest') {
    throw new InputError(
      `merge source ${source}: ${descriptor.digest} is a "${descriptor.mediaType}", not an image manifest or index`,
      'merge images pushed by digest (OCI or Docker v2 schema 2)',
    );
  }
  return manifestBlobs(parsed).map(({ mediaType, digest, size }) => ({
    mediaType: mediaType || 'application/octet-stream',
    digest,
    size,
  }));
}

/** The platform from the image config (os, architecture, variant, os.version), read and verified. */
async function configPlatform(
  where: { source: string; registry: string; repository: string; client: RegistryClient },
  config: Descriptor,
  session: PushSession,
): Promise<Platform> {
  const { client, repository, source } = where;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `merge source ${source}: config ${config.digest} is ${formatBytes(config.size)}, too big for an image config`,
    );
  }
  const what = `reading config ${config.digest} from ${repository}`;
  const bytes = await session.limit(async () => {
    const res = await client.requestBytes(what, [`repository:${repository}:pull`], {
      method: 'GET',
      url: `/v2/${repository}/blobs/${config.digest}`,
      ok: [200],
      maxBytes: config.size,
    });
    return res.bytes;
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
