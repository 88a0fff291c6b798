// Pushes through faults a real registry never produces (resets, 5xx, 429, stalls, body limits, tokens that lapse),
// injected by a proxy in front of the real registry, and checks with skopeo that every pushed image is whole.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import type { RetryPolicy } from '../../src/registry/transport/retry-policy.ts';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startFaultProxy, type FaultProxy, type ProxyRequestInfo } from '../helpers/fault-proxy.ts';
import { recordingLogger, type RecordingLogger } from '../helpers/log.ts';
import { startNginx } from '../helpers/nginx.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, inspectRaw, ociLayoutBlobDigests, skopeoCopy } from '../helpers/skopeo.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import { startTokenService } from '../helpers/token-service.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

/** Short waits, so that a test with dozens of injected faults still runs in seconds. */
const QUICK_RETRIES: RetryPolicy = { retries: 8, maxElapsedMs: 60_000, baseDelayMs: 20, maxDelayMs: 200 };
const KiB = 1024;
const MiB = 1024 * KiB;

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;
let manifestBytes: Buffer;
let expectedBlobs: string[];

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'openssl', 'nginx']);
  registry = await startRegistry();
  work = await makeTempDir('resilience-');
  layout = join(work, 'layout');
  // The biggest layer compresses to about 3.4 MB: over the 1.5 MiB body limit below, several chunks of 256 KiB.
  image = await writeOciLayout(layout, {
    layers: [{ size: 8 * MiB }, { size: 1 * MiB }, { size: 40 * KiB }],
    seed: 5,
  });
  manifestBytes = await readFile(join(layout, 'blobs/sha256', image.manifestDigest.slice(7)));
  expectedBlobs = [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)].sort();
});

after(async () => {
  await registry.stop();
});

function pushThrough(
  host: string,
  repository: string,
  log: RecordingLogger,
  extra: Partial<PushOptions> = {},
): Promise<PushResult> {
  return push({
    source: `oci:${layout}`,
    destinations: [`${host}/${repository}:v1`],
    concurrency: 4,
    logger: log,
    retryPolicy: QUICK_RETRIES,
    ...extra,
  });
}

/** The image under `ref` is the one in the layout: same manifest bytes, and skopeo copies back every blob. */
async function assertWhole(ref: string, name: string, creds?: string): Promise<void> {
  assert.deepEqual(await inspectRaw(ref, creds), manifestBytes, `${ref}: manifest bytes`);
  const copy = join(work, `copy-${name}`);
  await copyToOciLayout(ref, copy, creds ? { creds } : {});
  assert.deepEqual(await ociLayoutBlobDigests(copy), expectedBlobs, `${ref}: blobs copied back`);
}

/** Records the Content-Range of every PATCH the proxy sees, while letting `decide` pick the faults. */
function patchRanges(decide: (req: ProxyRequestInfo) => boolean | 'reset' | 'stall' | '429' | 'status'): {
  ranges: string[];
  filter: (req: ProxyRequestInfo) => boolean | 'reset' | 'stall' | '429' | 'status';
} {
  const ranges: string[] = [];
  return {
    ranges,
    filter: (req) => {
      if (req.method === 'PATCH') ranges.push(String(req.headers['content-range']));
      return decide(req);
    },
  };
}

describe('flaky network', () => {
  let proxy: FaultProxy;
  before(async () => {
    proxy = await startFaultProxy(registry.url, {
      failureRate: 0.1,
      seed: 20261125,
      kinds: ['reset', 'status', '429', 'stall'],
      resetAfterBytes: 64 * KiB,
      retryAfterSeconds: 0,
      stallMs: 150,
      statusBody: 'drain',
    });
  });
  after(() => proxy.close());

  test('with 10% of requests failing at random, 20 pushes in a row all succeed, byte-identical', async () => {
    const log = recordingLogger();
    for (let i = 0; i < 20; i++) {
      // Every other push in chunks, so that PATCH requests meet faults too.
      const result = await pushThrough(
        proxy.host,
        `flaky/app${i}`,
        log,
        i % 2 ? { chunkSize: 256 * KiB } : {},
      );
      assert.equal(result.digest, image.manifestDigest);
    }
    const faults = Object.values(proxy.stats.faults).reduce((a, b) => a + b, 0);
    assert.ok(faults >= 20, `the proxy injected ${faults} faults`);
    assert.ok(
      log.lines.some((line) => /retry 1 of 8/.test(line)),
      'retries are logged with their reason',
    );
    for (let i = 0; i < 20; i++) await assertWhole(`${registry.host}/flaky/app${i}:v1`, `flaky${i}`);
  });
});

describe('interrupted uploads', () => {
  test('a failed chunk resumes where the registry stands, sending no earlier byte again', async () => {
    let failures = 0;
    const second = `${MiB}-${2 * MiB - 1}`;
    const { ranges, filter } = patchRanges((req) =>
      req.method === 'PATCH' && req.headers['content-range'] === second && failures++ === 0
        ? 'status'
        : false,
    );
    const proxy = await startFaultProxy(registry.url, { statuses: [503], faultFilter: filter });
    try {
      const log = recordingLogger();
      const result = await pushThrough(proxy.host, 'resume/chunked', log, { chunkSize: MiB });
      assert.equal(result.digest, image.manifestDigest);
      assert.equal(proxy.stats.faults.status, 1);
      const requests = proxy.requests();
      const status = requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/'));
      assert.equal(status.length, 1, 'asked the registry once where the upload stands');
      assert.equal(status[0]?.status, 204);
      const posts = requests.filter((r) => r.method === 'POST').length;
      assert.equal(posts, image.layers.length + 1, 'one upload session per blob: none was opened again');
      assert.equal(
        ranges.filter((range) => range === `0-${MiB - 1}`).length,
        1,
        `the chunk before the failed one was sent once: ${ranges.join(', ')}`,
      );
      assert.equal(ranges.filter((range) => range === second).length, 2, 'the failed chunk, then its retry');
      assert.ok(log.lines.some((line) => line.includes(`resuming at byte ${MiB}`)));
      await assertWhole(`${registry.host}/resume/chunked:v1`, 'resume-chunked');
    } finally {
      await proxy.close();
    }
  });

  test('a chunk cut mid-body makes distribution drop the session: the blob starts over and lands whole', async () => {
    let resets = 0;
    const { filter } = patchRanges((req) =>
      req.method === 'PATCH' && req.headers['content-range'] === `${MiB}-${2 * MiB - 1}` && resets++ === 0
        ? 'reset'
        : false,
    );
    const proxy = await startFaultProxy(registry.url, { resetAfterBytes: 300 * KiB, faultFilter: filter });
    try {
      const log = recordingLogger();
      const result = await pushThrough(proxy.host, 'restart/chunked', log, { chunkSize: MiB });
      assert.equal(result.digest, image.manifestDigest);
      assert.equal(proxy.stats.faults.reset, 1);
      const status = proxy.requests().filter((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/'));
      // distribution keeps the partial bytes but not the offset in its _state token: BLOB_UPLOAD_INVALID.
      assert.deepEqual(
        status.map((r) => r.status),
        [404],
      );
      assert.equal(proxy.requests().filter((r) => r.method === 'POST').length, image.layers.length + 2);
      await assertWhole(`${registry.host}/restart/chunked:v1`, 'restart-chunked');
    } finally {
      await proxy.close();
    }
  });

  test('a whole-blob PUT whose answer is lost is not sent again: the blob is found in place', async () => {
    const largest = image.layers.reduce((a, b) => (a.size > b.size ? a : b));
    let lost = 0;
    const proxy = await startFaultProxy(registry.url, {
      stallMs: 50,
      stallThen: 'reset',
      faultFilter: (req) =>
        req.method === 'PUT' && req.path.includes(largest.digest.slice(7)) && lost++ === 0 ? 'stall' : false,
    });
    try {
      const result = await pushThrough(proxy.host, 'lost-answer/app', recordingLogger());
      assert.equal(result.digest, image.manifestDigest);
      assert.equal(proxy.stats.faults.stall, 1);
      const puts = proxy
        .requests()
        .filter((r) => r.method === 'PUT' && r.path.includes(largest.digest.slice(7)));
      assert.equal(puts.length, 1, 'the layer went up once');
      await assertWhole(`${registry.host}/lost-answer/app:v1`, 'lost-answer');
    } finally {
      await proxy.close();
    }
  });

  test('an upload redirected to another origin (object storage) goes there, and lands whole', async () => {
    // "Object storage": another origin in front of the same registry.
    const storage = await startFaultProxy(registry.url);
    let redirected = 0;
    const front = await startFaultProxy(registry.url, {
      redirectTo: storage.url,
      faultFilter: (req) =>
        req.method === 'PUT' && req.path.includes('/blobs/uploads/') && redirected++ === 0
          ? 'redirect'
          : false,
    });
    const seenAtStorage: (string | undefined)[] = [];
    storage.setFaults({
      faultFilter: (req) => {
        seenAtStorage.push(req.headers.authorization);
        return false;
      },
    });
    try {
      const result = await pushThrough(front.host, 'redirected/app', recordingLogger());
      assert.equal(result.digest, image.manifestDigest);
      assert.equal(front.stats.faults.redirect, 1);
      const atStorage = storage.requests().filter((r) => r.method === 'PUT');
      assert.equal(atStorage.length, 1, 'the redirected PUT went to the other origin');
      assert.equal(atStorage[0]?.status, 201);
      assert.deepEqual(seenAtStorage, [undefined]);
      await assertWhole(`${registry.host}/redirected/app:v1`, 'redirected');
    } finally {
      await front.close();
      await storage.close();
    }
  });

  test('a 429 is waited out for as long as Retry-After says, and the retry is logged', async () => {
    let limited = 0;
    const proxy = await startFaultProxy(registry.url, {
      retryAfterSeconds: 1,
      faultFilter: (req) =>
        req.method === 'PUT' && req.path.includes('/manifests/') && limited++ === 0 ? '429' : false,
    });
    try {
      const log = recordingLogger();
      const started = performance.now();
      const result = await pushThrough(proxy.host, 'limited/app', log);
      assert.equal(result.digest, image.manifestDigest);
      assert.ok(performance.now() - started >= 1000, 'waited the second Retry-After asked for');
      assert.ok(
        log.lines.some((line) => /HTTP 429, retry 1 of 8 in 1\.0s/.test(line)),
        log.lines.join('\n'),
      );
    } finally {
      await proxy.close();
    }
  });

  test('a 503 that never ends fails after the retries, with one line, and moves no tag', async () => {
    const proxy = await startFaultProxy(registry.url, {
      statuses: [503],
      faultFilter: (req) => (req.method === 'PUT' && req.path.includes('/manifests/') ? 'status' : false),
    });
    try {
      const line = await rejectsWithLine(
        pushThrough(proxy.host, 'down/app', recordingLogger(), {
          retryPolicy: { ...QUICK_RETRIES, retries: 2 },
        }),
        /pushing manifest sha256:[0-9a-f]{64} to down\/app:v1: 127\.0\.0\.1:\d+ answered 503/,
      );
      assert.ok(!line.includes('\n'));
      const manifestPuts = proxy
        .requests()
        .filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'));
      assert.equal(manifestPuts.length, 3, 'the first try and two retries');
      await assert.rejects(inspectRaw(`${registry.host}/down/app:v1`), 'the tag does not exist');
    } finally {
      await proxy.close();
    }
  });
});

describe('body-size limits', () => {
  test('a 413 on a whole blob switches to chunks that fit, learnt once for the registry', async () => {
    const limit = 1.5 * MiB;
    const proxy = await startFaultProxy(registry.url, { maxBodyBytes: limit });
    try {
      const log = recordingLogger();
      const result = await pushThrough(proxy.host, 'limited-body/app', log);
      assert.equal(result.digest, image.manifestDigest);
      const refused = proxy.requests().filter((r) => r.fault === 'too-large');
      assert.ok(refused.length >= 1 && refused.length <= 3, `${refused.length} bodies refused`);
      const sent = proxy.requests().filter((r) => r.method === 'PATCH' && r.status === 202);
      assert.ok(sent.length >= 3, 'the big layer went up in several chunks');
      assert.ok(log.lines.some((line) => /refused \(413\), going on in chunks of \d+ bytes/.test(line)));
      await assertWhole(`${registry.host}/limited-body/app:v1`, 'limited-body');
    } finally {
      await proxy.close();
    }
  });

  test('a registry that refuses chunked uploads (405 to PATCH, like Google Artifact Registry) gets whole blobs', async () => {
    const proxy = await startFaultProxy(registry.url, {
      statuses: [405],
      faultFilter: (req) => (req.method === 'PATCH' ? 'status' : false),
    });
    try {
      const log = recordingLogger();
      const result = await pushThrough(proxy.host, 'no-chunks/app', log, { chunkSize: MiB });
      assert.equal(result.digest, image.manifestDigest);
      assert.ok(log.lines.some((line) => /refuses chunked uploads \(405\), sending it whole/.test(line)));
      const wholePuts = proxy
        .requests()
        .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/') && r.requestBytes > 0);
      assert.equal(wholePuts.length, image.layers.length + 1, 'every blob went up in one PUT');
      await assertWhole(`${registry.host}/no-chunks/app:v1`, 'no-chunks');
    } finally {
      await proxy.close();
    }
  });

  test('a layer over 200 MB goes through nginx with client_max_body_size 50m', async (t) => {
    const big = join(work, 'big');
    // Stored uncompressed, so that the layer itself is over 200 MB.
    const bigImage = await writeOciLayout(big, {
      layers: [{ size: 210 * MiB, files: 8 }],
      compression: 'none',
      seed: 9,
    });
    assert.ok((bigImage.layers[0]?.size ?? 0) > 200 * MiB);
    const nginx = await startNginx({ upstream: registry.url, clientMaxBodySize: '50m' });
    try {
      const log = recordingLogger();
      const result = await push({
        source: `oci:${big}`,
        destinations: [`${nginx.host}/big/app:v1`],
        concurrency: 4,
        logger: log,
      });
      assert.equal(result.digest, bigImage.manifestDigest);
      assert.ok(
        log.lines.some((line) => /\(413\), going on in chunks of 33554432 bytes/.test(line)),
        log.lines.join('\n'),
      );
      const raw = await inspectRaw(`${registry.host}/big/app@${bigImage.manifestDigest}`);
      assert.equal(raw.length, bigImage.manifestSize);

      // The peer, for the record: skopeo sends each blob as one PATCH, which nginx refuses.
      const skopeo = await skopeoCopy(`oci:${big}`, `docker://${nginx.host}/big/skopeo:v1`, [
        '--dest-tls-verify=false',
      ]).then(
        () => 'succeeded',
        (err: unknown) =>
          /413|Request Entity Too Large/i.test(String(err))
            ? 'failed with 413'
            : `failed: ${String(err).slice(0, 200)}`,
      );
      t.diagnostic(`skopeo through the same nginx: ${skopeo}`);
    } finally {
      await nginx.stop();
    }
  });
});

describe('tokens that lapse mid-push', () => {
  test('a 401 in the middle of an upload fetches a fresh token and carries on', async () => {
    const dir = await makeTempDir('lapsing-');
    // Tokens claim 300 s but lapse after 3: the client keeps using one until the registry refuses it.
    // (distribution accepts a token up to 60 s past its exp, for clock skew: hence exp 57 s in the past.)
    const tokens = await startTokenService(dir, {
      users: { builder: 'lapsing-pa55' },
      lifetimeSeconds: -57,
      advertisedLifetimeSeconds: 300,
    });
    const authRegistry = await startRegistry({ token: tokens });
    // Every PATCH is held back 400 ms: the upload takes several token lifetimes.
    const proxy = await startFaultProxy(authRegistry.url, {
      stallMs: 400,
      faultFilter: (req) => (req.method === 'PATCH' ? 'stall' : false),
    });
    try {
      const log = recordingLogger();
      const secrets: string[] = [];
      const result = await pushThrough(proxy.host, 'lapsing/app', log, {
        credentials: { username: 'builder', password: 'lapsing-pa55' },
        chunkSize: 256 * KiB,
        concurrency: 1,
        onSecret: (value) => secrets.push(value),
      });
      assert.equal(result.digest, image.manifestDigest);
      const refused = proxy.requests().filter((r) => r.status === 401 && r.path.includes('/blobs/uploads/'));
      assert.ok(refused.length >= 1, 'the registry refused a lapsed token in the middle of an upload');
      assert.ok(tokens.requests.length >= 2, `${tokens.requests.length} tokens fetched`);
      await assertWhole(`${authRegistry.host}/lapsing/app:v1`, 'lapsing', 'builder:lapsing-pa55');
      for (const secret of [...secrets, 'lapsing-pa55']) {
        assert.ok(!log.lines.some((line) => line.includes(secret)), 'no secret in the log');
      }
    } finally {
      await proxy.close();
      await authRegistry.stop();
      await tokens.stop();
    }
  });
});

describe('TLS', () => {
  test('a registry with a private CA: pushes with the CA, and without it fails with one line saying what to do', async () => {
    const certs = await createTestCertificates();
    const tlsRegistry = await startRegistry({
      tls: certs,
      htpasswd: { username: 'builder', password: 'tls-pa55' },
    });
    try {
      const credentials = { username: 'builder', password: 'tls-pa55' };
      const line = await rejectsWithLine(
        pushThrough(tlsRegistry.host, 'tls/app', recordingLogger(), { credentials }),
        /cannot reach 127\.0\.0\.1:\d+: .*certificate.*ca-file/i,
      );
      assert.ok(!line.includes('tls-pa55'));
      const result = await pushThrough(tlsRegistry.host, 'tls/app', recordingLogger(), {
        credentials,
        ca: await readFile(certs.caPath, 'utf8'),
      });
      assert.equal(result.digest, image.manifestDigest);
      const copy = join(work, 'copy-tls');
      await skopeoCopy(`docker://${tlsRegistry.host}/tls/app:v1`, `oci:${copy}`, [
        `--src-cert-dir=${certs.dir}`,
        '--src-creds=builder:tls-pa55',
      ]);
      assert.deepEqual(await ociLayoutBlobDigests(copy), expectedBlobs);
    } finally {
      await tlsRegistry.stop();
      await certs.remove();
    }
  });
});

describe('HTTP proxies', () => {
  /** A forward proxy: absolute-form requests for plain HTTP targets, CONNECT tunnels for TLS ones. */
  async function startForwardProxy(): Promise<{
    url: string;
    forwarded: string[];
    tunnels: string[];
    close(): Promise<void>;
  }> {
    const forwarded: string[] = [];
    const tunnels: string[] = [];
    const proxy = createServer((req, res) => {
      const target = new URL(req.url ?? '/');
      forwarded.push(target.host);
      const upstreamRequest = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers: req.headers,
        },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      upstreamRequest.on('error', () => res.destroy());
      req.pipe(upstreamRequest);
    });
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      forwarded,
      tunnels,
      close: async () => {
        proxy.closeAllConnections();
        await new Promise((resolve) => proxy.close(resolve));
      },
    };
  }

  /** Runs `body` with the proxy variables set as given (undefined: unset), then puts them back. */
  async function withProxyEnv<T>(
    vars: Record<string, string | undefined>,
    body: () => Promise<T>,
  ): Promise<T> {
    const names = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    const set = (name: string, value: string | undefined): void => {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    };
    for (const name of names) set(name, vars[name]);
    try {
      return await body();
    } finally {
      for (const name of names) set(name, saved[name]);
    }
  }

  test('with HTTP_PROXY set, every registry request goes through the proxy', async () => {
    const proxy = await startForwardProxy();
    try {
      const result = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
        pushThrough(registry.host, 'proxied/app', recordingLogger()),
      );
      assert.equal(result.digest, image.manifestDigest);
      const targets = [...proxy.forwarded, ...proxy.tunnels];
      assert.ok(targets.length >= 1, 'the registry was reached through the proxy');
      assert.ok(
        targets.every((target) => target === registry.host),
        targets.join(', '),
      );
    } finally {
      await proxy.close();
    }
  });

  test('with HTTPS_PROXY set, a TLS registry is reached through a CONNECT tunnel and its certificate is still checked', async () => {
    const certs = await createTestCertificates();
    const tlsRegistry = await startRegistry({ tls: certs });
    const proxy = await startForwardProxy();
    try {
      await withProxyEnv({ HTTPS_PROXY: proxy.url }, async () => {
        // The tunnel carries TLS end to end: without the CA the certificate is refused as it would be directly.
        await rejectsWithLine(
          pushThrough(tlsRegistry.host, 'tunnelled/app', recordingLogger()),
          /certificate.*ca-file/i,
        );
        const result = await pushThrough(tlsRegistry.host, 'tunnelled/app', recordingLogger(), {
          ca: await readFile(certs.caPath, 'utf8'),
        });
        assert.equal(result.digest, image.manifestDigest);
      });
      assert.ok(proxy.tunnels.length >= 1, 'no CONNECT reached the proxy');
      assert.ok(
        proxy.tunnels.every((target) => target === tlsRegistry.host),
        proxy.tunnels.join(', '),
      );
      const copy = join(work, 'copy-tunnelled');
      await skopeoCopy(`docker://${tlsRegistry.host}/tunnelled/app:v1`, `oci:${copy}`, [
        `--src-cert-dir=${certs.dir}`,
      ]);
      assert.deepEqual(await ociLayoutBlobDigests(copy), expectedBlobs);
    } finally {
      await proxy.close();
      await tlsRegistry.stop();
      await certs.remove();
    }
  });
});
