// The fault-injection harness against the real registry: the fault proxy, nginx in front of the registry, and a
// registry serving HTTPS. Requests are made with node:http, curl and skopeo, never with src/registry.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { access, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MEDIA_TYPES, writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { startFaultProxy, type FaultOptions, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startNginx, type TestNginx } from '../helpers/nginx.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { ociLayoutBlobDigests, skopeoCopy } from '../helpers/skopeo.ts';
import { createTestCertificates, type TlsFiles } from '../helpers/tls.ts';
import { ensureTools, makeTempDir, run } from '../helpers/tools.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request on a connection of its own (a reset then only hits this request). The body is sent as one piece
 * with Content-Length, or as `chunks` with Transfer-Encoding: chunked. Settles on the complete answer, even if the
 * server answers before the body is sent (the rest is then dropped).
 */
function send(
  url: string,
  options: {
    method?: string;
    headers?: OutgoingHttpHeaders;
    body?: Buffer;
    chunks?: Buffer[];
    agent?: Agent;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
    });
    let answered = false;
    req.once('error', (err) => {
      if (!answered) reject(err);
    });
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
        if (!options.agent) req.destroy();
      });
    });
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else if (options.body) {
      req.setHeader('content-length', options.body.length);
      req.end(options.body);
    } else {
      req.end();
    }
  });
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Starts a blob upload at `base` (a registry, proxy or nginx URL); the absolute upload URL it answers with. */
async function startUpload(base: string, repo: string): Promise<string> {
  const reply = await send(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(reply.status, 202, reply.body.toString());
  return new URL(String(reply.headers.location), base).href;
}

function withDigest(uploadUrl: string, digest: string): string {
  const url = new URL(uploadUrl);
  url.searchParams.set('digest', digest);
  return url.href;
}

/** A `host:port` nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      );
    });
  });
}

let registry: TestRegistry;
let work: string;
const proxies: FaultProxy[] = [];

async function proxy(options: Partial<FaultOptions> = {}, upstream = registry.url): Promise<FaultProxy> {
  const started = await startFaultProxy(upstream, options);
  proxies.push(started);
  return started;
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'nginx', 'openssl', 'htpasswd', 'curl']);
  registry = await startRegistry();
  work = await makeTempDir('fault-harness-');
});

after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the fault proxy', () => {
  test('forwards a blob upload untouched, and its Locations lead back through it', async () => {
    const clean = await proxy();
    await registry.clearRequests();
    const blob = randomBytes(300_000);
    const digest = sha256(blob);

    const upload = await startUpload(clean.url, 'fault/forward');
    assert.equal(new URL(upload).origin, clean.url);
    const put = await send(withDigest(upload, digest), { method: 'PUT', body: blob });
    assert.equal(put.status, 201, put.body.toString());
    assert.equal(put.headers['docker-content-digest'], digest);

    const head = await send(`${registry.url}/v2/fault/forward/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(blob.length));
    assert.deepEqual(
      clean.requests().map((r) => [r.method, r.status, r.requestBytes, r.fault, r.forwarded]),
      [
        ['POST', 202, 0, null, true],
        ['PUT', 201, blob.length, null, true],
      ],
    );
    assert.deepEqual(
      (await registry.requests()).map((r) => `${r.method} ${r.status}`),
      ['POST 202', 'PUT 201', 'HEAD 200'],
    );
    assert.equal(clean.stats.forwarded, 2);
  });

  test('rewrites a Location that points at the upstream', async () => {
    const clean = await proxy();
    // With the registry's own Host, the registry builds its Location for itself: the proxy must move it.
    const direct = await send(`${clean.url}/v2/fault/rewrite/blobs/uploads/`, {
      method: 'POST',
      headers: { host: registry.host },
    });
    assert.equal(direct.status, 202);
    const location = new URL(String(direct.headers.location));
    assert.equal(location.origin, clean.url);
    assert.match(location.pathname, /^\/v2\/fault\/rewrite\/blobs\/uploads\/[\w-]+$/);
  });

  test('a seeded failure rate gives the same faults twice; a faulted request never reaches the registry', async () => {
    const rounds = 30;
    const runOnce = async (seed: number) => {
      const faulty = await proxy({ failureRate: 0.5, seed, kinds: ['reset', 'status', '429'] });
      await registry.clearRequests();
      const outcomes: (number | string)[] = [];
      for (let i = 0; i < rounds; i++) {
        outcomes.push(
          await send(`${faulty.url}/v2/`).then(
            (r) => r.status,
            (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error',
          ),
        );
      }
      const reachedRegistry = (await registry.requests()).filter((r) => r.path === '/v2/').length;
      await faulty.close();
      return {
        faults: faulty.requests().map((r) => r.fault),
        outcomes,
        reachedRegistry,
        stats: faulty.stats,
      };
    };
    const first = await runOnce(42);
    const again = await runOnce(42);
    const other = await runOnce(43);

    assert.deepEqual(again.faults, first.faults);
    assert.deepEqual(again.outcomes, first.outcomes);
    assert.notDeepEqual(other.faults, first.faults);
    for (const kind of [null, 'reset', 'status', '429'] as const) {
      assert.ok(first.faults.includes(kind), `seed 42 gave no ${kind} in ${first.faults.join()}`);
    }
    first.faults.forEach((fault, i) => {
      const outcome = first.outcomes[i];
      if (fault === null) assert.equal(outcome, 200);
      else if (fault === 'reset') assert.equal(outcome, 'ECONNRESET');
      else if (fault === 'status')
        assert.ok(outcome === 500 || outcome === 503, `status fault gave ${outcome}`);
      else assert.equal(outcome, 429);
    });
    const clean = first.faults.filter((f) => f === null).length;
    assert.equal(first.reachedRegistry, clean);
    assert.equal(first.stats.forwarded, clean);
    assert.equal(
      first.stats.faults.reset + first.stats.faults.status + first.stats.faults['429'],
      rounds - clean,
    );
  });

  test('a status fault drains the body and answers 500 or 503 without forwarding', async () => {
    const faulty = await proxy({
      faultFilter: (r) => (r.method === 'PUT' ? 'status' : false),
      statuses: [503],
    });
    await registry.clearRequests();
    const blob = randomBytes(200_000);
    const target = new URL(withDigest(await startUpload(faulty.url, 'fault/status'), sha256(blob)));
    const keepAlive = new Agent({ keepAlive: true });
    try {
      const put = await send(target.href, { method: 'PUT', body: blob, agent: keepAlive });
      assert.equal(put.status, 503);
      assert.match(put.body.toString(), /"code":"UNAVAILABLE"/);
      assert.equal(put.headers.connection, 'keep-alive', 'the body was read: the connection stays usable');
      assert.deepEqual(faulty.requests().at(-1), {
        index: 2,
        method: 'PUT',
        path: target.pathname + target.search,
        status: 503,
        requestBytes: blob.length,
        fault: 'status',
        forwarded: false,
        error: null,
        authorization: null,
        responseBytes: 0,
      });
      assert.deepEqual(
        (await registry.requests()).map((r) => r.method),
        ['POST'],
      );

      faulty.setFaults({ statusBody: 'destroy' });
      const closing = await send(target.href, { method: 'PUT', body: blob, agent: keepAlive });
      assert.equal(closing.status, 503);
      assert.equal(closing.headers.connection, 'close');
    } finally {
      keepAlive.destroy();
    }
  });

  test('bodies above maxBodyBytes get 413 and are never forwarded, with or without a length', async () => {
    const limited = await proxy({ maxBodyBytes: 64 * 1024 });
    await registry.clearRequests();
    const big = randomBytes(100 * 1024);
    const small = randomBytes(60 * 1024);

    const upload = await startUpload(limited.url, 'fault/limit');
    const declared = await send(withDigest(upload, sha256(big)), { method: 'PUT', body: big });
    assert.equal(declared.status, 413);
    assert.match(declared.headers['content-type'] ?? '', /text\/html/);
    assert.match(declared.body.toString(), /<title>413 Request Entity Too Large<\/title>/);

    const chunks = [big.subarray(0, 40_000), big.subarray(40_000, 80_000), big.subarray(80_000)];
    const streamed = await send(withDigest(upload, sha256(big)), { method: 'PUT', chunks });
    assert.equal(streamed.status, 413);

    // curl sends Expect: 100-continue: the proxy refuses before the body is sent.
    const file = join(work, 'big.bin');
    await writeFile(file, big);
    const { stdout } = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      'Expect: 100-continue',
      '-T',
      file,
      withDigest(upload, sha256(big)),
    ]);
    assert.equal(stdout, '413');

    const fits = await send(withDigest(upload, sha256(small)), { method: 'PUT', body: small });
    assert.equal(fits.status, 201, fits.body.toString());

    const log = limited.requests().slice(1);
    assert.deepEqual(
      log.map((r) => [r.status, r.fault, r.forwarded]),
      [
        [413, 'too-large', false],
        [413, 'too-large', false],
        [413, 'too-large', false],
        [201, null, true],
      ],
    );
    assert.equal(log[2]!.requestBytes, 0, 'with Expect: 100-continue the body never came');
    assert.deepEqual(
      (await registry.requests()).map((r) => `${r.method} ${r.status}`),
      ['POST 202', 'PUT 201'],
    );
    assert.equal(limited.stats.tooLarge, 3);
  });

  test('429 carries Retry-After, in seconds or as an HTTP-date', async () => {
    const limited = await proxy({ faultFilter: () => '429' });
    const seconds = await send(`${limited.url}/v2/`);
    assert.equal(seconds.status, 429);
    assert.equal(seconds.headers['retry-after'], '1');
    assert.match(seconds.body.toString(), /TOOMANYREQUESTS/);

    limited.setFaults({ retryAfter: 'http-date', retryAfterSeconds: 3 });
    const before = Date.now();
    const dated = await send(`${limited.url}/v2/`);
    assert.equal(dated.status, 429);
    const header = String(dated.headers['retry-after']);
    assert.match(header, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const delay = Date.parse(header) - before;
    assert.ok(delay >= 2_000 && delay <= 4_000, `Retry-After ${header} is ${delay} ms ahead`);
  });

  test('a reset before forwarding cuts the connection and the registry never hears of it', async () => {
    const faulty = await proxy({ faultFilter: (r) => (r.method === 'GET' ? 'reset' : false) });
    await registry.clearRequests();
    await assert.rejects(send(`${faulty.url}/v2/`), { code: 'ECONNRESET' });
    assert.deepEqual(await registry.requests(), []);
    assert.deepEqual(
      faulty.requests().map((r) => [r.status, r.fault, r.forwarded]),
      [[null, 'reset', false]],
    );
  });

  test('a reset after N bytes forwards part of a PATCH, then cuts both sides', async () => {
    const faulty = await proxy({
      faultFilter: (r) => (r.method === 'PATCH' ? 'reset' : false),
      resetAfterBytes: 50_000,
    });
    const chunk = randomBytes(200_000);
    const upload = await startUpload(faulty.url, 'fault/partial');
    await registry.clearRequests();
    await assert.rejects(
      send(upload, {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${chunk.length - 1}` },
        body: chunk,
      }),
      (err: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(err.code ?? ''),
    );
    const patch = faulty.requests().at(-1)!;
    assert.deepEqual(
      [patch.method, patch.status, patch.fault, patch.forwarded],
      ['PATCH', null, 'reset', true],
    );
    assert.equal(patch.requestBytes, 50_000);
    // distribution 2.8 stores the bytes it got but not the upload's state: it logs the PATCH as 500 and then
    // finds the upload 50000 bytes longer than its state says, and refuses it for good (404 BLOB_UPLOAD_INVALID).
    assert.deepEqual(
      (await registry.requests()).map((r) => `${r.method} ${r.status}`),
      ['PATCH 500'],
    );
    const status = await send(upload);
    assert.equal(status.status, 404);
    assert.match(status.body.toString(), /BLOB_UPLOAD_INVALID/);
    assert.match(await registry.logTail(), /upload resumed at wrong off\w+: 50000 != 0/);
  });

  test('a stall holds the answer; stallThen reset loses it after the registry did the work', async () => {
    const slow = await proxy({ faultFilter: (r) => (r.method === 'PUT' ? 'stall' : false), stallMs: 400 });
    const blob = randomBytes(10_000);
    const digest = sha256(blob);
    const started = Date.now();
    const put = await send(withDigest(await startUpload(slow.url, 'fault/stall'), digest), {
      method: 'PUT',
      body: blob,
    });
    assert.equal(put.status, 201);
    assert.ok(Date.now() - started >= 400, `answered after ${Date.now() - started} ms`);

    slow.setFaults({ stallThen: 'reset', stallMs: 100 });
    const lost = randomBytes(10_000);
    const lostDigest = sha256(lost);
    const upload = await startUpload(slow.url, 'fault/stall');
    await assert.rejects(send(withDigest(upload, lostDigest), { method: 'PUT', body: lost }), {
      code: 'ECONNRESET',
    });
    const head = await send(`${registry.url}/v2/fault/stall/blobs/${lostDigest}`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'the registry stored the blob whose answer was lost');
    assert.deepEqual(
      slow.requests().map((r) => [r.method, r.status, r.fault]),
      [
        ['POST', 202, null],
        ['PUT', 201, 'stall'],
        ['POST', 202, null],
        ['PUT', null, 'stall'],
      ],
    );
  });

  test('faultFilter aims at the Nth request, and failureRate only at what the filter lets through', async () => {
    const aimed = await proxy({ faultFilter: (r) => (r.index === 3 ? 'status' : false), statuses: [500] });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(`${aimed.url}/v2/`)).status);
    assert.deepEqual(statuses, [200, 200, 500, 200, 200]);

    aimed.setFaults({ faultFilter: (r) => r.method === 'DELETE', failureRate: 1, kinds: ['status'] });
    assert.equal((await send(`${aimed.url}/v2/`)).status, 200);
    assert.equal((await send(`${aimed.url}/v2/x/blobs/uploads/none`, { method: 'DELETE' })).status, 500);
  });

  test('an unreachable upstream gives 502 with the reason', async () => {
    const orphan = await proxy({}, `http://127.0.0.1:${await closedPort()}`);
    const reply = await send(`${orphan.url}/v2/`);
    assert.equal(reply.status, 502);
    assert.match(orphan.requests()[0]!.error ?? '', /ECONNREFUSED/);
    await orphan.close();
    await assert.rejects(send(`${orphan.url}/v2/`), { code: 'ECONNREFUSED' });
  });
});

describe('nginx in front of the registry', () => {
  let nginx: TestNginx;
  before(async () => {
    nginx = await startNginx({ upstream: registry.url, clientMaxBodySize: '50m' });
  });
  after(async () => {
    await nginx.stop();
  });

  test('client_max_body_size 50m refuses a 60 MB monolithic PUT and passes a 10 MB one', async () => {
    const huge = randomBytes(60 << 20);
    const hugeDigest = sha256(huge);
    const upload = await startUpload(nginx.url, 'nginx/limit');
    assert.equal(new URL(upload).origin, nginx.url, 'the registry built its Location for nginx');
    await registry.clearRequests();
    const refused = await send(withDigest(upload, hugeDigest), { method: 'PUT', body: huge });
    assert.equal(refused.status, 413);
    assert.match(refused.body.toString(), /413 Request Entity Too Large.*nginx/s);
    assert.deepEqual(await registry.requests(), [], 'nginx kept it from the registry');

    const blob = randomBytes(10 << 20);
    const digest = sha256(blob);
    const put = await send(withDigest(await startUpload(nginx.url, 'nginx/limit'), digest), {
      method: 'PUT',
      body: blob,
    });
    assert.equal(put.status, 201, put.body.toString());
    const head = await send(`${nginx.url}/v2/nginx/limit/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(blob.length));
    const missing = await send(`${registry.url}/v2/nginx/limit/blobs/${hugeDigest}`, { method: 'HEAD' });
    assert.equal(missing.status, 404);
  });

  test('stop() ends the process and removes its dir', async () => {
    const doomed = await startNginx({ upstream: registry.url });
    assert.equal((await send(`${doomed.url}/v2/`)).status, 200);
    await doomed.stop();
    assert.throws(() => process.kill(doomed.pid, 0), { code: 'ESRCH' });
    await assert.rejects(access(doomed.dir));
    await assert.rejects(send(`${doomed.url}/v2/`), { code: 'ECONNREFUSED' });
    await doomed.stop();
  });
});

describe('a registry over TLS', () => {
  const USER = 'tls-user';
  const PASSWORD = 'tls-secret';
  let tls: TlsFiles;
  let open: TestRegistry;
  let locked: TestRegistry;
  let layoutDir: string;
  let image: SampleImage;

  before(async () => {
    tls = await createTestCertificates();
    open = await startRegistry({ tls });
    locked = await startRegistry({ tls, htpasswd: { username: USER, password: PASSWORD } });
    layoutDir = join(work, 'tls-layout');
    image = await writeOciLayout(layoutDir, { layers: [{ size: 100_000 }], seed: 5 });
  });
  after(async () => {
    await open.stop();
    await locked.stop();
    await tls.remove();
  });

  const curl = (args: string[]) => run('curl', ['-sS', '-w', '\n%{http_code}', ...args]);

  test('answers GET /v2/ over https to a client with the CA, and fails verification without it', async () => {
    assert.match(open.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { stdout } = await curl(['--cacert', tls.caPath, `${open.url}/v2/`]);
    assert.equal(stdout, '{}\n200');
    await assert.rejects(curl([`${open.url}/v2/`]), /exit code 60.*SSL certificate problem/s);
    // Plain HTTP on the TLS port: Go's server answers 400 "Client sent an HTTP request to an HTTPS server".
    assert.match((await curl([`http://${open.host}/v2/`])).stdout, /HTTPS server.*\n400$/s);
  });

  test('htpasswd works over TLS', async () => {
    const anonymous = await curl(['--cacert', tls.caPath, `${locked.url}/v2/`]);
    assert.match(anonymous.stdout, /\n401$/);
    const authed = await curl(['--cacert', tls.caPath, '-u', `${USER}:${PASSWORD}`, `${locked.url}/v2/`]);
    assert.equal(authed.stdout, '{}\n200');
  });

  test('skopeo pushes and pulls with the CA dir, and refuses the registry without it', async () => {
    await assert.rejects(
      skopeoCopy(`oci:${layoutDir}`, `docker://${open.host}/tls/app:1`),
      /x509: certificate signed by unknown authority/,
    );
    await skopeoCopy(`oci:${layoutDir}`, `docker://${open.host}/tls/app:1`, [`--dest-cert-dir=${tls.dir}`]);
    const back = join(work, 'tls-back');
    await skopeoCopy(`docker://${open.host}/tls/app:1`, `oci:${back}`, [`--src-cert-dir=${tls.dir}`]);
    assert.deepEqual(await ociLayoutBlobDigests(back), await ociLayoutBlobDigests(layoutDir));

    await skopeoCopy(`oci:${layoutDir}`, `docker://${locked.host}/tls/private:1`, [
      `--dest-cert-dir=${tls.dir}`,
      `--dest-creds=${USER}:${PASSWORD}`,
    ]);
    const manifest = await curl([
      '--cacert',
      tls.caPath,
      '-u',
      `${USER}:${PASSWORD}`,
      '-o',
      '/dev/null',
      // distribution 2.8 answers 404 for an OCI manifest to a client that does not accept the OCI type
      '-H',
      `Accept: ${MEDIA_TYPES.manifest}`,
      `${locked.url}/v2/tls/private/manifests/${image.manifestDigest}`,
    ]);
    assert.equal(manifest.stdout, '\n200');
  });
});
