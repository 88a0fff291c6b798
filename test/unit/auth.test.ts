// How the client authenticates, against scripted registries and token services: anonymous, Basic, Bearer
// tokens (fetched once per scope set, renewed before they lapse and after a 401), the refresh-token form, and
// every way a challenge or a token service can be wrong. Where credentials go is checked on every request.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import { blobExists } from '../../src/registry/blobs.ts';
import { pushScope } from '../../src/registry/transport/client.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { basic, scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import {
  startScripted,
  type RecordedRequest,
  type ScriptedServer,
  type Step,
} from '../helpers/scripted-server.ts';

const CREDENTIALS = { username: 'pusher', password: 's3cret' };
const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(Buffer.from('b')), size: 1 };
const HEAD: Step = { method: 'HEAD', path: `/v2/app/blobs/${blob.digest}`, reply: { status: 404 } };
const servers: ScriptedServer[] = [];
const clients: ScriptedClient[] = [];

async function server(steps: Step[] = []): Promise<ScriptedServer> {
  const s = await startScripted(steps);
  servers.push(s);
  return s;
}

function client(
  registry: ScriptedServer,
  credentials?: typeof CREDENTIALS & { identityToken?: string },
): ScriptedClient {
  const c = scriptedClient(registry.host, {
    ...(credentials ? { credentials } : {}),
    retryPolicy: { retries: 1, maxElapsedMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 },
  });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const bearer = (realm: string, extra = ''): Step => ({
  method: 'GET',
  path: '/v2/',
  reply: { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}"${extra}` } },
});
const token = (value: string, extra: object = {}): Step => ({
  method: 'GET',
  path: /^\/token\?/,
  reply: { status: 200, body: { token: value, ...extra } },
});
const query = (req: RecordedRequest | undefined): URLSearchParams =>
  new URL(req?.path ?? '/', 'http://x').searchParams;

describe('schemes', () => {
  test('anonymous: a registry that answers 200 to GET /v2/ gets no Authorization', async () => {
    const registry = await server([{ method: 'GET', path: '/v2/', reply: { status: 200 } }, HEAD]);
    const c = client(registry, CREDENTIALS);
    assert.equal(await blobExists(c.client, 'app', blob), false);
    registry.done();
    assert.equal(registry.requests[1]?.headers.authorization, undefined);
    assert.deepEqual(c.secrets, []);
  });

  test('Basic: the credentials on every request, and masked', async () => {
    const registry = await server([
      {
        method: 'GET',
        path: '/v2/',
        reply: { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } },
      },
      { ...HEAD, times: 2 },
    ]);
    const c = client(registry, CREDENTIALS);
    await blobExists(c.client, 'app', blob);
    await blobExists(c.client, 'app', blob);
    registry.done();
    assert.equal(registry.requests.length, 3, 'GET /v2/ once');
    assert.ok(registry.requests.slice(1).every((r) => r.headers.authorization === basic(CREDENTIALS)));
    assert.ok(c.secrets.includes(basic(CREDENTIALS).slice('Basic '.length)));
  });

  test('Bearer is preferred when both are offered', async () => {
    const auth = await server([token('tok')]);
    const registry = await server([
      {
        method: 'GET',
        path: '/v2/',
        reply: {
          status: 401,
          headers: {
            'www-authenticate': [
              'Basic realm="r"',
              `Bearer realm="${auth.origin}/token"`,
            ] as unknown as string,
          },
        },
      },
      HEAD,
    ]);
    const c = client(registry, CREDENTIALS);
    await blobExists(c.client, 'app', blob);
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer tok');
  });

  test('a 401 without a challenge this client speaks is an error that says so', async () => {
    const registry = await server([
      { method: 'GET', path: '/v2/', reply: { status: 401, headers: { 'www-authenticate': 'Negotiate' } } },
    ]);
    await assert.rejects(blobExists(client(registry, CREDENTIALS).client, 'app', blob), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.match(
        err.message,
        /^connecting: 127\.0\.0\.1:\d+ answered 401 without a Basic or Bearer challenge$/,
      );
      assert.match(err.hint ?? '', /scheme image-push does not speak/);
      assert.equal(err.status, 401);
      return true;
    });
  });

  test('GET /v2/ answering 404 is not a registry', async () => {
    const registry = await server([{ method: 'GET', path: '/v2/', reply: { status: 404 } }]);
    await assert.rejects(blobExists(client(registry).client, 'app', blob), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.message, `connecting: ${registry.origin}/v2/ answered 404`);
      assert.match(err.hint ?? '', /does not look like an OCI registry; check the host name/);
      assert.equal(err.status, 404);
      return true;
    });
  });

  test('GET /v2/ answering 503 is retried, then fails; a 403 is not retried', async () => {
    const busy = await server([
      { method: 'GET', path: '/v2/', reply: { status: 503 } },
      { method: 'GET', path: '/v2/', reply: { status: 200 } },
      HEAD,
    ]);
    await blobExists(client(busy).client, 'app', blob);
    busy.done();
    const down = await server([{ method: 'GET', path: '/v2/', reply: { status: 503 }, times: 2 }]);
    await assert.rejects(
      blobExists(client(down).client, 'app', blob),
      /^RegistryError: connecting: .* answered 503/,
    );
    down.done();
    const forbidden = await server([{ method: 'GET', path: '/v2/', reply: { status: 403 } }]);
    await assert.rejects(blobExists(client(forbidden).client, 'app', blob), /answered 403/);
    forbidden.done();
    const limited = await server([
      { method: 'GET', path: '/v2/', reply: { status: 429, headers: { 'retry-after': '0' } } },
      { method: 'GET', path: '/v2/', reply: { status: 200 } },
      HEAD,
    ]);
    await blobExists(client(limited).client, 'app', blob);
    limited.done();
  });
});

describe('Bearer tokens', () => {
  test('fetched from the realm with service and every scope, the credentials sent only there', async () => {
    const auth = await server([token('tok-1')]);
    const registry = await server([bearer(`${auth.origin}/token`, ',service="reg.test"'), HEAD]);
    const c = client(registry, CREDENTIALS);
    await blobExists(c.client, 'app', blob);
    auth.done();
    registry.done();
    const q = query(auth.requests[0]);
    assert.equal(q.get('service'), 'reg.test');
    assert.deepEqual(q.getAll('scope'), [pushScope('app')]);
    assert.equal(auth.requests[0]?.headers.authorization, basic(CREDENTIALS));
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer tok-1');
    assert.ok(c.secrets.includes('tok-1'), 'the token is masked');
  });

  test('anonymous token requests carry no Authorization; access_token is read too', async () => {
    const auth = await server([
      { method: 'GET', path: /^\/token\?/, reply: { status: 200, body: { access_token: 'anon' } } },
    ]);
    const registry = await server([bearer(`${auth.origin}/token`), HEAD]);
    await blobExists(client(registry).client, 'app', blob);
    assert.equal(auth.requests[0]?.headers.authorization, undefined);
    assert.equal(query(auth.requests[0]).get('service'), null);
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer anon');
  });

  test('one token per set of scopes, in any order, cached while it lives', async () => {
    const auth = await server([token('a'), token('b')]);
    const registry = await server([
      bearer(`${auth.origin}/token`),
      { method: 'GET', path: '/x', reply: { status: 200 }, times: 3 },
      { method: 'GET', path: '/y', reply: { status: 200 } },
    ]);
    const c = client(registry, CREDENTIALS).client;
    const get = async (url: string, scopes: string[]): Promise<void> => {
      const res = await c.request('reading', scopes, { method: 'GET', url, ok: [200] });
      await res.body.dump();
    };
    await get('/x', ['s1', 's2']);
    await get('/x', ['s2', 's1']);
    await get('/x', ['s1', 's2']);
    await get('/y', ['s3']);
    auth.done();
    registry.done();
    assert.deepEqual(
      registry.requests.slice(1).map((r) => r.headers.authorization),
      ['Bearer a', 'Bearer a', 'Bearer a', 'Bearer b'],
    );
    assert.deepEqual(query(auth.requests[0]).getAll('scope'), ['s1', 's2']);
  });

  test('a token is renewed before it lapses (expires_in), and after a 401', async () => {
    const auth = await server([token('short', { expires_in: 1 }), token('next'), token('after-401')]);
    const registry = await server([
      bearer(`${auth.origin}/token`),
      { method: 'GET', path: '/x', reply: { status: 200 }, times: 2 },
      { method: 'GET', path: '/x', reply: { status: 401 } },
      { method: 'GET', path: '/x', reply: { status: 200 } },
    ]);
    const c = client(registry, CREDENTIALS).client;
    const get = async (): Promise<void> => {
      const res = await c.request('reading', ['s'], { method: 'GET', url: '/x', ok: [200] });
      await res.body.dump();
    };
    await get();
    // A 1 s token is used for half its life (the 10 s margin would leave nothing).
    await new Promise((resolve) => setTimeout(resolve, 700));
    await get();
    await get();
    auth.done();
    registry.done();
    assert.deepEqual(
      registry.requests.slice(1).map((r) => r.headers.authorization),
      ['Bearer short', 'Bearer next', 'Bearer next', 'Bearer after-401'],
    );
  });

  test('a token without expires_in lives 60 s less the margin: reused at once', async () => {
    const auth = await server([token('long', { expires_in: 0 })]);
    const registry = await server([bearer(`${auth.origin}/token`), { ...HEAD, times: 2 }]);
    const c = client(registry, CREDENTIALS);
    await blobExists(c.client, 'app', blob);
    await blobExists(c.client, 'app', blob);
    auth.done();
    registry.done();
  });

  test('a new challenge after a 401 is the one used next (another realm)', async () => {
    const first = await server([token('one')]);
    const second = await server([token('two')]);
    const registry = await server([
      bearer(`${first.origin}/token`),
      {
        method: 'GET',
        path: '/x',
        reply: { status: 401, headers: { 'www-authenticate': `Bearer realm="${second.origin}/token"` } },
      },
      { method: 'GET', path: '/x', reply: { status: 200 } },
    ]);
    const res = await client(registry, CREDENTIALS).client.request('reading', ['s'], {
      method: 'GET',
      url: '/x',
      ok: [200],
    });
    await res.body.dump();
    first.done();
    second.done();
    registry.done();
  });

  test('the refresh-token form: the identity token traded at the realm, never the password', async () => {
    const auth = await server([
      { method: 'POST', path: '/token', reply: { status: 200, body: { access_token: 'from-refresh' } } },
    ]);
    const registry = await server([bearer(`${auth.origin}/token?ignored=1`, ',service="reg.test"'), HEAD]);
    const c = client(registry, { username: '<token>', password: 'unused', identityToken: 'refresh-me' });
    await blobExists(c.client, 'app', blob);
    auth.done();
    const req = auth.requests[0];
    assert.equal(req?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(req.headers.authorization, undefined);
    const form = new URLSearchParams(req.body.toString());
    assert.deepEqual(Object.fromEntries(form), {
      grant_type: 'refresh_token',
      client_id: 'image-push',
      refresh_token: 'refresh-me',
      service: 'reg.test',
      scope: pushScope('app'),
    });
    assert.ok(c.secrets.includes('refresh-me'));
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer from-refresh');
  });
});

describe('token services and challenges that are wrong', () => {
  const failing = async (
    challenge: string,
    authSteps: Step[],
    pattern: RegExp,
    credentials: typeof CREDENTIALS | undefined = CREDENTIALS,
  ): Promise<{ auth: ScriptedServer; err: RegistryError }> => {
    const auth = await server(authSteps);
    const registry = await server([
      {
        method: 'GET',
        path: '/v2/',
        reply: { status: 401, headers: { 'www-authenticate': challenge.replace('AUTH', auth.origin) } },
      },
    ]);
    let caught: unknown;
    await assert.rejects(blobExists(client(registry, credentials).client, 'app', blob), (err: unknown) => {
      caught = err;
      return true;
    });
    assert.ok(caught instanceof RegistryError, String(caught));
    assert.match(caught.message, pattern);
    auth.done();
    return { auth, err: caught };
  };

  test('no realm', async () => {
    await failing('Bearer service="x"', [], /^authenticating: .* sent a Bearer challenge without a realm$/);
  });

  test('a realm that is not a URL', async () => {
    const { err } = await failing('Bearer realm="not a url"', [], /sent an invalid token realm "not a url"$/);
    assert.match(err.hint ?? '', /absolute https:\/\/ URL/);
  });

  test('a realm that is not http(s)', async () => {
    const { err } = await failing(
      'Bearer realm="ftp://auth.test/token"',
      [],
      /the token realm "ftp:\/\/auth\.test\/token" is not an http\(s\) URL$/,
    );
    assert.match(err.hint ?? '', /misconfigured/);
  });

  test('a plain-HTTP realm off loopback never gets the credentials', async () => {
    const { err } = await failing(
      'Bearer realm="http://auth.example/token"',
      [],
      /sends clients to the plain-HTTP token realm http:\/\/auth\.example; refused to send the credentials there in clear text$/,
    );
    assert.match(
      err.hint ?? '',
      /should name an https:\/\/ realm; list auth\.example in insecure-registries/,
    );
  });

  test('a token service that answers 401, not JSON, or no token', async () => {
    const denied = await failing(
      'Bearer realm="AUTH/token"',
      [{ method: 'GET', path: /^\/token/, reply: { status: 401, body: 'no' } }],
      /^getting a token for .*: .* answered 401/,
    );
    assert.equal(denied.err.status, 401);
    await failing(
      'Bearer realm="AUTH/token"',
      [{ method: 'GET', path: /^\/token/, reply: { status: 200, body: '<html>' } }],
      /the token service at 127\.0\.0\.1:\d+ answered with something that is not JSON$/,
    );
    await failing(
      'Bearer realm="AUTH/token"',
      [{ method: 'GET', path: /^\/token/, reply: { status: 200, body: { token: '' } } }],
      /the token service at 127\.0\.0\.1:\d+ sent no token$/,
    );
  });

  test('a token service that fails for a passing reason is retried', async () => {
    const auth = await server([{ method: 'GET', path: /^\/token/, reply: { status: 503 } }, token('ok')]);
    const registry = await server([bearer(`${auth.origin}/token`), HEAD]);
    await blobExists(client(registry, CREDENTIALS).client, 'app', blob);
    auth.done();
    registry.done();
  });

  test('a failed token request is not cached: the next request asks again', async () => {
    const auth = await server([{ method: 'GET', path: /^\/token/, reply: { status: 401 } }, token('second')]);
    const registry = await server([bearer(`${auth.origin}/token`), HEAD]);
    const c = client(registry, CREDENTIALS);
    await assert.rejects(blobExists(c.client, 'app', blob), /answered 401/);
    await blobExists(c.client, 'app', blob);
    auth.done();
    registry.done();
  });
});
