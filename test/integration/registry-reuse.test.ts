// A fresh runner with no cache pushes only what changed: the layers a previous version in the registry already
// pairs with blobs (pushed by docker push, skopeo or image-push) are neither read nor compressed. A real Docker
// Engine (Debian's dockerd, on a private socket) loads the images, pushes the previous version and pulls the
// results back; skopeo copies them back for an independent check of every layer against the config's diff_ids.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { BlobMap } from '../../src/cache/blob-map.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { buildMetadata, imagesOf } from '../../src/report/metadata.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { layerTar, writeDockerSave, type SavedImage } from '../helpers/docker-save.ts';
import { startDockerd, type Dockerd } from '../helpers/dockerd.ts';
import { startRegistry, type RegistryRequest, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, skopeoCopy } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
/** Loads the images and pushes the previous versions; `puller` is a second, empty daemon that pulls results. */
let dockerd: Dockerd;
let puller: Dockerd;
let work: string;
let v1: SavedImage;
let v2: SavedImage;
const files = { v1: '', v2: '', other: '', labelled: '' };
/** v2 with the base-image labels buildx writes, naming v1 in the test registry. */
let labelled: SavedImage;

/** Text that compresses, random bytes that do not. */
function content(seed: number, bytes: number): Buffer {
  const text = Buffer.from(`seed ${seed}: the quick brown fox jumps over the lazy dog\n`.repeat(bytes / 60));
  return Buffer.concat([text, randomBytes(bytes / 8)]);
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'dockerd', 'docker']);
  [registry, dockerd, puller, work] = await Promise.all([
    startRegistry(),
    startDockerd(),
    startDockerd(),
    makeTempDir('reuse-'),
  ]);
  const base = await Promise.all(
    [1, 2, 3].map(async (i) => layerTar({ [`base/${i}.txt`]: content(i, 1_500_000) })),
  );
  const top = await layerTar({ 'app/new.bin': content(9, 800_000) });
  const foreign = await Promise.all(
    [4, 5, 6].map(async (i) => layerTar({ [`x/${i}.txt`]: content(i, 200_000) })),
  );
  files.v1 = join(work, 'v1.tar');
  files.v2 = join(work, 'v2.tar');
  files.other = join(work, 'other.tar');
  files.labelled = join(work, 'labelled.tar');
  [v1, v2] = await Promise.all([
    writeDockerSave(files.v1, 'reuse/app:v1', base),
    writeDockerSave(files.v2, 'reuse/app:v2', [...base, top]),
    writeDockerSave(files.other, 'reuse/other:1', foreign),
  ]);
  labelled = await writeDockerSave(files.labelled, 'reuse/labelled:1', [...base, top], {
    'org.opencontainers.image.base.name': `${registry.host}/base/app:v1`,
  });
  await dockerd.docker(['load', '-q', '-i', files.v1]);
  await dockerd.docker(['load', '-q', '-i', files.v2]);
  process.env.DOCKER_HOST = dockerd.dockerHost;
});

after(async () => {
  delete process.env.DOCKER_HOST;
  await Promise.all([registry.stop(), dockerd.stop(), puller.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

function pushTo(source: string, destination: string, extra: Partial<PushOptions> = {}): Promise<PushResult> {
  return push({
    source,
    destinations: [`${registry.host}/${destination}`],
    concurrency: 4,
    logger: silentLogger,
    ...extra,
  });
}

/** Digests of the blobs whose upload was completed (the PUT that names the digest), in request order. */
function uploadedBlobs(requests: readonly RegistryRequest[]): string[] {
  return requests
    .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))
    .map((r) => decodeURIComponent(/[?&]digest=([^&]+)/.exec(r.path)?.[1] ?? ''));
}

const manifestPuts = (requests: readonly RegistryRequest[]): RegistryRequest[] =>
  requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'));

/** The pushed image's layer digests and config, read back by skopeo. */
async function pulledLayers(
  reference: string,
): Promise<{ layers: string[]; diffIds: string[]; decompressed: string[] }> {
  const dir = await makeTempDir('pulled-');
  try {
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
    const decompressed: string[] = [];
    for (const layer of manifest.layers) {
      const hash = createHash('sha256');
      try {
        await pipeline(
          createReadStream(join(blobs, layer.digest.slice(7))),
          layer.mediaType.endsWith('zstd') ? createZstdDecompress() : createGunzip(),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) hash.update(chunk);
          },
        );
        decompressed.push(`sha256:${hash.digest('hex')}`);
      } catch {
        decompressed.push('not a compressed layer');
      }
    }
    return { layers: manifest.layers.map((l) => l.digest), diffIds: config.rootfs.diff_ids, decompressed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The independent checks: skopeo's copy decompresses to the local diff_ids, and a fresh dockerd pulls it. */
async function assertSound(reference: string, image: SavedImage, pull = true): Promise<string[]> {
  const pulled = await pulledLayers(reference);
  assert.deepEqual(pulled.diffIds, image.diffIds);
  assert.deepEqual(pulled.decompressed, image.diffIds, 'every layer decompresses to its diff_id');
  if (pull) {
    await puller.docker(['pull', '-q', reference]);
    const inspect = JSON.parse((await puller.docker(['image', 'inspect', reference])).stdout) as {
      RootFS: { Layers: string[] };
    }[];
    assert.deepEqual(inspect[0]!.RootFS.Layers, image.diffIds);
    // Docker skips the download of an image ID it has: forget it, so every pull really downloads.
    await puller.docker(['image', 'rm', '-f', image.configDigest]);
  }
  return pulled.layers;
}

/** Only the new top layer and the new config went up; the shared layers were neither read nor sent. */
function assertOnlyNewLayerSent(result: PushResult, requests: readonly RegistryRequest[]): void {
  assert.equal(result.layersRead, 1, 'only the new layer is read');
  const layerReports = result.blobs.filter(
    (b) => b.mediaType.includes('layer') || b.mediaType.includes('rootfs'),
  );
  const uploaded = uploadedBlobs(requests);
  const newLayer = layerReports.filter((b) => b.action === 'uploaded');
  assert.equal(newLayer.length, 1, 'one layer uploaded');
  assert.equal(uploaded.length, 2, `the new layer and the config only, sent: ${uploaded.join(', ')}`);
  assert.ok(uploaded.includes(newLayer[0]!.digest));
  assert.ok(
    result.bytesCompressed < 1_500_000,
    `compressed ${result.bytesCompressed} bytes: only the top layer`,
  );
}

describe('a previous version pushed by another tool', () => {
  test('docker push :v1, then :v2 from the daemon with reuse-from: only the new layer is compressed and sent', async () => {
    const v1ref = `${registry.host}/dk/app:v1`;
    await dockerd.docker(['tag', 'reuse/app:v1', v1ref]);
    await dockerd.docker(['push', '-q', v1ref]);
    await registry.clearRequests();

    const result = await pushTo('docker-daemon:reuse/app:v2', 'dk/app:v2', { reuseFrom: ['v1'] });
    assertOnlyNewLayerSent(result, await registry.requests());
    const layers = await assertSound(`${registry.host}/dk/app:v2`, v2);
    // docker push's own gzip blobs are in the new manifest.
    const dockerV1 = await pulledLayers(v1ref);
    assert.deepEqual(layers.slice(0, 3), dockerV1.layers);
    assert.deepEqual(imagesOf(result), [`${registry.host}/dk/app@${result.digest}`]);
    assert.deepEqual(buildMetadata(result).images, imagesOf(result));
  });

  test('from a docker save tarball, with the previous version only under latest and a new tag', async () => {
    const latest = `${registry.host}/lt/app:latest`;
    await dockerd.docker(['tag', 'reuse/app:v1', latest]);
    await dockerd.docker(['push', '-q', latest]);
    const saved = join(work, 'v2-saved.tar');
    await dockerd.docker(['save', '-o', saved, 'reuse/app:v2']);
    await registry.clearRequests();

    const result = await pushTo(`docker-archive:${saved}`, 'lt/app:sha-abc123');
    assertOnlyNewLayerSent(result, await registry.requests());
    await assertSound(`${registry.host}/lt/app:sha-abc123`, v2);
  });

  test('v1 pushed by skopeo (its own gzip bytes): v2 reuses them', async () => {
    await skopeoCopy(`docker-archive:${files.v1}`, `docker://${registry.host}/sk/app:v1`, [
      '--dest-tls-verify=false',
    ]);
    await registry.clearRequests();
    const result = await pushTo(`docker-archive:${files.v2}`, 'sk/app:v2', { reuseFrom: ['v1'] });
    assertOnlyNewLayerSent(result, await registry.requests());
    const layers = await assertSound(`${registry.host}/sk/app:v2`, v2, false);
    assert.deepEqual(layers.slice(0, 3), (await pulledLayers(`${registry.host}/sk/app:v1`)).layers);
  });

  test('v1 pushed by image-push under the tag that v2 moves: read from the tag itself', async () => {
    await pushTo(`docker-archive:${files.v1}`, 'ip/app:stable');
    await registry.clearRequests();
    const result = await pushTo(`docker-archive:${files.v2}`, 'ip/app:stable');
    assertOnlyNewLayerSent(result, await registry.requests());
    await assertSound(`${registry.host}/ip/app:stable`, v2, false);
  });

  test('reuse-from another repository of the same registry: the shared layers are mounted', async () => {
    await registry.clearRequests();
    const result = await pushTo(`docker-archive:${files.v2}`, 'mnt/app:1', {
      reuseFrom: [`${registry.host}/sk/app:v1`],
    });
    assertOnlyNewLayerSent(result, await registry.requests());
    assert.equal(result.blobs.filter((b) => b.action === 'mounted').length, 3);
    await assertSound(`${registry.host}/mnt/app:1`, v2, false);
  });

  test('the base image the labels name, on the same registry: its layers are mounted from there', async () => {
    await skopeoCopy(`docker-archive:${files.v1}`, `docker://${registry.host}/base/app:v1`, [
      '--dest-tls-verify=false',
    ]);
    await registry.clearRequests();
    const result = await pushTo(`docker-archive:${files.labelled}`, 'child/app:1');
    assertOnlyNewLayerSent(result, await registry.requests());
    assert.equal(result.blobs.filter((b) => b.action === 'mounted').length, 3);
    await assertSound(`${registry.host}/child/app:1`, labelled, false);
  });

  test('a reuse-from reference on another registry is never read: everything is compressed', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warning: (m) => warnings.push(m) };
    const result = await pushTo(`docker-archive:${files.v2}`, 'far/app:1', {
      reuseFrom: ['localhost:1/sk/app:v1'],
      logger,
    });
    assert.equal(result.layersRead, 4);
    assert.ok(
      warnings.some((w) => /not on a destination registry/.test(w)),
      warnings.join('\n'),
    );
  });
});

/** Uploads a blob monolithically with plain HTTP, as a hostile writer of the repository would. */
async function putBlob(repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256Digest(bytes);
  const started = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await started.arrayBuffer();
  const location = new URL(started.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await done.arrayBuffer();
  assert.equal(done.status, 201);
  return digest;
}

async function putManifestJson(repository: string, tag: string, manifest: unknown): Promise<void> {
  const res = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: JSON.stringify(manifest),
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  await res.arrayBuffer();
  assert.equal(res.status, 201);
}

describe('a hostile previous image: its config lists diff_ids that do not belong to its layers', () => {
  let evilLayers: string[] = [];
  before(async () => {
    // Another image's blobs, and a config claiming they are v1's layers.
    const pushed = await pushTo(`docker-archive:${files.other}`, 'ev/app:other');
    const layers = pushed.blobs.filter((b) => b.mediaType.includes('rootfs'));
    evilLayers = (await pulledLayers(`${registry.host}/ev/app:other`)).layers;
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: v1.diffIds },
      }),
    );
    const configDigest = await putBlob('ev/app', config);
    await putManifestJson('ev/app', 'evil', {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: configDigest,
      },
      layers: evilLayers.map((digest) => {
        const size = layers.find((l) => l.digest === digest)!.size;
        return { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size, digest };
      }),
    });
  });

  test('with verify: the push notices, uploads the local layers, and the result decompresses to the local diff_ids', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warning: (m) => warnings.push(m) };
    const result = await pushTo(`docker-archive:${files.v2}`, 'ev/app:v2-verified', {
      reuseFrom: ['evil'],
      verify: true,
      logger,
    });
    assert.equal(result.layersRead, 4);
    assert.equal(
      warnings.filter((w) => /does not decompress to layer/.test(w)).length,
      3,
      warnings.join('\n'),
    );
    const layers = await assertSound(`${registry.host}/ev/app:v2-verified`, v2);
    assert.ok(layers.every((l) => !evilLayers.includes(l)));
  });

  test('without verify: as ARCHITECTURE.md says, the registry’s pairing is taken and the result is refused by docker pull', async () => {
    const result = await pushTo(`docker-archive:${files.v2}`, 'ev/app:v2', { reuseFrom: ['evil'] });
    assert.equal(result.layersRead, 1);
    const pulled = await pulledLayers(`${registry.host}/ev/app:v2`);
    // The manifest names the hostile writer's blobs, which already were in the repository...
    assert.deepEqual(pulled.layers.slice(0, 3), evilLayers);
    // ...so its layers do not decompress to the config's diff_ids, and Docker refuses to pull it.
    assert.notDeepEqual(pulled.decompressed, v2.diffIds);
    await assert.rejects(puller.docker(['pull', '-q', `${registry.host}/ev/app:v2`]));
  });
});

describe('the blob map is untrusted: it only names manifests to read again', () => {
  test('a second push with the map reads no layer, from manifests the registry still holds', async () => {
    const mapFile = join(work, 'map.json');
    const map = new BlobMap();
    await pushTo(`docker-archive:${files.v1}`, 'bm/app:v1', { blobMap: map });
    await map.save(mapFile);
    const result = await pushTo(`docker-archive:${files.v1}`, 'bm/app:sha-1', {
      blobMap: await BlobMap.load(mapFile),
    });
    assert.equal(result.layersRead, 0);
    assert.ok(result.blobs.filter((b) => b.mediaType.includes('rootfs')).every((b) => b.fromBlobMap));
  });

  test('entries pointing the layers at another image’s blobs (check recomputed): the push recomputes, the result is sound', async () => {
    const mapFile = join(work, 'tampered.json');
    const map = new BlobMap();
    await pushTo(`docker-archive:${files.v1}`, 'tm/app:v1', { blobMap: map });
    const x = await pushTo(`docker-archive:${files.other}`, 'tm/app:x', { blobMap: map });
    await map.save(mapFile);
    const xLayers = x.blobs.filter((b) => b.mediaType.includes('rootfs'));
    // The attacker edits every entry of v1's layers: another image's blob, attested by that image's manifest.
    const saved = JSON.parse(await readFile(mapFile, 'utf8')) as {
      entries: {
        diffId: string;
        digest: string;
        size: number;
        mediaType: string;
        check: string;
        attestations: unknown[];
      }[];
    };
    for (const entry of saved.entries) {
      const i = v1.diffIds.indexOf(entry.diffId);
      if (i < 0) continue;
      entry.digest = xLayers[i]!.digest;
      entry.size = xLayers[i]!.size;
      entry.attestations = [{ registry: registry.host, repository: 'tm/app', manifest: x.digest }];
      entry.check = createHash('sha256')
        .update(`${entry.diffId}\n${entry.digest}\n${entry.size}\n${entry.mediaType}`)
        .digest('hex');
    }
    await writeFile(mapFile, JSON.stringify(saved));
    const tampered = await BlobMap.load(mapFile);
    assert.equal(
      tampered.attestations(v1.diffIds[0]!, registry.host)[0]?.manifest,
      x.digest,
      'the edit loads',
    );

    const result = await pushTo(`docker-archive:${files.v2}`, 'tm/app:v2', { blobMap: tampered });
    assert.equal(result.layersRead, 4, 'nothing the registry does not pair is reused');
    const layers = await assertSound(`${registry.host}/tm/app:v2`, v2, false);
    assert.ok(layers.every((l) => !xLayers.some((b) => b.digest === l)));
  });
});

describe('idempotent re-runs and overwrite', () => {
  test('overwrite: false against a tag holding another image fails before any upload, naming both digests', async () => {
    const first = await pushTo(`docker-archive:${files.v1}`, 'ow/app:1');
    await registry.clearRequests();
    const line = await rejectsWithLine(
      pushTo(`docker-archive:${files.v2}`, 'ow/app:1', { overwrite: false }),
      /ow\/app:1 holds sha256:[a-f0-9]{64}, not the pushed .*sha256:[a-f0-9]{64}\)?, and overwrite is false.*overwrite: true, its default; the CLI: leave out --no-overwrite/,
    );
    assert.ok(line.includes(first.digest));
    const requests = await registry.requests();
    assert.deepEqual(
      requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
      [],
      'no upload started, no manifest written',
    );
  });

  test('overwrite: false refuses a tag holding the same config under another manifest digest', async () => {
    // docker push of the same image: its own gzip of the layers, its own (indented) manifest. The config is the
    // same, so the check before any upload lets the push through; the tag must still not move.
    const ref = `${registry.host}/sc/app:1`;
    await dockerd.docker(['tag', 'reuse/app:v1', ref]);
    await dockerd.docker(['push', '-q', ref]);
    const heldBytes = await inspectRaw(ref);
    const held = JSON.parse(heldBytes.toString()) as { config: { digest: string } };
    assert.equal(held.config.digest, v1.configDigest, 'the tag holds the same config');
    await registry.clearRequests();
    const line = await rejectsWithLine(
      pushTo(`docker-archive:${files.v1}`, 'sc/app:1', { overwrite: false }),
      /sc\/app:1 holds sha256:[a-f0-9]{64}, not the pushed sha256:[a-f0-9]{64}, and overwrite is false.*overwrite: true/,
    );
    assert.ok(line.includes(sha256Digest(heldBytes)), line);
    assert.deepEqual(manifestPuts(await registry.requests()), [], 'no manifest written');
    assert.deepEqual(await inspectRaw(ref), heldBytes, 'the tag did not move');
  });

  test('a re-run that pushes the digest the tag holds succeeds with no manifest PUT', async () => {
    const first = await pushTo(`docker-archive:${files.v1}`, 'rr/app:1');
    await registry.clearRequests();
    const again = await pushTo(`docker-archive:${files.v1}`, 'rr/app:1', { overwrite: false });
    assert.equal(again.digest, first.digest);
    const requests = await registry.requests();
    assert.deepEqual(manifestPuts(requests), []);
    assert.deepEqual(uploadedBlobs(requests), []);
    assert.equal(again.layersRead, 0);
  });
});

describe('a registry with immutable tags', () => {
  test('refusing to move a tag gets an error that says so and how to fix it', async () => {
    // ECR's answer to a manifest PUT on an existing tag of an immutable repository, in front of the real registry.
    const { createServer } = await import('node:http');
    const { buffer } = await import('node:stream/consumers');
    const server = createServer((req, res) => {
      void (async () => {
        const body = await buffer(req);
        const path = req.url ?? '/';
        const tagPut = req.method === 'PUT' && /\/manifests\/[^/]+$/.test(path) && !path.includes('sha256:');
        if (tagPut && (await fetch(`${registry.url}${path}`, { method: 'HEAD' })).status === 200) {
          const tag = path.slice(path.lastIndexOf('/') + 1);
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              errors: [
                {
                  code: 'TAG_INVALID',
                  message: `The image tag '${tag}' already exists in the 'im/app' repository and cannot be overwritten because the repository is immutable.`,
                },
              ],
            }),
          );
          return;
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
        ) as Record<string, string>;
        const upstream = await fetch(`${registry.url}${path}`, {
          method: req.method ?? 'GET',
          headers,
          redirect: 'manual',
          ...(body.length || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST'
            ? { body }
            : {}),
        });
        const reply = Buffer.from(await upstream.arrayBuffer());
        const out: Record<string, string> = {};
        upstream.headers.forEach((value, key) => {
          if (key !== 'content-encoding' && key !== 'transfer-encoding') out[key] = value;
        });
        if (req.method !== 'HEAD') out['content-length'] = String(reply.length);
        res.writeHead(upstream.status, out);
        res.end(req.method === 'HEAD' ? undefined : reply);
      })().catch((err: unknown) => {
        res.destroy(err as Error);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const options = { concurrency: 4, logger: silentLogger };
      await push({
        ...options,
        source: `docker-archive:${files.v1}`,
        destinations: [`127.0.0.1:${port}/im/app:1`],
      });
      await rejectsWithLine(
        push({
          ...options,
          source: `docker-archive:${files.v2}`,
          destinations: [`127.0.0.1:${port}/im/app:1`],
        }),
        /im\/app:1 is an immutable tag: the registry refuses to move it .*already exists.*push under a new tag/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
