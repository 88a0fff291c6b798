// The sample image generator: reproducible, self-consistent, and readable by independent OCI tools.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import {
  parseSize,
  writeOciArchive,
  writeOciLayout,
  type SampleImage,
  type SampleImageOptions,
} from '../helpers/sample-image.ts';
import { ensureTools, makeTempDir, run, runBuffer } from '../helpers/tools.ts';

const SCRIPT = join(import.meta.dirname, '../helpers/sample-image.ts');
const layers = [{ size: 3 << 20 }, { size: 256 << 10, files: 3 }, { size: 0 }];

let work: string;
let first: { dir: string; image: SampleImage };

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobPath = (dir: string, digest: string): string =>
  join(dir, 'blobs/sha256', digest.slice('sha256:'.length));
const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

async function layout(
  name: string,
  options: SampleImageOptions,
): Promise<{ dir: string; image: SampleImage }> {
  const dir = join(work, name);
  return { dir, image: await writeOciLayout(dir, options) };
}

async function tarEntries(tar: Buffer): Promise<{ header: Header; bytes: Buffer }[]> {
  const entries: { header: Header; bytes: Buffer }[] = [];
  const parser = extract();
  parser.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      entries.push({ header, bytes: Buffer.concat(chunks) });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('finish', () => resolve());
    parser.on('error', reject);
  });
  parser.end(tar);
  await done;
  return entries;
}

interface Manifest {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}
interface Config {
  architecture: string;
  os: string;
  created: string;
  config: { Labels: Record<string, string> };
  rootfs: { type: string; diff_ids: string[] };
  history: unknown[];
}

before(async () => {
  await ensureTools(['skopeo', 'umoci']);
  work = await makeTempDir('sample-image-test-');
  first = await layout('first', { layers, seed: 7 });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('writeOciLayout', () => {
  test('the same seed and specs give a byte-identical layout', async () => {
    const again = await layout('again', { layers, seed: 7 });
    assert.equal(again.image.manifestDigest, first.image.manifestDigest);
    assert.deepEqual(again.image, first.image);
    assert.deepEqual(
      await readFile(join(again.dir, 'index.json')),
      await readFile(join(first.dir, 'index.json')),
    );
  });

  test('a different seed, or a different label, gives different blobs', async () => {
    const other = await layout('other-seed', { layers, seed: 8 });
    assert.notEqual(other.image.manifestDigest, first.image.manifestDigest);
    assert.notEqual(other.image.layers[0]!.digest, first.image.layers[0]!.digest);

    const labelled = await layout('labelled', { layers: [{ size: 1000 }], seed: 7, label: 'x' });
    const plain = await layout('plain', { layers: [{ size: 1000 }], seed: 7 });
    assert.equal(labelled.image.layers[0]!.digest, plain.image.layers[0]!.digest);
    assert.notEqual(labelled.image.configDigest, plain.image.configDigest);
  });

  test('every blob is named by its sha256, and the result describes the layout', async () => {
    const names = await readdir(join(first.dir, 'blobs/sha256'));
    assert.equal(names.length, layers.length + 2);
    for (const name of names) {
      const bytes = await readFile(join(first.dir, 'blobs/sha256', name));
      assert.equal(sha256(bytes), `sha256:${name}`);
    }
    assert.deepEqual((await readdir(first.dir)).sort(), ['blobs', 'index.json', 'oci-layout']);
    assert.deepEqual(await readJson(join(first.dir, 'oci-layout')), { imageLayoutVersion: '1.0.0' });

    const index = await readJson<{ manifests: { digest: string; size: number; annotations: object }[] }>(
      join(first.dir, 'index.json'),
    );
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0]!.digest, first.image.manifestDigest);
    assert.equal(index.manifests[0]!.size, first.image.manifestSize);
    assert.deepEqual(index.manifests[0]!.annotations, { 'org.opencontainers.image.ref.name': 'latest' });

    const manifest = await readJson<Manifest>(blobPath(first.dir, first.image.manifestDigest));
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifest.config.digest, first.image.configDigest);
    assert.equal(manifest.config.size, first.image.configSize);
    assert.deepEqual(
      manifest.layers,
      first.image.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    );
    for (const layer of first.image.layers) {
      assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
      assert.equal((await stat(blobPath(first.dir, layer.digest))).size, layer.size);
    }
    assert.equal(
      first.image.totalBlobBytes,
      first.image.configSize + first.image.layers.reduce((n, l) => n + l.size, 0),
    );
  });

  test("the config's diff_ids are the sha256 of the gunzipped layers", async () => {
    const config = await readJson<Config>(blobPath(first.dir, first.image.configDigest));
    assert.equal(config.architecture, 'amd64');
    assert.equal(config.os, 'linux');
    assert.equal(config.created, '1970-01-01T00:00:00Z');
    assert.equal(config.rootfs.type, 'layers');
    assert.equal(config.history.length, layers.length);
    assert.equal(config.config.Labels.sample, 'seed-7');
    const diffIds = await Promise.all(
      first.image.layers.map(async (l) => sha256(gunzipSync(await readFile(blobPath(first.dir, l.digest))))),
    );
    assert.deepEqual(config.rootfs.diff_ids, diffIds);
    assert.deepEqual(
      first.image.layers.map((l) => l.diffId),
      diffIds,
    );
  });

  test('layers are reproducible tars of nested directories and files with fixed metadata', async () => {
    const layer = first.image.layers[1]!;
    const entries = await tarEntries(gunzipSync(await readFile(blobPath(first.dir, layer.digest))));
    const dirs = entries.filter((e) => e.header.type === 'directory');
    const files = entries.filter((e) => e.header.type === 'file');
    assert.ok(dirs.length >= 3);
    assert.ok(
      dirs.some((d) => d.header.name.split('/').length > 3),
      'nested directories',
    );
    assert.equal(files.length, 3);
    assert.equal(
      files.reduce((n, f) => n + f.bytes.length, 0),
      256 << 10,
    );
    for (const { header } of entries) {
      assert.equal(header.mtime.getTime(), 0);
      assert.equal(header.uid, 0);
      assert.equal(header.gid, 0);
      assert.equal(header.mode, header.type === 'directory' ? 0o755 : 0o644);
    }
    for (const file of files) {
      const parent = file.header.name.slice(0, file.header.name.lastIndexOf('/') + 1);
      assert.ok(
        dirs.some((d) => d.header.name === parent),
        `${file.header.name} has a directory entry`,
      );
    }
    // The default file count is size / 4 MiB + 1; an empty layer still has one (empty) file.
    const big = await tarEntries(
      gunzipSync(await readFile(blobPath(first.dir, first.image.layers[0]!.digest))),
    );
    assert.equal(big.filter((e) => e.header.type === 'file').length, 1);
    const empty = await tarEntries(
      gunzipSync(await readFile(blobPath(first.dir, first.image.layers[2]!.digest))),
    );
    assert.deepEqual(
      empty.filter((e) => e.header.type === 'file').map((e) => e.bytes.length),
      [0],
    );
  });

  test('the content compresses like a real image: gzip -6 gives about 35-45% of the tar', async () => {
    const layer = first.image.layers[0]!;
    const tar = gunzipSync(await readFile(blobPath(first.dir, layer.digest)));
    const ratio = layer.size / tar.length;
    assert.ok(ratio > 0.35 && ratio < 0.45, `ratio ${ratio.toFixed(3)}`);
  });

  test("compression 'none' writes plain tar layers whose digest is the diff_id; platform is honoured", async () => {
    const plain = await layout('uncompressed', {
      layers: [{ size: 100_000 }],
      seed: 7,
      compression: 'none',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const [layer] = plain.image.layers;
    assert.equal(layer!.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    assert.equal(layer!.digest, layer!.diffId);
    const config = await readJson<Config & { variant: string }>(
      blobPath(plain.dir, plain.image.configDigest),
    );
    assert.deepEqual([config.os, config.architecture, config.variant], ['linux', 'arm64', 'v8']);
    // The same content as the gzip variant with the same seed.
    const gz = await layout('gz', { layers: [{ size: 100_000 }], seed: 7 });
    assert.equal(gz.image.layers[0]!.diffId, layer!.diffId);
  });

  test('skopeo and umoci accept the layout and read the same manifest digest', async () => {
    const tagged = await layout('tagged', { layers: [{ size: 200_000 }], seed: 3, tag: 'v1.2' });
    const manifest = await readFile(blobPath(tagged.dir, tagged.image.manifestDigest));
    const raw = await runBuffer('skopeo', [
      '--insecure-policy',
      'inspect',
      '--raw',
      `oci:${tagged.dir}:v1.2`,
    ]);
    assert.deepEqual(raw.stdout, manifest);

    const { stdout } = await run('skopeo', ['--insecure-policy', 'inspect', `oci:${first.dir}:latest`]);
    const inspected = JSON.parse(stdout) as { Digest: string; Layers: string[]; Architecture: string };
    assert.equal(inspected.Digest, first.image.manifestDigest);
    assert.deepEqual(
      inspected.Layers,
      first.image.layers.map((l) => l.digest),
    );

    const stat = await run('umoci', ['stat', '--json', '--image', `${tagged.dir}:v1.2`]);
    const history = (JSON.parse(stat.stdout) as { history: { layer: { digest: string } }[] }).history;
    assert.deepEqual(
      history.map((h) => h.layer.digest),
      tagged.image.layers.map((l) => l.digest),
    );
  });
});

describe('writeOciArchive', () => {
  test('writes a plain tar of the layout that skopeo reads as oci-archive:', async () => {
    const file = join(work, 'archives', 'image.tar');
    const image = await writeOciArchive(file, {
      layers: [{ size: 300_000 }, { size: 5000 }],
      seed: 5,
      tag: 'arch',
    });
    const same = await layout('archive-twin', {
      layers: [{ size: 300_000 }, { size: 5000 }],
      seed: 5,
      tag: 'arch',
    });
    assert.deepEqual(image, same.image);
    // The temp layout next to the file is gone.
    assert.deepEqual(await readdir(join(work, 'archives')), ['image.tar']);

    const entries = await tarEntries(await readFile(file));
    const blobNames = (await readdir(join(same.dir, 'blobs/sha256')))
      .sort()
      .map((hex) => `blobs/sha256/${hex}`);
    assert.deepEqual(
      entries.map((e) => e.header.name),
      ['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/', ...blobNames],
    );
    for (const entry of entries.filter((e) => e.header.type === 'file'))
      assert.deepEqual(entry.bytes, await readFile(join(same.dir, entry.header.name)), entry.header.name);

    const { stdout } = await run('skopeo', ['--insecure-policy', 'inspect', `oci-archive:${file}:arch`]);
    assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, image.manifestDigest);
  });
});

describe('the CLI', () => {
  test('parses sizes with K/M/G suffixes', () => {
    assert.equal(parseSize('512'), 512);
    assert.equal(parseSize('10K'), 10 << 10);
    assert.equal(parseSize('50M'), 50 << 20);
    assert.equal(parseSize('1G'), 1 << 30);
    assert.equal(parseSize('1.5k'), 1536);
    assert.equal(parseSize('2MiB'), 2 << 20);
    assert.throws(() => parseSize('ten'), /bad size/);
  });

  test('writes a layout (or an archive) and prints the SampleImage JSON', async () => {
    const dir = join(work, 'cli-layout');
    const { stdout } = await run(process.execPath, [
      SCRIPT,
      dir,
      '--layers',
      '100K,2K',
      '--seed',
      '9',
      '--tag',
      't',
    ]);
    const expected = await layout('cli-twin', {
      layers: [{ size: 100 << 10 }, { size: 2 << 10 }],
      seed: 9,
      tag: 't',
    });
    assert.deepEqual(JSON.parse(stdout), expected.image);

    const file = join(work, 'cli.tar');
    const archived = await run(process.execPath, [
      SCRIPT,
      file,
      '--layers',
      '100K,2K',
      '--seed',
      '9',
      '--archive',
    ]);
    assert.equal((JSON.parse(archived.stdout) as SampleImage).manifestDigest, expected.image.manifestDigest);
    const names = (await tarEntries(await readFile(file))).map((e) => e.header.name);
    assert.ok(names.includes(`blobs/sha256/${expected.image.manifestDigest.slice('sha256:'.length)}`));

    await assert.rejects(run(process.execPath, [SCRIPT]), /usage: node test\/helpers\/sample-image\.ts DIR/);
  });
});
