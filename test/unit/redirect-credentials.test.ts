// Credentials never follow a redirect to another origin (object storage, a hostile server), for every kind of
// request the client sends: a GET and a HEAD of manifests and blobs, the token request, and requests with a body
// (which are not followed at all). A same-origin redirect keeps them. Two loopback servers on two ports are two
// origins; each records the headers it received.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import { OCI_MANIFEST } from '../../src/oci/media-types.ts';
import { blobExists, readBlob, readSmallBlob } from '../../src/registry/blobs.ts';
import { getManifest, manifestExists, putManifest } from '../../src/registry/manifests.ts';
import { basic, scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import { startScripted, type ScriptedServer, type Step } from '../helpers/scripted-server.ts';
import { buffer } from 'node:stream/consumers';

const CREDENTIALS = { username: 'pusher', password: 'pa55-not-for-storage' };
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }));
const manifestDigest = sha256Digest(manifest);
const blob = Buffer.from('blob bytes that live in object storage');
const blobDescriptor = {
  mediaType: 'application/octet-stream',
  digest: sha256Digest(blob),
  size: blob.length,
};

let registry: ScriptedServer;
let storage: ScriptedServer;
let session: ScriptedClient;
const servers: ScriptedServer[] = [];

/** The registry asks for Basic credentials at `GET /v2/`. */
const BASIC_PING: Step = {
  method: 'GET',
  path: '/v2/',
  reply: { status: 401, headers: { 'www-authenticate': 'Basic realm="registry"' } },
};

/** A 307 from the registry to the same path on `to`. */
const redirectTo = (to: () => ScriptedServer) => (req: { path: string }) => ({
  status: 307,
  headers: { location: `${to().origin}${req.path}` },
});

beforeEach(async () => {
  registry = await startScripted([]);
  storage = await startScripted([]);
  servers.push(registry, storage);
  session = scriptedClient(registry.host, { credentials: CREDENTIALS });
});

afterEach(async () => {
  await session.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Every request the registry got carried the credentials; none that reached storage did. */
function assertCredentialsStayed(): void {
  const afterPing = registry.requests.slice(1);
  assert.ok(afterPing.length > 0, 'the registry was asked');
  for (const req of afterPing) assert.equal(req.headers.authorization, basic(CREDENTIALS), req.path);
  assert.ok(storage.requests.length > 0, 'the redirect was followed');
  for (const req of storage.requests) {
    assert.equal(
      req.headers.authorization,
      undefined,
      `${req.method} ${req.path} reached storage with credentials`,
    );
  }
}

describe('a redirect to another origin drops Authorization', () => {
  test('GET of a manifest', async () => {
    const path = `/v2/app/manifests/${manifestDigest}`;
    registry.add(BASIC_PING, { method: 'GET', path, reply: redirectTo(() => storage) });
    storage.add({
      method: 'GET',
      path,
      reply: { status: 200, headers: { 'content-type': OCI_MANIFEST }, body: manifest },
    });
    const fetched = await getManifest(session.client, 'app', manifestDigest);
    assert.equal(fetched?.descriptor.digest, manifestDigest);
    registry.done();
    storage.done();
    assertCredentialsStayed();
  });

  test('HEAD of a manifest', async () => {
    const path = `/v2/app/manifests/${manifestDigest}`;
    registry.add(BASIC_PING, { method: 'HEAD', path, reply: redirectTo(() => storage) });
    storage.add({
      method: 'HEAD',
      path,
      reply: { status: 200, headers: { 'docker-content-digest': manifestDigest } },
    });
    const descriptor = { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length };
    assert.equal(await manifestExists(session.client, 'app', descriptor), true);
    registry.done();
    storage.done();
    assertCredentialsStayed();
  });

  test('GET of a blob (streamed, and read whole)', async () => {
    const path = `/v2/app/blobs/${blobDescriptor.digest}`;
    registry.add(BASIC_PING, { method: 'GET', path, reply: redirectTo(() => storage), times: 2 });
    storage.add({ method: 'GET', path, reply: { status: 200, body: blob }, times: 2 });
    assert.deepEqual(await buffer(readBlob(session.client, 'app', blobDescriptor)), blob);
    assert.deepEqual(await readSmallBlob(session.client, 'app', blobDescriptor, 1 << 20), blob);
    registry.done();
    storage.done();
    assertCredentialsStayed();
  });

  test('HEAD of a blob', async () => {
    const path = `/v2/app/blobs/${blobDescriptor.digest}`;
    registry.add(BASIC_PING, { method: 'HEAD', path, reply: redirectTo(() => storage) });
    storage.add({
      method: 'HEAD',
      path,
      reply: { status: 200, headers: { 'content-length': String(blob.length) } },
    });
    assert.equal(await blobExists(session.client, 'app', blobDescriptor), true);
    registry.done();
    storage.done();
    assertCredentialsStayed();
  });

  test('the token request, which carries the credentials to the realm', async () => {
    const auth = await startScripted([]);
    servers.push(auth);
    registry.add(
      {
        method: 'GET',
        path: '/v2/',
        reply: {
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="${auth.origin}/token",service="registry"` },
        },
      },
      { method: 'HEAD', path: `/v2/app/blobs/${blobDescriptor.digest}`, reply: { status: 404 } },
    );
    auth.add({ method: 'GET', path: /^\/token\?/, reply: redirectTo(() => storage) });
    storage.add({ method: 'GET', path: /^\/token\?/, reply: { status: 200, body: { token: 'tok-en' } } });
    assert.equal(await blobExists(session.client, 'app', blobDescriptor), false);
    registry.done();
    auth.done();
    storage.done();
    assert.equal(
      auth.requests[0]?.headers.authorization,
      basic(CREDENTIALS),
      'the realm got the credentials',
    );
    assert.equal(storage.requests[0]?.headers.authorization, undefined, 'the other origin did not');
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer tok-en');
  });
});

describe('a redirect that stays on the origin keeps Authorization', () => {
  test('GET of a manifest moved within the registry', async () => {
    const path = `/v2/app/manifests/${manifestDigest}`;
    registry.add(
      BASIC_PING,
      { method: 'GET', path, reply: { status: 307, headers: { location: `/moved${path}` } } },
      { method: 'GET', path: `/moved${path}`, reply: { status: 200, body: manifest } },
    );
    await getManifest(session.client, 'app', manifestDigest);
    registry.done();
    assert.equal(registry.requests[2]?.headers.authorization, basic(CREDENTIALS));
  });

  test('HEAD of a blob moved within the registry (absolute Location)', async () => {
    const path = `/v2/app/blobs/${blobDescriptor.digest}`;
    registry.add(
      BASIC_PING,
      {
        method: 'HEAD',
        path,
        reply: () => ({ status: 308, headers: { location: `${registry.origin}/moved${path}` } }),
      },
      {
        method: 'HEAD',
        path: `/moved${path}`,
        reply: { status: 200, headers: { 'content-length': String(blob.length) } },
      },
    );
    assert.equal(await blobExists(session.client, 'app', blobDescriptor), true);
    registry.done();
    assert.equal(registry.requests[2]?.headers.authorization, basic(CREDENTIALS));
  });
});

describe('a request with a body is not redirected at all', () => {
  test('a manifest PUT answered 307 fails, and the other origin gets nothing', async () => {
    const path = '/v2/app/manifests/v1';
    registry.add(BASIC_PING, { method: 'PUT', path, reply: redirectTo(() => storage) });
    const descriptor = { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length };
    await assert.rejects(putManifest(session.client, 'app', 'v1', descriptor, manifest), /307/);
    registry.done();
    assert.equal(registry.requests[1]?.headers.authorization, basic(CREDENTIALS));
    assert.deepEqual(storage.requests, [], 'nothing was sent to the other origin');
  });

  test('the refresh-token POST answered 307 fails, and the other origin gets nothing', async () => {
    const auth = await startScripted([]);
    servers.push(auth);
    const tokenSession = scriptedClient(registry.host, {
      credentials: { username: '<token>', password: '', identityToken: 'refresh-me' },
      retryPolicy: { retries: 0, maxElapsedMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      registry.add({
        method: 'GET',
        path: '/v2/',
        reply: { status: 401, headers: { 'www-authenticate': `Bearer realm="${auth.origin}/token"` } },
      });
      auth.add({ method: 'POST', path: '/token', reply: redirectTo(() => storage) });
      await assert.rejects(blobExists(tokenSession.client, 'app', blobDescriptor), /307/);
      registry.done();
      auth.done();
      assert.match(auth.requests[0]?.body.toString() ?? '', /refresh_token=refresh-me/);
      assert.deepEqual(storage.requests, [], 'nothing was sent to the other origin');
    } finally {
      await tokenSession.close();
    }
  });
});
