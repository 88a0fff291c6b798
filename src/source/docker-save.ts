import { Readable } from 'node:stream';
import { SourceError } from '../errors.ts';
import { isSha256Digest, sha256Digest } from '../oci/digest.ts';
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST,
} from '../oci/media-types.ts';
import { parseReference, formatReference } from '../oci/reference.ts';
import type { LayoutFiles } from './layout-files.ts';
import { blobPath, layoutStore, loadManifestTree } from './manifest-tree.ts';
import { isInsideArchive } from './tar-index.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import type { LoadedImage, PendingLayer } from './types.ts';

/** One entry of `docker save`'s manifest.json. */
interface SaveEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

interface IndexJson {
  manifests?: Descriptor[];
}

/** How a source turns the archive path of an (un)compressed layer into a blob the registry can take. */
export type LayerPreparer = (path: string, diffId: string) => Promise<BlobSource>;

/**
 * Reads the image `ref` names (or the only one) from the files of a `docker save` archive, in any of the
 * forms Docker has written: the classic `<id>/layer.tar` layout, Docker 25+'s OCI layout with uncompressed
 * layers under `blobs/sha256/<diffID>`, and the containerd image store's gzip layers with nested indexes.
 *
 * When the archive holds an OCI manifest whose layers are already compressed, that manifest is pushed byte for
 * byte (its digest is the image's). Otherwise the layers are compressed and a Docker schema 2 manifest is built,
 * as `docker push` does.
 */
export async function readDockerSave(
  files: LayoutFiles,
  ref: string | undefined,
  sourceName: string,
  prepareLayer: LayerPreparer,
): Promise<LoadedImage> {
  const entries = parseJson<SaveEntry[]>(
    await mustRead(files, 'manifest.json', sourceName),
    'manifest.json',
    sourceName,
  );
  if (!Array.isArray(entries))
    throw new SourceError(
      `${sourceName}: manifest.json is not a list`,
      'the archive is corrupt; save it again',
    );
  const entry = selectEntry(
    entries.map((e) => (isObject(e) ? { ...e, RepoTags: stringsOnly(e.RepoTags) } : {})),
    ref,
    sourceName,
  );
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) {
    throw new SourceError(
      `${sourceName}: manifest.json entry has no Config or Layers`,
      'the archive is corrupt',
    );
  }
  // Paths come from a file in the archive: each must name a file inside it.
  for (const [i, path] of [entry.Config, ...entry.Layers].entries()) {
    const what = i === 0 ? 'Config' : `Layers[${i - 1}]`;
    if (typeof path !== 'string' || path === '' || !isInsideArchive(path)) {
      throw new SourceError(
        `${sourceName}: manifest.json ${what} is ${JSON.stringify(path)}, which is no path inside the archive`,
        'the archive is corrupt or was tampered with; save the image again',
      );
    }
  }

  const configBytes = await mustRead(files, entry.Config, sourceName);
  const configDigest = sha256Digest(configBytes);
  const named = /([a-f0-9]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
  if (named && `sha256:${named}` !== configDigest) {
    throw new SourceError(
      `${sourceName}: config ${entry.Config} does not match its name (it hashes to ${configDigest})`,
      'the archive is corrupt',
    );
  }

  const stored = await storedManifest(files, configDigest, sourceName);
  if (stored) return stored;

  const config = parseJson<{ rootfs?: { diff_ids?: unknown } } | null>(configBytes, entry.Config, sourceName);
  const listed = config?.rootfs?.diff_ids ?? [];
  const diffIds = Array.isArray(listed) ? listed : [listed];
  for (const [i, diffId] of diffIds.entries()) {
    if (typeof diffId !== 'string' || !isSha256Digest(diffId)) {
      throw new SourceError(
        `${sourceName}: config ${entry.Config} rootfs.diff_ids[${i}] is ${JSON.stringify(diffId)}, not a sha256 digest`,
        'the archive is corrupt; save the image again',
      );
    }
  }
  if (diffIds.length !== entry.Layers.length) {
    throw new SourceError(
      `${sourceName}: the config names ${diffIds.length} layers but manifest.json lists ${entry.Layers.length}`,
      'the archive is corrupt',
    );
  }
  const layers: PendingLayer[] = entry.Layers.map((path, i) => {
    const diffId = diffIds[i] as string;
    return { diffId, prepare: () => prepareLayer(path, diffId) };
  });
  const configBlob: BlobSource = {
    descriptor: { mediaType: DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
    available: true,
    open: () => Promise.resolve(Readable.from([configBytes])),
  };
  const { os, architecture, variant } = config as { os?: unknown; architecture?: unknown; variant?: unknown };
  return {
    kind: 'pending',
    config: configBlob,
    layers,
    platform:
      typeof os === 'string' && typeof architecture === 'string'
        ? { os, architecture, ...(typeof variant === 'string' && variant ? { variant } : {}) }
        : undefined,
    build: buildManifest,
  };
}

/**
 * A manifest the archive already holds for this config, usable as it is when all its layers are compressed
 * (the containerd image store). Docker 25+ with the classic store also writes one, but with uncompressed layers,
 * which are better compressed before they travel.
 */
async function storedManifest(
  files: LayoutFiles,
  configDigest: string,
  sourceName: string,
): Promise<ManifestNode | undefined> {
  if ((await files.size('index.json')) === undefined) return undefined;
  const index = parseJson<IndexJson | null>(await files.read('index.json'), 'index.json', sourceName);
  // Descriptors from a file: anything malformed is skipped here (the classic manifest.json path still works).
  const usable = (list: unknown): Descriptor[] =>
    Array.isArray(list)
      ? (list as (Partial<Descriptor> | null)[]).filter(
          (d): d is Descriptor => typeof d?.digest === 'string' && isSha256Digest(d.digest),
        )
      : [];
  const queue = usable(index?.manifests);
  for (let seen = 0; queue.length > 0 && seen < 1000; seen++) {
    const descriptor = queue.shift() as Descriptor;
    const path = blobPath(descriptor.digest);
    if ((await files.size(path)) === undefined) continue; // a platform the archive left out
    const json = parseJson<{ manifests?: unknown; config?: Descriptor; layers?: unknown[] } | null>(
      await files.read(path),
      path,
      sourceName,
    );
    if (json === null || typeof json !== 'object') continue;
    queue.push(...usable(json.manifests));
    if (
      json.config?.digest === configDigest &&
      Array.isArray(json.layers) &&
      json.layers.every((l) => /gzip|zstd/.test(String((l as Partial<Descriptor> | null)?.mediaType)))
    ) {
      return loadManifestTree(layoutStore(files, sourceName), descriptor, sourceName);
    }
  }
  return undefined;
}

/** The Docker schema 2 manifest for a config and its compressed layers (OCI when a layer is zstd). */
export function buildManifest(config: BlobSource, layerBlobs: readonly BlobSource[]): ManifestNode {
  const layers = layerBlobs.map((blob) => blob.descriptor);
  // Docker schema 2 has no zstd layer type; an image with one is written as OCI.
  const oci = layers.some((layer) => layer.mediaType === OCI_LAYER_ZSTD);
  const configDescriptor = { ...config.descriptor, mediaType: oci ? OCI_CONFIG : DOCKER_CONFIG };
  const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: configDescriptor.mediaType,
        size: configDescriptor.size,
        digest: configDescriptor.digest,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    }),
  );
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: [{ ...config, descriptor: configDescriptor }, ...layerBlobs],
    children: [],
  };
}

function selectEntry(entries: SaveEntry[], ref: string | undefined, sourceName: string): SaveEntry {
  const names = entries.flatMap((e) => e.RepoTags ?? []);
  if (ref === undefined) {
    const [only] = entries;
    if (only && entries.length === 1) return only;
    throw new SourceError(
      `${sourceName}: the archive holds ${entries.length} images (${names.join(', ') || 'untagged'})`,
      entries.length ? `name one, as docker-archive:PATH:${names[0] ?? 'NAME:TAG'}` : 'save an image into it',
    );
  }
  const wanted = normalise(ref);
  const matches = entries.filter((e) => (e.RepoTags ?? []).some((tag) => normalise(tag) === wanted));
  const [match] = matches;
  if (match && matches.length === 1) return match;
  throw new SourceError(
    matches.length
      ? `${sourceName}: ${matches.length} images in the archive are tagged "${ref}"`
      : `${sourceName}: no image tagged "${ref}" in the archive (tags: ${names.join(', ') || 'none'})`,
    'name one of the listed tags',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringsOnly(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function normalise(tag: string): string {
  try {
    return formatReference(parseReference(tag));
  } catch {
    return tag;
  }
}

async function mustRead(files: LayoutFiles, path: string, sourceName: string): Promise<Buffer> {
  if ((await files.size(path)) === undefined) {
    let hint = 'the archive is incomplete; save it again';
    if (path === 'manifest.json') {
      // An OCI archive (skopeo, buildx) is the usual mix-up: it has an index.json but no manifest.json.
      hint =
        (await files.size('oci-layout')) === undefined
          ? 'pass a tarball written by `docker save`'
          : `it is an OCI archive: write ${sourceName.replace(/^docker-archive:/, 'oci-archive:')}`;
    }
    throw new SourceError(`${sourceName}: no ${path} in the archive`, hint);
  }
  return files.read(path);
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the shape they expect
function parseJson<T>(bytes: Buffer, what: string, sourceName: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new SourceError(
      `${sourceName}: ${what} is not valid JSON`,
      'the archive is corrupt; save it again',
    );
  }
}
