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

describe('what the blob map trusts from a file', () => {
  /** A saved map of one pairing and one location, as the file holds them. */
  function saved(): {
    version: number;
    entries: Record<string, unknown>[];
    locations: Record<string, unknown>[];
  } {
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'team/app', 'v1'));
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/app');
    return JSON.parse(map.serialize()) as ReturnType<typeof saved>;
  }
  const load = (file: object): BlobMap => BlobMap.parse(JSON.stringify(file));

  test('an intact file keeps everything', () => {
    const map = load(saved());
    assert.equal(map.size, 1);
    assert.deepEqual(map.attestations(diffId, 'ghcr.io'), [at('ghcr.io', 'team/app', 'v1')]);
    assert.deepEqual(map.repositoriesWith(gzip.digest, 'ghcr.io'), ['team/app']);
    assert.equal(map.changed, false);
  });

  const entryDamage: [string, (e: Record<string, unknown>) => void][] = [
    ['diffId not a digest', (e) => (e.diffId = 'sha256:short')],
    ['diffId not a string', (e) => (e.diffId = 7)],
    ['digest not a digest', (e) => (e.digest = 'md5:abc')],
    ['digest not a string', (e) => (e.digest = null)],
    ['size edited', (e) => (e.size = 1)],
    ['size not a number', (e) => (e.size = '100')],
    ['size negative', (e) => (e.size = -1)],
    ['size not an integer', (e) => (e.size = 1.5)],
    ['mediaType edited', (e) => (e.mediaType = OCI_LAYER_ZSTD)],
    ['mediaType not a string', (e) => (e.mediaType = 1)],
    ['attestations not a list', (e) => (e.attestations = {})],
    [
      'an attestation without a manifest digest',
      (e) => (e.attestations = [{ registry: 'r', repository: 'x', manifest: 'latest' }]),
    ],
    [
      'an attestation without a registry',
      (e) => (e.attestations = [{ repository: 'x', manifest: digestOf('m') }]),
    ],
    [
      'an attestation without a repository',
      (e) => (e.attestations = [{ registry: 'r', manifest: digestOf('m') }]),
    ],
    [
      'an attestation with a numeric manifest',
      (e) => (e.attestations = [{ registry: 'r', repository: 'x', manifest: 5 }]),
    ],
    ['lastUsed not a number', (e) => (e.lastUsed = 'now')],
    ['check missing', (e) => delete e.check],
  ];
  for (const [name, damage] of entryDamage) {
    test(`an entry is dropped: ${name}`, () => {
      const file = saved();
      damage(file.entries[0]!);
      const map = load(file);
      assert.equal(map.size, 0);
      assert.deepEqual(map.attestations(diffId, 'ghcr.io'), []);
      assert.deepEqual(map.repositoriesWith(gzip.digest, 'ghcr.io'), ['team/app'], 'the location stays');
    });
  }

  const locationDamage: [string, (l: Record<string, unknown>) => void][] = [
    ['digest not a digest', (l) => (l.digest = 'sha256:0')],
    ['digest not a string', (l) => (l.digest = 1)],
    ['registry edited', (l) => (l.registry = 'quay.io')],
    ['registry not a string', (l) => (l.registry = 1)],
    ['repositories edited', (l) => (l.repositories = ['team/evil'])],
    ['repositories not a list', (l) => (l.repositories = 'team/app')],
    ['a repository not a string', (l) => (l.repositories = [1])],
    ['lastUsed not a number', (l) => (l.lastUsed = null)],
    ['check edited', (l) => (l.check = '0'.repeat(64))],
  ];
  for (const [name, damage] of locationDamage) {
    test(`a location is dropped: ${name}`, () => {
      const file = saved();
      damage(file.locations[0]!);
      const map = load(file);
      assert.deepEqual(map.repositoriesWith(gzip.digest, 'ghcr.io'), []);
      assert.deepEqual(map.repositoriesWith(gzip.digest, 'quay.io'), []);
      assert.equal(map.size, 1, 'the entry stays');
    });
  }

  test('a file without locations, or with something else there, keeps its entries', () => {
    const file = saved();
    assert.equal(load({ version: 2, entries: file.entries }).size, 1);
    assert.equal(load({ ...file, locations: 'x' }).size, 1);
  });

  test('anything but a version 2 map is refused (the store warns and starts empty)', () => {
    const file = saved();
    for (const text of [
      'null',
      '[]',
      JSON.stringify({ ...file, version: 3 }),
      JSON.stringify({ version: 2 }),
      JSON.stringify({ version: 2, entries: {} }),
    ]) {
      assert.throws(() => BlobMap.parse(text), /not a version 2 blob map/, text);
    }
    assert.equal(BlobMap.parse(JSON.stringify({ version: 1 })).size, 0);
  });

  test('attestations come newest first across blobs, and per pairing one per repository, five at most', async () => {
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'a', 'old'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    map.record(diffId, zstd, at('ghcr.io', 'b', 'new'));
    assert.deepEqual(
      map.attestations(diffId, 'ghcr.io').map((a) => a.repository),
      ['b', 'a'],
    );
    map.record(diffId, gzip, at('ghcr.io', 'a', 'newer'));
    assert.deepEqual(
      map.attestations(diffId, 'ghcr.io').map((a) => a.manifest),
      [at('', '', 'newer').manifest, at('', '', 'new').manifest],
      'the same repository is named once, with its newest manifest',
    );
    for (const repo of ['c', 'd', 'e', 'f', 'g']) map.record(diffId, gzip, at('ghcr.io', repo, repo));
    const forGzip = map.attestations(diffId, 'ghcr.io').filter((a) => a.repository !== 'b');
    assert.deepEqual(
      forGzip.map((a) => a.repository),
      ['g', 'f', 'e', 'd', 'c'],
    );
  });

  test('forget of an unknown form changes nothing; a location already first is not rewritten', () => {
    const map = BlobMap.parse(JSON.stringify(saved()));
    map.forget(diffId, zstd.digest);
    assert.equal(map.changed, false);
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/app');
    assert.equal(map.changed, false);
    map.forget(diffId, gzip.digest);
    assert.equal(map.changed, true);
    map.markSaved();
    assert.equal(map.changed, false);
  });

  test('the file keeps the newest entries first', async () => {
    const map = new BlobMap();
    map.record(digestOf('a'), gzip, at('ghcr.io', 'x', '1'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    map.record(digestOf('b'), gzip, at('ghcr.io', 'x', '2'));
    map.recordLocation(gzip.digest, 'ghcr.io', 'x');
    await new Promise((resolve) => setTimeout(resolve, 5));
    map.recordLocation(zstd.digest, 'ghcr.io', 'x');
    const file = JSON.parse(map.serialize()) as {
      entries: { diffId: string }[];
      locations: { digest: string }[];
    };
    assert.deepEqual(
      file.entries.map((e) => e.diffId),
      [digestOf('b'), digestOf('a')],
    );
    assert.deepEqual(
      file.locations.map((l) => l.digest),
      [zstd.digest, gzip.digest],
    );
  });
});

describe('an edited file (anyone can recompute the checks): the shape is still checked', () => {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
  /** The check the map computes over an entry's fields, recomputed as an editor would. */
  const reseal = (e: Record<string, unknown>): void => {
    e.check = sha(`${String(e.diffId)}\n${String(e.digest)}\n${String(e.size)}\n${String(e.mediaType)}`);
  };
  const resealLocation = (l: Record<string, unknown>): void => {
    l.check = sha(`${String(l.digest)}\n${String(l.registry)}\n${(l.repositories as unknown[]).join('\n')}`);
  };
  function saved(): {
    version: number;
    entries: Record<string, unknown>[];
    locations: Record<string, unknown>[];
  } {
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'team/app', 'v1'));
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/app');
    return JSON.parse(map.serialize()) as ReturnType<typeof saved>;
  }
  const load = (file: object): BlobMap => BlobMap.parse(JSON.stringify(file));

  test('a resealed entry with a valid shape loads (size 0 is an empty layer)', () => {
    const file = saved();
    file.entries[0]!.size = 0;
    reseal(file.entries[0]!);
    assert.equal(load(file).size, 1);
  });

  const entryEdits: [string, (e: Record<string, unknown>) => void][] = [
    ['diffId as a list', (e) => (e.diffId = [diffId])],
    ['digest as a list', (e) => (e.digest = [gzip.digest])],
    ['size as text', (e) => (e.size = '100')],
    ['size negative', (e) => (e.size = -1)],
    ['size not an integer', (e) => (e.size = 1.5)],
    ['mediaType as a list', (e) => (e.mediaType = [OCI_LAYER_GZIP])],
    [
      'one bad attestation among good ones',
      (e) =>
        (e.attestations = [
          at('ghcr.io', 'team/app', 'v1'),
          { registry: 'ghcr.io', repository: 'x', manifest: 'v1' },
        ]),
    ],
    [
      'an attestation whose manifest is a list',
      (e) => (e.attestations = [{ registry: 'ghcr.io', repository: 'x', manifest: [digestOf('m')] }]),
    ],
  ];
  for (const [name, edit] of entryEdits) {
    test(`a resealed entry is dropped: ${name}`, () => {
      const file = saved();
      edit(file.entries[0]!);
      reseal(file.entries[0]!);
      assert.equal(load(file).size, 0);
    });
  }

  const locationEdits: [string, (l: Record<string, unknown>) => void][] = [
    ['digest as a list', (l) => (l.digest = [gzip.digest])],
    ['registry as a list', (l) => (l.registry = ['ghcr.io'])],
    ['a repository that is a number among names', (l) => (l.repositories = ['team/app', 7])],
  ];
  for (const [name, edit] of locationEdits) {
    test(`a resealed location is dropped: ${name}`, () => {
      const file = saved();
      edit(file.locations[0]!);
      resealLocation(file.locations[0]!);
      assert.deepEqual(load(file).repositoriesWith(gzip.digest, 'ghcr.io'), []);
    });
  }

  test('the location check separates repository names (["ab"] is not ["a", "b"])', () => {
    const map = new BlobMap();
    map.recordLocation(gzip.digest, 'ghcr.io', 'team/ab');
    const file = JSON.parse(map.serialize()) as { locations: { repositories: string[] }[] };
    file.locations[0]!.repositories = ['team/a', 'b'];
    assert.deepEqual(load(file).repositoriesWith(gzip.digest, 'ghcr.io'), []);
  });

  test('the same repository name on two registries is two attestations', () => {
    const map = new BlobMap();
    map.record(diffId, gzip, at('ghcr.io', 'team/app', 'v1'));
    map.record(diffId, gzip, at('quay.io', 'team/app', 'v1'));
    assert.deepEqual(map.attestations(diffId, 'ghcr.io'), [at('ghcr.io', 'team/app', 'v1')]);
    assert.deepEqual(map.attestations(diffId, 'quay.io'), [at('quay.io', 'team/app', 'v1')]);
  });

  test('a new location marks the map changed; the file lists the most recently used first', async () => {
    const map = load(saved());
    map.recordLocation(zstd.digest, 'ghcr.io', 'team/app');
    assert.equal(map.changed, true);
    const fresh = new BlobMap();
    fresh.record(digestOf('a'), gzip, at('ghcr.io', 'x', '1'));
    fresh.recordLocation(gzip.digest, 'ghcr.io', 'x');
    await new Promise((resolve) => setTimeout(resolve, 5));
    fresh.record(digestOf('b'), gzip, at('ghcr.io', 'x', '2'));
    fresh.recordLocation(zstd.digest, 'ghcr.io', 'x');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Used again: newest, though first in insertion order.
    fresh.record(digestOf('a'), gzip, at('ghcr.io', 'x', '3'));
    fresh.recordLocation(gzip.digest, 'ghcr.io', 'y');
    const file = JSON.parse(fresh.serialize()) as {
      entries: { diffId: string }[];
      locations: { digest: string }[];
    };
    assert.deepEqual(
      file.entries.map((e) => e.diffId),
      [digestOf('a'), digestOf('b')],
    );
    assert.deepEqual(
      file.locations.map((l) => l.digest),
      [gzip.digest, zstd.digest],
    );
  });
});
