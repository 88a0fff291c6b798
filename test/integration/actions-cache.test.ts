// The action's blob map through the real @actions/cache client (bundled in dist/index.js), against a local server
// that speaks the cache service's protocol (test/helpers/actions-cache-server.ts): restored at the start of a run,
// saved at its end as a zstd tar under a key of its own, and restored by the next run.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { startActionsCacheServer, type ActionsCacheServer } from '../helpers/actions-cache-server.ts';
import { runActionBundle } from '../helpers/bundle.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
let cache: ActionsCacheServer;
let work: string;
let layout: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'tar', 'zstd']);
  registry = await startRegistry();
  cache = await startActionsCacheServer({ delayMs: 5 });
  work = await makeTempDir('actions-cache-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 300_000 }, { size: 5_000 }], seed: 71 });
});

after(async () => {
  await cache.stop();
  await registry.stop();
});

/**
 * One run of the action on a fresh runner: an empty RUNNER_TEMP (at the same path, as on every hosted runner:
 * the cache version hashes the path) and home; only the cache service in common.
 */
async function runnerRun(
  run: number,
  tags: string,
  cacheInput: Record<string, string> = { cache: 'true' },
): ReturnType<typeof runActionBundle> {
  const runner = join(work, 'runner');
  await rm(runner, { recursive: true, force: true });
  await mkdir(join(runner, 'temp'), { recursive: true });
  return runActionBundle({ image: `oci:${layout}`, tags, ...cacheInput }, runner, {
    env: {
      ...cache.env,
      RUNNER_TEMP: join(runner, 'temp'),
      GITHUB_RUN_ID: String(run),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'push',
    },
    killAfterMs: 60_000,
  });
}

describe('the blob map in the Actions cache (cache: true; off by default)', () => {
  test('the first run finds no entry, pushes, and saves the map through the cache service', async () => {
    const run = await runnerRun(1, `${registry.host}/cached/base:1`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.digest, image.manifestDigest);
    assert.match(run.stdout, /no blob map in the cache yet/);
    assert.deepEqual(cache.requests, [
      'POST GetCacheEntryDownloadURL',
      'POST CreateCacheEntry',
      'PUT blob',
      'POST FinalizeCacheEntryUpload',
    ]);
    assert.equal(cache.entries.length, 1);
    const [entry] = cache.entries;
    assert.ok(entry?.finalized);
    assert.match(entry.key, /^image-push-blob-map-v1-1-1-push-/);
    // What the client uploaded is its zstd tar (magic 28 b5 2f fd) of the map file.
    assert.equal(entry.bytes?.subarray(0, 4).toString('hex'), '28b52ffd');
  });

  test('the next run restores it: a new repository of the registry mounts every blob', async () => {
    cache.requests.length = 0;
    const run = await runnerRun(2, `${registry.host}/cached/app:1`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /blob map restored from cache entry image-push-blob-map-v1-1-1-push-/);
    assert.equal(run.outputs['blobs-mounted'], '3');
    assert.equal(run.outputs['blobs-uploaded'], '0');
    assert.deepEqual(cache.requests.slice(0, 2), ['POST GetCacheEntryDownloadURL', 'GET blob']);
    // The map changed (the new repository holds the blobs): a new entry under this run's key.
    assert.equal(cache.entries.filter((e) => e.finalized).length, 2);
    assert.equal((await inspectRaw(`${registry.host}/cached/app:1`)).length, image.manifestSize);
  });

  test('a re-run that changes nothing saves no new entry', async () => {
    cache.requests.length = 0;
    const run = await runnerRun(3, `${registry.host}/cached/app:1`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /blob map restored from cache entry image-push-blob-map-v1-2-1-push-/);
    assert.deepEqual(cache.requests, ['POST GetCacheEntryDownloadURL', 'GET blob']);
    assert.equal(cache.entries.length, 2);
  });

  test('by default the action does not touch the cache service at all', async () => {
    cache.requests.length = 0;
    const run = await runnerRun(4, `${registry.host}/cached/other:1`, {});
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.digest, image.manifestDigest);
    assert.deepEqual(cache.requests, []);
  });
});
