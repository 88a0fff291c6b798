// A registry as a source (docker://): copies between two real registries (one with htpasswd, one with a token
// service) and within one, checked with skopeo and the registries' own access logs.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import { readBlob } from '../../src/registry/blobs.ts';
import { RegistryClient } from '../../src/registry/transport/client.ts';
import { Transport } from '../../src/registry/transport/http.ts';
import { writeOciLayout, type SampleIndex } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import {
  A_CREDS,
  A_USER,
  allDigests as digestsOf,
  B_CREDS,
  B_USER,
  collecting,
  copy,
  startCopyWorld,
  type CopyWorld,
} from '../helpers/copy-world.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';

let world: CopyWorld;
let work: string;
let a: TestRegistry;
let b: TestRegistry;
let sample: SampleIndex;

before(async () => {
  world = await startCopyWorld('copy-');
  ({ work, a, b, sample } = world);
});

after(async () => {
  await world.stop();
});

const allDigests = (): string[] => digestsOf(sample);

describe('docker:// source between two registries', () => {
  test('copies a two-platform index and its referrer byte for byte: every digest kept (skopeo)', async () => {
    const result = await copy(`docker://${a.host}/src/app:1`, [`${b.host}/dst/app:1`], {
      credentials: B_USER,
      sourceCredentials: A_USER,
    });
    assert.equal(result.digest, sample.indexDigest);
    assert.deepEqual(
      await inspectRaw(`${b.host}/dst/app:1`, B_CREDS),
      await inspectRaw(`${a.host}/src/app:1`, A_CREDS),
      'the index bytes, unchanged',
    );
    const pulled = join(work, 'pulled-all');
    await copyToOciLayout(`${b.host}/dst/app:1`, pulled, { all: true, creds: B_CREDS });
    assert.deepEqual(await ociLayoutBlobDigests(pulled), allDigests());
    // The referrer came along, under its digest, and is listed in the sha256-<hex> tag (distribution 2.8).
    const artifact = await inspectRaw(`${b.host}/dst/app@${world.sbom.digest}`, B_CREDS);
    assert.equal(sha256Digest(artifact), world.sbom.digest);
    const subject = sample.images[0]!.manifestDigest;
    const listing = JSON.parse(
      (await inspectRaw(`${b.host}/dst/app:sha256-${subject.slice(7)}`, B_CREDS)).toString(),
    ) as { manifests: { digest: string }[] };
    assert.deepEqual(
      listing.manifests.map((m) => m.digest),
      [world.sbom.digest],
    );
  });

  test('with platforms, copies a subset and logs why the index digest changed', async () => {
    const lines: string[] = [];
    const result = await copy(`docker://${a.host}/src/app:1`, [`${b.host}/subset/app:arm`], {
      credentials: B_USER,
      sourceCredentials: A_USER,
      platforms: [{ os: 'linux', architecture: 'arm64' }],
      logger: collecting(lines),
    });
    assert.notEqual(result.digest, sample.indexDigest);
    assert.ok(
      lines.includes(
        `the index digest changed from ${sample.indexDigest} to ${result.digest} because platforms kept 1 of 2 entries`,
      ),
      lines.join('\n'),
    );
    const index = JSON.parse((await inspectRaw(`${b.host}/subset/app:arm`, B_CREDS)).toString()) as {
      manifests: { digest: string }[];
    };
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [sample.images[1]!.manifestDigest],
    );
  });

  test('a cut download resumes with Range from where it stopped', async () => {
    const proxy = await startFaultProxy(a.url);
    const big = sample.images[0]!.layers[0]!;
    const ranges: (string | undefined)[] = [];
    proxy.setFaults({
      cutResponseAfterBytes: 1_000_000,
      faultFilter: ({ method, path, headers }) => {
        if (method !== 'GET' || !path.endsWith(`/blobs/${big.digest}`)) return false;
        ranges.push(headers.range);
        return ranges.length === 1 ? 'cut-response' : false;
      },
    });
    const lines: string[] = [];
    try {
      const result = await copy(`docker://${proxy.host}/src/app:1`, [`${b.host}/resumed/app:1`], {
        credentials: B_USER,
        sourceCredentials: A_USER,
        logger: collecting(lines),
      });
      assert.equal(result.digest, sample.indexDigest);
    } finally {
      await proxy.close();
    }
    assert.equal(ranges.length, 2, `two GETs of the cut blob: ${JSON.stringify(ranges)}`);
    assert.equal(ranges[0], undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    assert.ok(from > 0 && from <= 1_000_000, `resumed from byte ${from}, not from the start`);
    assert.ok(lines.some((l) => l.includes(`reading blob ${big.digest} again from byte ${from}`)));
    const pulled = join(work, 'pulled-resumed');
    await copyToOciLayout(`${b.host}/resumed/app:1`, pulled, { all: true, creds: B_CREDS });
    assert.deepEqual(await ociLayoutBlobDigests(pulled), allDigests());
  });
});

describe('docker:// source within one registry', () => {
  test('mounts every blob: no blob body leaves the registry', async () => {
    await a.clearRequests();
    const result = await copy(`docker://${a.host}/src/app:1`, [`${a.host}/promoted/app:1`], {
      credentials: A_USER,
    });
    assert.equal(result.digest, sample.indexDigest);
    const requests = await a.requests();
    const blobGets = requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/sha256:'));
    assert.deepEqual(blobGets, [], 'no blob was downloaded');
    const mounts = requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
    assert.ok(
      mounts.length >= 6 && mounts.every((r) => r.status === 201 && r.path.includes('from=src%2Fapp')),
    );
    assert.equal(requests.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/')).length, 0);
    assert.equal(result.blobs.filter((r) => r.action === 'uploaded').length, 0);
    const pulled = join(work, 'pulled-promoted');
    await copyToOciLayout(`${a.host}/promoted/app:1`, pulled, { all: true, creds: A_CREDS });
    assert.deepEqual(await ociLayoutBlobDigests(pulled), allDigests());

    // Again, by digest, under another tag: the index, its children and the referrer are all there already.
    await a.clearRequests();
    await copy(`docker://${a.host}/src/app@${sample.indexDigest}`, [`${a.host}/promoted/app:2`], {
      credentials: A_USER,
    });
    const writes = (await a.requests()).filter(
      (r) => !['GET', 'HEAD'].includes(r.method) && r.status !== 401,
    );
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      ['PUT /v2/promoted/app/manifests/2'],
    );
  });

  test('a rollback moves the tag with HEADs and one manifest PUT', async () => {
    const single = join(work, 'rollback');
    const first = await writeOciLayout(single, { layers: [{ size: 100_000 }], seed: 63 });
    const push1 = { credentials: A_USER, dockerConfig: false, concurrency: 4, logger: silentLogger };
    await push({ ...push1, source: `oci:${single}`, destinations: [`${a.host}/roll/app:production`] });
    const second = join(work, 'rollback-2');
    await writeOciLayout(second, { layers: [{ size: 100_000 }], seed: 64 });
    await push({ ...push1, source: `oci:${second}`, destinations: [`${a.host}/roll/app:production`] });
    await a.clearRequests();

    const result = await copy(
      `docker://${a.host}/roll/app@${first.manifestDigest}`,
      [`${a.host}/roll/app:production`],
      { credentials: A_USER },
    );
    assert.equal(result.digest, first.manifestDigest);
    const requests = (await a.requests()).filter((r) => r.status !== 401);
    const writes = requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      ['PUT /v2/roll/app/manifests/production'],
    );
    assert.ok(requests.filter((r) => r.method === 'HEAD').length >= 2, 'the blobs were checked');
    const raw = await inspectRaw(`${a.host}/roll/app:production`, A_CREDS);
    assert.equal(sha256Digest(raw), first.manifestDigest);
  });
});

describe('a corrupt source', () => {
  test('a blob whose bytes do not match its digest fails the copy before any tag moves', async () => {
    const dir = join(work, 'corrupt');
    const image = await writeOciLayout(dir, { layers: [{ size: 300_000 }], seed: 65 });
    await push({
      source: `oci:${dir}`,
      destinations: [`${a.host}/corrupt/app:1`],
      credentials: A_USER,
      dockerConfig: false,
      concurrency: 4,
      logger: silentLogger,
    });
    // Damage the layer in the registry's own storage, keeping its size: the registry serves it as it is.
    const layer = image.layers[0]!.digest.slice(7);
    const file = join(a.dir, 'data/docker/registry/v2/blobs/sha256', layer.slice(0, 2), layer, 'data');
    const bytes = await readFile(file);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(file, bytes);

    await rejectsWithLine(
      copy(`docker://${a.host}/corrupt/app:1`, [`${b.host}/corrupt/app:1`], {
        credentials: B_USER,
        sourceCredentials: A_USER,
      }),
      new RegExp(
        `^docker://${a.host}/corrupt/app:1: blob sha256:${layer} in the source does not match its descriptor \\(read \\d+ bytes hashing to sha256:(?!${layer})`,
      ),
    );
    assert.deepEqual(await listTags(`${b.host}/corrupt/app`, B_CREDS), [], 'no tag moved');

    // The blob GET on its own (verify on by default) refuses the bytes before handing on their end.
    const transport = new Transport();
    const client = new RegistryClient(a.host, {
      credentials: A_USER,
      insecureRegistries: [],
      transport,
      onSecret: () => undefined,
      userAgent: 'copy-test',
      log: silentLogger,
    });
    let received = 0;
    try {
      await assert.rejects(
        async () => {
          for await (const chunk of readBlob(
            client,
            'corrupt/app',
            image.layers[0]!,
          ) as AsyncIterable<Buffer>)
            received += chunk.length;
        },
        new RegExp(
          `${a.host}/corrupt/app sent ${image.layers[0]!.size} bytes hashing to sha256:(?!${layer})`,
        ),
      );
    } finally {
      await transport.close();
    }
    assert.ok(received < image.layers[0]!.size, 'the last chunk was held back');
  });
});
