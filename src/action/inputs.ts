import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import { parseRegistrySettings } from '../oci/reference.ts';
import { credentialPair, parseBoolean, parseTuning, splitList } from '../options.ts';
import { namedTags } from '../engine/targets.ts';
import type { Credentials } from '../registry/transport/auth.ts';
import type { PushJob, MergeJob, Request } from '../run/request.ts';

/** Everything the action was asked to do, read from its inputs in this one place (run() carries it out). */
export function readSettings(): Request {
  const image = core.getInput('image');
  const merge = splitList(core.getInput('merge'));
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
    : { kind: 'merge', sources: merge };
  return {
    job,
    destinations: tags,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    blobMap: parseBoolean('cache', core.getInput('cache'), true),
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
