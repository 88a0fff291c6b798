// The upload's recovery paths at unit speed: uploadBlob() alone against the real registry, behind the in-process
// fault proxy. Each row checks the blob the registry stored (its own storage, byte for byte) and the requests the
// proxy saw, so the path taken is the one the row names.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { SourceError } from '../../src/errors.ts';
import type { BlobSource } from '../../src/oci/descriptor.ts';
import { RegistryClient } from '../../src/registry/transport/client.ts';
import { Transport } from '../../src/registry/transport/http.ts';
import { uploadBlob } from '../../src/registry/upload.ts';
import {
  startFaultProxy,
  type FaultOptions,
  type FaultProxy,
  type ProxyRequest,
} from '../helpers/fault-proxy.ts';
import { recordingLogger, type RecordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { ensureTools } from '../helpers/tools.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const USER = { username: 'uploader', password: 'uploader-secret' };

let open: TestRegistry;
let guarded: TestRegistry;
const transport = new Transport();

before(async () => {
  await ensureTools(['docker-registry', 'htpasswd']);
  [open, guarded] = await Promise.all([startRegistry(), startRegistry({ htpasswd: USER })]);
});

after(async () => {
  await transport.close();
  await Promise.all([open.stop(), guarded.stop()]);
});

let seed = 0;
/** A blob of random bytes, read in 64 KiB pieces; `failAt` makes the source fail after that many bytes. */
function blob(size: number, failAt?: number): { source: BlobSource; bytes: Buffer; digest: string } {
  const bytes = randomBytes(size);
  bytes.writeUInt32BE(++seed, 0);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const source: BlobSource = {
    descriptor: { mediaType: 'application/octet-stream', digest, size },
    available: true,
    open: () => {
      const pieces: Buffer[] = [];
      for (let at = 0; at < size; at += 64 * KiB) pieces.push(bytes.subarray(at, at + 64 * KiB));
      if (failAt === undefined) return Promise.resolve(Readable.from(pieces));
      return Promise.resolve(
        Readable.from(
          (function* () {
            let sent = 0;
            for (const piece of pieces) {
              if (sent >= failAt) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
              sent += piece.length;
              yield piece;
            }
          })(),
        ),
      );
    },
  };
  return { source, bytes, digest };
}

function client(proxy: FaultProxy, log: RecordingLogger, credentials?: typeof USER): RegistryClient {
  return new RegistryClient(proxy.host, {
    credentials,
    insecureRegistries: [],
    transport,
    onSecret: () => undefined,
    userAgent: 'upload-recovery-test',
    log,
    retryPolicy: { retries: 5, maxElapsedMs: 30_000, baseDelayMs: 20, maxDelayMs: 100 },
  });
}

/** The blob as the registry stored it, read from its storage. */
async function stored(registry: TestRegistry, digest: string): Promise<Buffer | undefined> {
  const hex = digest.slice('sha256:'.length);
  const file = join(registry.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  return readFile(file).catch(() => undefined);
}

const uploads = (requests: ProxyRequest[], method: string): ProxyRequest[] =>
  requests.filter((r) => r.method === method && r.path.includes('/blobs/uploads/'));

describe('upload recovery', () => {
  const withProxy = async (
    registry: TestRegistry,
    faults: Partial<FaultOptions>,
    fn: (proxy: FaultProxy) => Promise<void>,
  ): Promise<void> => {
    const proxy = await startFaultProxy(registry.url, faults);
    try {
      await fn(proxy);
    } finally {
      await proxy.close();
    }
  };

  test('413 on the whole body: smaller chunks until they pass, and the next blob starts in chunks', async () => {
    await withProxy(open, { maxBodyBytes: 1.5 * MiB }, async (proxy) => {
      const log = recordingLogger();
      const c = client(proxy, log);
      const first = blob(3 * MiB);
      await uploadBlob(c, 'recovery/a', first.source);
      assert.deepEqual(await stored(open, first.digest), first.bytes);
      const refused = proxy.requests().filter((r) => r.status === 413);
      assert.deepEqual(
        refused.map((r) => r.requestBytes > 0 || r.fault === 'too-large'),
        [true, true],
        'the whole body, then 2 MiB chunks, refused',
      );
      assert.equal(c.bodyLimit.chunkSize, 1 * MiB, 'learnt: 1 MiB gets through');
      const taken = uploads(proxy.requests(), 'PATCH').filter((r) => r.status === 202);
      assert.ok(
        taken.length >= 3 && taken.every((r) => r.requestBytes <= 1 * MiB),
        'PATCHes of 1 MiB at most',
      );

      proxy.clearRequests();
      const second = blob(2 * MiB);
      await uploadBlob(c, 'recovery/a', second.source);
      assert.deepEqual(await stored(open, second.digest), second.bytes);
      assert.equal(proxy.requests().filter((r) => r.status === 413).length, 0, 'no second refusal');
      assert.equal(uploads(proxy.requests(), 'PATCH').length, 2, 'two 1 MiB chunks');
    });
  });

  test('307 on the PUT: the blob is sent to the new origin, without the credentials', async () => {
    const storage = await startFaultProxy(guarded.url);
    try {
      await withProxy(
        guarded,
        {
          faultFilter: (r) => (r.method === 'PUT' && r.path.includes('/blobs/uploads/') ? 'redirect' : false),
          redirectTo: storage.url,
        },
        async (proxy) => {
          const c = client(proxy, recordingLogger(), USER);
          const b = blob(600 * KiB);
          // distribution behind `storage` asks for credentials too: the move is seen, the 401 is expected.
          await assert.rejects(uploadBlob(c, 'recovery/b', b.source), /answered 401/);
          const moved = storage.requests().filter((r) => r.method === 'PUT');
          assert.ok(moved.length >= 1, 'the PUT was sent again, to the redirect target');
          for (const put of moved) {
            // The guarded registry may answer 401 before it has read the whole body, so the proxy can count
            // fewer bytes than were sent; that the whole blob lands is the next test's (an open origin).
            assert.ok(
              put.requestBytes > 0 && put.requestBytes <= b.bytes.length,
              `body bytes: ${put.requestBytes}`,
            );
            assert.equal(put.authorization, null, 'and no Authorization header on another origin');
          }
        },
      );
    } finally {
      await storage.close();
    }
  });

  test('307 on the PUT to an open origin: the blob lands there', async () => {
    const storage = await startFaultProxy(open.url);
    try {
      await withProxy(
        open,
        {
          faultFilter: (r) => (r.method === 'PUT' && r.path.includes('/blobs/uploads/') ? 'redirect' : false),
          redirectTo: storage.url,
        },
        async (proxy) => {
          const b = blob(600 * KiB);
          await uploadBlob(client(proxy, recordingLogger()), 'recovery/c', b.source);
          assert.deepEqual(await stored(open, b.digest), b.bytes);
          assert.equal(uploads(proxy.requests(), 'PUT')[0]?.status, 307);
          assert.equal(uploads(storage.requests(), 'PUT')[0]?.status, 201);
        },
      );
    } finally {
      await storage.close();
    }
  });

  test('401 in the middle of a chunked upload: a fresh authorization, and the upload carries on', async () => {
    let patches = 0;
    await withProxy(
      guarded,
      {
        statuses: [401],
        faultFilter: (r) => (r.method === 'PATCH' && ++patches === 2 ? 'status' : false),
      },
      async (proxy) => {
        const b = blob(2 * MiB);
        await uploadBlob(client(proxy, recordingLogger(), USER), 'recovery/d', b.source, {
          chunkSize: 512 * KiB,
        });
        assert.deepEqual(await stored(guarded, b.digest), b.bytes);
        const patchStatuses = uploads(proxy.requests(), 'PATCH').map((r) => r.status);
        assert.ok(patchStatuses.includes(401), 'a PATCH was answered 401');
        assert.equal(uploads(proxy.requests(), 'POST').length, 1, 'the same session carried on');
      },
    );
  });

  test('the answer to the PUT is lost: a HEAD finds the blob, nothing is sent twice', async () => {
    await withProxy(
      open,
      {
        stallMs: 0,
        stallThen: 'reset',
        faultFilter: (r) => (r.method === 'PUT' && r.path.includes('/blobs/uploads/') ? 'stall' : false),
      },
      async (proxy) => {
        const b = blob(1 * MiB);
        await uploadBlob(client(proxy, recordingLogger()), 'recovery/e', b.source);
        assert.deepEqual(await stored(open, b.digest), b.bytes);
        assert.equal(uploads(proxy.requests(), 'PUT').length, 1, 'one PUT');
        assert.ok(
          proxy.requests().some((r) => r.method === 'HEAD' && r.status === 200),
          'a HEAD saw the blob',
        );
      },
    );
  });

  test('the source fails mid-upload: a SourceError, and the session is cancelled', async () => {
    await withProxy(open, {}, async (proxy) => {
      const b = blob(2 * MiB, 1 * MiB);
      await assert.rejects(
        uploadBlob(client(proxy, recordingLogger()), 'recovery/f', b.source, { chunkSize: 512 * KiB }),
        (err: unknown) => err instanceof SourceError && /EIO/.test(err.message),
      );
      const cancelled = uploads(proxy.requests(), 'DELETE');
      assert.equal(cancelled.length, 1, 'one DELETE');
      assert.equal(cancelled[0]?.status, 204, 'the registry dropped the session');
      assert.equal(await stored(open, b.digest), undefined, 'no blob');
    });
  });

  test('a pause longer than retry-timeout between requests (local work, as compressing) is not a stall', async () => {
    await withProxy(open, {}, async (proxy) => {
      const c = new RegistryClient(proxy.host, {
        credentials: undefined,
        insecureRegistries: [],
        transport,
        onSecret: () => undefined,
        userAgent: 'upload-recovery-test',
        log: recordingLogger(),
        retryPolicy: { retries: 2, maxElapsedMs: 300, baseDelayMs: 20, maxDelayMs: 100 },
      });
      const first = blob(64 * KiB);
      await uploadBlob(c, 'recovery/g', first.source);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const second = blob(64 * KiB);
      await uploadBlob(c, 'recovery/g', second.source);
      assert.deepEqual(await stored(open, second.digest), second.bytes);
    });
  });
});
