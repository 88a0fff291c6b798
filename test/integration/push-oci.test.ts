// Pushes OCI layouts and archives to a real registry process and checks the result with skopeo.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { writeOciArchive, writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const layers = [{ size: 3 << 20 }, { size: 1 << 20 }, { size: 20_000 }];

let registry: TestRegistry;
let work: string;
let layoutDir: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('push-oci-');
  layoutDir = join(work, 'layout');
  image = await writeOciLayout(layoutDir, { layers, seed: 1, tag: 'v1' });
});

after(async () => {
  await registry.stop();
});

function pushTo(source: string, destinations: string[]): Promise<PushResult> {
  return push({ source, destinations, concurrency: 4, logger: silentLogger });
}

function uploads(requests: { method: string; path: string }[]): number {
  return requests.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/')).length;
}

describe('pushing an OCI layout', () => {
  test('pushes the exact manifest bytes, and skopeo copies back the same blobs', async () => {
    const result = await pushTo(`oci:${layoutDir}:v1`, [`${registry.host}/demo/app:v1`]);

    assert.equal(result.digest, image.manifestDigest);
    assert.equal(result.image, `${registry.host}/demo/app@${image.manifestDigest}`);
    const manifestBytes = await readFile(join(layoutDir, 'blobs/sha256', image.manifestDigest.slice(7)));
    assert.deepEqual(await inspectRaw(`${registry.host}/demo/app:v1`), manifestBytes);
    assert.deepEqual(await inspectRaw(`${registry.host}/demo/app@${image.manifestDigest}`), manifestBytes);

    const copy = join(work, 'copy-back');
    await copyToOciLayout(`${registry.host}/demo/app:v1`, copy);
    assert.deepEqual(await ociLayoutBlobDigests(copy), await ociLayoutBlobDigests(layoutDir));
    assert.equal(result.blobs.filter((b) => b.action === 'uploaded').length, layers.length + 1);
  });

  test('a second push uploads nothing and returns the same digest', async () => {
    await registry.clearRequests();
    const result = await pushTo(`oci:${layoutDir}:v1`, [`${registry.host}/demo/app:v1`]);

    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(
      result.blobs.map((b) => b.action),
      Array<string>(layers.length + 1).fill('skipped'),
    );
    const requests = await registry.requests();
    assert.equal(uploads(requests), 0, 'the registry saw no blob upload');
    assert.equal(requests.filter((r) => r.method === 'POST').length, 0);
  });

  test('every tag of several destinations points at the same manifest', async () => {
    const result = await pushTo(`oci:${layoutDir}`, [
      `${registry.host}/multi/app:1.0`,
      `${registry.host}/multi/app:latest`,
      `${registry.host}/other/app:1.0`,
    ]);
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual((await listTags(`${registry.host}/multi/app`)).sort(), ['1.0', 'latest']);
    assert.deepEqual(await listTags(`${registry.host}/other/app`), ['1.0']);
    assert.deepEqual(result.references, [
      `${registry.host}/multi/app:1.0`,
      `${registry.host}/multi/app:latest`,
      `${registry.host}/other/app:1.0`,
    ]);
  });

  test('an OCI archive pushes the same image as its layout', async () => {
    const archive = join(work, 'image.tar');
    const archived = await writeOciArchive(archive, { layers, seed: 1, tag: 'v1' });
    assert.equal(archived.manifestDigest, image.manifestDigest);

    const result = await pushTo(`oci-archive:${archive}:v1`, [`${registry.host}/archive/app:v1`]);
    assert.equal(result.digest, image.manifestDigest);
    const copy = join(work, 'archive-back');
    await copyToOciLayout(`${registry.host}/archive/app:v1`, copy);
    assert.deepEqual(await ociLayoutBlobDigests(copy), await ociLayoutBlobDigests(layoutDir));
  });

  test('a destination pinned by digest pushes without a tag', async () => {
    const result = await pushTo(`oci:${layoutDir}`, [`${registry.host}/pinned/app@${image.manifestDigest}`]);
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(await listTags(`${registry.host}/pinned/app`), []);
    assert.ok((await inspectRaw(`${registry.host}/pinned/app@${image.manifestDigest}`)).length > 0);
  });
});

describe('refusing bad input before anything moves', () => {
  test('a malformed destination fails before any request', async () => {
    await registry.clearRequests();
    await assert.rejects(pushTo(`oci:${layoutDir}`, [`${registry.host}/Bad/Name:v1`]), /must be lowercase/);
    assert.deepEqual(await registry.requests(), []);
  });

  test('a destination digest that is not the image’s fails before any request', async () => {
    await registry.clearRequests();
    const other = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(pushTo(`oci:${layoutDir}`, [`${registry.host}/x/y@${other}`]), /pins a digest/);
    assert.deepEqual(await registry.requests(), []);
  });

  test('a corrupt layer fails the push and moves no tag', async () => {
    const dir = join(work, 'corrupt');
    const sample = await writeOciLayout(dir, { layers: [{ size: 2 << 20 }], seed: 7, tag: 'v1' });
    const layer = join(dir, 'blobs/sha256', sample.layers[0]!.digest.slice(7));
    const bytes = await readFile(layer);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff; // same size, different content
    await writeFile(layer, bytes);

    await assert.rejects(pushTo(`oci:${dir}`, [`${registry.host}/corrupt/app:v1`]), (err: Error) => {
      assert.match(err.message, new RegExp(`blob ${sample.layers[0]!.digest} in the source does not match`));
      return true;
    });
    const requests = await registry.requests();
    assert.equal(requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/')).length, 0);
  });

  test('a truncated layer is caught from its size before any upload', async () => {
    const dir = join(work, 'truncated');
    const sample = await writeOciLayout(dir, { layers: [{ size: 1 << 20 }], seed: 8 });
    const layer = join(dir, 'blobs/sha256', sample.layers[0]!.digest.slice(7));
    await writeFile(layer, (await readFile(layer)).subarray(0, 1000));
    await registry.clearRequests();

    await assert.rejects(
      pushTo(`oci:${dir}`, [`${registry.host}/trunc/app:v1`]),
      /is 1000 bytes but its descriptor says/,
    );
    assert.deepEqual(await registry.requests(), []);
  });

  test('an unknown name in the layout lists the names it has', async () => {
    await assert.rejects(
      pushTo(`oci:${layoutDir}:nope`, [`${registry.host}/x/y:1`]),
      /no image named "nope".*names: v1/,
    );
  });

  test('a path that does not exist is named in the error', async () => {
    await assert.rejects(pushTo(`oci:${join(work, 'absent')}`, [`${registry.host}/x/y:1`]), /does not exist/);
  });
});

test('the layout on disk is left untouched', async () => {
  const names = await readdir(join(layoutDir, 'blobs/sha256'));
  assert.equal(names.length, layers.length + 2); // layers + config + manifest
});
