import type { BlobMap } from '../cache/blob-map.ts';
import type { BlobSource, Descriptor } from '../oci/descriptor.ts';
import { DOCKER_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.ts';
import { blobSize, mountBlob, openBlob } from '../registry/blobs.ts';
import { pushScope } from '../registry/transport/client.ts';
import type { PlanContext } from './context.ts';
import type { Pairing, RegistryView } from './reuse.ts';
import { verifyDiffId } from '../compress/verify-diff-id.ts';
import type { Target } from '../engine/session.ts';

/** Told, per destination, how a reused blob got there (already present, or mounted just now). */
export type Settled = (
  target: Target,
  descriptor: Descriptor,
  action: 'skipped' | 'mounted',
  pairing: Pairing,
) => void;

/**
 * A blob for the layer from the pairings, once every destination holds it (a HEAD, or a mount from the
 * repository where the pairing was seen) and, with `verify`, once its bytes decompress to the diffID.
 * Undefined when none qualifies: the layer is then read and compressed as usual.
 */
export async function reuseLayer(
  view: RegistryView,
  diffId: string,
  context: PlanContext,
  settled: Settled,
): Promise<BlobSource | undefined> {
  const { targets, limit, log } = context;
  const all = view.pairings.get(diffId) ?? [];
  const digests = [...new Set(all.map((p) => p.descriptor.digest))].filter((digest) =>
    // Every destination registry must pair the layer with this blob itself.
    targets.every((t) => all.some((p) => p.registry === t.registry && p.descriptor.digest === digest)),
  );
  const preferred = context.compression === 'zstd' ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP;
  digests.sort(
    (a, b) =>
      Number(all.find((p) => p.descriptor.digest === b)?.descriptor.mediaType === preferred) -
      Number(all.find((p) => p.descriptor.digest === a)?.descriptor.mediaType === preferred),
  );
  for (const digest of digests) {
    const pairing = all.find((p) => p.descriptor.digest === digest) as Pairing;
    const { descriptor } = pairing;
    const actions = await Promise.all(
      targets.map(async (target) => {
        const size = await limit(() => blobSize(target.client, target.repository, digest));
        if (size !== undefined) return size === descriptor.size ? ('skipped' as const) : undefined;
        const sources = all.filter(
          (p) =>
            p.registry === target.registry &&
            p.repository !== target.repository &&
            p.descriptor.digest === digest,
        );
        for (const from of new Set(sources.map((p) => p.repository))) {
          if (await limit(() => mountBlob(target.client, target.repository, descriptor, from)))
            return 'mounted' as const;
        }
        return undefined;
      }),
    );
    if (actions.some((a) => a === undefined)) continue;
    if (context.verify === true) {
      const first = targets[0] as Target;
      const ok = await limit(async () => {
        const stream = await openBlob(first.client, first.repository, digest, pushScope(first.repository));
        if (!stream) return false;
        // Not a valid compressed stream is not the layer either.
        return (await verifyDiffId(stream, descriptor.mediaType, diffId).catch(() => undefined))?.ok === true;
      });
      if (!ok) {
        log.warning(
          `${first.registry}/${first.repository}: blob ${digest} does not decompress to layer ${diffId}, ` +
            `though manifest ${pairing.attestedBy} pairs them; the local layer is pushed instead`,
        );
        continue;
      }
    }
    targets.forEach((target, i) => {
      settled(target, descriptor, actions[i] as 'skipped' | 'mounted', pairing);
    });
    log.debug(
      `layer ${diffId}: reusing ${digest} (paired by ${pairing.repository}@${pairing.attestedBy}, ${pairing.via})`,
    );
    return {
      descriptor,
      available: false,
      open: () => Promise.reject(new Error(`${digest} is reused from the registry and was not read`)),
    };
  }
  return undefined;
}

/** Notes in the blob map, for later runs, which manifest now pairs each pushed layer with its blob. */
export function rememberPairings(
  map: BlobMap | undefined,
  diffIds: readonly string[],
  layers: readonly Descriptor[],
  manifestDigest: string,
  targets: readonly Target[],
): void {
  if (!map || diffIds.length !== layers.length) return;
  for (const target of targets) {
    for (const [i, layer] of layers.entries()) {
      const attestation = {
        registry: target.registry,
        repository: target.repository,
        manifest: manifestDigest,
      };
      map.record(diffIds[i] as string, layer, attestation);
    }
  }
}
