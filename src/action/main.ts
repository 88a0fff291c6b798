import * as core from '@actions/core';
import { describeError } from '../errors.ts';
import { safeLine, type Logger } from '../log.ts';
import { namedTags } from '../engine/targets.ts';
import { partialBlobs, tallyBlobs, type PushResult } from '../engine/result.ts';
import { RetryTally } from '../registry/transport/retry-policy.ts';
import type { BlobMapCache } from './actions-cache.ts';
import { readSettings, summaryFromEnv, type ActionSettings } from './inputs.ts';

/** Every line goes through safeLine: messages quote inputs, files and registry answers (workflow commands). */
const actionsLogger: Logger = {
  info: (message) => core.info(safeLine(message)),
  warning: (message) => core.warning(safeLine(message)),
  debug: (message) => core.debug(safeLine(message)),
  group: (name, fn) => core.group(safeLine(name), fn),
};

/**
 * The action: inputs in, one push, outputs out. Any failure becomes one error line, a failed step and a
 * summary of what went up. Only @actions/core and the input parsing load up front: an input error costs no
 * more than that, and the push, the report and the cache client load when the run gets to them.
 */
export async function run(): Promise<void> {
  let settings: ActionSettings | undefined;
  try {
    settings = readSettings();
    if (settings.pushByDigest) warnDroppedTags(settings);
    await pushAndReport(settings);
  } catch (err) {
    core.setFailed(safeLine(describeError(err)));
    await reportFailure(err, settings);
  }
}

async function pushAndReport(settings: ActionSettings): Promise<void> {
  const tally = new RetryTally();
  const blobMapCache = settings.cache && settings.image ? await openBlobMapCache() : undefined;
  const blobMap = await blobMapCache?.restore();
  const started = performance.now();
  const connection = {
    destinations: settings.tags,
    registry: settings.registry,
    credentials: settings.credentials,
    concurrency: settings.concurrency,
    insecureRegistries: settings.insecureRegistries,
    chunkSize: settings.chunkSize,
    retryPolicy: { ...settings.retryPolicy, tally },
    ca: settings.ca,
    logger: actionsLogger,
    onSecret: (value: string) => core.setSecret(value),
  };
  let result: PushResult;
  try {
    result = settings.merge.length
      ? await actionsLogger.group(`Merging ${settings.merge.length} images`, async () => {
          const { merge } = await import('../push/merge.ts');
          return merge({ ...connection, sources: settings.merge, annotationLines: settings.annotations });
        })
      : await actionsLogger.group(`Pushing ${settings.image}`, async () => {
          const { push } = await import('../push/push.ts');
          return push({
            ...connection,
            source: settings.image,
            sourceCredentials: settings.sourceCredentials,
            compression: settings.compression,
            compressionLevel: settings.compressionLevel,
            blobMap,
            pushByDigest: settings.pushByDigest,
            platforms: settings.platforms,
            verify: settings.verify,
            reuseFrom: settings.reuseFrom,
            overwrite: settings.overwrite,
          });
        });
  } catch (err) {
    const retried = tally.describe();
    if (retried) actionsLogger.info(retried);
    throw err;
  }
  warnRetries(tally);
  const seconds = (performance.now() - started) / 1000;
  if (blobMap) await blobMapCache?.save(blobMap);
  await setOutputs(result);
  if (settings.summary) await report(result, seconds);
  await announce(result);
}

/** The Actions cache client only where the runner has the service; else a local file. */
async function openBlobMapCache(): Promise<BlobMapCache> {
  const { BlobMapCache } = await import('./actions-cache.ts');
  return BlobMapCache.open();
}

async function setOutputs(result: PushResult): Promise<void> {
  const { buildMetadata, imagesOf } = await import('../report/metadata.ts');
  const { uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  core.setOutput('digest', result.digest);
  core.setOutput('imageid', result.configDigest ?? '');
  core.setOutput('image', result.image);
  core.setOutput('tags', result.references.join('\n'));
  core.setOutput('blobs-uploaded', uploaded.count);
  core.setOutput('blobs-skipped', skipped.count);
  core.setOutput('blobs-mounted', mounted.count);
  core.setOutput('bytes-uploaded', uploaded.bytes);
  core.setOutput('bytes-skipped', skipped.bytes);
  core.setOutput('bytes-mounted', mounted.bytes);
  core.setOutput('images', imagesOf(result).join('\n'));
  core.setOutput('metadata', JSON.stringify(buildMetadata(result)));
}

/** The job summary. The image is pushed by now, so a summary that cannot be written is only a warning. */
async function report(result: PushResult, seconds: number): Promise<void> {
  try {
    const { writeSummary } = await import('../report/summary.ts');
    await writeSummary(result, { seconds });
  } catch (err) {
    actionsLogger.warning(`could not write the job summary: ${describeError(err)}`);
  }
}

/**
 * The last lines of the step log, outside the collapsed group, and a notice on the run page: what was pushed,
 * pinned by digest, one line per repository.
 */
async function announce(result: PushResult): Promise<void> {
  const { pinnedReferences } = await import('../report/pushed.ts');
  const pinned = pinnedReferences(result);
  for (const reference of pinned) actionsLogger.info(`pushed ${reference}`);
  core.notice(pinned.map(safeLine).join('\n'), { title: 'Image pushed' });
}

/** A failed push still gets a summary: what failed, the fix, and what went up before. */
async function reportFailure(err: unknown, settings: ActionSettings | undefined): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return; // outside a runner: nothing to load for
  // An input error leaves no settings: the environment variable still turns the summary off.
  if (settings ? !settings.summary : !summaryFromEnv()) return;
  try {
    const { writeFailureSummary } = await import('../report/summary.ts');
    await writeFailureSummary(err, partialBlobs(err), settings?.image || undefined);
  } catch (summaryErr) {
    actionsLogger.warning(`could not write the job summary: ${describeError(summaryErr)}`);
  }
}

/** Retries that ended well are plain log lines; one warning sums them up, only when there were any. */
function warnRetries(tally: RetryTally): void {
  const line = tally.describe();
  if (line) actionsLogger.warning(`${line}; the push went on (a flaky registry or proxy?)`);
}

/** push-by-digest moves no tag: say so for each destination that names one, instead of dropping it silently. */
function warnDroppedTags(settings: ActionSettings): void {
  const tagged = namedTags(settings.tags, settings.registry);
  if (tagged.length === 0) return;
  actionsLogger.warning(
    `push-by-digest moves no tag, so ${tagged.map((t) => `"${t}"`).join(', ')} ${tagged.length === 1 ? 'is' : 'are'} ` +
      'pushed by digest only. Drop the tag from tags (name the repository alone), or set push-by-digest: false',
  );
}
