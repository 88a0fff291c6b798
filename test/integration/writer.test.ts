// The one writer: a blob crosses the network once per registry, not once per repository; and when a blob
// fails, no manifest goes up, nothing is left running, and the first error is what the caller sees.
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SourceError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { startRegistry, type RegistryRequest, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
let work: string;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('writer-');
});

after(async () => {
  await registry.stop();
});

/** Blob digests the registry received bytes for: the `digest` of each completed upload (PUT). */
function uploadedDigests(requests: readonly RegistryRequest[]): string[] {
  return requests
    .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/') && r.status === 201)
    .map((r) => new URL(r.path, 'http://x').searchParams.get('digest') ?? '');
}

/** Mounts the registry performed (201), as `repository <- from`. */
function mounts(requests: readonly RegistryRequest[]): { into: string; digest: string; from: string }[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path.includes('mount=') && r.status === 201)
    .map((r) => {
      const url = new URL(r.path, 'http://x');
      return {
        into: url.pathname.replace(/^\/v2\//, '').replace(/\/blobs\/uploads\/$/, ''),
        digest: url.searchParams.get('mount') ?? '',
        from: url.searchParams.get('from') ?? '',
      };
    });
}

describe('upload once per registry', () => {
  let image: SampleImage;
  let layout: string;
  before(async () => {
    layout = join(work, 'two-repos');
    image = await writeOciLayout(layout, {
      layers: [{ size: 3 << 20 }, { size: 1 << 20 }],
      seed: 21,
      tag: 'v1',
    });
  });

  test('a cold push to two repositories of one registry sends each blob once and mounts it into the other', async () => {
    await registry.clearRequests();
    const result = await push({
      source: `oci:${layout}:v1`,
      destinations: [`${registry.host}/once/first:v1`, `${registry.host}/once/second:v1`],
      concurrency: 4,
      logger: silentLogger,
    });
    const requests = await registry.requests();
    const blobDigests = [image.configDigest, ...image.layers.map((l) => l.digest)];
    const sizes = new Map([
      [image.configDigest, image.configSize],
      ...image.layers.map((l): [string, number] => [l.digest, l.size]),
    ]);

    // Each blob uploaded exactly once, into one repository; the registry received one copy of the image.
    const uploaded = uploadedDigests(requests);
    assert.deepEqual([...uploaded].sort(), [...blobDigests].sort(), 'one upload per blob');
    const bytesReceived = uploaded.reduce((total, digest) => total + (sizes.get(digest) ?? NaN), 0);
    assert.equal(bytesReceived, image.totalBlobBytes);
    assert.ok(!requests.some((r) => r.method === 'PATCH'), 'no chunk sent either');

    // ... and mounted once into the other repository, from the one that got it.
    const mounted = mounts(requests);
    assert.equal(mounted.length, blobDigests.length, JSON.stringify(mounted));
    for (const m of mounted) {
      assert.notEqual(m.into, m.from);
      assert.ok(
        ['once/first', 'once/second'].includes(m.into) && ['once/first', 'once/second'].includes(m.from),
      );
    }
    assert.deepEqual(mounted.map((m) => m.digest).sort(), [...blobDigests].sort());

    // The tally says the same.
    const count = (action: string): number => result.blobs.filter((b) => b.action === action).length;
    assert.equal(count('uploaded'), blobDigests.length);
    assert.equal(count('mounted'), blobDigests.length);

    // Both repositories hold the exact image (an independent client reads it back).
    const manifest = await readFile(join(layout, 'blobs/sha256', image.manifestDigest.slice(7)));
    assert.deepEqual(await inspectRaw(`${registry.host}/once/first:v1`), manifest);
    assert.deepEqual(await inspectRaw(`${registry.host}/once/second:v1`), manifest);
  });
});

describe('the failure policy', () => {
  test('a blob that fails: no manifest PUT, nothing left running, the first error as it was thrown', async () => {
    const layout = join(work, 'corrupt');
    // A large layer that is still uploading when the small corrupt one fails.
    const image = await writeOciLayout(layout, {
      layers: [{ size: 8 << 20 }, { size: 200_000 }],
      seed: 22,
      tag: 'v1',
    });
    const small = image.layers[1]!;
    const handle = await open(join(layout, 'blobs/sha256', small.digest.slice(7)), 'r+');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 100);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await handle.write(byte, 0, 1, 100);
    } finally {
      await handle.close();
    }

    await registry.clearRequests();
    let error: unknown;
    await assert.rejects(
      push({
        source: `oci:${layout}:v1`,
        destinations: [`${registry.host}/fail/one:v1`, `${registry.host}/fail/two:v1`],
        concurrency: 4,
        logger: silentLogger,
      }),
      (err: unknown) => {
        error = err;
        return true;
      },
    );
    assert.ok(!(error instanceof AggregateError), 'one error, not an aggregate');
    assert.ok(error instanceof SourceError, String(error));
    assert.match(
      error.message,
      new RegExp(`blob ${small.digest} in the source does not match its descriptor`),
    );

    const atRejection = await registry.requests();
    // The tags are read before any upload (what they hold); none is written.
    const written = atRejection.filter(
      (r) => r.path.includes('/manifests/') && r.method !== 'GET' && r.method !== 'HEAD',
    );
    assert.ok(written.length === 0, `no manifest written: ${JSON.stringify(written)}`);
    // Every request was answered before push() returned: none arrives afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await registry.requests()).length, atRejection.length);
    assert.deepEqual(await listTags(`${registry.host}/fail/one`), []);
    assert.deepEqual(await listTags(`${registry.host}/fail/two`), []);
  });
});

describe('the source check on the chunked path', () => {
  test('a corrupt source sent in chunks fails as corrupt before the commit: no blob, no tag', async () => {
    const layout = join(work, 'corrupt-chunked');
    const image = await writeOciLayout(layout, { layers: [{ size: 2 << 20 }], seed: 23, tag: 'v1' });
    const layer = image.layers[0]!;
    const handle = await open(join(layout, 'blobs/sha256', layer.digest.slice(7)), 'r+');
    try {
      // A byte flipped near the end: every chunk but the last goes out before the hash can disagree.
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, layer.size - 10);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await handle.write(byte, 0, 1, layer.size - 10);
    } finally {
      await handle.close();
    }

    await registry.clearRequests();
    await assert.rejects(
      push({
        source: `oci:${layout}:v1`,
        destinations: [`${registry.host}/chunked/corrupt:v1`],
        chunkSize: 64 * 1024,
        concurrency: 2,
        logger: silentLogger,
      }),
      (err: unknown) => {
        assert.ok(err instanceof SourceError, String(err));
        assert.match(
          err.message,
          new RegExp(`blob ${layer.digest} in the source does not match its descriptor`),
        );
        assert.equal(err.hint, 'the source is corrupt; export the image again');
        return true;
      },
    );
    const requests = await registry.requests();
    const patches = requests.filter((r) => r.method === 'PATCH' && r.path.includes('/chunked/corrupt/'));
    assert.ok(patches.length > 1, `the blob went out in chunks (${patches.length} PATCH)`);
    const commits = requests.filter((r) => r.method === 'PUT' && r.path.includes(layer.digest.slice(7)));
    assert.deepEqual(commits, [], 'the upload was never committed');
    const head = await fetch(`${registry.url}/v2/chunked/corrupt/blobs/${layer.digest}`, { method: 'HEAD' });
    assert.equal(head.status, 404, 'the registry holds no such blob');
    assert.deepEqual(await listTags(`${registry.host}/chunked/corrupt`), []);
  });
});
