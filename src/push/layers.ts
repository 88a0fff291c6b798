import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import { blobSize } from '../registry/blobs.ts';
import type { PendingImage } from '../source/types.ts';
import type { PlanContext } from './context.ts';
import type { RegistryView } from './reuse.ts';
import { reuseLayer } from './reuse-layer.ts';

export interface ResolvedLayers {
  /** The image's manifest, built once every layer has its blob. */
  readonly root: ManifestNode;
  /** Layers that had to be read (compressed); the others were settled by what the registries hold. */
  readonly layersRead: number;
}

/**
 * Gives every pending layer a blob: one the destination registries already pair with it (the layer is then
 * never read), otherwise by compressing it, after which its upload starts at once, overlapping the
 * compression of the next layer.
 */
export async function resolveLayers(
  image: PendingImage,
  view: RegistryView,
  context: PlanContext,
): Promise<ResolvedLayers> {
  const { targets, writer, blobMap } = context;
  // First what the registry pairs (push/reuse.ts): every layer it accounts for is settled before any is read.
  const known = await Promise.all(
    image.layers.map((layer) =>
      reuseLayer(view, layer.diffId, context, (target, descriptor, action, pairing) => {
        blobMap?.recordLocation(descriptor.digest, target.registry, target.repository);
        writer.markPresent(target, descriptor, { fromBlobMap: pairing.via === 'blob map', action });
      }),
    ),
  );
  let layersRead = 0;
  const layers = await Promise.all(
    image.layers.map(async (layer, i) => {
      const found = known[i];
      if (found) return found;
      layersRead++;
      const blob = await layer.prepare(); // called for every layer in one pass: sources see all they must read
      for (const target of targets) {
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

/** A blob every destination has (by HEAD, same size everywhere): recorded as skipped, never read. */
async function inEveryTarget(
  descriptor: Descriptor,
  fromBlobMap: boolean,
  context: PlanContext,
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
