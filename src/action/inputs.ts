import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import { parseRegistrySettings } from '../oci/reference.ts';
import { parseBoolean, parseTuning, splitList, type Tuning } from '../options.ts';
import type { Credentials } from '../registry/transport/auth.ts';

/** Everything the action was asked to do, read from its inputs in this one place. */
export interface ActionSettings extends Tuning {
  /** The image to push; empty in merge mode. */
  readonly image: string;
  /** `repo@digest` references to merge into one index, instead of pushing an image. */
  readonly merge: string[];
  readonly tags: string[];
  readonly registry: string | undefined;
  readonly credentials: Credentials | undefined;
  /** For a `docker://` image: credentials of the source registry (else the Docker config). */
  readonly sourceCredentials: Credentials | undefined;
  readonly insecureRegistries: string[];
  /** Keep the diffID -> blob map in the Actions cache. */
  readonly cache: boolean;
  readonly pushByDigest: boolean;
  /** Check every layer read from the source against the config's diff_ids before any tag moves. */
  readonly verify: boolean;
  /** Tags or same-registry references whose layers may be reused. */
  readonly reuseFrom: string[];
  readonly overwrite: boolean;
  /** Annotation lines for the merged index (docker/metadata-action's `annotations` output). */
  readonly annotations: string[];
  /** Write the job summary (the `summary` input, and DOCKER_BUILD_SUMMARY as build-push-action reads it). */
  readonly summary: boolean;
}

export function readSettings(): ActionSettings {
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
  if (sourceCredentials && !image.trim().startsWith('docker://')) {
    throw new InputError(
      'source-username and source-password are set, but image is not a docker:// reference',
      'they are for a source in a registry (docker://REGISTRY/REPOSITORY:TAG); drop them',
    );
  }
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
  for (const note of registries.notes) core.info(note);
  return {
    image,
    merge,
    tags,
    registry: registries.registry,
    credentials,
    sourceCredentials,
    insecureRegistries: registries.insecureRegistries,
    cache: parseBoolean('cache', core.getInput('cache'), true),
    pushByDigest,
    verify: parseBoolean('verify', core.getInput('verify'), false),
    reuseFrom: splitList(core.getInput('reuse-from')),
    overwrite: parseBoolean('overwrite', core.getInput('overwrite'), true),
    annotations,
    summary: parseBoolean('summary', core.getInput('summary'), true) && summaryFromEnv(),
    ...parseTuning({
      concurrency: core.getInput('concurrency'),
      compression: core.getInput('compression'),
      compressionLevel: core.getInput('compression-level'),
      chunkSize: core.getInput('chunk-size'),
      retries: core.getInput('retries'),
      retryTimeout: core.getInput('retry-timeout'),
      caFile: core.getInput('ca-file') || undefined,
      platforms: splitList(core.getInput('platforms')),
    }),
  };
}

/** `PREFIXusername` and `PREFIXpassword`: both or neither; the password is masked before anything else. */
function credentialInputs(prefix: string, hint: string): Credentials | undefined {
  const username = core.getInput(`${prefix}username`);
  const password = core.getInput(`${prefix}password`);
  if (password) core.setSecret(password);
  if (Boolean(username) !== Boolean(password)) {
    const [set, empty] = username ? ['username', 'password'] : ['password', 'username'];
    throw new InputError(`${prefix}${set} is set but ${prefix}${empty} is empty`, hint);
  }
  return username ? { username, password } : undefined;
}

/**
 * DOCKER_BUILD_SUMMARY as build-push-action users set it: `false` (also `0`, `no`, `off`) turns the summary
 * off. An environment variable shared with other steps never fails the push: any other value leaves it on.
 */
export function summaryFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(false|0|no|off)$/i.test(env.DOCKER_BUILD_SUMMARY?.trim() ?? '');
}
