// The blob map: diffID -> compressed forms, blob -> repositories; a hint that survives only intact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BlobMap } from '../../src/cache/blob-map.ts';
import { OCI_LAYER_GZIP, OCI_LAYER_ZSTD } from '../../src/oci/media-types.ts';
import { makeTempDir } from '../helpers/tools.ts';

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const diffId = digestOf('uncompressed');
const gzip = { digest: digestOf('gzip form'), size: 100, mediaType: OCI_LAYER_GZIP };
const zstd = { digest: digestOf('zstd form'), size: 90, mediaType: OCI_LAYER_ZSTD };

describe('BlobMap', () => {
  test('lookup puts the forms seen in the registry first', () => {
    const map = new BlobMap();
    map.record(diffId, gzip, 'ghcr.io');
    map.record(diffId, zstd, 'quay.io');
    assert.deepEqual(map.lookup(diffId, 'quay.io'), [zstd, gzip]);
    assert.deepEqual(map.lookup(diffId, 'ghcr.io'), [gzip, zstd]);
    assert.deepEqual(map.lookup(digestOf('other'), 'ghcr.io'), []);
    assert.equal(map.size, 2);
    assert.equal(map.changed, true);
  });

  test('repositories per registry and blob, newest first, at most five', () => {
    const map = new BlobMap();
    for (const repo of ['a', 'b', 'c', 'd', 'e', 'f']) map.recordLocation(gzip.digest, 'ghcr.io', repo);
    map.recordLocation(gzip.digest, 'ghcr.io', 'c');
    assert.deepEqual(map.repositoriesWith(gzip.digest, 'ghcr.io'), ['c', 'f', 'e', 'd', 'b']);
    assert.deepEqual(map.repositoriesWith(gzip.digest, 'quay.io'), []);
  });

  test('forget drops a form', () => {
    const map = new BlobMap();
    map.record(diffId, gzip, 'ghcr.io');
    map.forget(diffId, gzip.digest);
    assert.deepEqual(map.lookup(diffId, 'ghcr.io'), []);
  });

  test('saves and loads; a tampered entry is dropped, a corrupt file starts empty', async () => {
    const dir = await makeTempDir('blob-map-');
    const path = join(dir, 'map.json');
    const map = new BlobMap();
    map.record(diffId, gzip, 'ghcr.io');
    map.record(digestOf('second'), zstd, 'ghcr.io');
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/app');
    await map.save(path);
    assert.equal(map.changed, false);

    const loaded = await BlobMap.load(path);
    assert.deepEqual(loaded.lookup(diffId, 'ghcr.io'), [gzip]);
    assert.deepEqual(loaded.repositoriesWith(gzip.digest, 'ghcr.io'), ['team/app']);
    assert.equal(loaded.changed, false);

    const file = JSON.parse(await readFile(path, 'utf8')) as { entries: { size: number; diffId: string }[] };
    const tampered = file.entries.find((e) => e.diffId === diffId);
    assert.ok(tampered);
    tampered.size = 1;
    await writeFile(path, JSON.stringify(file));
    const checked = await BlobMap.load(path);
    assert.deepEqual(checked.lookup(diffId, 'ghcr.io'), []);
    assert.equal(checked.size, 1);

    await writeFile(path, '{not json');
    assert.equal((await BlobMap.load(path)).size, 0);
    assert.equal((await BlobMap.load(join(dir, 'absent.json'))).size, 0);
  });
});
