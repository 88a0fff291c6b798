import * as core from '@actions/core';
import { join } from 'node:path';
import { BlobMap } from '../cache/blob-map.ts';
import { localBlobMapPath } from '../cache/blob-map-store.ts';

const KEY_PREFIX = 'image-push-blob-map-v1-';

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
        core.info(hit ? `blob map restored from cache entry ${hit}` : 'no blob map in the cache yet');
      } catch (err) {
        core.warning(`could not restore the blob map: ${(err as Error).message}`);
      }
    }
    return BlobMap.load(this.#path);
  }

  async save(map: BlobMap): Promise<void> {
    if (!map.changed) return;
    try {
      await map.save(this.#path);
      if (this.#cache) await this.#cache.saveCache([this.#path], `${KEY_PREFIX}${runKey()}`);
    } catch (err) {
      core.warning(`could not save the blob map: ${(err as Error).message}`);
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
