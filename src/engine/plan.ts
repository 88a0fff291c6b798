import type { BlobSource, ManifestNode, Platform } from '../oci/descriptor.ts';
import { parseManifest } from '../oci/manifest.ts';
import { formatReference } from '../oci/reference.ts';
import type { ChildReport, PushResult } from './result.ts';
import type { Target } from './session.ts';
import { postOrder } from './manifest-order.ts';
import type { BlobHints, BlobWrite, RootReferences, Writer } from './writer.ts';

/**
 * What to write, as plain data: the manifests children first, every blob per target with its hints, and
 * the references the root goes up under in each target. Push, merge and copy each build one; the writer
 * carries it out.
 */
export interface WritePlan {
  readonly root: ManifestNode;
  /** Every manifest below the root, each once, children before the manifests that name them. */
  readonly children: readonly ManifestNode[];
  /** Each blob of the tree once per target, with its mount hints. */
  readonly writes: readonly BlobWrite[];
  readonly references: readonly RootReferences[];
}

export interface PlanOptions {
  /** Put the root up by digest only, moving no tag. */
  readonly pushByDigest?: boolean | undefined;
  /** Mount hints (and report flags) of one blob in one target. */
  readonly hints?: (target: Target, blob: BlobSource) => BlobHints;
}

/** Plans writing a manifest tree, byte for byte, to every target. Pure: no request is made. */
export function planTree(
  root: ManifestNode,
  targets: readonly Target[],
  options: PlanOptions = {},
): WritePlan {
  const manifests = postOrder(root);
  const blobs = uniqueBlobs(manifests);
  const writes = targets.flatMap((target) =>
    blobs.map((blob) => {
      const hints = options.hints?.(target, blob);
      return hints ? { target, blob, hints } : { target, blob };
    }),
  );
  return {
    root,
    children: manifests.slice(0, -1),
    writes,
    references: targets.map((target) => ({
      target,
      references: target.tags.length && !options.pushByDigest ? target.tags : [root.descriptor.digest],
    })),
  };
}

/** Carries a plan out: every blob, then the manifests (nothing goes up when a blob failed). */
export async function writePlan(writer: Writer, plan: WritePlan, gate?: Promise<unknown>): Promise<void> {
  // `gate`: a check that runs beside the blob writes and must pass before any manifest goes up (verify).
  await writer.settle([writer.ensureAll(plan.writes), ...(gate ? [gate] : [])]);
  await writer.commit(plan.children, plan.root, plan.references);
}

/** Each blob of the manifests once, in the order they name them. */
export function uniqueBlobs(manifests: readonly ManifestNode[]): BlobSource[] {
  const byDigest = new Map<string, BlobSource>();
  for (const node of manifests) {
    for (const blob of node.blobs)
      if (!byDigest.has(blob.descriptor.digest)) byDigest.set(blob.descriptor.digest, blob);
  }
  return [...byDigest.values()];
}

/** The record every front end reads, built the same way for push, merge and copy. */
export function planResult(
  plan: WritePlan,
  writer: Writer,
  extra: {
    pushByDigest?: boolean | undefined;
    bytesCompressed?: number;
    layersRead?: number;
    source?: string;
    platform?: Platform | undefined;
  } = {},
): PushResult {
  const { digest, mediaType, size } = plan.root.descriptor;
  const parsed = parseManifest(plan.root.bytes, mediaType);
  const targets = plan.references.map((r) => r.target);
  const first = targets[0] as Target;
  return {
    digest,
    mediaType,
    size,
    references: extra.pushByDigest
      ? targets.map((t) => `${t.registry}/${t.repository}@${digest}`)
      : targets.flatMap((t) =>
          t.references.filter((ref) => !writer.lostTag(t, ref.tag ?? '')).map(formatReference),
        ),
    image: `${first.registry}/${first.repository}@${digest}`,
    blobs: writer.reports,
    bytesCompressed: extra.bytesCompressed ?? 0,
    layersRead: extra.layersRead ?? 0,
    children: plan.root.children.map(
      ({ descriptor: { digest: d, mediaType: m, size: s, platform } }): ChildReport => ({
        digest: d,
        mediaType: m,
        size: s,
        ...(platform ? { platform } : {}),
      }),
    ),
    source: extra.source,
    configDigest: parsed.kind === 'manifest' ? parsed.config.digest : undefined,
    platform: parsed.kind === 'manifest' ? extra.platform : undefined,
  };
}
