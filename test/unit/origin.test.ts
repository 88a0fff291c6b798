// Which schemes a registry is spoken to in, where plain HTTP may go, and how the scheme is found.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import type { HttpRequest, HttpResponse } from '../../src/registry/transport/http.ts';
import { discoverOrigin, OriginPolicy } from '../../src/registry/transport/origin.ts';

describe('OriginPolicy', () => {
  test('candidates: loopback tries plain HTTP first, a listed insecure registry HTTPS first, others HTTPS only', () => {
    assert.deepEqual(new OriginPolicy('127.0.0.1:5000', []).candidates, [
      'http://127.0.0.1:5000',
      'https://127.0.0.1:5000',
    ]);
    assert.deepEqual(new OriginPolicy('localhost:5000', []).candidates, [
      'http://localhost:5000',
      'https://localhost:5000',
    ]);
    assert.deepEqual(new OriginPolicy('reg.internal:5000', ['reg.internal']).candidates, [
      'https://reg.internal:5000',
      'http://reg.internal:5000',
    ]);
    assert.deepEqual(new OriginPolicy('ghcr.io', []).candidates, ['https://ghcr.io']);
    assert.deepEqual(new OriginPolicy('docker.io', []).candidates, ['https://registry-1.docker.io']);
  });

  test('insecure: only a listed registry', () => {
    assert.equal(new OriginPolicy('reg.internal:5000', ['reg.internal:5000']).insecure, true);
    assert.equal(new OriginPolicy('reg.internal:5000', []).insecure, false);
    assert.equal(new OriginPolicy('127.0.0.1:5000', []).insecure, false, 'loopback is not "insecure"');
    assert.equal(new OriginPolicy('ghcr.io', ['reg.internal']).registry, 'ghcr.io');
  });

  test('plain HTTP is allowed to loopback and listed hosts, whichever registry asks', () => {
    const policy = new OriginPolicy('ghcr.io', ['storage.internal']);
    assert.equal(policy.plainHttpAllowed('127.0.0.1:9000'), true);
    assert.equal(policy.plainHttpAllowed('[::1]:9000'), true);
    assert.equal(policy.plainHttpAllowed('storage.internal:9000'), true);
    assert.equal(policy.plainHttpAllowed('storage.example'), false);
    assert.equal(policy.plainHttpAllowed('ghcr.io'), false);
  });

  test('checkMove: HTTPS anywhere; plain HTTP only where allowed; no other scheme', () => {
    const policy = new OriginPolicy('ghcr.io', ['storage.internal']);
    const from = new URL('https://ghcr.io/v2/a/blobs/uploads/1');
    policy.checkMove('uploading', from, new URL('https://storage.example/b'));
    policy.checkMove('uploading', from, new URL('http://storage.internal/b'));
    policy.checkMove('uploading', from, new URL('http://127.0.0.1:9000/b'));
    assert.throws(
      () => policy.checkMove('uploading', from, new URL('http://storage.example/b')),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(
          err.message,
          'uploading: the client was sent from https://ghcr.io to plain-HTTP http://storage.example; refused, nothing was sent there',
        );
        assert.match(err.hint ?? '', /list storage\.example in insecure-registries/);
        return true;
      },
    );
    assert.throws(
      () => policy.checkMove('uploading', undefined, new URL('http://storage.example/b')),
      /^RegistryError: uploading: the client was sent from ghcr\.io to plain-HTTP/,
    );
    for (const scheme of ['ftp://storage.example/b', 'file:///etc/passwd', 'javascript:alert(1)']) {
      assert.throws(
        () => policy.checkMove('reading', from, new URL(scheme)),
        (err: unknown) => {
          assert.ok(err instanceof RegistryError);
          assert.match(
            err.message,
            /^reading: ghcr\.io sent the client to ".*", which is not an http\(s\) URL$/,
          );
          assert.match(err.hint ?? '', /misconfigured/);
          return true;
        },
      );
    }
  });
});

/** A response with `status` and a body of `text`. */
function answer(url: string, status: number, text = ''): HttpResponse {
  // discoverOrigin reads the start of the body as a stream (never more than a bound).
  const body = Readable.from([Buffer.from(text)]) as unknown as HttpResponse['body'];
  return { status, headers: {}, url, body };
}

describe('discoverOrigin', () => {
  const loopback = new OriginPolicy('127.0.0.1:5000', []);

  test('the first origin that answers in its protocol wins', async () => {
    const asked: string[] = [];
    const found = await discoverOrigin(loopback, (req: HttpRequest) => {
      asked.push(`${req.method} ${req.url}`);
      return Promise.resolve(answer(req.url, 401, 'login'));
    });
    assert.deepEqual(asked, ['GET http://127.0.0.1:5000/v2/']);
    assert.equal(found.origin, 'http://127.0.0.1:5000');
    assert.equal(found.res.status, 401);
    assert.equal(found.text, 'login');
  });

  test('plain HTTP to a TLS port (400 that says HTTPS) moves on to HTTPS', async () => {
    const asked: string[] = [];
    const found = await discoverOrigin(loopback, (req) => {
      asked.push(req.url);
      return Promise.resolve(
        req.url.startsWith('http:')
          ? answer(req.url, 400, 'Client sent an HTTP request to an HTTPS server.')
          : answer(req.url, 200),
      );
    });
    assert.deepEqual(asked, ['http://127.0.0.1:5000/v2/', 'https://127.0.0.1:5000/v2/']);
    assert.equal(found.origin, 'https://127.0.0.1:5000');
  });

  test('a 400 that does not mention HTTPS is the answer', async () => {
    const found = await discoverOrigin(loopback, (req) =>
      Promise.resolve(answer(req.url, 400, 'bad request')),
    );
    assert.equal(found.origin, 'http://127.0.0.1:5000');
    assert.equal(found.res.status, 400);
  });

  for (const code of [
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_PACKET_LENGTH_TOO_LONG',
    'EPROTO',
    'ECONNRESET',
    'UND_ERR_SOCKET',
  ]) {
    test(`${code} (another protocol on the port) moves on to the next origin`, async () => {
      const insecure = new OriginPolicy('reg.internal:5000', ['reg.internal']);
      const found = await discoverOrigin(insecure, (req) => {
        if (req.url.startsWith('https:')) {
          const cause = Object.assign(new Error('tls'), { code });
          return Promise.reject(new RegistryError('connecting: failed', undefined, { cause }));
        }
        return Promise.resolve(answer(req.url, 200));
      });
      assert.equal(found.origin, 'http://reg.internal:5000');
    });
  }

  test('other failures, and any failure of the last origin, are thrown', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await assert.rejects(
      discoverOrigin(loopback, () => Promise.reject(refused)),
      (err) => err === refused,
    );
    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    await assert.rejects(
      discoverOrigin(new OriginPolicy('ghcr.io', []), () => Promise.reject(reset)),
      (err) => err === reset,
    );
    let asked = 0;
    await assert.rejects(
      discoverOrigin(loopback, () => {
        asked++;
        return Promise.reject(reset);
      }),
      (err) => err === reset,
    );
    assert.equal(asked, 2, 'both candidates, then the last error');
    const last = await discoverOrigin(loopback, (req) => Promise.resolve(answer(req.url, 400, 'use HTTPS')));
    assert.equal(last.origin, 'https://127.0.0.1:5000', "the last candidate's 400 is its answer");
  });

  test('a refused connection is thrown at once: only another protocol moves on', async () => {
    let asked = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await assert.rejects(
      discoverOrigin(loopback, () => {
        asked++;
        return Promise.reject(refused);
      }),
      (err) => err === refused,
    );
    assert.equal(asked, 1);
    const bare = new RegistryError('connecting: refused'); // no cause to look into
    await assert.rejects(
      discoverOrigin(loopback, () => Promise.reject(bare)),
      (err) => err === bare,
    );
  });

  test("only a RegistryError's cause is looked into", async () => {
    const tls = Object.assign(new Error('tls'), { code: 'EPROTO' });
    const plain = Object.assign(new Error('refused', { cause: tls }), { code: 'ECONNREFUSED' });
    await assert.rejects(
      discoverOrigin(loopback, () => Promise.reject(plain)),
      (err) => err === plain,
    );
  });

  test('HTTPS first (an insecure registry): its 400 is the answer; a plain-HTTP last candidate answers too', async () => {
    const insecure = new OriginPolicy('reg.internal:5000', ['reg.internal']);
    const first = await discoverOrigin(insecure, (req) =>
      Promise.resolve(answer(req.url, 400, 'HTTPS required')),
    );
    assert.equal(first.origin, 'https://reg.internal:5000');
    const asked: string[] = [];
    const last = await discoverOrigin(insecure, (req) => {
      asked.push(req.url);
      if (req.url.startsWith('https:')) {
        return Promise.reject(
          Object.assign(new Error('wrong version'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
        );
      }
      return Promise.resolve(answer(req.url, 400, 'use https'));
    });
    assert.equal(last.origin, 'http://reg.internal:5000');
    assert.equal(last.res.status, 400);
    assert.deepEqual(asked, ['https://reg.internal:5000/v2/', 'http://reg.internal:5000/v2/']);
  });

  test('only a 400 moves on: a 401 whose body names an https realm is the answer', async () => {
    const found = await discoverOrigin(loopback, (req) =>
      Promise.resolve(answer(req.url, 401, '{"errors":[{"message":"see https://auth.example/token"}]}')),
    );
    assert.equal(found.origin, 'http://127.0.0.1:5000');
  });
});
