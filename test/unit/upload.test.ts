// uploadBlob against a scripted registry: the requests it sends on each path (one PUT, chunks, the fallbacks, the
// resumes) and what it refuses to commit. In process and fast; the real-registry tests (upload-recovery,
// resilience, writer) stay the contract.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, test } from 'node:test';
import { SourceError } from '../../src/errors.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import type { BlobSource } from '../../src/oci/descriptor.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { knownMinimumChunk, uploadBlob } from '../../src/registry/upload.ts';
import { scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import {
  startScripted,
  type RecordedRequest,
  type Reply,
  type ScriptedServer,
  type Step,
} from '../helpers/scripted-server.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const bytes = randomBytes(200 * KiB);
const digest = sha256Digest(bytes);
const UPLOADS = '/v2/app/blobs/uploads/';
const SESSION = '/v2/app/blobs/uploads/session-1';

/** A source for `content` that claims to be `bytes` (so a different `content` is a corrupt source). */
function source(content: Buffer = bytes, descriptor = { digest, size: bytes.length }): BlobSource {
  return {
    descriptor: { mediaType: 'application/octet-stream', ...descriptor },
    available: true,
    open: () => Promise.resolve(Readable.from([content.subarray(0, 70 * KiB), content.subarray(70 * KiB)])),
  };
}

const ANONYMOUS: Step = { method: 'GET', path: '/v2/', reply: { status: 200 } };
const open = (location = SESSION, headers: Record<string, string> = {}): Step => ({
  method: 'POST',
  path: UPLOADS,
  reply: { status: 202, headers: { location, range: '0-0', ...headers } },
});
const isCommit = (path: string): boolean => path === `${SESSION}?digest=${encodeURIComponent(digest)}`;
const commit = (reply: Reply = { status: 201, headers: { 'docker-content-digest': digest } }): Step => ({
  method: 'PUT',
  path: `${SESSION}?digest=${encodeURIComponent(digest)}`,
  reply,
});
/** PATCH steps that take the bytes and say how many the session holds. */
function patches(times: number, held: { bytes: number } = { bytes: 0 }): Step {
  return {
    method: 'PATCH',
    path: SESSION,
    times,
    reply: (req) => {
      held.bytes += req.body.length;
      return { status: 202, headers: { location: SESSION, range: `0-${held.bytes - 1}` } };
    },
  };
}

let registry: ScriptedServer;
let session: ScriptedClient;
const servers: ScriptedServer[] = [];

async function start(steps: Step[], credentials?: { username: string; password: string }): Promise<void> {
  registry = await startScripted(steps);
  servers.push(registry);
  session = scriptedClient(registry.host, credentials ? { credentials } : {});
}

afterEach(async () => {
  await session.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sent = (method: string): RecordedRequest[] => registry.requests.filter((r) => r.method === method);

describe('one PUT', () => {
  test('POST, then the whole blob in one PUT with ?digest=', async () => {
    await start([ANONYMOUS, open(), commit()]);
    const progress: number[] = [];
    await uploadBlob(session.client, 'app', source(), { onProgress: (n) => progress.push(n) });
    registry.done();
    const put = sent('PUT')[0]!;
    assert.deepEqual(put.body, bytes);
    assert.equal(put.headers['content-length'], String(bytes.length));
    assert.equal(put.headers['content-type'], 'application/octet-stream');
    assert.equal(sent('POST')[0]!.headers['content-length'], '0');
    assert.equal(progress.at(-1), bytes.length);
  });

  test('a corrupt source (the registry answers 400 DIGEST_INVALID) is the source error, not the 400', async () => {
    const corrupt = Buffer.from(bytes);
    corrupt[5] = (corrupt[5] ?? 0) ^ 0xff;
    await start([
      ANONYMOUS,
      open(),
      commit({ status: 400, body: { errors: [{ code: 'DIGEST_INVALID', message: 'digest invalid' }] } }),
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(uploadBlob(session.client, 'app', source(corrupt)), (err: unknown) => {
      assert.ok(err instanceof SourceError, String(err));
      assert.match(err.message, new RegExp(`^blob ${digest} in the source does not match its descriptor`));
      assert.equal(err.hint, 'the source is corrupt; export the image again');
      return true;
    });
    registry.done();
  });

  test('a registry that stores another digest than the one sent is an error, not a success', async () => {
    await start([
      ANONYMOUS,
      open(),
      commit({ status: 201, headers: { 'docker-content-digest': sha256Digest(Buffer.from('x')) } }),
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(uploadBlob(session.client, 'app', source()), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.match(err.message, /stored it as sha256:/);
      assert.equal(err.hint, 'the registry or a proxy altered the bytes');
      return true;
    });
    registry.done();
  });

  test('a 413 on the whole blob goes on in chunks that fit, learnt for the registry', async () => {
    const big = randomBytes(3 * MiB);
    const bigDigest = sha256Digest(big);
    const held = { bytes: 0 };
    await start([
      ANONYMOUS,
      open(),
      { method: 'PUT', path: /digest=/, reply: { status: 413, body: 'too large' } },
      { method: 'GET', path: SESSION, reply: { status: 204, headers: { range: '0-0', location: SESSION } } },
      patches(2, held),
      { method: 'PUT', path: `${SESSION}?digest=${encodeURIComponent(bigDigest)}`, reply: { status: 201 } },
    ]);
    await uploadBlob(session.client, 'app', {
      descriptor: { mediaType: 'application/octet-stream', digest: bigDigest, size: big.length },
      available: true,
      open: () => Promise.resolve(Readable.from([big])),
    });
    registry.done();
    assert.deepEqual(
      sent('PATCH').map((r) => r.headers['content-range']),
      [`0-${2 * MiB - 1}`, `${2 * MiB}-${3 * MiB - 1}`],
    );
    assert.equal(session.client.bodyLimit.chunkSize, 2 * MiB);
    assert.ok(session.log.lines.some((l) => /refused \(413\), going on in chunks of 2097152 bytes/.test(l)));
  });
});

describe('chunks', () => {
  test('PATCHes with the spec form of Content-Range, then an empty PUT that commits', async () => {
    await start([ANONYMOUS, open(), patches(4), commit()]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    const ranges = sent('PATCH').map((r) => r.headers['content-range']);
    assert.deepEqual(ranges, ['0-65535', '65536-131071', '131072-196607', '196608-204799']);
    assert.deepEqual(Buffer.concat(sent('PATCH').map((r) => r.body)), bytes);
    const put = sent('PUT')[0]!;
    assert.equal(put.body.length, 0);
    assert.equal(put.headers['content-length'], '0');
  });

  test('a corrupt source is caught before the commit: no PUT, the session is cancelled', async () => {
    const corrupt = Buffer.from(bytes);
    corrupt[bytes.length - 3] = (corrupt[bytes.length - 3] ?? 0) ^ 0xff;
    await start([ANONYMOUS, open(), patches(4), { method: 'DELETE', path: SESSION, reply: { status: 204 } }]);
    await assert.rejects(
      uploadBlob(session.client, 'app', source(corrupt), { chunkSize: 64 * KiB }),
      (err: unknown) => {
        assert.ok(err instanceof SourceError, String(err));
        assert.match(err.message, /does not match its descriptor \(read 204800 bytes hashing to sha256:/);
        assert.equal(err.hint, 'the source is corrupt; export the image again');
        return true;
      },
    );
    registry.done();
    assert.ok(!registry.requests.some((r) => r.method === 'PUT' && isCommit(r.path)), 'never committed');
  });

  test('a source longer than its descriptor is corrupt too', async () => {
    const longer = Buffer.concat([bytes, Buffer.from('tail')]);
    await start([ANONYMOUS, open(), patches(4), { method: 'DELETE', path: SESSION, reply: { status: 204 } }]);
    await assert.rejects(
      uploadBlob(session.client, 'app', source(longer), { chunkSize: 64 * KiB }),
      SourceError,
    );
    registry.done();
  });

  test("the registry's OCI-Chunk-Min-Length raises a smaller chunk size", async () => {
    await start([
      ANONYMOUS,
      open(SESSION, { 'oci-chunk-min-length': String(128 * KiB) }),
      patches(2),
      commit(),
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    assert.deepEqual(
      sent('PATCH').map((r) => r.body.length),
      [128 * KiB, bytes.length - 128 * KiB],
    );
  });

  test('a 503 on a chunk asks where the session stands and resumes from there', async () => {
    const held = { bytes: 0 };
    await start([
      ANONYMOUS,
      open(),
      patches(1, held),
      { method: 'PATCH', path: SESSION, reply: { status: 503, body: 'busy' } },
      {
        method: 'GET',
        path: SESSION,
        reply: () => ({ status: 204, headers: { range: `0-${held.bytes - 1}`, location: SESSION } }),
      },
      patches(3, held),
      commit(),
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    const ranges = sent('PATCH').map((r) => r.headers['content-range']);
    assert.deepEqual(ranges, ['0-65535', '65536-131071', '65536-131071', '131072-196607', '196608-204799']);
    assert.ok(
      session.log.lines.some((l) => /resuming at byte 65536/.test(l)),
      session.log.lines.join('\n'),
    );
  });

  test('a lost session (404 BLOB_UPLOAD_UNKNOWN) starts a new one from the first byte', async () => {
    await start([
      ANONYMOUS,
      open(),
      patches(1),
      {
        method: 'PATCH',
        path: SESSION,
        reply: { status: 404, body: { errors: [{ code: 'BLOB_UPLOAD_UNKNOWN', message: 'unknown' }] } },
      },
      { method: 'HEAD', path: `/v2/app/blobs/${digest}`, reply: { status: 404 } },
      open(),
      patches(4),
      commit(),
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    assert.equal(sent('POST').length, 2);
    assert.equal(sent('PATCH').at(2)?.headers['content-range'], '0-65535');
  });

  test('a registry that refuses PATCH (405) gets the blob whole', async () => {
    await start([
      ANONYMOUS,
      open(),
      { method: 'PATCH', path: SESSION, reply: { status: 405 } },
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
      open(),
      commit(),
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    assert.deepEqual(sent('PUT')[0]!.body, bytes);
  });

  test('a lost answer to the commit: the blob is found present and not sent again', async () => {
    await start([
      ANONYMOUS,
      open(),
      patches(4),
      commit({ status: 500, body: 'lost' }),
      { method: 'GET', path: SESSION, reply: { status: 404 } },
      {
        method: 'HEAD',
        path: `/v2/app/blobs/${digest}`,
        reply: {
          status: 200,
          headers: { 'content-length': String(bytes.length), 'docker-content-digest': digest },
        },
      },
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
  });
});

describe('what the mutation run asked for', () => {
  test('a whole PUT that fails mid-way resumes in chunks from what the session holds', async () => {
    await start([
      ANONYMOUS,
      open(),
      { method: 'PUT', path: /digest=/, reply: { status: 503, body: 'busy' } },
      {
        method: 'GET',
        path: SESSION,
        reply: { status: 204, headers: { range: '0-99999', location: SESSION } },
      },
      patches(1, { bytes: 100_000 }),
      commit(),
    ]);
    const progress: number[] = [];
    await uploadBlob(session.client, 'app', source(), { onProgress: (n) => progress.push(n) });
    registry.done();
    assert.equal(sent('PATCH')[0]!.headers['content-range'], `100000-${bytes.length - 1}`);
    assert.deepEqual(sent('PATCH')[0]!.body, bytes.subarray(100_000));
    assert.ok(progress.includes(100_000), 'progress restarts from what the registry holds');
  });

  test('a session that already holds every byte: the source is still checked, then committed', async () => {
    const corrupt = Buffer.from(bytes);
    corrupt[1] = (corrupt[1] ?? 0) ^ 0xff;
    await start([
      ANONYMOUS,
      open(),
      patches(1),
      { method: 'PATCH', path: SESSION, reply: { status: 503 } },
      {
        method: 'GET',
        path: SESSION,
        reply: { status: 204, headers: { range: `0-${bytes.length - 1}`, location: SESSION } },
      },
      commit(),
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    await session.close();
    await registry.close();
    await start([
      ANONYMOUS,
      open(),
      patches(1),
      { method: 'PATCH', path: SESSION, reply: { status: 503 } },
      {
        method: 'GET',
        path: SESSION,
        reply: { status: 204, headers: { range: `0-${bytes.length - 1}`, location: SESSION } },
      },
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(
      uploadBlob(session.client, 'app', source(corrupt), { chunkSize: 64 * KiB }),
      SourceError,
    );
    registry.done();
  });

  test('bytes past the descriptor in a separate last read are found by draining the source', async () => {
    await start([ANONYMOUS, open(), patches(4), { method: 'DELETE', path: SESSION, reply: { status: 204 } }]);
    const tail: BlobSource = {
      descriptor: { mediaType: 'application/octet-stream', digest, size: bytes.length },
      available: true,
      open: () => Promise.resolve(Readable.from([bytes, Buffer.from('tail')])),
    };
    await assert.rejects(uploadBlob(session.client, 'app', tail, { chunkSize: 64 * KiB }), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.match(err.message, /read 204804 bytes/);
      return true;
    });
    registry.done();
  });

  test("the source's own read error is the error, named as the source's", async () => {
    await start([ANONYMOUS, open(), patches(1), { method: 'DELETE', path: SESSION, reply: { status: 204 } }]);
    const broken: BlobSource = {
      descriptor: { mediaType: 'application/octet-stream', digest, size: bytes.length },
      available: true,
      open: () =>
        Promise.resolve(
          Readable.from(
            (function* () {
              yield bytes.subarray(0, 80 * KiB);
              throw new Error('disk read failed');
            })(),
          ),
        ),
    };
    await assert.rejects(
      uploadBlob(session.client, 'app', broken, { chunkSize: 64 * KiB }),
      (err: unknown) => {
        assert.ok(err instanceof SourceError, String(err));
        assert.equal(err.message, `reading blob ${digest} from the source: disk read failed`);
        assert.ok(err.cause instanceof Error);
        return true;
      },
    );
  });

  test('a source that fails after its last byte: the read error, found before the commit', async () => {
    await start([
      ANONYMOUS,
      open(),
      patches(Infinity),
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    const broken: BlobSource = {
      descriptor: { mediaType: 'application/octet-stream', digest, size: bytes.length },
      available: true,
      open: () =>
        Promise.resolve(
          Readable.from(
            (function* () {
              yield bytes;
              throw new Error('disk read failed at the end');
            })(),
          ),
        ),
    };
    await assert.rejects(
      uploadBlob(session.client, 'app', broken, { chunkSize: 64 * KiB }),
      (err: unknown) => {
        assert.ok(err instanceof SourceError, String(err));
        assert.equal(err.message, `reading blob ${digest} from the source: disk read failed at the end`);
        return true;
      },
    );
    registry.done();
  });

  test('a chunk redirected to another session URL goes on there, and is committed there', async () => {
    const moved = '/v2/app/blobs/uploads/session-2';
    const held = { bytes: 0 };
    await start([
      ANONYMOUS,
      open(),
      patches(1, held),
      { method: 'PATCH', path: SESSION, reply: { status: 307, headers: { location: moved } } },
      {
        method: 'PATCH',
        path: moved,
        times: 3,
        reply: (req) => {
          held.bytes += req.body.length;
          return { status: 202, headers: { location: moved, range: `0-${held.bytes - 1}` } };
        },
      },
      { method: 'PUT', path: `${moved}?digest=${encodeURIComponent(digest)}`, reply: { status: 201 } },
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
  });

  test('a commit answered 307 is followed to the URL given: a blob is never taken as stored before it is', async () => {
    // A bodiless PUT's redirect is followed by the transport itself, to the Location as given (HTTP's rule).
    const moved = `/v2/app/blobs/uploads/session-2?digest=${encodeURIComponent(digest)}`;
    await start([
      ANONYMOUS,
      open(),
      patches(4),
      commit({ status: 307, headers: { location: moved } }),
      { method: 'PUT', path: moved, reply: { status: 201 } },
    ]);
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
  });

  test('more than five redirects of one blob is a loop, and fails', async () => {
    await start([
      ANONYMOUS,
      open(),
      { method: 'PUT', path: /digest=/, times: 6, reply: { status: 307, headers: { location: SESSION } } },
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(uploadBlob(session.client, 'app', source()), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.match(
        err.message,
        /^uploading blob sha256:\w+ to app: 127\.0\.0\.1:\d+ redirected more than 5 times$/,
      );
      assert.equal(
        err.hint,
        'the registry or a proxy redirects in a loop; check the registry address and the proxy configuration',
      );
      return true;
    });
    registry.done();
  });

  test('a whole PUT refused for another reason than the bytes is the registry error', async () => {
    await start([
      ANONYMOUS,
      open(),
      commit({ status: 400, body: { errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'bad session' }] } }),
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(uploadBlob(session.client, 'app', source()), (err: unknown) => {
      assert.ok(err instanceof RegistryError, String(err));
      assert.equal(err.status, 400);
      assert.match(err.message, /BLOB_UPLOAD_INVALID: bad session/);
      return true;
    });
  });
});

describe('tokens and redirects', () => {
  test('a token that lapses mid-upload is renewed and the upload carries on where it was', async () => {
    const auth = await startScripted([
      { method: 'GET', path: /^\/token\?/, reply: { status: 200, body: { token: 'first' } } },
      { method: 'GET', path: /^\/token\?/, reply: { status: 200, body: { token: 'second' } } },
    ]);
    servers.push(auth);
    const challenge = `Bearer realm="${auth.origin}/token",service="test"`;
    const held = { bytes: 0 };
    await start(
      [
        { method: 'GET', path: '/v2/', reply: { status: 401, headers: { 'www-authenticate': challenge } } },
        open(),
        patches(1, held),
        {
          method: 'PATCH',
          path: SESSION,
          reply: { status: 401, headers: { 'www-authenticate': challenge } },
        },
        {
          method: 'GET',
          path: SESSION,
          reply: () => ({ status: 204, headers: { range: `0-${held.bytes - 1}`, location: SESSION } }),
        },
        patches(3, held),
        commit(),
      ],
      { username: 'u', password: 'p' },
    );
    await uploadBlob(session.client, 'app', source(), { chunkSize: 64 * KiB });
    registry.done();
    auth.done();
    const tokens = registry.requests.slice(1).map((r) => r.headers.authorization);
    assert.deepEqual(tokens, [
      'Bearer first',
      'Bearer first',
      'Bearer first',
      'Bearer second',
      'Bearer second',
      'Bearer second',
      'Bearer second',
      'Bearer second',
    ]);
    assert.equal(sent('PATCH').at(2)?.headers['content-range'], '65536-131071');
  });

  test('a PUT redirected to object storage goes there, without the credentials', async () => {
    const storage = await startScripted([
      {
        method: 'PUT',
        path: /^\/bucket\?/,
        reply: { status: 201, headers: { 'docker-content-digest': digest } },
      },
    ]);
    servers.push(storage);
    await start(
      [
        {
          method: 'GET',
          path: '/v2/',
          reply: { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } },
        },
        open(),
        {
          method: 'PUT',
          path: /digest=/,
          reply: { status: 307, headers: { location: `${storage.origin}/bucket?sig=1` } },
        },
      ],
      { username: 'u', password: 'p' },
    );
    await uploadBlob(session.client, 'app', source());
    registry.done();
    storage.done();
    assert.ok(registry.requests.slice(1).every((r) => r.headers.authorization?.startsWith('Basic ')));
    const [stored] = storage.requests;
    assert.ok(stored);
    assert.equal(stored.headers.authorization, undefined);
    assert.deepEqual(stored.body, bytes);
    assert.match(stored.path, new RegExp(`sig=1&digest=${encodeURIComponent(digest)}`));
  });

  test('a redirect to plain HTTP off loopback is refused before anything is sent there', async () => {
    await start([
      ANONYMOUS,
      open(),
      {
        method: 'PUT',
        path: /digest=/,
        reply: { status: 307, headers: { location: 'http://storage.example/b' } },
      },
      { method: 'DELETE', path: SESSION, reply: { status: 204 } },
    ]);
    await assert.rejects(uploadBlob(session.client, 'app', source()), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.match(err.message, /to plain-HTTP http:\/\/storage\.example; refused, nothing was sent there/);
      return true;
    });
    registry.done();
  });
});

test('ECR wants chunks of 5 MiB and says so nowhere', () => {
  assert.equal(knownMinimumChunk('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), 5 * MiB);
  assert.equal(knownMinimumChunk('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com.cn:443'), 5 * MiB);
  assert.equal(knownMinimumChunk('registry.example'), 0);
});
