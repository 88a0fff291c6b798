// Merges images pushed by digest (one per matrix job) into one multi-platform index on a real registry, and
// checks the result with skopeo and the registry's access log.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import { InputError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../../src/oci/media-types.ts';
import { merge, type MergeOptions, type MergeResult } from '../../src/push/merge.ts';
import { push } from '../../src/push/push.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type RegistryRequest, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const layers = [{ size: 300_000 }, { size: 40_000 }];

interface Pushed {
  readonly dir: string;
  readonly image: SampleImage;
  /** `HOST/REPO@DIGEST` */
  readonly ref: string;
}

let registry: TestRegistry;
let other: TestRegistry;
let work: string;
let amd: Pushed;
let arm: Pushed;
let amdAgain: Pushed;
let dockerAmd: Pushed;
let dockerArm: Pushed;

/** Rewrites a sample layout's manifest with Docker v2 schema 2 media types (config and layers are unchanged). */
async function toDockerMediaTypes(dir: string, image: SampleImage): Promise<SampleImage> {
  const blobs = join(dir, 'blobs/sha256');
  const manifest = {
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: DOCKER_CONFIG, digest: image.configDigest, size: image.configSize },
    layers: image.layers.map((l) => ({ mediaType: DOCKER_LAYER_GZIP, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  await writeFile(join(blobs, digest.slice(7)), bytes);
  const index = { schemaVersion: 2, manifests: [{ mediaType: DOCKER_MANIFEST, digest, size: bytes.length }] };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  return { ...image, manifestDigest: digest, manifestSize: bytes.length };
}

async function pushSample(
  to: TestRegistry,
  repository: string,
  options: { seed: number; architecture: string; docker?: boolean },
): Promise<Pushed> {
  const dir = join(work, `${repository.replace(/\//g, '-')}-${options.seed}`);
  let image = await writeOciLayout(dir, {
    layers,
    seed: options.seed,
    label: `${options.architecture}-${options.seed}`,
    platform: { os: 'linux', architecture: options.architecture },
  });
  if (options.docker) image = await toDockerMediaTypes(dir, image);
  const result = await push({
    source: `oci:${dir}`,
    destinations: [`${to.host}/${repository}`],
    pushByDigest: true,
    concurrency: 4,
    logger: silentLogger,
  });
  assert.equal(result.digest, image.manifestDigest);
  return { dir, image, ref: `${to.host}/${repository}@${image.manifestDigest}` };
}

function mergeInto(
  sources: string[],
  destinations: string[],
  extra: Partial<MergeOptions> = {},
): Promise<MergeResult> {
  return merge({ sources, destinations, concurrency: 4, logger: silentLogger, ...extra });
}

interface IndexJson {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform: Record<string, string> }[];
  annotations?: Record<string, string>;
}

async function readIndex(ref: string): Promise<{ raw: Buffer; index: IndexJson }> {
  const raw = await inspectRaw(ref);
  return { raw, index: JSON.parse(raw.toString('utf8')) as IndexJson };
}

function blobCount(...images: Pushed[]): number {
  return images.reduce((n, p) => n + 1 + p.image.layers.length, 0);
}

/** Blob uploads: the PUT or PATCH of an upload session (a mount is a POST alone). */
function blobUploads(requests: readonly RegistryRequest[]): RegistryRequest[] {
  return requests.filter(
    (r) => (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/uploads/'),
  );
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [registry, other] = await Promise.all([startRegistry(), startRegistry()]);
  work = await makeTempDir('merge-');
  amd = await pushSample(registry, 'merge/a', { seed: 11, architecture: 'amd64' });
  arm = await pushSample(registry, 'merge/b', { seed: 12, architecture: 'arm64' });
  amdAgain = await pushSample(registry, 'merge/c', { seed: 13, architecture: 'amd64' });
  dockerAmd = await pushSample(registry, 'docker/a', { seed: 21, architecture: 'amd64', docker: true });
  dockerArm = await pushSample(registry, 'docker/b', { seed: 22, architecture: 'arm64', docker: true });
});

after(async () => {
  await Promise.all([registry.stop(), other.stop()]);
});

describe('merging digests into one index', () => {
  let first: MergeResult;

  test('two platforms from two repositories become one OCI index, every blob mounted', async () => {
    await registry.clearRequests();
    first = await mergeInto([amd.ref, arm.ref], [`${registry.host}/merge/app:multi`]);

    const { raw, index } = await readIndex(`${registry.host}/merge/app:multi`);
    assert.equal(sha256Digest(raw), first.digest);
    assert.equal(first.mediaType, OCI_INDEX);
    assert.equal(first.size, raw.length);
    assert.equal(first.image, `${registry.host}/merge/app@${first.digest}`);
    assert.deepEqual(first.references, [`${registry.host}/merge/app:multi`]);
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(
      index.manifests.map((m) => [m.mediaType, m.digest, m.size, m.platform]),
      [
        [
          OCI_MANIFEST,
          amd.image.manifestDigest,
          amd.image.manifestSize,
          { architecture: 'amd64', os: 'linux' },
        ],
        [
          OCI_MANIFEST,
          arm.image.manifestDigest,
          arm.image.manifestSize,
          { architecture: 'arm64', os: 'linux' },
        ],
      ],
    );

    // Every blob was linked by a mount the registry accepted, and no byte of a blob was sent.
    const requests = await registry.requests();
    const mounts = requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
    assert.equal(mounts.length, blobCount(amd, arm));
    assert.ok(
      mounts.every((r) => r.status === 201),
      `mounts answered ${mounts.map((r) => r.status).join()}`,
    );
    assert.deepEqual(blobUploads(requests), []);
    assert.deepEqual(
      first.blobs.map((b) => b.action),
      Array<string>(blobCount(amd, arm)).fill('mounted'),
    );
    assert.equal(first.bytesCompressed, 0);
  });

  test('skopeo copies back every manifest, config and layer with its digest', async () => {
    const copy = join(work, 'copy-multi');
    await copyToOciLayout(`${registry.host}/merge/app:multi`, copy, { all: true });
    const expected = [
      first.digest,
      ...(await ociLayoutBlobDigests(amd.dir)),
      ...(await ociLayoutBlobDigests(arm.dir)),
    ].sort();
    assert.deepEqual(await ociLayoutBlobDigests(copy), expected);
    const layoutIndex = JSON.parse(await readFile(join(copy, 'index.json'), 'utf8')) as IndexJson;
    assert.equal(layoutIndex.manifests[0]?.digest, first.digest);
  });

  test('the same inputs give the same digest, and a second merge only finds what is there', async () => {
    const again = await mergeInto([amd.ref, arm.ref], [`${registry.host}/merge/app:again`]);
    assert.equal(again.digest, first.digest);
    assert.deepEqual(
      again.blobs.map((b) => b.action),
      Array<string>(blobCount(amd, arm)).fill('skipped'),
    );
    assert.deepEqual((await listTags(`${registry.host}/merge/app`)).sort(), ['again', 'multi']);
  });

  test('a tag of an index as the source is resolved, and its children are taken over', async () => {
    const result = await mergeInto([`${registry.host}/merge/app:multi`], [`${registry.host}/flat/app:1`]);
    assert.deepEqual(result.sources, [
      { reference: `${registry.host}/merge/app:multi`, digest: first.digest, mediaType: OCI_INDEX },
    ]);
    assert.equal(result.digest, first.digest, 'same children, same platforms, same order: same index');
    assert.deepEqual(await inspectRaw(`${registry.host}/flat/app:1`), await inspectRaw(first.image));
  });

  test('index annotations are kept, and change the digest', async () => {
    const result = await mergeInto([amd.ref, arm.ref], [`${registry.host}/merge/annotated:1`], {
      annotations: { 'org.opencontainers.image.version': '1.0', 'org.opencontainers.image.title': 'app' },
    });
    assert.notEqual(result.digest, first.digest);
    const { index } = await readIndex(`${registry.host}/merge/annotated:1`);
    assert.deepEqual(index.annotations, {
      'org.opencontainers.image.title': 'app',
      'org.opencontainers.image.version': '1.0',
    });
  });

  test("metadata-action's annotation lines, verbatim: index: on the index, manifest-descriptor[platform]: on its entry", async () => {
    // What docker/metadata-action prints with DOCKER_METADATA_ANNOTATIONS_LEVELS=index,manifest-descriptor.
    const lines = [
      'index:org.opencontainers.image.description=An app, for tests',
      'index:org.opencontainers.image.version=1.0',
      'manifest-descriptor[linux/arm64]:org.opencontainers.image.description=arm build',
      '',
    ];
    const result = await mergeInto([amd.ref, arm.ref], [`${registry.host}/merge/lines:1`], {
      annotationLines: lines,
    });
    const { raw, index } = await readIndex(`${registry.host}/merge/lines:1`);
    assert.equal(result.digest, sha256Digest(raw));
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(index.annotations, {
      'org.opencontainers.image.description': 'An app, for tests',
      'org.opencontainers.image.version': '1.0',
    });
    const byArch = new Map(index.manifests.map((m) => [m.platform.architecture, m]));
    assert.deepEqual((byArch.get('arm64') as { annotations?: unknown }).annotations, {
      'org.opencontainers.image.description': 'arm build',
    });
    assert.equal((byArch.get('amd64') as { annotations?: unknown }).annotations, undefined);
    assert.equal(
      byArch.get('arm64')?.digest,
      arm.image.manifestDigest,
      'the images themselves are unchanged',
    );
  });

  test('a manifest: annotation the images do not carry is refused before any write: it would change their digests', async () => {
    await registry.clearRequests();
    await rejectsWithLine(
      mergeInto([amd.ref, arm.ref], [`${registry.host}/merge/refused:1`], {
        annotationLines: ['manifest:org.opencontainers.image.description=x'],
      }),
      /annotation "manifest:org\.opencontainers\.image\.description=x": the linux\/amd64 image sha256:\w+ .*does not carry it, and adding it would change that image's digest/,
    );
    const writes = (await registry.requests()).filter((r) => r.method === 'PUT' || r.method === 'POST');
    assert.deepEqual(writes, []);
  });

  test('images on another registry are streamed across; those on the same one are mounted', async () => {
    const remote = await pushSample(other, 'remote/b', { seed: 12, architecture: 'arm64' });
    await registry.clearRequests();
    await other.clearRequests();
    const result = await mergeInto([amd.ref, remote.ref], [`${registry.host}/cross/app:1`]);

    // Same content as arm64 pushed here, so the same index, whichever registry the bytes came from.
    assert.equal(result.digest, first.digest);
    const actions = new Map(result.blobs.map((b) => [b.digest, b.action]));
    assert.equal(actions.get(amd.image.configDigest), 'mounted');
    assert.equal(actions.get(remote.image.configDigest), 'uploaded');
    for (const layer of remote.image.layers) assert.equal(actions.get(layer.digest), 'uploaded');
    const fromOther = (await other.requests()).filter(
      (r) => r.method === 'GET' && r.path.includes('/blobs/'),
    );
    assert.equal(fromOther.length, blobCount(remote) + 1, 'the config for its platform, then each blob once');

    const copy = join(work, 'copy-cross');
    await copyToOciLayout(`${registry.host}/cross/app:1`, copy, { all: true });
    assert.deepEqual(
      await ociLayoutBlobDigests(copy),
      [
        result.digest,
        ...(await ociLayoutBlobDigests(amd.dir)),
        ...(await ociLayoutBlobDigests(arm.dir)),
      ].sort(),
    );
  });
});

describe('a cut download', () => {
  test('a blob streamed across resumes with Range from where it stopped, as a copied one does', async () => {
    const remote = await pushSample(other, 'remote/cut', { seed: 41, architecture: 'arm64' });
    const big = remote.image.layers[0]!;
    const proxy = await startFaultProxy(other.url);
    const ranges: (string | undefined)[] = [];
    proxy.setFaults({
      cutResponseAfterBytes: 100_000,
      faultFilter: ({ method, path, headers }) => {
        if (method !== 'GET' || !path.endsWith(`/blobs/${big.digest}`)) return false;
        ranges.push(headers.range);
        return ranges.length === 1 ? 'cut-response' : false;
      },
    });
    const source = `${proxy.host}/remote/cut@${remote.image.manifestDigest}`;
    const logger = recordingLogger();
    let result: MergeResult;
    try {
      result = await mergeInto([source], [`${registry.host}/resumed/app:1`], { logger });
    } finally {
      await proxy.close();
    }
    assert.equal(ranges.length, 2, `two GETs of the cut blob: ${JSON.stringify(ranges)}`);
    assert.equal(ranges[0], undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    assert.ok(from > 0 && from <= 100_000, `resumed from byte ${from}, not from the start`);
    assert.ok(
      logger.lines.some((l) => l.includes(`reading blob ${big.digest} again from byte ${from}`)),
      logger.lines.join('\n'),
    );
    assert.equal(result.blobs.find((b) => b.digest === big.digest)?.action, 'uploaded');
    const pulled = join(work, 'pulled-cut');
    await copyToOciLayout(`${registry.host}/resumed/app:1`, pulled, { all: true });
    assert.deepEqual(
      await ociLayoutBlobDigests(pulled),
      [result.digest, ...(await ociLayoutBlobDigests(remote.dir))].sort(),
    );
  });
});

describe('copying once per registry', () => {
  test('into two repositories of one registry, a blob from another registry crosses once and is mounted into the other', async () => {
    const remote = await pushSample(other, 'remote/twice', { seed: 31, architecture: 'arm64' });
    await registry.clearRequests();
    await other.clearRequests();
    const result = await mergeInto(
      [remote.ref],
      [`${registry.host}/twice/one:1`, `${registry.host}/twice/two:1`],
    );

    const blobs = [remote.image.configDigest, ...remote.image.layers.map((l) => l.digest)];
    const requests = await registry.requests();
    const uploaded = blobUploads(requests).map((r) => new URL(r.path, 'http://x').searchParams.get('digest'));
    assert.deepEqual(uploaded.sort(), [...blobs].sort(), 'each blob sent to this registry once');
    const mounts = requests.filter(
      (r) => r.method === 'POST' && r.path.includes('mount=') && r.status === 201,
    );
    assert.equal(mounts.length, blobs.length, 'and mounted into the other repository');
    const read = (await other.requests()).filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
    assert.equal(read.length, blobCount(remote) + 1, 'the config for its platform, then each blob once');

    const count = (action: string): number => result.blobs.filter((b) => b.action === action).length;
    assert.deepEqual([count('uploaded'), count('mounted')], [blobs.length, blobs.length]);
    assert.deepEqual(
      await inspectRaw(`${registry.host}/twice/one:1`),
      await inspectRaw(`${registry.host}/twice/two:1`),
    );
  });
});

describe('Docker media types', () => {
  test('Docker v2 schema 2 children make a Docker manifest list', async () => {
    const result = await mergeInto([dockerAmd.ref, dockerArm.ref], [`${registry.host}/docker/app:list`]);
    assert.equal(result.mediaType, DOCKER_MANIFEST_LIST);
    const { raw, index } = await readIndex(`${registry.host}/docker/app:list`);
    assert.equal(sha256Digest(raw), result.digest);
    assert.equal(index.mediaType, DOCKER_MANIFEST_LIST);
    assert.deepEqual(
      index.manifests.map((m) => [m.mediaType, m.digest, m.platform.architecture]),
      [
        [DOCKER_MANIFEST, dockerAmd.image.manifestDigest, 'amd64'],
        [DOCKER_MANIFEST, dockerArm.image.manifestDigest, 'arm64'],
      ],
    );
  });

  test('format oci makes an OCI index of the same Docker manifests', async () => {
    const result = await mergeInto([dockerAmd.ref, dockerArm.ref], [`${registry.host}/docker/app:oci`], {
      format: 'oci',
    });
    const { index } = await readIndex(`${registry.host}/docker/app:oci`);
    assert.equal(result.mediaType, OCI_INDEX);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(
      index.manifests.map((m) => m.mediaType),
      [DOCKER_MANIFEST, DOCKER_MANIFEST],
    );
  });

  test('format docker with an OCI child fails and moves no tag', async () => {
    await rejectsWithLine(
      mergeInto([dockerAmd.ref, arm.ref], [`${registry.host}/docker/refused:1`], { format: 'docker' }),
      new RegExp(`format docker .*${arm.ref.replace(/[.]/g, '\\.')}.*use format oci`),
    );
    assert.deepEqual(await listTags(`${registry.host}/docker/refused`), []);
  });
});

describe('refusing what cannot be merged', () => {
  test('two images of the same platform: one line naming both, and no tag', async () => {
    let error: unknown;
    const line = await rejectsWithLine(
      mergeInto([amd.ref, amdAgain.ref], [`${registry.host}/merge/dup:1`]).catch((err: unknown) => {
        error = err;
        throw err;
      }),
      /are both linux\/amd64/,
    );
    assert.ok(error instanceof InputError);
    assert.ok(line.includes(amd.ref) && line.includes(amdAgain.ref), line);
    assert.ok(!line.includes('\n'));
    assert.deepEqual(await listTags(`${registry.host}/merge/dup`), []);
  });

  test('a digest the registry does not hold: one line naming it and the fix, and no tag', async () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    const missing = `${registry.host}/merge/a@${digest}`;
    // The same error as a docker:// source's (copy-inputs.test.ts), with the fix for a merge.
    await rejectsWithLine(
      mergeInto([amd.ref, missing], [`${registry.host}/merge/missing:1`]),
      new RegExp(
        `^merge source ${missing}: ${registry.host} has no manifest ${digest} in merge/a\\. push it first with push-by-digest`,
      ),
    );
    assert.deepEqual(await listTags(`${registry.host}/merge/missing`), []);
  });

  test('a source with neither digest nor tag fails before any request', async () => {
    await registry.clearRequests();
    await rejectsWithLine(
      mergeInto([`${registry.host}/merge/a`], [`${registry.host}/merge/none:1`]),
      /names neither a digest nor a tag/,
    );
    assert.deepEqual(await registry.requests(), []);
  });
});
