import type { Platform } from '../oci/descriptor.ts';

/** What a push, merge or copy did: the outputs, the summary and the metadata are all read from this. */
export type BlobAction = 'skipped' | 'mounted' | 'uploaded';

export interface BlobReport {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly action: BlobAction;
  /** Compressed in this push (the layer arrived uncompressed). */
  readonly compressed: boolean;
  /** Known from the blob map, so the layer was not read at all. */
  readonly fromBlobMap: boolean;
  readonly seconds: number;
}

export interface PushResult {
  /** Digest of the pushed root manifest or index. */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Every destination, normalised (`docker.io/library/app:1`). */
  readonly references: readonly string[];
  /** The first destination's repository, pinned by digest. */
  readonly image: string;
  readonly blobs: readonly BlobReport[];
  /** Bytes of uncompressed layers read and compressed. */
  readonly bytesCompressed: number;
  /** Layers that had to be read from the source (not settled by the blob map). */
  readonly layersRead: number;
  /** The manifests of an index, with their platforms; empty for a single manifest. */
  readonly children: readonly ChildReport[];
  /** What was pushed from: the image input (`oci:...`, `docker://...`), or the merged references. */
  readonly source?: string | undefined;
  /** A single image's config digest (the image ID, as build-push-action's `imageid`); undefined for an index. */
  readonly configDigest?: string | undefined;
  /** A single image's platform, from its config; undefined for an index or when the config names none. */
  readonly platform?: Platform | undefined;
}

export interface ChildReport {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly platform?: Platform;
}

export function sumSizes(reports: readonly BlobReport[]): number {
  return reports.reduce((total, r) => total + r.size, 0);
}

/** How many blobs, and how many bytes, met each fate. */
export interface BlobCount {
  readonly count: number;
  readonly bytes: number;
}

/** The counts every output reads (action outputs, job summary, CLI and log lines): computed here only. */
export interface BlobTally {
  readonly all: BlobCount;
  readonly uploaded: BlobCount;
  readonly mounted: BlobCount;
  readonly skipped: BlobCount;
  /** Mounted or skipped: the bytes that did not have to be sent. */
  readonly notSent: BlobCount;
  /** Distinct repositories the blobs went to. */
  readonly repositories: number;
}

export function tallyBlobs(blobs: readonly BlobReport[]): BlobTally {
  const of = (list: readonly BlobReport[]): BlobCount => ({ count: list.length, bytes: sumSizes(list) });
  return {
    all: of(blobs),
    uploaded: of(blobs.filter((b) => b.action === 'uploaded')),
    mounted: of(blobs.filter((b) => b.action === 'mounted')),
    skipped: of(blobs.filter((b) => b.action === 'skipped')),
    notSent: of(blobs.filter((b) => b.action !== 'uploaded')),
    repositories: new Set(blobs.map((b) => b.repository)).size,
  };
}

/** Blobs a failed push had settled, keyed by its error: the failure summary says what went up. */
const partials = new WeakMap<object, readonly BlobReport[]>();

/** Called by a push that fails, with the blobs it had settled before the failure. */
export function notePartial(err: unknown, blobs: readonly BlobReport[]): void {
  if (typeof err === 'object' && err !== null && !partials.has(err)) partials.set(err, blobs);
}

/** What a failed push had settled (uploaded, mounted, found present) before `err`; empty when unknown. */
export function partialBlobs(err: unknown): readonly BlobReport[] {
  return (typeof err === 'object' && err !== null && partials.get(err)) || [];
}
