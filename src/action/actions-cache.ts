import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { join } from 'node:path';
import { BlobMap } from '../cache/blob-map.ts';
import { localBlobMapPath } from '../cache/blob-map-store.ts';

const KEY_PREFIX = 'image-push-blob-map-v1-';

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
      if (this.#remote) await cache.saveCache([this.#path], `${KEY_PREFIX}${runKey()}`);
    } catch (err) {
      core.warning(`could not save the blob map: ${(err as Error).message}`);
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
