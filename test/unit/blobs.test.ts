// Blob reads and checks against a scripted registry: HEAD (403 is absent, a wrong digest is absent), mounts
// (201, a 202 session cancelled, no access), and reads that check every byte and resume a cut download.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import {
  blobExists,
  blobSize,
  mountBlob,
  openBlob,
  readBlob,
  readSmallBlob,
} from '../../src/registry/blobs.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import { startScripted, type ScriptedServer, type Step } from '../helpers/scripted-server.ts';

const bytes = randomBytes(64 * 1024);
const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
const BLOB = `/v2/app/blobs/${blob.digest}`;
const ANONYMOUS: Step = { method: 'GET', path: '/v2/', reply: { status: 200 } };

let registry: ScriptedServer | undefined;
let session: ScriptedClient | undefined;
let raw: Server | undefined;

async function start(steps: Step[]): Promise<ScriptedClient> {
  registry = await startScripted([ANONYMOUS, ...steps]);
  session = scriptedClient(registry.host);
  return session;
}

afterEach(async () => {
  await session?.close();
  await registry?.close();
  raw?.closeAllConnections();
  await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
  [registry, session, raw] = [undefined, undefined, undefined];
});

describe('HEAD', () => {
  test('present with the size and digest named; 403 and 404 are absent; another digest or size is absent', async () => {
    const headers = { 'content-length': String(bytes.length), 'docker-content-digest': blob.digest };
    const { client } = await start([
      { method: 'HEAD', path: BLOB, reply: { status: 200, headers } },
      { method: 'HEAD', path: BLOB, reply: { status: 403 } },
      { method: 'HEAD', path: BLOB, reply: { status: 404 } },
      {
        method: 'HEAD',
        path: BLOB,
        reply: {
          status: 200,
          headers: { ...headers, 'docker-content-digest': sha256Digest(Buffer.from('x')) },
        },
      },
      { method: 'HEAD', path: BLOB, reply: { status: 200, headers: { ...headers, 'content-length': '5' } } },
      {
        method: 'HEAD',
        path: BLOB,
        reply: { status: 200, headers: { 'content-length': String(bytes.length) } },
      },
    ]);
    assert.equal(await blobExists(client, 'app', blob), true);
    assert.equal(await blobExists(client, 'app', blob), false, '403');
    assert.equal(await blobSize(client, 'app', blob.digest), undefined, '404');
    assert.equal(await blobExists(client, 'app', blob), false, 'another digest');
    assert.equal(await blobSize(client, 'app', blob.digest), 5);
    assert.equal(await blobExists(client, 'app', blob), true, 'no digest header: the size decides');
    registry!.done();
  });

  test('a 500 is an error, not "absent"', async () => {
    const { client } = await start([{ method: 'HEAD', path: BLOB, reply: { status: 400 } }]);
    await assert.rejects(blobExists(client, 'app', blob), /checking blob sha256:.* answered 400/);
  });
});

describe('mount', () => {
  const MOUNT = `/v2/app/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=base`;

  test('201 mounted; the token asks for pull on the source', async () => {
    const auth = await startScripted([
      { method: 'GET', path: /^\/token\?/, reply: { status: 200, body: { token: 't' } } },
    ]);
    try {
      registry = await startScripted([
        {
          method: 'GET',
          path: '/v2/',
          reply: { status: 401, headers: { 'www-authenticate': `Bearer realm="${auth.origin}/token"` } },
        },
        {
          method: 'POST',
          path: MOUNT,
          reply: { status: 201, headers: { 'docker-content-digest': blob.digest } },
        },
      ]);
      session = scriptedClient(registry.host, { credentials: { username: 'u', password: 'p' } });
      assert.equal(await mountBlob(session.client, 'app', blob, 'base'), true);
      registry.done();
      const scopes = new URL(auth.requests[0]!.path, 'http://x').searchParams.getAll('scope');
      assert.deepEqual(scopes, ['repository:app:pull,push', 'repository:base:pull']);
    } finally {
      await auth.close();
    }
  });

  test('a 201 naming another digest is no mount', async () => {
    const { client } = await start([
      {
        method: 'POST',
        path: MOUNT,
        reply: { status: 201, headers: { 'docker-content-digest': sha256Digest(Buffer.from('y')) } },
      },
    ]);
    assert.equal(await mountBlob(client, 'app', blob, 'base'), false);
  });

  test('a 202 (an upload session instead) is cancelled and is no mount', async () => {
    const { client } = await start([
      {
        method: 'POST',
        path: MOUNT,
        reply: { status: 202, headers: { location: '/v2/app/blobs/uploads/s1' } },
      },
      { method: 'DELETE', path: '/v2/app/blobs/uploads/s1', reply: { status: 204 } },
    ]);
    assert.equal(await mountBlob(client, 'app', blob, 'base'), false);
    registry!.done();
  });

  for (const status of [401, 403, 404]) {
    test(`${status} (no access to the source) is no mount, not an error`, async () => {
      // A 401 is answered twice: the client asks again with a fresh token once.
      const { client } = await start([
        { method: 'POST', path: MOUNT, reply: { status }, times: status === 401 ? 2 : 1 },
      ]);
      assert.equal(await mountBlob(client, 'app', blob, 'base'), false);
    });
  }

  test('other refusals are errors', async () => {
    const { client } = await start([{ method: 'POST', path: MOUNT, reply: { status: 400 } }]);
    await assert.rejects(
      mountBlob(client, 'app', blob, 'base'),
      (err) => err instanceof RegistryError && err.status === 400,
    );
  });
});

describe('reads', () => {
  test('readBlob hands on the bytes once they match; another content is refused at its end', async () => {
    const { client } = await start([
      { method: 'GET', path: BLOB, reply: { status: 200, body: bytes } },
      { method: 'GET', path: BLOB, reply: { status: 200, body: Buffer.from(bytes).fill(1, 0, 1) } },
      {
        method: 'GET',
        path: BLOB,
        reply: { status: 200, body: Buffer.concat([bytes, Buffer.from('more')]) },
      },
    ]);
    assert.deepEqual(await buffer(readBlob(client, 'app', blob)), bytes);
    await assert.rejects(buffer(readBlob(client, 'app', blob)), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.match(
        err.message,
        new RegExp(`sent ${bytes.length} bytes hashing to sha256:[0-9a-f]{64}, not ${blob.digest}`),
      );
      assert.match(err.hint ?? '', /corrupt content, or a proxy altered it/);
      return true;
    });
    await assert.rejects(buffer(readBlob(client, 'app', blob)), /sent more than \d+ bytes hashing/);
  });

  test('without verify, only the size is held to', async () => {
    const { client } = await start([
      { method: 'GET', path: BLOB, reply: { status: 200, body: Buffer.from(bytes).fill(1, 0, 1) } },
      {
        method: 'GET',
        path: BLOB,
        reply: { status: 200, body: Buffer.concat([bytes, Buffer.from('more')]) },
      },
    ]);
    assert.equal((await buffer(readBlob(client, 'app', blob, { verify: false }))).length, bytes.length);
    await assert.rejects(
      buffer(readBlob(client, 'app', blob, { verify: false })),
      /sent more than the \d+ bytes of/,
    );
  });

  test('a download cut in the middle resumes with Range from the bytes handed on', async () => {
    const half = 40 * 1024;
    const ranges: (string | undefined)[] = [];
    let calls = 0;
    raw = createServer((req, res) => {
      if (req.url === '/v2/') return res.end();
      ranges.push(req.headers.range);
      calls++;
      if (calls === 1) {
        // The whole length announced, half sent, then the connection dies.
        res.writeHead(200, { 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, half), () => res.destroy());
      } else if (calls === 2) {
        res.writeHead(206, { 'content-range': `bytes ${half}-${bytes.length - 1}/${bytes.length}` });
        res.end(bytes.subarray(half));
      }
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    session = scriptedClient(`127.0.0.1:${(raw.address() as AddressInfo).port}`);
    const resumed: number[] = [];
    const read = await buffer(
      readBlob(session.client, 'app', blob, { onResume: (offset) => resumed.push(offset) }),
    );
    assert.deepEqual(read, bytes);
    assert.deepEqual(ranges, [undefined, `bytes=${half}-`]);
    assert.deepEqual(resumed, [half]);
  });

  test('a registry that ignores Range sends it all again: the known part is skipped', async () => {
    const half = 40 * 1024;
    let calls = 0;
    raw = createServer((req, res) => {
      if (req.url === '/v2/') return res.end();
      calls++;
      res.writeHead(200, { 'content-length': String(bytes.length) });
      if (calls === 1) res.write(bytes.subarray(0, half), () => res.destroy());
      else res.end(bytes);
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    session = scriptedClient(`127.0.0.1:${(raw.address() as AddressInfo).port}`);
    assert.deepEqual(await buffer(readBlob(session.client, 'app', blob)), bytes);
    assert.equal(calls, 2);
  });

  test('a 206 that starts later than asked is an error (bytes between would be missing)', async () => {
    const half = 40 * 1024;
    let calls = 0;
    raw = createServer((req, res) => {
      if (req.url === '/v2/') return res.end();
      calls++;
      if (calls === 1) {
        res.writeHead(200, { 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, half), () => res.destroy());
      } else {
        const later = half + 1024;
        res.writeHead(206, { 'content-range': `bytes ${later}-${bytes.length - 1}/${bytes.length}` });
        res.end(bytes.subarray(later));
      }
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    session = scriptedClient(`127.0.0.1:${(raw.address() as AddressInfo).port}`);
    await assert.rejects(
      buffer(readBlob(session.client, 'app', blob)),
      /asked for bytes from 40960 on, .* sent the range "bytes 41984-/,
    );
  });

  test('readSmallBlob: the bytes when they match; nothing when absent, too large, or another content', async () => {
    const { client } = await start([
      { method: 'GET', path: BLOB, reply: { status: 200, body: bytes } },
      { method: 'GET', path: BLOB, reply: { status: 404 } },
      { method: 'GET', path: BLOB, reply: { status: 200, body: bytes } },
      { method: 'GET', path: BLOB, reply: { status: 200, body: Buffer.from('other') } },
      { method: 'GET', path: BLOB, reply: { status: 404 } },
    ]);
    assert.deepEqual(await readSmallBlob(client, 'app', blob, 1 << 20), bytes);
    assert.equal(await readSmallBlob(client, 'app', blob, 1 << 20), undefined, 'absent');
    assert.equal(await readSmallBlob(client, 'app', blob, 1000), undefined, 'larger than allowed: not asked');
    assert.equal(
      await readSmallBlob(client, 'app', { ...blob, size: 10 }, 1000),
      undefined,
      'sent more than allowed',
    );
    assert.equal(await readSmallBlob(client, 'app', blob, 1 << 20), undefined, 'another content');
    assert.equal(await openBlob(client, 'app', blob.digest), undefined, 'absent');
    registry!.done();
  });
});
