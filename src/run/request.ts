import type { LayerCompression } from '../compress/parallel-compress.ts';
import type { Platform } from '../oci/descriptor.ts';
import type { Credentials } from '../registry/transport/auth.ts';
import type { RetryPolicy } from '../registry/transport/retry-policy.ts';

/**
 * What a user asked for, whichever front end they asked through: action/inputs.ts fills it from the inputs,
 * cli/args.ts from the command line, and run() carries it out. Only plain values: the readers have parsed and
 * checked everything before any file is read or any request sent.
 */
export interface Request {
  /** Push one image, or merge images already pushed into one index. */
  readonly job: PushJob | MergeJob;
  /** Destination references; those naming no registry get `registry`. */
  readonly destinations: readonly string[];
  readonly registry: string | undefined;
  readonly insecureRegistries: readonly string[];
  /** For the destination registry; else the Docker config or anonymous access. */
  readonly credentials: Credentials | undefined;
  /** For a `docker://` source's registry only. */
  readonly sourceCredentials: Credentials | undefined;
  readonly tuning: Tuning;
  /** Keep the diffID -> blob map between runs (where is the front end's business). */
  readonly blobMap: boolean;
  /** Lines to log before the run, in the front end's own words (how an input was read, what it drops). */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

export interface PushJob {
  readonly kind: 'push';
  /** Transport reference of the image: `oci:PATH[:NAME]`, `docker-archive:PATH`, `docker://...`, a name. */
  readonly source: string;
  readonly pushByDigest: boolean;
  /** Check every layer read from the source against the config's diff_ids before any tag moves. */
  readonly verify: boolean;
  /** Tags or same-registry references whose layers may be reused. */
  readonly reuseFrom: readonly string[];
  readonly overwrite: boolean;
}

export interface MergeJob {
  readonly kind: 'merge';
  /** `repo@digest` references to combine into one index. */
  readonly sources: readonly string[];
}

/** The tuning options both front ends take (options.ts parses their text). */
export interface Tuning {
  readonly concurrency: number;
  readonly compression: LayerCompression;
  readonly compressionLevel: number;
  readonly chunkSize: number | undefined;
  readonly retryPolicy: RetryPolicy;
  /** PEM text of the CA file. */
  readonly ca: string | undefined;
  readonly platforms: Platform[];
}
