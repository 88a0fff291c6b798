// The transport under the registry client: `send` (redirects, timeouts, abort) and `Transport` (verified and
// unverified pools, extra CA, proxies from the environment, a custom resolver) against loopback servers.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { header, send, Transport } from '../../src/registry/transport/http.ts';
import { startScripted } from '../helpers/scripted-server.ts';
import { createTestCertificates, type TlsFiles } from '../helpers/tls.ts';

describe('send', () => {
  test('follows a redirect chain, and returns the last redirect after five hops', async () => {
    const loop = await startScripted([
      {
        method: 'GET',
        path: /^\/hop/,
        reply: (req) => ({ status: 302, headers: { location: `${req.path}x` } }),
        times: 6,
      },
    ]);
    const transport = new Transport({ env: {} });
    try {
      const res = await send(transport.dispatcher(), { method: 'GET', url: `${loop.origin}/hop` });
      await res.body.dump();
      assert.equal(res.status, 302);
      assert.equal(res.url, `${loop.origin}/hopxxxxx`, 'the URL that answered');
      loop.done();
      assert.equal(loop.requests.length, 6, 'the first request and five redirects');
    } finally {
      await transport.close();
      await loop.close();
    }
  });

  test('every redirect status is followed, with a relative Location resolved against the URL that answered', async () => {
    const server = await startScripted([
      { method: 'GET', path: '/a/1', reply: { status: 301, headers: { location: '2' } } },
      { method: 'GET', path: '/a/2', reply: { status: 302, headers: { location: '/b/3' } } },
      { method: 'GET', path: '/b/3', reply: { status: 303, headers: { location: '4' } } },
      { method: 'GET', path: '/b/4', reply: { status: 307, headers: { location: '5' } } },
      { method: 'GET', path: '/b/5', reply: { status: 308, headers: { location: '6' } } },
      { method: 'GET', path: '/b/6', reply: { status: 200, body: 'here' } },
    ]);
    const transport = new Transport({ env: {} });
    try {
      const res = await send(transport.dispatcher(), {
        method: 'GET',
        url: `${server.origin}/a/1`,
        headers: { authorization: 'Bearer same-origin' },
      });
      assert.equal(await res.body.text(), 'here');
      assert.equal(res.url, `${server.origin}/b/6`);
      server.done();
      assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer same-origin'));
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test('a 3xx without a Location, and a 304, are answers, not redirects', async () => {
    const server = await startScripted([
      { method: 'GET', path: '/x', reply: { status: 302 } },
      { method: 'GET', path: '/y', reply: { status: 304, headers: { location: '/z' } } },
    ]);
    const transport = new Transport({ env: {} });
    try {
      const x = await send(transport.dispatcher(), { method: 'GET', url: `${server.origin}/x` });
      await x.body.dump();
      assert.equal(x.status, 302);
      const y = await send(transport.dispatcher(), { method: 'GET', url: `${server.origin}/y` });
      await y.body.dump();
      assert.equal(y.status, 304);
      server.done();
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test('checkRedirect sees both URLs and may refuse', async () => {
    const server = await startScripted([
      { method: 'GET', path: '/from', reply: { status: 307, headers: { location: '/to' } } },
    ]);
    const transport = new Transport({ env: {} });
    const seen: string[] = [];
    try {
      await assert.rejects(
        send(transport.dispatcher(), {
          method: 'GET',
          url: `${server.origin}/from`,
          checkRedirect: (from, to) => {
            seen.push(from.pathname, to.pathname);
            throw new Error('refused');
          },
        }),
        /^Error: refused$/,
      );
      assert.deepEqual(seen, ['/from', '/to']);
      server.done();
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test('a silent server trips headersTimeout; a stalled body trips bodyTimeout; a signal aborts', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-length': '10' });
        res.write('12345');
      }
      // '/silent' and '/abort': no answer at all
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const transport = new Transport({ env: {} });
    try {
      const started = performance.now();
      await assert.rejects(
        send(transport.dispatcher(), { method: 'GET', url: `${origin}/silent`, headersTimeout: 200 }),
        { code: 'UND_ERR_HEADERS_TIMEOUT' },
      );
      assert.ok(performance.now() - started < 10_000, 'long before the 30 s default');
      const res = await send(transport.dispatcher(), {
        method: 'GET',
        url: `${origin}/stall-body`,
        bodyTimeout: 200,
      });
      await assert.rejects(res.body.text(), { code: 'UND_ERR_BODY_TIMEOUT' });
      await assert.rejects(
        send(transport.dispatcher(), {
          method: 'GET',
          url: `${origin}/abort`,
          signal: AbortSignal.timeout(200),
        }),
        { name: 'TimeoutError' },
      );
    } finally {
      await transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** A proxy that counts CONNECT requests (HTTPS through a proxy) and refuses them. */
async function connectProxy(): Promise<{
  origin: string;
  connects: () => number;
  close: () => Promise<void>;
}> {
  let connects = 0;
  const { createServer } = await import('node:http');
  const proxy = createServer();
  proxy.on('connect', (_req, socket: { destroy(): void }) => {
    connects++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects: () => connects,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

test('sequential requests, HEADs among them, share one connection', async () => {
  // A push's requests follow one another (the ping, the tag, a HEAD per blob, POST, PUT): each new connection
  // to a real registry is a TCP and a TLS handshake. undici closed the connection after every HEAD, and a
  // request sent as soon as the previous answer was read found its connection not yet back in the pool.
  let connections = 0;
  const server = createHttpServer((req, res) => {
    res.statusCode = req.method === 'HEAD' ? 404 : req.method === 'POST' ? 202 : 200;
    res.end(req.method === 'GET' ? '{}' : undefined);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transport = new Transport({ env: {} });
  try {
    for (const method of ['GET', 'GET', 'HEAD', 'HEAD', 'POST', 'GET'] as const) {
      const res = await send(transport.dispatcher(), { method, url: `${origin}/v2/` });
      await res.body.text();
    }
    assert.equal(connections, 1);
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('header: one value, or a repeated header joined', () => {
  assert.equal(header({ a: 'x' }, 'a'), 'x');
  assert.equal(header({ a: ['x', 'y'] }, 'a'), 'x, y');
  assert.equal(header({}, 'a'), undefined);
});

describe('Transport', () => {
  let tls: TlsFiles;
  let https: HttpsServer;
  let httpsOrigin: string;

  before(async () => {
    tls = await createTestCertificates(['made-up.test']);
    https = createHttpsServer(
      { key: await readFile(tls.keyPath), cert: await readFile(tls.certPath) },
      (_req, res) => res.end('secure'),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    httpsOrigin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });

  after(async () => {
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
    await tls.remove();
  });

  test('verifies certificates: a private CA is refused unless given, and the unverified pool takes any', async () => {
    const plain = new Transport({ env: {} });
    const trusting = new Transport({ env: {}, ca: await readFile(tls.caPath, 'utf8') });
    try {
      await assert.rejects(send(plain.dispatcher(), { method: 'GET', url: httpsOrigin }), (err: unknown) => {
        assert.match(String((err as { code?: unknown }).code), /CERT|SIGNATURE|ISSUER/);
        return true;
      });
      await assert.rejects(send(plain.dispatcher(true), { method: 'GET', url: httpsOrigin }));
      const unverified = await send(plain.dispatcher(false), { method: 'GET', url: httpsOrigin });
      assert.equal(await unverified.body.text(), 'secure');
      const verified = await send(trusting.dispatcher(), { method: 'GET', url: httpsOrigin });
      assert.equal(await verified.body.text(), 'secure');
      assert.equal(plain.dispatcher(false), plain.dispatcher(false), 'one pool each, made once');
      assert.equal(plain.dispatcher(true), plain.dispatcher());
      assert.notEqual(plain.dispatcher(true), plain.dispatcher(false));
    } finally {
      await plain.close();
      await trusting.close();
    }
  });

  test('speaks HTTP/1.1 to a TLS server that offers HTTP/2, directly and through the proxy agent', async () => {
    // A server that prefers h2 in ALPN, as registries behind Go or a cloud load balancer do.
    const h2 = createSecureServer(
      { key: await readFile(tls.keyPath), cert: await readFile(tls.certPath), allowHTTP1: true },
      (req, res) => res.end(req.httpVersion),
    );
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}/v2/`;
    const ca = await readFile(tls.caPath, 'utf8');
    // The proxy variable makes the transport an EnvHttpProxyAgent; NO_PROXY sends this host direct through it.
    const direct = new Transport({ env: {}, ca });
    const proxyAware = new Transport({
      env: { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' },
      ca,
    });
    try {
      for (const transport of [direct, proxyAware]) {
        const res = await send(transport.dispatcher(), { method: 'GET', url });
        assert.equal(await res.body.text(), '1.1');
      }
    } finally {
      await direct.close();
      await proxyAware.close();
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });

  test('close() closes both pools', async () => {
    const transport = new Transport({ env: {} });
    const verified = transport.dispatcher(true);
    const unverified = transport.dispatcher(false);
    await transport.close();
    await assert.rejects(send(verified, { method: 'GET', url: httpsOrigin }), {
      name: /^Client(Closed|Destroyed)Error$/,
    });
    await assert.rejects(send(unverified, { method: 'GET', url: httpsOrigin }), {
      name: /^Client(Closed|Destroyed)Error$/,
    });
    await new Transport({ env: {} }).close(); // nothing opened: nothing to close
  });

  test('a custom resolver maps made-up names (plain HTTP and TLS)', async () => {
    const server = await startScripted([{ method: 'GET', path: '/', reply: { status: 200, body: 'plain' } }]);
    const transport = new Transport({
      env: {},
      ca: await readFile(tls.caPath, 'utf8'),
      lookup: (_host, options, callback) => {
        if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
      },
    });
    try {
      const plain = await send(transport.dispatcher(), {
        method: 'GET',
        url: `http://made-up.test:${server.origin.split(':')[2]}/`,
      });
      assert.equal(await plain.body.text(), 'plain');
      const port = new URL(httpsOrigin).port;
      const secure = await send(transport.dispatcher(), {
        method: 'GET',
        url: `https://made-up.test:${port}/`,
      });
      assert.equal(await secure.body.text(), 'secure');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  for (const variable of ['HTTP_PROXY', 'http_proxy']) {
    test(`${variable} sends plain-HTTP requests through the proxy`, async () => {
      const proxy = await startScripted([
        { method: 'GET', path: 'http://registry.invalid/v2/', reply: { status: 200, body: 'proxied' } },
      ]);
      const transport = new Transport({ env: { [variable]: proxy.origin } });
      try {
        const res = await send(transport.dispatcher(), { method: 'GET', url: 'http://registry.invalid/v2/' });
        assert.equal(await res.body.text(), 'proxied');
        proxy.done();
      } finally {
        await transport.close();
        await proxy.close();
      }
    });
  }

  for (const [variable, lower] of [
    ['NO_PROXY', 'HTTP_PROXY'],
    ['no_proxy', 'http_proxy'],
  ] as const) {
    test(`${variable} names hosts that are reached directly`, async () => {
      const proxy = await startScripted([]);
      const direct = await startScripted([
        { method: 'GET', path: '/v2/', reply: { status: 200, body: 'direct' } },
      ]);
      const transport = new Transport({ env: { [lower]: proxy.origin, [variable]: '127.0.0.1' } });
      try {
        const res = await send(transport.dispatcher(), { method: 'GET', url: `${direct.origin}/v2/` });
        assert.equal(await res.body.text(), 'direct');
        proxy.done();
        direct.done();
        assert.equal(proxy.requests.length, 0);
      } finally {
        await transport.close();
        await Promise.all([proxy.close(), direct.close()]);
      }
    });
  }

  test("the proxy variables are read from the environment given, not the process's", async () => {
    const proxy = await startScripted([]);
    const direct = await startScripted([
      { method: 'GET', path: '/v2/', reply: { status: 200, body: 'direct' } },
    ]);
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.origin;
    const transport = new Transport({ env: {} });
    try {
      const res = await send(transport.dispatcher(), { method: 'GET', url: `${direct.origin}/v2/` });
      assert.equal(await res.body.text(), 'direct');
      assert.equal(proxy.requests.length, 0);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      await transport.close();
      await Promise.all([proxy.close(), direct.close()]);
    }
  });

  for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
    test(`${variable} alone tunnels HTTPS requests (CONNECT), and leaves plain HTTP direct`, async () => {
      const proxy = await connectProxy();
      const direct = await startScripted([
        { method: 'GET', path: '/v2/', reply: { status: 200, body: 'direct' } },
      ]);
      const transport = new Transport({ env: { [variable]: proxy.origin } });
      try {
        await assert.rejects(
          send(transport.dispatcher(), { method: 'GET', url: 'https://registry.invalid/v2/' }),
        );
        assert.equal(proxy.connects(), 1, 'the HTTPS request went to the proxy');
        const res = await send(transport.dispatcher(), { method: 'GET', url: `${direct.origin}/v2/` });
        assert.equal(await res.body.text(), 'direct');
      } finally {
        await transport.close();
        await Promise.all([proxy.close(), direct.close()]);
      }
    });
  }

  for (const variable of ['HTTP_PROXY', 'http_proxy']) {
    test(`${variable} also carries HTTPS when no HTTPS proxy is named`, async () => {
      const proxy = await connectProxy();
      const transport = new Transport({ env: { [variable]: proxy.origin } });
      try {
        await assert.rejects(
          send(transport.dispatcher(), { method: 'GET', url: 'https://registry.invalid/v2/' }),
        );
        assert.equal(proxy.connects(), 1, 'the HTTPS request went to the proxy');
      } finally {
        await transport.close();
        await proxy.close();
      }
    });
  }

  test('HTTPS_PROXY wins over HTTP_PROXY for HTTPS', async () => {
    const [secure, plain] = await Promise.all([connectProxy(), connectProxy()]);
    const transport = new Transport({ env: { HTTPS_PROXY: secure.origin, HTTP_PROXY: plain.origin } });
    try {
      await assert.rejects(
        send(transport.dispatcher(), { method: 'GET', url: 'https://registry.invalid/v2/' }),
      );
      assert.deepEqual([secure.connects(), plain.connects()], [1, 0]);
    } finally {
      await transport.close();
      await Promise.all([secure.close(), plain.close()]);
    }
  });
});
