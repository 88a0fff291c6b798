import type { BlobMap } from '../cache/blob-map.ts';
import { InputError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConnectionOptions } from '../engine/session.ts';
import type { PushResult } from '../engine/result.ts';
import { RetryTally } from '../registry/transport/retry-policy.ts';
import type { Request } from './request.ts';

/** Where the blob map lives between runs: the Actions cache for the action, a file for the CLI. */
export interface BlobMapStore {
  restore(): Promise<BlobMap>;
  /** Saves a map that changed; a failure is the store's warning, never an error (the push is done). */
  save(map: BlobMap): Promise<void>;
}

/** What a front end lends the run: where lines go, secrets to mask, where the blob map is kept. */
export interface RunIO {
  readonly logger: Logger;
  /** Receives each secret (password, token) before use; the action masks them. */
  readonly onSecret?: (value: string) => void;
  /** Opened only by a push that keeps the blob map, so neither the cache client nor the file loads otherwise. */
  readonly blobMapStore?: () => Promise<BlobMapStore>;
  /**
   * Whether the front end shows a single image's platform (the job summary, --json). When it does not, a push
   * whose tags already hold the image reads nothing from the source beyond the manifest that proves its digest.
   */
  readonly describePlatform?: boolean;
}

export interface RunOutcome {
  readonly result: PushResult;
  readonly seconds: number;
}

/**
 * Carries out a request, the same for both front ends: its notes, the push or merge (loaded only now: an
 * input error costs no more than the reader), the blob map restored before and saved after, and retries told
 * as one line at the end. What is printed or set as outputs stays with the front end.
 */
export async function run(request: Request, io: RunIO): Promise<RunOutcome> {
  const { logger } = io;
  for (const note of request.notes) logger.info(note);
  for (const warning of request.warnings) logger.warning(warning);
  const tally = new RetryTally();
  const { job, tuning } = request;
  if (job.kind === 'merge' && request.sourceCredentials) {
    throw new InputError(
      'source credentials were given for a merge',
      'they are for a docker://REGISTRY/REPOSITORY:TAG image; a merge reads its sources with the destination credentials: drop them',
    );
  }
  const store = job.kind === 'push' && request.blobMap ? await io.blobMapStore?.() : undefined;
  const blobMap = await store?.restore();
  const started = performance.now();
  const connection: ConnectionOptions = {
    destinations: request.destinations,
    registry: request.registry,
    credentials: request.credentials,
    sourceCredentials: request.sourceCredentials,
    concurrency: tuning.concurrency,
    insecureRegistries: request.insecureRegistries,
    retryPolicy: { ...tuning.retryPolicy, tally },
    ca: tuning.ca,
    logger,
    ...(io.onSecret ? { onSecret: io.onSecret } : {}),
  };
  let result: PushResult;
  try {
    result =
      job.kind === 'merge'
        ? await logger.group(`Merging ${job.sources.length} images`, async () => {
            const { merge } = await import('../push/merge.ts');
            return merge({
              ...connection,
              sources: job.sources,
              annotationLines: job.annotations,
              chunkSize: tuning.chunkSize,
            });
          })
        : await logger.group(`Pushing ${job.source}`, async () => {
            const { push } = await import('../push/push.ts');
            return push({
              ...connection,
              source: job.source,
              compression: tuning.compression,
              compressionLevel: tuning.compressionLevel,
              chunkSize: tuning.chunkSize,
              blobMap,
              pushByDigest: job.pushByDigest,
              platforms: tuning.platforms,
              verify: job.verify,
              reuseFrom: job.reuseFrom,
              overwrite: job.overwrite,
              describePlatform: io.describePlatform ?? true,
            });
          });
  } catch (err) {
    const retried = tally.describe();
    if (retried) logger.info(retried);
    throw err;
  }
  // Retries that ended well are plain log lines; one warning sums them up, only when there were any.
  const retried = tally.describe();
  if (retried) logger.warning(`${retried}; the push went on (a flaky registry or proxy?)`);
  const seconds = (performance.now() - started) / 1000;
  if (blobMap) await store?.save(blobMap);
  return { result, seconds };
}
