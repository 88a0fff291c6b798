// A registry as a source (docker://): copies between two real registries (one with htpasswd, one with a token
// service) and within one, checked with skopeo and the registries' own access logs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sha256Digest } from '../../src/oci/digest.ts';
import type { Logger } from '../../src/log.ts';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import { readBlob } from '../../src/registry/blobs.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { Transport } from '../../src/registry/http.ts';
import type { PushResult } from '../../src/push/result.ts';
import { writeMultiPlatformLayout, writeOciLayout, type SampleIndex } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';
import { startTokenService, type TokenService } from '../helpers/token-service.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const A_USER = { username: 'source-user', password: 'htpasswd-pa55' };
const B_USER = { username: 'dest-user', password: 'token-pa55' };
const A_CREDS = `${A_USER.username}:${A_USER.password}`;
const B_CREDS = `${B_USER.username}:${B_USER.password}`;

let work: string;
/** The source registry: htpasswd. */
let a: TestRegistry;
/** The destination registry: token auth. */
let b: TestRegistry;
let tokens: TokenService;
let sample: SampleIndex;
/** The SBOM whose subject is the amd64 image. */
let sbom: { digest: string; size: number };

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'openssl', 'htpasswd']);
  work = await makeTempDir('copy-');
  tokens = await startTokenService(work, { users: { [B_USER.username]: B_USER.password } });
  [a, b] = await Promise.all([startRegistry({ htpasswd: A_USER }), startRegistry({ token: tokens })]);
  const layout = join(work, 'layout');
  sample = await writeMultiPlatformLayout(layout, [
    { layers: [{ size: 3_000_000 }, { size: 40_000 }], seed: 61, platform: AMD64 },
    { layers: [{ size: 600_000 }, { size: 20_000 }], seed: 62, platform: ARM64 },
  ]);
  sbom = await addReferrer(layout, sample.images[0]!.manifestDigest, sample.images[0]!.manifestSize);
  // The source is put in place with image-push from an OCI layout (checked against skopeo in other tests).
  await push({
    source: `oci:${layout}:latest`,
    destinations: [`${a.host}/src/app:1`],
    credentials: A_USER,
    dockerConfig: false,
    concurrency: 4,
    logger: silentLogger,
  });
});

after(async () => {
  await Promise.all([a.stop(), b.stop(), tokens.stop()]);
});

/** Adds an SBOM artifact whose subject is `subject` to the layout (as oras or cosign store them). */
async function addReferrer(
  dir: string,
  subject: string,
  subjectSize: number,
): Promise<{ digest: string; size: number }> {
  const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = sha256Digest(bytes);
    await writeFile(join(dir, 'blobs/sha256', digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const empty = await blob(Buffer.from('{}'));
  const content = await blob(Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'copy' })));
  const artifact = await blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/spdx+json', ...content }],
        subject: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: subject,
          size: subjectSize,
        },
      }),
    ),
  );
  const indexPath = join(dir, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: unknown[] };
  index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...artifact });
  await writeFile(indexPath, JSON.stringify(index));
  return artifact;
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

function copy(source: string, destinations: string[], extra: Partial<PushOptions> = {}): Promise<PushResult> {
  return push({
    source,
    destinations,
    dockerConfig: false,
    concurrency: 4,
    logger: silentLogger,
    ...extra,
  });
}

function collecting(lines: string[]): Logger {
  return { ...silentLogger, info: (line) => lines.push(line), warning: (line) => lines.push(line) };
}

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
    const artifact = await inspectRaw(`${b.host}/dst/app@${sbom.digest}`, B_CREDS);
    assert.equal(sha256Digest(artifact), sbom.digest);
    const subject = sample.images[0]!.manifestDigest;
    const listing = JSON.parse(
      (await inspectRaw(`${b.host}/dst/app:sha256-${subject.slice(7)}`, B_CREDS)).toString(),
    ) as { manifests: { digest: string }[] };
    assert.deepEqual(
      listing.manifests.map((m) => m.digest),
      [sbom.digest],
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

describe('front ends', () => {
  test('CLI: --source-username with IMAGE_PUSH_SOURCE_PASSWORD copies and prints the kept digest', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        join(root, 'src/cli/index.ts'),
        'push',
        '--quiet',
        '--no-blob-map',
        `docker://${a.host}/src/app:1`,
        `${b.host}/cli/app:1`,
        '--username',
        B_USER.username,
        '--source-username',
        A_USER.username,
      ],
      {
        env: {
          PATH: process.env.PATH,
          DOCKER_CONFIG: join(work, 'no-docker-config'),
          IMAGE_PUSH_PASSWORD: B_USER.password,
          IMAGE_PUSH_SOURCE_PASSWORD: A_USER.password,
        },
      },
    );
    assert.equal(stdout.trim(), sample.indexDigest);
    assert.equal(sha256Digest(await inspectRaw(`${b.host}/cli/app:1`, B_CREDS)), sample.indexDigest);
  });

  test('action: source credentials from the Docker config, or source-username/source-password (masked)', async () => {
    const config = join(work, 'docker-config');
    await mkdir(config, { recursive: true });
    const auth = (user: { username: string; password: string }): string =>
      Buffer.from(`${user.username}:${user.password}`).toString('base64');
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({ auths: { [a.host]: { auth: auth(A_USER) } } }),
    );
    const runAction = async (inputs: Record<string, string>): Promise<string> => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: join(work, `output-${Object.keys(inputs).length}`),
        DOCKER_CONFIG: config,
        INPUT_CACHE: 'false',
      };
      await writeFile(env.GITHUB_OUTPUT!, '');
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
      const { stdout } = await execFileAsync(process.execPath, [join(root, 'src/action/index.ts')], { env });
      const outputs = await readFile(env.GITHUB_OUTPUT!, 'utf8');
      assert.match(outputs, new RegExp(`^digest<<.*\\n${sample.indexDigest}$`, 'm'), stdout);
      return stdout;
    };
    // The Docker config logs in to the source; the destination gets username/password.
    await runAction({
      image: `docker://${a.host}/src/app:1`,
      tags: `${b.host}/action/app:1`,
      username: B_USER.username,
      password: B_USER.password,
    });
    // Explicit source credentials win over the Docker config, and are masked.
    await writeFile(join(config, 'config.json'), '{}');
    const stdout = await runAction({
      image: `docker://${a.host}/src/app:1`,
      tags: `${b.host}/action/app:2`,
      username: B_USER.username,
      password: B_USER.password,
      'source-username': A_USER.username,
      'source-password': A_USER.password,
    });
    assert.ok(stdout.includes(`::add-mask::${A_USER.password}`), 'the source password is masked');
    const tags = await listTags(`${b.host}/action/app`, B_CREDS);
    assert.deepEqual(tags.filter((t) => !t.startsWith('sha256-')).sort(), ['1', '2']);
  });
});

describe('bad input and an unreadable source: one line with the fix', () => {
  test('docker: without // names the right form', async () => {
    await rejectsWithLine(
      copy(`docker:${a.host}/src/app:1`, [`${b.host}/x/app:1`]),
      new RegExp(
        `^image "docker:${a.host}/src/app:1": the registry transport is written docker://REGISTRY/REPOSITORY:TAG\\. write docker://${a.host}/src/app:1$`,
      ),
    );
  });

  test('a malformed docker:// reference says what is wrong with it', async () => {
    await rejectsWithLine(
      copy(`docker://${a.host}/Src/app:1`, [`${b.host}/x/app:1`]),
      /invalid image reference/,
    );
  });

  test('source credentials for a source that is not in a registry are refused', async () => {
    const layout = join(work, 'layout');
    await rejectsWithLine(
      copy(`oci:${layout}`, [`${b.host}/x/app:1`], { sourceCredentials: A_USER }),
      /source credentials were given, but the image "oci:.*" is not in a registry\. they are for a docker:\/\//,
    );
    assert.deepEqual(await listTags(`${b.host}/x/app`, B_CREDS), []);
  });

  test('a tag the source lacks, and a wrong source password, fail with the fix in the line', async () => {
    await rejectsWithLine(
      copy(`docker://${a.host}/src/app:nope`, [`${b.host}/x/app:1`], {
        credentials: B_USER,
        sourceCredentials: A_USER,
      }),
      new RegExp(
        `^docker://${a.host}/src/app:nope: ${a.host} has no manifest nope in src/app\\. check the tag`,
      ),
    );
    await rejectsWithLine(
      copy(`docker://${a.host}/src/app:1`, [`${b.host}/x/app:1`], {
        credentials: B_USER,
        sourceCredentials: { username: A_USER.username, password: 'wrong' },
      }),
      /reading manifest src\/app:1: .*401.*check the username and password/,
    );
    assert.deepEqual(await listTags(`${b.host}/x/app`, B_CREDS), []);
  });
});
