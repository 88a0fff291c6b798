import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import { parseBoolean, parseTuning, splitList, type Tuning } from '../options.ts';
import type { Credentials } from '../registry/auth.ts';

/** Everything the action was asked to do, read from its inputs in this one place. */
export interface ActionSettings extends Tuning {
  /** The image to push; empty in merge mode. */
  readonly image: string;
  /** `repo@digest` references to merge into one index, instead of pushing an image. */
  readonly merge: string[];
  readonly tags: string[];
  readonly registry: string | undefined;
  readonly credentials: Credentials | undefined;
  readonly insecureRegistries: string[];
  /** Keep the diffID -> blob map in the Actions cache. */
  readonly cache: boolean;
  readonly pushByDigest: boolean;
  /** Tags or same-registry references whose layers may be reused. */
  readonly reuseFrom: string[];
  readonly overwrite: boolean;
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
  const username = core.getInput('username');
  const password = core.getInput('password');
  if (password) core.setSecret(password);
  if (Boolean(username) !== Boolean(password)) {
    throw new InputError(
      `${username ? 'username' : 'password'} is set but ${username ? 'password' : 'username'} is empty`,
      'set both, or neither to use the Docker config (docker/login-action) or anonymous access',
    );
  }
  return {
    image,
    merge,
    tags,
    registry: core.getInput('registry') || undefined,
    credentials: username ? { username, password } : undefined,
    insecureRegistries: splitList(core.getInput('insecure-registries')),
    cache: parseBoolean('cache', core.getInput('cache'), true),
    pushByDigest,
    reuseFrom: splitList(core.getInput('reuse-from')),
    overwrite: parseBoolean('overwrite', core.getInput('overwrite'), true),
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
