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

/** @actions/cache and the Azure SDK it brings are most of the bundle: loaded only when the service is there. */
type CacheModule = typeof import('@actions/cache');

/**
 * The blob map across workflow runs. Cache entries are immutable, so each run restores the newest entry by
 * prefix and saves under a key of its own. Outside GitHub's cache service (a self-hosted runner without it,
 * @github/local-action) the map lives in a local cache directory instead. A cache failure never fails a push.
 */
export class BlobMapCache {
  readonly #path: string;
  readonly #cache: CacheModule | undefined;

  private constructor(cache: CacheModule | undefined) {
    this.#cache = cache;
    this.#path = cache
      ? join(process.env.RUNNER_TEMP ?? process.cwd(), 'image-push-blob-map', 'blob-map.json')
      : localBlobMapPath();
  }

  static async open(): Promise<BlobMapCache> {
    return new BlobMapCache(await cacheService());
  }

  async restore(): Promise<BlobMap> {
    if (this.#cache) {
      try {
        const hit = await this.#cache.restoreCache([this.#path], `${KEY_PREFIX}${runKey()}`, [KEY_PREFIX]);
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
    if (!(await saveBlobMap(map, this.#path, REPORTER)) || !this.#cache) return;
    try {
      await this.#cache.saveCache([this.#path], `${KEY_PREFIX}${runKey()}`);
    } catch (err) {
      core.warning(
        safeLine(
          `could not save the blob map to the Actions cache (${(err as Error).message}); the push itself is done (cache: false skips the map)`,
        ),
      );
    }
  }
}

/** The cache client, when the runner offers the service (the variables @actions/cache itself reads). */
async function cacheService(): Promise<CacheModule | undefined> {
  if (!process.env.ACTIONS_CACHE_URL && !process.env.ACTIONS_RESULTS_URL) return undefined;
  try {
    const cache = await import('@actions/cache');
    // @github/local-action's stub has no isFeatureAvailable: treat that as "no cache service".
    return typeof cache.isFeatureAvailable === 'function' && cache.isFeatureAvailable() ? cache : undefined;
  } catch {
    return undefined;
  }
}

/** Unique per step run: several pushes in one job must not collide on an immutable key. */
function runKey(): string {
  const { GITHUB_RUN_ID = 'local', GITHUB_RUN_ATTEMPT = '1', GITHUB_JOB = 'job' } = process.env;
  return `${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}-${GITHUB_JOB}-${Date.now().toString(36)}`;
}
