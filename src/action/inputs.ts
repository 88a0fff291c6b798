import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import { parseRegistrySettings, refuseCredentialsIn } from '../oci/reference.ts';
import { credentialPair, parseBoolean, parseTuning, splitList } from '../options.ts';
import { namedTags } from '../engine/targets.ts';
import type { Credentials } from '../registry/transport/auth.ts';
import type { PushJob, MergeJob, Request } from '../run/request.ts';

/** Everything the action was asked to do, read from its inputs in this one place (run() carries it out). */
export function readSettings(): Request {
  const image = core.getInput('image');
  const merge = splitList(core.getInput('merge'));
  // Before anything quotes them: a reference pasted with user:password@ is masked and refused; a proxy URL's
  // password is masked (undici's errors may quote the URL).
  refuseCredentialsIn(
    {
      image: [image],
      merge,
      tags: splitList(core.getInput('tags')),
      registry: [core.getInput('registry')],
      'reuse-from': splitList(core.getInput('reuse-from')),
      'insecure-registries': splitList(core.getInput('insecure-registries')),
    },
    (secret) => core.setSecret(secret),
  );
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'])
    maskProxyPassword(process.env[name]);
  if (Boolean(image) === merge.length > 0) {
    throw new InputError(
      image ? 'both image and merge are set' : 'neither image nor merge is set',
      'set image to push an image, or merge to combine pushed digests into one index',
    );
  }
  const pushByDigest = parseBoolean('push-by-digest', core.getInput('push-by-digest'), false);
  const tags = splitList(core.getInput('tags'));
  if (tags.length === 0) {
    throw new InputError(
      'tags is empty',
      pushByDigest
        ? 'name the repository to push to (ghcr.io/org/app); with push-by-digest no tag moves'
        : 'name at least one destination, e.g. ghcr.io/org/app:1.0',
    );
  }
  const credentials = credentialInputs(
    '',
    'set both, or neither to use the Docker config (docker/login-action) or anonymous access',
  );
  const sourceCredentials = credentialInputs(
    'source-',
    'set both, or neither to use the Docker config (docker/login-action) for the source registry',
  );
  // One annotation a line: values may hold commas (a description), so lines are not split on them.
  const annotations = core
    .getInput('annotations')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (annotations.length > 0 && merge.length === 0) {
    throw new InputError(
      'annotations are set, but they apply only to the index a merge writes: adding them to the pushed image would change its digest',
      'set them when building (build-push-action annotations), or use them on the merge step',
    );
  }
  const registries = parseRegistrySettings(
    core.getInput('registry') || undefined,
    splitList(core.getInput('insecure-registries')),
  );
  const job: PushJob | MergeJob = image
    ? {
        kind: 'push',
        source: image,
        pushByDigest,
        verify: parseBoolean('verify', core.getInput('verify'), false),
        reuseFrom: splitList(core.getInput('reuse-from')),
        overwrite: parseBoolean('overwrite', core.getInput('overwrite'), true),
      }
    : { kind: 'merge', sources: merge, annotations };
  return {
    job,
    destinations: tags,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    blobMap: parseBoolean('cache', core.getInput('cache'), false),
    tuning: parseTuning({
      concurrency: core.getInput('concurrency'),
      compression: core.getInput('compression'),
      compressionLevel: core.getInput('compression-level'),
      chunkSize: core.getInput('chunk-size'),
      retries: core.getInput('retries'),
      retryTimeout: core.getInput('retry-timeout'),
      caFile: core.getInput('ca-file') || undefined,
      platforms: splitList(core.getInput('platforms')),
    }),
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(tags, registries.registry) : [],
  };
}

/** `PREFIXusername` and `PREFIXpassword`: both or neither; the password is masked before anything else. */
function credentialInputs(prefix: string, hint: string): Credentials | undefined {
  const password = core.getInput(`${prefix}password`);
  if (password) core.setSecret(password);
  const [username, pass] = [`${prefix}username`, `${prefix}password`];
  return credentialPair(core.getInput(username), password, {
    noPassword: [`${username} is set but ${pass} is empty`, hint],
    noUsername: [`${pass} is set but ${username} is empty`, hint],
  });
}

/** push-by-digest moves no tag: say so for each destination that names one, instead of dropping it silently. */
function droppedTags(tags: readonly string[], registry: string | undefined): string[] {
  const tagged = namedTags(tags, registry);
  if (tagged.length === 0) return [];
  return [
    `push-by-digest moves no tag, so ${tagged.map((t) => `"${t}"`).join(', ')} ${tagged.length === 1 ? 'is' : 'are'} ` +
      'pushed by digest only. Drop the tag from tags (name the repository alone), or set push-by-digest: false',
  ];
}

/** A proxy URL's `user:password@`: its password never reaches the log. */
function maskProxyPassword(url: string | undefined): void {
  if (!url) return;
  try {
    const { password } = new URL(url);
    if (password) {
      core.setSecret(password);
      core.setSecret(decodeURIComponent(password));
    }
  } catch {
    // not a URL: undici refuses it with its own error, which quotes no password it could not parse
  }
}

/** Whether to write the job summary: the `summary` input, and DOCKER_BUILD_SUMMARY (summaryFromEnv). */
export function readSummarySetting(): boolean {
  return parseBoolean('summary', core.getInput('summary'), true) && summaryFromEnv();
}

/**
 * DOCKER_BUILD_SUMMARY as build-push-action users set it: `false` (also `0`, `no`, `off`) turns the summary
 * off. An environment variable shared with other steps never fails the push: any other value leaves it on.
 */
export function summaryFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(false|0|no|off)$/i.test(env.DOCKER_BUILD_SUMMARY?.trim() ?? '');
}
