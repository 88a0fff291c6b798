import { SourceError } from '../errors.ts';
import { createLimiter } from '../limit.ts';
import { digestHex, isSha256Digest, sha256Digest } from '../oci/digest.ts';
import { ManifestError, MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from '../oci/manifest.ts';
import type { LayoutFiles } from './layout-files.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';

/** How many manifests of a tree are read at once. */
const MANIFEST_READS = 8;

/** Where a manifest tree's content comes from: an OCI layout's files, or a registry. */
export interface ManifestStore {
  /** The manifest's bytes, checked against the descriptor's digest and size. */
  manifest(descriptor: Descriptor, where: string): Promise<Buffer>;
  /** A blob the manifest references; undefined when it lives outside registries (a foreign layer). */
  blob(descriptor: Descriptor, where: string, manifestDigest: string): Promise<BlobSource | undefined>;
}

/** The content of an OCI layout: manifests read and checked, blobs only stat'ed. */
export function layoutStore(files: LayoutFiles, sourceName: string): ManifestStore {
  return {
    manifest: (descriptor, where) => readManifest(files, descriptor, sourceName, where),
    blob: (descriptor, where, manifestDigest) =>
      blobSource(files, descriptor, sourceName, where, manifestDigest),
  };
}

export function blobPath(digest: string): string {
  return `blobs/${digest.slice(0, digest.indexOf(':'))}/${digestHex(digest)}`;
}

/**
 * Reads the manifest (or index) that `root` describes, with every child manifest, and checks each against
 * its digest. Blobs are not read here: their bytes are verified as they upload.
 */
export async function loadManifestTree(
  store: ManifestStore,
  root: Descriptor,
  sourceName: string,
  /** What the root is, in messages: an OCI layout's `index.json`, or a registry's tag. */
  rootWhere = 'index.json',
): Promise<ManifestNode> {
  const seen = new Map<string, Promise<ManifestNode>>();
  // Manifests are read a few at a time: an index of 5,000 children read all at once opened 5,000 requests
  // (and sockets) together, and held every one in memory until the last answered.
  const reading = createLimiter(MANIFEST_READS);
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
    const bytes = await reading(() => store.manifest(descriptor, path));
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(bytes, descriptor.mediaType);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      // The bytes are pushed as they are; the media type travels with them and must be the one they declare.
      const hint = {
        json: 'the image is corrupt; export it again',
        structure: 'the image is corrupt; export it again',
        'media-type': `the image is inconsistent (${path}); export it again`,
        unsupported: 'push an OCI image/index or a Docker schema 2 manifest/list',
      }[err.reason];
      throw new SourceError(`${sourceName}: manifest ${descriptor.digest} ${err.message}`, hint, {
        cause: err,
      });
    }
    const self: Descriptor = { ...descriptor, mediaType: parsed.mediaType };

    if (parsed.kind === 'index') {
      const children = await Promise.all(
        parsed.manifests.map((child, i) => load(child, `${descriptor.digest} manifests[${i}]`)),
      );
      return { descriptor: self, bytes, blobs: [], children };
    }
    const referenced = [parsed.config, ...parsed.layers];
    const blobs = await Promise.all(
      referenced.map((blob, i) =>
        store.blob(blob, i === 0 ? 'config' : `layers[${i - 1}]`, descriptor.digest),
      ),
    );
    return { descriptor: self, bytes, blobs: blobs.filter((blob) => blob !== undefined), children: [] };
  };

  return load(root, rootWhere);
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

/** Descriptors come from JSON on disk or the network: their fields are checked, not trusted. */
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
