// Pushes from the Docker Engine API (podman's service) and from `docker save` tarballs in every format Docker
// has written, checking each result with skopeo: the uncompressed layers hash to the config's diff_ids.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { pack } from 'tar-stream';
import { BlobMap } from '../../src/cache/blob-map.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { EngineApi } from '../../src/source/engine-api.ts';
import { writeOciLayout } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startEngine, type Engine } from '../helpers/engine.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, skopeoCopy } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir, run } from '../helpers/tools.ts';
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'undici';

let engine: Engine;
let registry: TestRegistry;
let work: string;
const IMAGE = 'localhost/test/app:1';

/** Text that compresses, random bytes that do not: a layer worth compressing. */
function content(seed: number, bytes: number): Buffer {
  const text = Buffer.from(
    `seed ${seed}: the quick brown fox jumps over the lazy dog ${'0123456789'.repeat(3)}\n`.repeat(
      bytes / 80,
    ),
  );
  return Buffer.concat([text, randomBytes(bytes / 10)]);
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'podman', 'buildah']);
  [engine, registry, work] = await Promise.all([startEngine(), startRegistry(), makeTempDir('push-docker-')]);
  process.env.DOCKER_HOST = engine.dockerHost;
  await engine.build(IMAGE, [
    { 'usr/share/doc/a.txt': content(1, 2_000_000) },
    { 'opt/app/b.bin': content(2, 3_000_000) },
    { 'etc/c.conf': 'small = true\n' },
  ]);
});

after(async () => {
  delete process.env.DOCKER_HOST;
  await Promise.all([engine.stop(), registry.stop()]);
  await rm(work, { recursive: true, force: true });
});

function pushImage(
  source: string,
  destination: string,
  extra: Partial<PushOptions> = {},
): Promise<PushResult> {
  return push({
    source,
    destinations: [`${registry.host}/${destination}`],
    concurrency: 4,
    logger: silentLogger,
    ...extra,
  });
}

/**
 * The independent check: skopeo copies the pushed image back, and every layer, gunzipped, hashes to the
 * diff_id its config names; the manifest bytes hash to the digest the push reported.
 */
async function assertPulledImageIsSound(reference: string, digest: string): Promise<string[]> {
  assert.equal(sha256Digest(await inspectRaw(reference)), digest);
  const dir = await makeTempDir('pulled-');
  await copyToOciLayout(reference, dir);
  const blobs = join(dir, 'blobs/sha256');
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(await readFile(join(blobs, index.manifests[0]!.digest.slice(7)), 'utf8')) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  const config = JSON.parse(await readFile(join(blobs, manifest.config.digest.slice(7)), 'utf8')) as {
    rootfs: { diff_ids: string[] };
  };
  const diffIds: string[] = [];
  for (const layer of manifest.layers) {
    const hash = createHash('sha256');
    await pipeline(
      createReadStream(join(blobs, layer.digest.slice(7))),
      layer.mediaType.endsWith('zstd') ? createZstdDecompress() : createGunzip(),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) hash.update(chunk);
      },
    );
    diffIds.push(`sha256:${hash.digest('hex')}`);
  }
  assert.deepEqual(diffIds, config.rootfs.diff_ids);
  await rm(dir, { recursive: true, force: true });
  return diffIds;
}

describe('from the Docker daemon', () => {
  test('docker-daemon: pushes a Docker schema 2 image whose layers match the config', async () => {
    const result = await pushImage(`docker-daemon:${IMAGE}`, 'daemon/app:1');
    assert.equal(result.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(result.layersRead, 3);
    assert.ok(result.bytesCompressed > 5_000_000);
    const inspect = await new EngineApi().inspect(IMAGE);
    assert.deepEqual(
      await assertPulledImageIsSound(`${registry.host}/daemon/app:1`, result.digest),
      inspect.RootFS?.Layers,
    );
  });

  test('a bare image name means the daemon, and compression is deterministic (same digest)', async () => {
    const first = await pushImage(`docker-daemon:${IMAGE}`, 'daemon/again:1');
    const second = await pushImage(IMAGE, 'daemon/again:2');
    assert.equal(second.digest, first.digest);
    assert.deepEqual(
      second.blobs.map((b) => b.action),
      second.blobs.map(() => 'skipped'),
    );
  });

  test('with the blob map, a second push reads no layer at all', async () => {
    const mapFile = join(work, 'map.json');
    const map = await BlobMap.load(mapFile);
    const first = await pushImage(IMAGE, 'mapped/app:1', { blobMap: map });
    await map.save(mapFile);
    const second = await pushImage(IMAGE, 'mapped/app:2', { blobMap: await BlobMap.load(mapFile) });

    assert.equal(second.digest, first.digest);
    assert.equal(second.layersRead, 0);
    assert.equal(second.bytesCompressed, 0);
    const layers = second.blobs.filter((b) => b.mediaType.includes('rootfs'));
    assert.equal(layers.length, 3);
    assert.ok(layers.every((b) => b.action === 'skipped' && b.fromBlobMap));
  });

  test('a wrong or damaged blob map entry costs time, never correctness', async () => {
    const inspect = await new EngineApi().inspect(IMAGE);
    const [diffId] = inspect.RootFS!.Layers!;
    const mapFile = join(work, 'wrong-map.json');
    const map = new BlobMap();
    // Names a blob the registry does not have.
    map.record(
      diffId!,
      {
        digest: sha256Digest('not a layer'),
        size: 11,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      },
      { registry: registry.host, repository: 'wrong/app', manifest: sha256Digest('no such manifest') },
    );
    await map.save(mapFile);
    // And a damaged entry that points at a blob the registry does have (another layer's): its check fails.
    const saved = JSON.parse(await readFile(mapFile, 'utf8')) as { entries: Record<string, unknown>[] };
    const other = (await pushImage(IMAGE, 'wrong/seed:1')).blobs.find((b) => b.mediaType.includes('rootfs'))!;
    saved.entries.push({ ...saved.entries[0], digest: other.digest, size: other.size });
    await writeFile(mapFile, JSON.stringify(saved));

    const result = await pushImage(IMAGE, 'wrong/app:1', { blobMap: await BlobMap.load(mapFile) });
    assert.equal(result.layersRead, 3);
    await assertPulledImageIsSound(`${registry.host}/wrong/app:1`, result.digest);
  });

  test('platforms naming another platform than the daemon image has fails, naming its own, and moves no tag', async () => {
    await rejectsWithLine(
      pushImage(`docker-daemon:${IMAGE}`, 'platform/app:1', {
        platforms: [{ os: 'linux', architecture: 'arm64' }],
      }),
      /the image is a single-platform linux\/amd64 image, not linux\/arm64/,
    );
    assert.deepEqual(await listTags(`${registry.host}/platform/app`), []);
    const ok = await pushImage(`docker-daemon:${IMAGE}`, 'platform/app:2', {
      platforms: [{ os: 'linux', architecture: 'amd64' }],
    });
    assert.match(ok.digest, /^sha256:/);
  });

  test('an image the daemon lacks gives one clear error', async () => {
    await rejectsWithLine(
      pushImage('docker-daemon:localhost/absent:1', 'x/y:1'),
      /no such image in the Docker engine at unix:\/\/.*\(DOCKER_HOST\).*build or pull it first/,
    );
  });
});

describe('from docker save tarballs', () => {
  test('the daemon’s own save format (classic, with symlinked layers) pushes the same image', async () => {
    const tarball = join(work, 'saved.tar');
    await pipeline(await new EngineApi().save(IMAGE), createWriteStream(tarball));
    const fromDaemon = await pushImage(IMAGE, 'archive/ref:1');
    const result = await pushImage(`docker-archive:${tarball}`, 'archive/app:1');
    assert.equal(result.digest, fromDaemon.digest);
    await assertPulledImageIsSound(`${registry.host}/archive/app:1`, result.digest);
  });

  test('an archive of two images: pick by tag; no tag or a wrong one is an error that lists the tags', async () => {
    const tarball = join(work, 'two.tar');
    await engine.build('localhost/test/other:2', [{ 'x.txt': 'other image\n' }]);
    const dispatcher = engineDispatcher();
    const res = await request(
      `http://engine/images/get?names=${encodeURIComponent(IMAGE)}&names=localhost/test/other:2`,
      {
        dispatcher,
      },
    );
    await pipeline(res.body, createWriteStream(tarball));
    await dispatcher.close();

    const result = await pushImage(`docker-archive:${tarball}:localhost/test/other:2`, 'two/other:2');
    await assertPulledImageIsSound(`${registry.host}/two/other:2`, result.digest);
    await rejectsWithLine(
      pushImage(`docker-archive:${tarball}`, 'x/y:1'),
      /holds 2 images \(localhost\/test\/app:1, localhost\/test\/other:2\)/,
    );
    await rejectsWithLine(
      pushImage(`docker-archive:${tarball}:nope:1`, 'x/y:1'),
      /no image tagged "nope:1".*tags: localhost\/test\/app:1, localhost\/test\/other:2/,
    );
  });

  test('an archive written by skopeo pushes with layers matching the config', async () => {
    const tarball = join(work, 'skopeo.tar');
    await skopeoCopy(`docker-daemon:${IMAGE}`, `docker-archive:${tarball}:${IMAGE}`, [
      '--src-daemon-host',
      engine.dockerHost,
    ]);
    const result = await pushImage(`docker-archive:${tarball}`, 'skopeo/app:1');
    await assertPulledImageIsSound(`${registry.host}/skopeo/app:1`, result.digest);
  });

  test(
    'an archive written by the docker CLI pushes the same image as the daemon',
    { skip: !hasDockerCli() && 'no docker CLI' },
    async () => {
      const tarball = join(work, 'docker-cli.tar');
      await run('docker', ['save', '-o', tarball, IMAGE], {
        env: { ...process.env, DOCKER_HOST: engine.dockerHost },
      });
      const result = await pushImage(`docker-archive:${tarball}`, 'cli/app:1');
      assert.equal(result.digest, (await pushImage(IMAGE, 'cli/ref:1')).digest);
      await assertPulledImageIsSound(`${registry.host}/cli/app:1`, result.digest);
    },
  );

  test('Docker 25+ archives (an OCI layout with uncompressed layers) are compressed and pushed', async () => {
    const tarball = join(work, 'docker25.tar');
    const sample = await writeDockerSave(tarball, 'none');
    const result = await pushImage(`docker-archive:${tarball}`, 'docker25/app:1');
    assert.equal(result.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(
      await assertPulledImageIsSound(`${registry.host}/docker25/app:1`, result.digest),
      sample.diffIds,
    );
  });

  test('containerd-store archives (gzip layers) push their own manifest, byte for byte', async () => {
    const tarball = join(work, 'containerd.tar');
    const sample = await writeDockerSave(tarball, 'gzip');
    const result = await pushImage(`docker-archive:${tarball}`, 'containerd/app:1');
    assert.equal(result.digest, sample.manifestDigest);
    assert.equal(result.bytesCompressed, 0);
    await assertPulledImageIsSound(`${registry.host}/containerd/app:1`, result.digest);
  });

  test('compression zstd: an OCI manifest with zstd layers, smaller than gzip, the same on every run', async () => {
    const tarball = join(work, 'zstd.tar');
    const sample = await writeDockerSave(tarball, 'none', [{ size: 6 << 20 }, { size: 2 << 20 }]);
    const result = await pushImage(`docker-archive:${tarball}`, 'zstd/app:1', { compression: 'zstd' });
    assert.equal(result.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const layers = result.blobs.filter((b) => b.mediaType.includes('layer'));
    assert.deepEqual(
      layers.map((b) => b.mediaType),
      ['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd'],
    );
    assert.deepEqual(
      await assertPulledImageIsSound(`${registry.host}/zstd/app:1`, result.digest),
      sample.diffIds,
    );
    const again = await pushImage(`docker-archive:${tarball}`, 'zstd/again:1', { compression: 'zstd' });
    assert.equal(again.digest, result.digest, 'deterministic: the same layers give the same blobs');
    const gzip = await pushImage(`docker-archive:${tarball}`, 'zstd/gzip:1');
    const bytes = (r: PushResult): number =>
      r.blobs.filter((b) => /layer|rootfs/.test(b.mediaType)).reduce((a, b) => a + b.size, 0);
    assert.ok(bytes(result) < bytes(gzip), `zstd ${bytes(result)} vs gzip ${bytes(gzip)}`);
  });

  test('gzip at the default level stays within 3% of skopeo’s blobs for the same layers', async () => {
    const tarball = join(work, 'size.tar');
    await writeDockerSave(tarball, 'none', [{ size: 12 << 20 }, { size: 6 << 20 }]);
    const ours = await pushImage(`docker-archive:${tarball}`, 'size/ours:1');
    await skopeoCopy(`docker-archive:${tarball}`, `docker://${registry.host}/size/skopeo:1`, [
      '--dest-tls-verify=false',
    ]);
    const skopeoManifest = JSON.parse((await inspectRaw(`${registry.host}/size/skopeo:1`)).toString()) as {
      layers: { size: number }[];
    };
    const layerBytes = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);
    const oursBytes = layerBytes(ours.blobs.filter((b) => b.mediaType.includes('rootfs')).map((b) => b.size));
    const theirs = layerBytes(skopeoManifest.layers.map((l) => l.size));
    assert.ok(oursBytes <= theirs * 1.03, `ours ${oursBytes} vs skopeo ${theirs}`);
  });
});

function hasDockerCli(): boolean {
  return spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;
}

function engineDispatcher(): Agent {
  return new Agent({ connect: { socketPath: engine.dockerHost.slice('unix://'.length) } });
}

/**
 * Writes a tarball shaped like Docker 25+'s `docker save`: an OCI layout plus manifest.json naming
 * blobs/sha256/... entries. With 'none' the layers are stored uncompressed under their diffIDs (the classic
 * store); with 'gzip' they are the gzip blobs the manifest names (the containerd store).
 */
async function writeDockerSave(
  file: string,
  compression: 'none' | 'gzip',
  layers = [{ size: 1_500_000 }, { size: 400_000 }],
): Promise<{ manifestDigest: string; diffIds: string[] }> {
  const dir = `${file}.layout`;
  const sample = await writeOciLayout(dir, { layers, seed: 5, compression, tag: 'v1' });
  const blobs = join(dir, 'blobs/sha256');
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify([
      {
        Config: `blobs/sha256/${sample.configDigest.slice(7)}`,
        RepoTags: ['example/app:v1'],
        Layers: sample.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
      },
    ]),
  );
  const tar = pack();
  const written = pipeline(tar, createWriteStream(file));
  const names = [
    'oci-layout',
    'index.json',
    'manifest.json',
    ...(await readdir(blobs)).map((b) => `blobs/sha256/${b}`),
  ];
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    tar.entry({ name, size: (await stat(join(dir, name))).size }, bytes);
  }
  tar.finalize();
  await written;
  await rm(dir, { recursive: true, force: true });
  return { manifestDigest: sample.manifestDigest, diffIds: sample.layers.map((l) => l.diffId) };
}
