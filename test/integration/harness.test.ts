// The test harness itself: a real registry process, its access log, and skopeo as the independent client.
import assert from 'node:assert/strict';
import { access, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import {
  copyToOciLayout,
  inspectRaw,
  listTags,
  ociLayoutBlobDigests,
  skopeoCopy,
  skopeoVersion,
} from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const USER = 'harness-user';
const PASSWORD = 'harness-secret';

let work: string;
let layoutDir: string;
let image: SampleImage;
let manifestBytes: Buffer;
const registries: TestRegistry[] = [];

async function registry(options?: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const started = await startRegistry(options);
  registries.push(started);
  return started;
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd']);
  work = await makeTempDir('harness-test-');
  layoutDir = join(work, 'layout');
  image = await writeOciLayout(layoutDir, { layers: [{ size: 1 << 20 }, { size: 64 << 10 }], seed: 11 });
  manifestBytes = await readFile(
    join(layoutDir, 'blobs/sha256', image.manifestDigest.slice('sha256:'.length)),
  );
});

after(async () => {
  await Promise.all(registries.map((r) => r.stop()));
  await rm(work, { recursive: true, force: true });
});

describe('an open registry', () => {
  let open: TestRegistry;
  before(async () => {
    open = await registry();
  });

  test('starts on loopback with an empty request log', async () => {
    assert.match(open.host, /^127\.0\.0\.1:\d+$/);
    assert.equal(open.url, `http://${open.host}`);
    assert.deepEqual(await open.requests(), []);
    assert.match(await skopeoVersion(), /^skopeo version \d+\.\d+/);
  });

  test('skopeo pushes a sample layout; the registry serves the exact manifest bytes', async () => {
    await skopeoCopy(`oci:${layoutDir}:latest`, `docker://${open.host}/sample:1`, [
      '--dest-tls-verify=false',
    ]);
    assert.deepEqual(await inspectRaw(`${open.host}/sample:1`), manifestBytes);
    assert.deepEqual(await inspectRaw(`${open.host}/sample@${image.manifestDigest}`), manifestBytes);
  });

  test('requests() lists what the registry served, in order, and clearRequests() forgets it', async () => {
    const requests = await open.requests();
    const manifestPuts = requests.filter((r) => r.method === 'PUT' && r.path === '/v2/sample/manifests/1');
    assert.deepEqual(manifestPuts, [{ method: 'PUT', path: '/v2/sample/manifests/1', status: 201 }]);
    const blobPuts = requests.filter(
      (r) => r.method === 'PUT' && r.path.startsWith('/v2/sample/blobs/uploads/'),
    );
    assert.equal(blobPuts.length, image.layers.length + 1);
    assert.ok(blobPuts.every((r) => r.status === 201));
    // Blobs before the manifest that needs them.
    const lastBlob = requests.lastIndexOf(blobPuts.at(-1)!);
    assert.ok(lastBlob < requests.indexOf(manifestPuts[0]!));
    // The inspections of the previous test: GETs of the manifest by tag and by digest.
    assert.ok(
      requests.some((r) => r.method === 'GET' && r.path === `/v2/sample/manifests/${image.manifestDigest}`),
    );

    await open.clearRequests();
    assert.deepEqual(await open.requests(), []);

    // Every request is logged, also those outside the API, right after the client sees the answer.
    const res = await fetch(`${open.url}/not-the-api`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    const blob = await fetch(`${open.url}/v2/sample/blobs/${image.layers[0]!.digest}`, { method: 'HEAD' });
    assert.equal(blob.status, 200);
    assert.deepEqual(await open.requests(), [
      { method: 'GET', path: '/not-the-api', status: 404 },
      { method: 'HEAD', path: `/v2/sample/blobs/${image.layers[0]!.digest}`, status: 200 },
    ]);
  });

  test('listTags() and copyToOciLayout() read the push back', async () => {
    assert.deepEqual(await listTags(`${open.host}/sample`), ['1']);
    assert.deepEqual(await listTags(`${open.host}/never-pushed`), []);
    const copy = join(work, 'copy');
    await copyToOciLayout(`${open.host}/sample:1`, copy);
    assert.deepEqual(await ociLayoutBlobDigests(copy), await ociLayoutBlobDigests(layoutDir));
  });
});

describe('a registry with htpasswd', () => {
  let locked: TestRegistry;
  before(async () => {
    locked = await registry({ htpasswd: { username: USER, password: PASSWORD } });
  });

  test('refuses anonymous requests with a Basic challenge', async () => {
    const res = await fetch(`${locked.url}/v2/`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    await res.arrayBuffer();
    const ok = await fetch(`${locked.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    });
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    assert.deepEqual(
      (await locked.requests()).map((r) => `${r.method} ${r.path} ${r.status}`),
      ['GET /v2/ 401', 'GET /v2/ 200'],
    );
  });

  test('skopeo needs the credentials, and works with them', async () => {
    await assert.rejects(
      skopeoCopy(`oci:${layoutDir}:latest`, `docker://${locked.host}/private/sample:1`, [
        '--dest-tls-verify=false',
      ]),
      /unauthorized|authentication required/i,
    );
    await skopeoCopy(`oci:${layoutDir}:latest`, `docker://${locked.host}/private/sample:1`, [
      '--dest-tls-verify=false',
      `--dest-creds=${USER}:${PASSWORD}`,
    ]);
    await assert.rejects(
      inspectRaw(`${locked.host}/private/sample:1`),
      /unauthorized|authentication required/i,
    );
    const creds = `${USER}:${PASSWORD}`;
    assert.deepEqual(await inspectRaw(`${locked.host}/private/sample:1`, creds), manifestBytes);
    assert.deepEqual(await listTags(`${locked.host}/private/sample`, creds), ['1']);
    const copy = join(work, 'copy-private');
    await copyToOciLayout(`${locked.host}/private/sample:1`, copy, { creds });
    assert.deepEqual(await ociLayoutBlobDigests(copy), await ociLayoutBlobDigests(layoutDir));
  });
});

describe('stop()', () => {
  test('kills the process, frees the port and removes the temp dir', async () => {
    const doomed = await registry();
    const port = Number(doomed.host.split(':')[1]);
    assert.equal(await listenable(port), false);
    assert.ok(alive(doomed.pid));

    await doomed.stop();
    assert.equal(alive(doomed.pid), false);
    assert.equal(await listenable(port), true);
    await assert.rejects(access(doomed.dir));
    await assert.rejects(fetch(`${doomed.url}/v2/`));
    await doomed.stop(); // a second stop() is harmless
  });
});
