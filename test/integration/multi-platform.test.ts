// Image indexes, platform subsets, push by digest and cross-repository mounts, against the real registry and skopeo.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobMap } from '../../src/cache/blob-map.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { writeMultiPlatformLayout, writeOciLayout, type SampleIndex } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
let work: string;
let layout: string;
let sample: SampleIndex;

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('multi-platform-');
  layout = join(work, 'layout');
  sample = await writeMultiPlatformLayout(layout, [
    { layers: [{ size: 600_000 }, { size: 30_000 }], seed: 31, platform: AMD64 },
    { layers: [{ size: 500_000 }, { size: 20_000 }], seed: 32, platform: ARM64 },
  ]);
});

after(async () => {
  await registry.stop();
});

function pushLayout(destinations: string[], extra: Partial<PushOptions> = {}): Promise<PushResult> {
  return push({ source: `oci:${layout}`, destinations, concurrency: 4, logger: silentLogger, ...extra });
}

function allDigests(): string[] {
  return [
    sample.indexDigest,
    ...sample.images.flatMap((image) => [
      image.manifestDigest,
      image.configDigest,
      ...image.layers.map((l) => l.digest),
    ]),
  ].sort();
}

describe('an image index', () => {
  test('pushes every platform, then the index, and skopeo copy --all gives back every digest', async () => {
    const result = await pushLayout([`${registry.host}/multi/app:1`]);
    assert.equal(result.digest, sample.indexDigest);
    assert.deepEqual(
      result.children.map((c) => [c.digest, c.platform?.architecture]),
      [
        [sample.images[0]?.manifestDigest, 'amd64'],
        [sample.images[1]?.manifestDigest, 'arm64'],
      ],
    );
    const indexBytes = await readFile(join(layout, 'blobs/sha256', sample.indexDigest.slice(7)));
    assert.deepEqual(
      await inspectRaw(`${registry.host}/multi/app:1`),
      indexBytes,
      'the index bytes, unchanged',
    );
    const copy = join(work, 'copy-all');
    await copyToOciLayout(`${registry.host}/multi/app:1`, copy, { all: true });
    assert.deepEqual(await ociLayoutBlobDigests(copy), allDigests());
  });

  test('with platforms, pushes just those, under a new index that lists only them', async () => {
    const result = await pushLayout([`${registry.host}/subset/app:arm`], {
      platforms: [{ os: 'linux', architecture: 'arm64' }],
    });
    assert.notEqual(result.digest, sample.indexDigest, 'a rewritten index');
    const index = JSON.parse((await inspectRaw(`${registry.host}/subset/app:arm`)).toString()) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.platform.architecture]),
      [[sample.images[1]?.manifestDigest, 'arm64']],
    );
    const amd64 = sample.images[0]?.manifestDigest ?? '';
    await assert.rejects(
      inspectRaw(`${registry.host}/subset/app@${amd64}`),
      'the other platform was not pushed',
    );
    const uploadedLayers = result.blobs.map((b) => b.digest);
    for (const layer of sample.images[0]?.layers ?? []) assert.ok(!uploadedLayers.includes(layer.digest));
  });

  test('a platform the image lacks is refused before anything moves, naming what it has', async () => {
    await rejectsWithLine(
      pushLayout([`${registry.host}/subset/none:x`], { platforms: [{ os: 'linux', architecture: 's390x' }] }),
      /has no linux\/s390x \(it has linux\/amd64, linux\/arm64\/v8\)/,
    );
    assert.deepEqual(await listTags(`${registry.host}/subset/none`), []);
  });
});

describe('push by digest', () => {
  test('pushes the content and the manifest with no tag, and reports repo@digest', async () => {
    const result = await pushLayout([`${registry.host}/bydigest/app`], { pushByDigest: true });
    assert.equal(result.digest, sample.indexDigest);
    assert.deepEqual(result.references, [`${registry.host}/bydigest/app@${sample.indexDigest}`]);
    assert.deepEqual(await listTags(`${registry.host}/bydigest/app`), [], 'no tag at all');
    const raw = await inspectRaw(`${registry.host}/bydigest/app@${sample.indexDigest}`);
    assert.equal(raw.length, sample.indexSize);
  });
});

describe('cross-repository mounts', () => {
  test('blobs the map saw in another repository are mounted, not uploaded', async () => {
    const single = join(work, 'single');
    const image = await writeOciLayout(single, { layers: [{ size: 400_000 }, { size: 9_000 }], seed: 33 });
    const blobMap = new BlobMap();
    const options = { concurrency: 4, logger: silentLogger, blobMap };
    await push({ ...options, source: `oci:${single}`, destinations: [`${registry.host}/team-a/app:1`] });
    await registry.clearRequests();

    const result = await push({
      ...options,
      source: `oci:${single}`,
      destinations: [`${registry.host}/team-b/app:1`],
    });
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(
      result.blobs.map((b) => b.action),
      ['mounted', 'mounted', 'mounted'],
    );
    const requests = await registry.requests();
    const mounts = requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
    assert.equal(mounts.length, 3);
    assert.ok(mounts.every((r) => r.status === 201 && r.path.includes('from=team-a%2Fapp')));
    assert.equal(requests.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/')).length, 0);
    const copy = join(work, 'copy-mounted');
    await copyToOciLayout(`${registry.host}/team-b/app:1`, copy);
    assert.deepEqual(
      await ociLayoutBlobDigests(copy),
      [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)].sort(),
    );
  });

  test('a mount the registry declines (the source repository lacks the blob) falls back to an upload', async () => {
    const single = join(work, 'declined');
    const image = await writeOciLayout(single, { layers: [{ size: 100_000 }], seed: 34 });
    const blobMap = new BlobMap();
    // A wrong memory: the map says team-c holds the blobs, but nothing was ever pushed there.
    for (const digest of [image.configDigest, ...image.layers.map((l) => l.digest)])
      blobMap.recordLocation(digest, registry.host, 'team-c/app');
    const result = await push({
      source: `oci:${single}`,
      destinations: [`${registry.host}/team-d/app:1`],
      concurrency: 4,
      logger: silentLogger,
      blobMap,
    });
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(
      result.blobs.map((b) => b.action),
      ['uploaded', 'uploaded'],
    );
    assert.deepEqual(blobMap.repositoriesWith(image.configDigest, registry.host), [
      'team-d/app',
      'team-c/app',
    ]);
  });
});

describe('referrers (OCI 1.1 subject)', () => {
  test('an SBOM stored beside the image is pushed after it and listed under the referrers tag', async () => {
    const dir = join(work, 'with-sbom');
    const image = await writeOciLayout(dir, { layers: [{ size: 50_000 }], seed: 35, tag: 'v1' });
    const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
      const digest = sha256Digest(bytes);
      await writeFile(join(dir, 'blobs/sha256', digest.slice(7)), bytes);
      return { digest, size: bytes.length };
    };
    const empty = await blob(Buffer.from('{}'));
    const sbom = await blob(Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'sample' })));
    const artifact = await blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactType: 'application/spdx+json',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
          layers: [{ mediaType: 'application/spdx+json', ...sbom }],
          subject: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: image.manifestDigest,
            size: image.manifestSize,
          },
        }),
      ),
    );
    const indexPath = join(dir, 'index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: unknown[] };
    index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...artifact });
    await writeFile(indexPath, JSON.stringify(index));

    const pushIt = (): Promise<PushResult> =>
      push({
        source: `oci:${dir}:v1`,
        destinations: [`${registry.host}/signed/app:v1`],
        concurrency: 4,
        logger: silentLogger,
      });
    const result = await pushIt();
    assert.equal(result.digest, image.manifestDigest, 'the image is what the tag names, not the SBOM');
    const stored = await inspectRaw(`${registry.host}/signed/app@${artifact.digest}`);
    assert.equal(sha256Digest(stored), artifact.digest);
    // distribution 2.8 has no referrers API: the fallback tag lists the SBOM.
    const fallbackTag = `${registry.host}/signed/app:sha256-${image.manifestDigest.slice(7)}`;
    const listing = JSON.parse((await inspectRaw(fallbackTag)).toString()) as {
      manifests: { digest: string; artifactType: string }[];
    };
    assert.deepEqual(listing.manifests, [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: artifact.digest,
        size: artifact.size,
        artifactType: 'application/spdx+json',
      },
    ]);
    const before = sha256Digest(await inspectRaw(fallbackTag));
    await pushIt();
    assert.equal(sha256Digest(await inspectRaw(fallbackTag)), before, 'pushing again lists it once');
  });
});
