// The blob map: diffID -> blob with the manifests that attest the pairing, blob -> repositories; hints that
// survive only intact, and name manifests to re-read rather than pairings to trust.
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
const at = (registry: string, repository: string, tag: string) => ({
  registry,
  repository,
  manifest: digestOf(`manifest ${tag}`),
});

describe('BlobMap', () => {
  test('attestations name, per registry, the manifests that paired the layer', () => {
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'org/app', 'v1'));
    map.record(diffId, zstd, at('quay.io', 'org/app', 'v2'));
    map.record(diffId, gzip, at('ghcr.io', 'org/other', 'v3'));
    assert.deepEqual(map.attestations(diffId, 'quay.io'), [at('quay.io', 'org/app', 'v2')]);
    assert.deepEqual(
      map.attestations(diffId, 'ghcr.io').map((a) => a.repository),
      ['org/other', 'org/app'],
    );
    assert.deepEqual(map.attestations(digestOf('other'), 'ghcr.io'), []);
    assert.equal(map.size, 2);
    assert.equal(map.changed, true);
  });

  test('recording the pairing it already names first changes nothing (a re-run saves no new map)', () => {
    const map = BlobMap.parse(
      (() => {
        const m = new BlobMap();
        m.record(diffId, gzip, at('ghcr.io', 'org/app', 'v1'));
        m.recordLocation(gzip.digest, 'ghcr.io', 'org/app');
        return m.serialize();
      })(),
    );
    map.record(diffId, gzip, at('ghcr.io', 'org/app', 'v1'));
    map.recordLocation(gzip.digest, 'ghcr.io', 'org/app');
    assert.equal(map.changed, false);
    map.record(diffId, gzip, at('ghcr.io', 'org/app', 'v2'));
    assert.equal(map.changed, true);
    // One attestation per repository: the newer manifest takes the older one's place.
    assert.deepEqual(map.attestations(diffId, 'ghcr.io'), [at('ghcr.io', 'org/app', 'v2')]);
  });

  test('a version 1 file (pairings without attesting manifests) loads empty', () => {
    const v1 = JSON.stringify({ version: 1, entries: [{ diffId, ...gzip, lastUsed: 1, check: 'x' }] });
    assert.equal(BlobMap.parse(v1).size, 0);
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
    map.record(diffId, gzip, at('ghcr.io', 'org/app', 'v1'));
    map.forget(diffId, gzip.digest);
    assert.deepEqual(map.attestations(diffId, 'ghcr.io'), []);
  });

  test('saves and loads; a tampered entry is dropped, a corrupt file starts empty', async () => {
    const dir = await makeTempDir('blob-map-');
    const path = join(dir, 'map.json');
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'team/app', 'v1'));
    map.record(digestOf('second'), zstd, at('ghcr.io', 'team/app', 'v1'));
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/app');
    await map.save(path);
    assert.equal(map.changed, false);

    const loaded = await BlobMap.load(path);
    assert.deepEqual(loaded.attestations(diffId, 'ghcr.io'), [at('ghcr.io', 'team/app', 'v1')]);
    assert.deepEqual(loaded.repositoriesWith(gzip.digest, 'ghcr.io'), ['team/app']);
    assert.equal(loaded.changed, false);

    const file = JSON.parse(await readFile(path, 'utf8')) as { entries: { size: number; diffId: string }[] };
    const tampered = file.entries.find((e) => e.diffId === diffId);
    assert.ok(tampered);
    tampered.size = 1;
    await writeFile(path, JSON.stringify(file));
    const checked = await BlobMap.load(path);
    assert.deepEqual(checked.attestations(diffId, 'ghcr.io'), []);
    assert.equal(checked.size, 1);

    await writeFile(path, '{not json');
    assert.equal((await BlobMap.load(path)).size, 0);
    assert.equal((await BlobMap.load(join(dir, 'absent.json'))).size, 0);
  });
});
