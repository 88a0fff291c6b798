import * as core from '@actions/core';
import { BlobMapCache } from './actions-cache.ts';
import { describeError } from '../errors.ts';
import { readSettings } from './inputs.ts';
import type { Logger } from '../log.ts';
import { merge } from '../push/merge.ts';
import { push } from '../push/push.ts';
import { sumSizes, type PushResult } from '../push/result.ts';
import { buildMetadata, imagesOf } from '../report/metadata.ts';
import { writeSummary } from '../report/summary.ts';

const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (name, fn) => core.group(name, fn),
};

/** The action: inputs in, one push, outputs out. Any failure becomes one error line and a failed step. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    const mapCache = settings.cache && settings.image ? new BlobMapCache() : undefined;
    const blobMap = await mapCache?.restore();
    const started = performance.now();
    const connection = {
      destinations: settings.tags,
      registry: settings.registry,
      credentials: settings.credentials,
      concurrency: settings.concurrency,
      insecureRegistries: settings.insecureRegistries,
      chunkSize: settings.chunkSize,
      retryPolicy: settings.retryPolicy,
      ca: settings.ca,
      logger: actionsLogger,
      onSecret: (value: string) => core.setSecret(value),
    };
    const result = settings.merge.length
      ? await core.group(`Merging ${settings.merge.length} images`, () =>
          merge({ ...connection, sources: settings.merge }),
        )
      : await core.group(`Pushing ${settings.image}`, () =>
          push({
            ...connection,
            source: settings.image,
            compression: settings.compression,
            compressionLevel: settings.compressionLevel,
            blobMap,
            pushByDigest: settings.pushByDigest,
            platforms: settings.platforms,
            reuseFrom: settings.reuseFrom,
            overwrite: settings.overwrite,
          }),
        );
    const seconds = (performance.now() - started) / 1000;
    if (blobMap) await mapCache?.save(blobMap);
    setOutputs(result);
    await report(result, seconds);
  } catch (err) {
    core.setFailed(describeError(err));
  }
}

function setOutputs(result: PushResult): void {
  const uploaded = result.blobs.filter((b) => b.action === 'uploaded');
  const skipped = result.blobs.filter((b) => b.action === 'skipped');
  const mounted = result.blobs.filter((b) => b.action === 'mounted');
  core.setOutput('digest', result.digest);
  core.setOutput('image', result.image);
  core.setOutput('tags', result.references.join('\n'));
  core.setOutput('blobs-uploaded', uploaded.length);
  core.setOutput('blobs-skipped', skipped.length);
  core.setOutput('blobs-mounted', mounted.length);
  core.setOutput('bytes-uploaded', sumSizes(uploaded));
  core.setOutput('bytes-skipped', sumSizes(skipped));
  core.setOutput('images', imagesOf(result).join('\n'));
  core.setOutput('metadata', JSON.stringify(buildMetadata(result)));
}

/** The job summary. The image is pushed by now, so a summary that cannot be written is only a warning. */
async function report(result: PushResult, seconds: number): Promise<void> {
  try {
    await writeSummary(result, { seconds });
  } catch (err) {
    core.warning(`could not write the job summary: ${describeError(err)}`);
  }
}
