import * as core from '@actions/core';
import { describeError, ImagePushError } from '../errors.ts';
import { describeFileError, fileErrorFix } from '../file-errors.ts';
import { safeLine, type Logger } from '../log.ts';
import { partialBlobs, tallyBlobs, type PushResult } from '../engine/result.ts';
import type { Request } from '../run/request.ts';
import type { BlobMapCache } from './actions-cache.ts';
import { readSettings, readSummarySetting, summaryFromEnv } from './inputs.ts';

/** Every line goes through safeLine: messages quote inputs, files and registry answers (workflow commands). */
const actionsLogger: Logger = {
  info: (message) => core.info(safeLine(message)),
  warning: (message) => core.warning(safeLine(message)),
  debug: (message) => core.debug(safeLine(message)),
  group: (name, fn) => core.group(safeLine(name), fn),
};

/**
 * The action: inputs in, one run, outputs out. Any failure becomes one error line, a failed step and a
 * summary of what went up. Only @actions/core and the input parsing load up front: an input error costs no
 * more than that, and the push, the report and the cache client load when the run gets to them.
 */
export async function run(): Promise<void> {
  let request: Request | undefined;
  // Until the inputs are read, only the environment variable can turn the summary off.
  let summary = summaryFromEnv();
  try {
    summary = readSummarySetting();
    request = readSettings();
    const { run: runRequest } = await import('../run/run.ts');
    const { result, seconds } = await runRequest(request, {
      logger: actionsLogger,
      onSecret: (value) => core.setSecret(value),
      blobMapStore: openBlobMapCache,
      describePlatform: summary,
    });
    // The image is pushed: outputs that cannot be written fail the step (later steps would miss the digest),
    // but only after the summary and the "pushed" lines said what went up.
    let outputsFailed: unknown;
    try {
      await setOutputs(result);
    } catch (err) {
      outputsFailed = err;
    }
    if (summary) await report(result, seconds);
    await announce(result);
    if (outputsFailed !== undefined) throw new OutputsNotWritten(result.digest, outputsFailed);
  } catch (err) {
    core.setFailed(safeLine(describeError(err)));
    // The push itself succeeded: its summary is written already.
    if (summary && !(err instanceof OutputsNotWritten)) await reportFailure(err, request);
  }
}

/** The push succeeded; its outputs could not be written to GITHUB_OUTPUT. */
class OutputsNotWritten extends ImagePushError {
  constructor(digest: string, cause: unknown) {
    const path = process.env.GITHUB_OUTPUT ?? '';
    const fix = fileErrorFix(cause);
    super(
      `the image was pushed (${digest}), but the step outputs could not be written to GITHUB_OUTPUT (${path}): ${describeFileError(cause)}`,
      `the step fails so that later steps do not run without the digest; GITHUB_OUTPUT is the runner's file: check that no earlier step removed or replaced it${fix ? ` (${fix})` : ''}`,
      { cause },
    );
    this.name = 'OutputsNotWritten';
  }
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
    actionsLogger.warning(
      `the image was pushed (${result.digest}), but the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY ?? ''}): ${summaryError(err)}`,
    );
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
async function reportFailure(err: unknown, request: Request | undefined): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return; // outside a runner: nothing to load for
  try {
    const { writeFailureSummary } = await import('../report/summary.ts');
    await writeFailureSummary(
      err,
      partialBlobs(err),
      request?.job.kind === 'push' ? request.job.source : undefined,
    );
  } catch (summaryErr) {
    actionsLogger.warning(
      `the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY}): ${summaryError(summaryErr)}`,
    );
  }
}

/** @actions/core checks the summary file with access() and says only "Unable to access summary file". */
function summaryError(err: unknown): string {
  if (err instanceof Error && /^Unable to access summary file/.test(err.message)) {
    return 'it does not exist or is not writable';
  }
  return describeFileError(err);
}
