import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { join } from 'node:path';
import type { BlobMap } from '../cache/blob-map.ts';
import { safeLine } from '../log.ts';
import { loadBlobMap, localBlobMapPath, saveBlobMap, type BlobMapReporter } from '../cache/blob-map-store.ts';

const KEY_PREFIX = 'image-push-blob-map-v1-';
const REPORTER: BlobMapReporter = {
  warn: (message) => core.warning(safeLine(message)),
  disable: 'cache: false',
};

/**
 * The blob map across workflow runs. Cache entries are immutable, so each run restores the newest entry by
 * prefix and saves under a key of its own. Outside GitHub's cache service (a self-hosted runner without it,
 * @github/local-action) the map lives in a local cache directory instead. A cache failure never fails a push.
 */
export class BlobMapCache {
  readonly #path: string;
  readonly #remote: boolean;

  constructor() {
    this.#remote = isCacheAvailable();
    this.#path = this.#remote
      ? join(process.env.RUNNER_TEMP ?? process.cwd(), 'image-push-blob-map', 'blob-map.json')
      : localBlobMapPath();
  }

  async restore(): Promise<BlobMap> {
    if (this.#remote) {
      try {
        const hit = await cache.restoreCache([this.#path], `${KEY_PREFIX}${runKey()}`, [KEY_PREFIX]);
        core.info(
          safeLine(hit ? `blob map restored from cache entry ${hit}` : 'no blob map in the cache yet'),
        );
      } catch (err) {
        core.warning(
          safeLine(
            `could not restore the blob map from the Actions cache (${(err as Error).message}); going on without it, which only costs time (cache: false skips it)`,
          ),
        );
      }
    }
    return loadBlobMap(this.#path, REPORTER);
  }

  async save(map: BlobMap): Promise<void> {
    if (!map.changed) return;
    if (!(await saveBlobMap(map, this.#path, REPORTER)) || !this.#remote) return;
    try {
      await cache.saveCache([this.#path], `${KEY_PREFIX}${runKey()}`);
    } catch (err) {
      core.warning(
        safeLine(
          `could not save the blob map to the Actions cache (${(err as Error).message}); the push itself is done (cache: false skips the map)`,
        ),
      );
    }
  }
}

function isCacheAvailable(): boolean {
  try {
    // @github/local-action's stub has no isFeatureAvailable: treat that as "no cache service".
    return typeof cache.isFeatureAvailable === 'function' && cache.isFeatureAvailable();
  } catch {
    return false;
  }
}

/** Unique per step run: several pushes in one job must not collide on an immutable key. */
function runKey(): string {
  const { GITHUB_RUN_ID = 'local', GITHUB_RUN_ATTEMPT = '1', GITHUB_JOB = 'job' } = process.env;
  return `${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}-${GITHUB_JOB}-${Date.now().toString(36)}`;
}
