import type { BlobMap } from '../cache/blob-map.ts';
import type { LayerCompression } from '../compress/parallel-compress.ts';
import type { Target } from '../engine/session.ts';
import type { BlobHints, Writer } from '../engine/writer.ts';
import type { Limit } from '../limit.ts';
import type { Logger } from '../log.ts';
import type { BlobSource } from '../oci/descriptor.ts';

/**
 * What every planner of one push shares, made once and passed along (as go-containerregistry threads one
 * options struct through Write, WriteIndex and MultiWrite): the destinations, the writer and its limiter,
 * and the settings that decide what is reused. What differs per call is its own argument.
 */
export interface PlanContext {
  readonly targets: readonly Target[];
  readonly writer: Writer;
  /** The session's limiter: every registry request goes through it. */
  readonly limit: Limit;
  readonly log: Logger;
  /** Named in errors about the source's content. */
  readonly sourceName: string;
  /** diffID -> blob memory and where blobs live (mount hints); pairings are recorded in it. */
  readonly blobMap?: BlobMap | undefined;
  /** The compression asked for: only forms in it are reused, and preferred among several. */
  readonly compression?: LayerCompression | undefined;
  /** Download each reused blob and check it against the layer's diffID before relying on it. */
  readonly verify?: boolean | undefined;
  /** Mount hints per blob, as the plan gives them (the blob map, base images, a registry source). */
  readonly hints?: (target: Target, blob: BlobSource) => BlobHints;
}
