import { SourceError } from '../errors.ts';
import { digestHex, isSha256Digest, sha256Digest } from '../oci/digest.ts';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.ts';
import type { LayoutFiles } from './layout-files.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';

/** Registries refuse larger manifests (distribution's limit is 4 MiB); refusing them here fails earlier. */
const MAX_MANIFEST_BYTES = 4 << 20;

interface ManifestJson {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

export function blobPath(digest: string): string {
  return `blobs/${digest.slice(0, digest.indexOf(':'))}/${digestHex(digest)}`;
}

/**
 * Reads the manifest (or index) that `root` describes from an OCI layout, with every child manifest, and
 * checks each against its digest. Blobs are only stat'ed here: their bytes are verified as they upload.
 */
export async function loadManifestTree(
  files: LayoutFiles,
  root: Descriptor,
  sourceName: string,
): Promise<ManifestNode> {
  const seen = new Map<string, Promise<ManifestNode>>();
  const load = (descriptor: Descriptor, path: string): Promise<ManifestNode> => {
    let node = seen.get(descriptor.digest);
    if (!node) {
      node = loadNode(descriptor, path);
      seen.set(descriptor.digest, node);
    }
    return node;
  };

  const loadNode = async (descriptor: Descriptor, path: string): Promise<ManifestNode> => {
    checkDescriptor(descriptor, sourceName, path);
    const bytes = await readManifest(files, descriptor, sourceName, path);
    let json: ManifestJson;
    try {
      json = (JSON.parse(bytes.toString('utf8')) as ManifestJson | null) ?? {};
    } catch (err) {
      throw new SourceError(
        `${sourceName}: manifest ${descriptor.digest} is not valid JSON`,
        'the image is corrupt; export it again',
        { cause: err },
      );
    }
    // The bytes are pushed as they are; the media type travels with them and must be the one they declare.
    const mediaType = json.mediaType ?? descriptor.mediaType;
    if (json.mediaType && descriptor.mediaType && json.mediaType !== descriptor.mediaType) {
      throw new SourceError(
        `${sourceName}: ${path} says ${descriptor.mediaType} but manifest ${descriptor.digest} says ${json.mediaType}`,
        'the image is inconsistent; export it again',
      );
    }
    const self: Descriptor = { ...descriptor, mediaType };
    // Lists from a file on disk: a list must be a list (of objects, checked by checkDescriptor).
    for (const field of ['manifests', 'layers'] as const) {
      if (json[field] !== undefined && !Array.isArray(json[field])) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} has a "${field}" that is not a list`,
          'the image is corrupt; export it again',
        );
      }
    }

    if (isIndexMediaType(mediaType)) {
      const children = await Promise.all(
        (json.manifests ?? []).map((child, i) => load(child, `${descriptor.digest} manifests[${i}]`)),
      );
      return { descriptor: self, bytes, blobs: [], children };
    }
    if (isManifestMediaType(mediaType) || (json.config && json.layers)) {
      if (!json.config) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} has no config descriptor`,
          'the image is corrupt; export it again',
        );
      }
      const referenced = [json.config, ...(json.layers ?? [])];
      const blobs = await Promise.all(
        referenced.map((blob, i) =>
          blobSource(files, blob, sourceName, i === 0 ? 'config' : `layers[${i - 1}]`, descriptor.digest),
        ),
      );
      return { descriptor: self, bytes, blobs, children: [] };
    }
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} has media type "${mediaType}", which image-push cannot push`,
      'push an OCI image/index or a Docker schema 2 manifest/list',
    );
  };

  return load(root, 'index.json');
}

async function readManifest(
  files: LayoutFiles,
  descriptor: Descriptor,
  sourceName: string,
  where: string,
): Promise<Buffer> {
  const path = blobPath(descriptor.digest);
  const size = await files.size(path);
  if (size === undefined) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} (${where}) is missing from the layout`,
      'the layout is incomplete; export the image again',
    );
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} is ${size} bytes, over the 4 MiB limit`,
      'registries refuse larger manifests; split the image index or drop platforms',
    );
  }
  const bytes = await files.read(path);
  const actual = sha256Digest(bytes);
  if (actual !== descriptor.digest || bytes.length !== descriptor.size) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} does not match its digest or size (found ${actual}, ${bytes.length} bytes)`,
      'the layout is corrupt; export the image again',
    );
  }
  return bytes;
}

async function blobSource(
  files: LayoutFiles,
  descriptor: Descriptor,
  sourceName: string,
  where: string,
  manifestDigest: string,
): Promise<BlobSource> {
  checkDescriptor(descriptor, sourceName, `${manifestDigest} ${where}`);
  const path = blobPath(descriptor.digest);
  const size = await files.size(path);
  if (size !== undefined && size !== descriptor.size) {
    throw new SourceError(
      `${sourceName}: blob ${descriptor.digest} (${where} of ${manifestDigest}) is ${size} bytes but its descriptor says ${descriptor.size}`,
      'the layout is corrupt or was truncated; export the image again',
    );
  }
  return {
    descriptor,
    available: size !== undefined,
    open: () => Promise.resolve(files.open(path)),
  };
}

/** Descriptors come from JSON on disk: their fields are checked, not trusted. */
function checkDescriptor(
  descriptor: { digest: unknown; size: unknown } | null,
  sourceName: string,
  where: string,
): void {
  if (typeof descriptor !== 'object' || descriptor === null || Array.isArray(descriptor)) {
    throw new SourceError(
      `${sourceName}: ${where} is ${JSON.stringify(descriptor)}, not a descriptor`,
      'the image is corrupt; export it again',
    );
  }
  if (typeof descriptor.digest !== 'string' || !isSha256Digest(descriptor.digest)) {
    throw new SourceError(
      `${sourceName}: ${where} has digest ${JSON.stringify(descriptor.digest)}, which is not a sha256 digest`,
      'image-push reads sha256 content only',
    );
  }
  if (typeof descriptor.size !== 'number' || !Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
    throw new SourceError(
      `${sourceName}: ${where} has an invalid size ${JSON.stringify(descriptor.size)}`,
      'the image is corrupt; export it again',
    );
  }
}
