import type { BlobMap, CompressedForm } from '../cache/blob-map.ts';
import type { LayerCompression } from '../compress/parallel-compress.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import { blobSize } from '../registry/blobs.ts';
import type { PendingImage, PendingLayer } from '../source/types.ts';
import type { Target } from './session.ts';
import type { BlobHints, Writer } from './writer.ts';

export interface LayerContext {
  readonly targets: readonly Target[];
  readonly writer: Writer;
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  readonly blobMap?: BlobMap | undefined;
  /** The compression asked for: only forms in it are reused. */
  readonly compression?: LayerCompression | undefined;
  /** Mount hints for a freshly compressed layer, as the plan would give them. */
  readonly hints?: (target: Target, blob: BlobSource) => BlobHints;
}

export interface ResolvedLayers {
  /** The image's manifest, built once every layer has its blob. */
  readonly root: ManifestNode;
  /** Layers that had to be read (compressed); the others were settled by what the registries hold. */
  readonly layersRead: number;
}

/**
 * Gives every pending layer a blob: a compressed form every destination already holds (the layer is then
 * never read), otherwise by compressing it, after which its upload starts at once, overlapping the
 * compression of the next layer.
 */
export async function resolveLayers(image: PendingImage, context: LayerContext): Promise<ResolvedLayers> {
  const { targets, writer, blobMap } = context;
  // First the known forms: every layer they account for is settled before any layer is read.
  const known = await Promise.all(image.layers.map((layer) => findKnownForm(layer, context)));
  let layersRead = 0;
  const layers = await Promise.all(
    image.layers.map(async (layer, i) => {
      const found = known[i];
      if (found) return found;
      layersRead++;
      const blob = await layer.prepare(); // called for every layer in one pass: sources see all they must read
      for (const target of targets) {
        blobMap?.record(layer.diffId, blob.descriptor, target.registry);
        // Not awaited here: the plan waits for every write, and the writer's failure policy applies.
        void writer.ensureBlob(target, blob, { ...context.hints?.(target, blob), compressed: true });
      }
      return blob;
    }),
  );
  // A config known only by digest (docker inspect) needs no bytes when the registries have it.
  const config =
    'available' in image.config
      ? image.config
      : ((await inEveryTarget(image.config.descriptor, false, context)) ?? (await image.config.prepare()));
  return { root: image.build(config, layers), layersRead };
}

/**
 * Compressed forms of a layer that may already be in the registries, best first. Today: the blob map's, in
 * the asked compression (a zstd push must not reuse a gzip blob, nor the other way round).
 */
export function candidateForms(layer: PendingLayer, context: LayerContext): CompressedForm[] {
  const first = context.targets[0];
  if (!first || !context.blobMap) return [];
  return context.blobMap
    .lookup(layer.diffId, first.registry)
    .filter((form) => /zstd/.test(form.mediaType) === (context.compression === 'zstd'));
}

/** The first candidate form every destination holds, recorded as skipped; undefined when none is. */
async function findKnownForm(layer: PendingLayer, context: LayerContext): Promise<BlobSource | undefined> {
  for (const form of candidateForms(layer, context)) {
    const blob = await inEveryTarget(form, true, context);
    if (blob) {
      for (const target of context.targets) context.blobMap?.record(layer.diffId, form, target.registry);
      return blob;
    }
  }
  return undefined;
}

/** A blob every destination has (by HEAD, same size everywhere): recorded as skipped, never read. */
async function inEveryTarget(
  descriptor: Descriptor,
  fromBlobMap: boolean,
  context: LayerContext,
): Promise<BlobSource | undefined> {
  const { targets, limit, writer } = context;
  const sizes = await Promise.all(
    targets.map((t) => limit(() => blobSize(t.client, t.repository, descriptor.digest))),
  );
  const size = sizes[0];
  if (
    size === undefined ||
    sizes.some((s) => s !== size) ||
    (descriptor.size >= 0 && size !== descriptor.size)
  ) {
    return undefined;
  }
  const found = { ...descriptor, size };
  for (const target of targets) writer.markPresent(target, found, { fromBlobMap });
  return {
    descriptor: found,
    available: false,
    open: () => Promise.reject(new Error(`${found.digest} was not read`)),
  };
}
