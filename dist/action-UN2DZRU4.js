import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  RetryTally
} from "./action-VOW7TFM6.js";
import {
  InputError
} from "./action-QNNVT73O.js";
import "./action-JJ6ZGO25.js";

// src/run/run.ts
async function run(request, io) {
  const { logger } = io;
  for (const note of request.notes) logger.info(note);
  for (const warning of request.warnings) logger.warning(warning);
  const tally = new RetryTally();
  const { job, tuning } = request;
  if (job.kind === "merge" && request.sourceCredentials) {
    throw new InputError(
      "source credentials were given for a merge",
      "they are for a docker://REGISTRY/REPOSITORY:TAG image; a merge reads its sources with the destination credentials: drop them"
    );
  }
  const store = job.kind === "push" && request.blobMap ? await io.blobMapStore?.() : void 0;
  const blobMap = await store?.restore();
  const started = performance.now();
  const connection = {
    destinations: request.destinations,
    registry: request.registry,
    credentials: request.credentials,
    sourceCredentials: request.sourceCredentials,
    concurrency: tuning.concurrency,
    insecureRegistries: request.insecureRegistries,
    retryPolicy: { ...tuning.retryPolicy, tally },
    ca: tuning.ca,
    logger,
    ...io.onSecret ? { onSecret: io.onSecret } : {}
  };
  let result;
  try {
    result = job.kind === "merge" ? await logger.group(`Merging ${job.sources.length} images`, async () => {
      const { merge } = await import("./action-EC4RJHQY.js");
      return merge({
        ...connection,
        sources: job.sources,
        annotationLines: job.annotations,
        chunkSize: tuning.chunkSize
      });
    }) : await logger.group(`Pushing ${job.source}`, async () => {
      const { push } = await import("./action-UFJ3I2ED.js");
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
        describePlatform: io.describePlatform ?? true
      });
    });
  } catch (err) {
    const retried2 = tally.describe();
    if (retried2) logger.info(retried2);
    throw err;
  }
  const retried = tally.describe();
  if (retried) logger.warning(`${retried}; the push went on (a flaky registry or proxy?)`);
  const seconds = (performance.now() - started) / 1e3;
  if (blobMap) await store?.save(blobMap);
  return { result, seconds };
}
export {
  run
};
