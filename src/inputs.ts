import * as core from '@actions/core';
import { InputError } from './errors.ts';
import {
  parseBoolean,
  parseChunkSize,
  parseCompression,
  parseCompressionLevel,
  parseConcurrency,
  parseWholeNumber,
  readCaFile,
  splitList,
} from './options.ts';
import type { LayerCompression } from './compress/parallel-compress.ts';
import { parsePlatforms } from './push/platforms.ts';
import type { Credentials } from './registry/auth.ts';
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
  type RetryPolicy,
} from './registry/retry.ts';
import type { Platform } from './source/types.ts';

/** Everything the action was asked to do, read from its inputs in this one place. */
export interface ActionSettings {
  /** The image to push; empty in merge mode. */
  readonly image: string;
  /** `repo@digest` references to merge into one index, instead of pushing an image. */
  readonly merge: string[];
  readonly tags: string[];
  readonly registry: string | undefined;
  readonly credentials: Credentials | undefined;
  readonly concurrency: number;
  readonly insecureRegistries: string[];
  readonly compression: LayerCompression;
  readonly compressionLevel: number;
  /** Keep the diffID -> blob map in the Actions cache. */
  readonly cache: boolean;
  readonly pushByDigest: boolean;
  readonly platforms: Platform[];
  readonly chunkSize: number | undefined;
  readonly retryPolicy: RetryPolicy;
  /** PEM text of the `ca-file`. */
  readonly ca: string | undefined;
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
  const compression = parseCompression(core.getInput('compression'));
  const retryTimeout = parseWholeNumber(
    'retry-timeout',
    core.getInput('retry-timeout'),
    1,
    86_400,
    DEFAULT_RETRY_TIMEOUT_SECONDS,
  );
  return {
    image,
    merge,
    tags,
    registry: core.getInput('registry') || undefined,
    credentials: username ? { username, password } : undefined,
    concurrency: parseConcurrency(core.getInput('concurrency')),
    insecureRegistries: splitList(core.getInput('insecure-registries')),
    compression,
    compressionLevel: parseCompressionLevel(core.getInput('compression-level'), compression),
    cache: parseBoolean('cache', core.getInput('cache'), true),
    pushByDigest,
    platforms: parsePlatforms(splitList(core.getInput('platforms'))),
    chunkSize: parseChunkSize(core.getInput('chunk-size')),
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      retries: parseWholeNumber('retries', core.getInput('retries'), 0, 100, DEFAULT_RETRIES),
      maxElapsedMs: retryTimeout * 1000,
    },
    ca: readCaFile('ca-file', core.getInput('ca-file')),
  };
}
