// Registries that take the connection and then do not play along: silent, trickling a byte at a time, stuck in
// 503s, or not there at all. A proxy in front of the real registry plays each part. Every row checks that the push
// ends within a bound set by the (shortened) timeouts and retry-timeout, with a message that says what happened,
// and that no tag moved.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { push } from '../../src/push/push.ts';
import type { Timeouts } from '../../src/registry/transport/http.ts';
import { writeOciLayout } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import {
  startFaultProxy,
  type FaultOptions,
  type FaultProxy,
  type ProxyRequestInfo,
  type FaultKind,
} from '../helpers/fault-proxy.ts';
import { recordingLogger, type RecordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const USER = { username: 'hostile', password: 'hostile-secret' };

let open: TestRegistry;
let guarded: TestRegistry;
let layout: string;

before(async () => {
  await ensureTools(['docker-registry', 'htpasswd']);
  [open, guarded] = await Promise.all([startRegistry(), startRegistry({ htpasswd: USER })]);
  layout = join(await makeTempDir('hostile-'), 'layout');
  await writeOciLayout(layout, { layers: [{ size: 256 * 1024 }, { size: 8 * 1024 }], seed: 11 });
});

after(async () => {
  await Promise.all([open.stop(), guarded.stop()]);
});

interface Context {
  readonly proxy: FaultProxy;
  readonly registry: TestRegistry;
  readonly repository: string;
  readonly log: RecordingLogger;
}

interface HostileCase {
  readonly name: string;
  /** The registry behind the proxy: `guarded` asks for Basic credentials, as most do. */
  readonly behind: 'open' | 'guarded';
  readonly fault: (req: ProxyRequestInfo) => boolean | FaultKind;
  readonly faults?: Partial<FaultOptions>;
  /** Close the proxy before the push: nothing listens on its port. */
  readonly closed?: boolean;
  readonly timeouts: Partial<Timeouts>;
  /** retry-timeout, in seconds. */
  readonly retryTimeout: number;
  readonly retries: number;
  readonly message: RegExp;
  /** The push must end within this (the bound the settings promise, plus a margin for a loaded machine). */
  readonly maxSeconds: number;
  /** A line the log must hold. */
  readonly logs?: RegExp;
  readonly check?: (ctx: Context) => Promise<void> | void;
}

const uploadRequest = (r: ProxyRequestInfo): boolean =>
  (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/uploads/');

const CASES: HostileCase[] = [
  {
    name: 'silent from the first request on: "no answer", not "cannot reach", and retry-timeout ends it',
    behind: 'open',
    fault: () => 'silent',
    timeouts: { headersMs: 800, noticeMs: 300 },
    retryTimeout: 3,
    retries: 100,
    message:
      /^connecting: no answer from 127\.0\.0\.1:\d+ after [\d.]+ s.*; gave up after 3 s without progress \(retry-timeout\)\. raise retry-timeout/,
    maxSeconds: 10,
    logs: /^info: still waiting for 127\.0\.0\.1:\d+ \(\d+ s without an answer\)$/,
  },
  {
    name: 'silent after the last byte of every upload: the upload times out and its session is cancelled',
    behind: 'open',
    fault: (r) => (uploadRequest(r) ? 'silent' : false),
    timeouts: { uploadMs: 700, noticeMs: 300 },
    retryTimeout: 30,
    retries: 2,
    message:
      /^uploading blob sha256:[0-9a-f]{64} to hostile\/\d+: no answer from 127\.0\.0\.1:\d+ after 0\.7 s/,
    maxSeconds: 15,
    logs: /^info: still waiting for 127\.0\.0\.1:\d+/,
    check: async ({ proxy, registry, repository }) => {
      const deletes = proxy
        .requests()
        .filter((r) => r.method === 'DELETE' && r.path.includes('/blobs/uploads/'));
      assert.ok(deletes.length >= 1, 'the abandoned session was cancelled');
      assert.ok(
        deletes.every((r) => r.status === 204 || r.status === 202),
        `the registry took the cancel: ${JSON.stringify(deletes)}`,
      );
      const uploads = join(registry.dir, 'data/docker/registry/v2/repositories', repository, '_uploads');
      assert.deepEqual(await sessionFiles(uploads), [], 'no upload session left in the registry storage');
    },
  },
  {
    name: 'connection reset in the middle of an upload, no retries: "lost the connection", and a cancel is tried',
    behind: 'open',
    fault: (r) => (uploadRequest(r) ? 'reset' : false),
    faults: { resetAfterBytes: 100 * 1024 },
    timeouts: {},
    retryTimeout: 30,
    retries: 0,
    message: /^uploading blob sha256:[0-9a-f]{64} to hostile\/\d+: lost the connection to 127\.0\.0\.1:\d+/,
    maxSeconds: 10,
    check: ({ proxy }) => {
      const cut = proxy.requests().filter((r) => r.fault === 'reset');
      assert.ok(cut.length >= 1, 'an upload was cut');
      // Every cut session gets its DELETE. distribution refuses it (404, "upload resumed at wrong offset"):
      // its _state token still names the offset before the cut, so only its upload purging frees those bytes.
      const cancelled = new Set(
        proxy
          .requests()
          .filter((r) => r.method === 'DELETE')
          .map((r) => r.path.split('?')[0]),
      );
      for (const r of cut) assert.ok(cancelled.has(r.path.split('?')[0]), `a DELETE for ${r.path}`);
    },
  },
  {
    name: 'headers trickled one byte every 150 ms: the headers timeout still fires',
    behind: 'open',
    fault: () => 'drip',
    faults: { dripMs: 150, dripFrom: 'headers' },
    timeouts: { headersMs: 1000 },
    retryTimeout: 3,
    retries: 100,
    message:
      /^connecting: no answer from 127\.0\.0\.1:\d+ after [\d.]+ s.*gave up after 3 s without progress \(retry-timeout\)/,
    maxSeconds: 10,
  },
  {
    name: 'a body trickled one byte every 200 ms (never silent for long): cut after the whole-answer bound',
    behind: 'guarded',
    fault: (r) => (r.path === '/v2/' ? 'drip' : false),
    faults: { dripMs: 200, dripFrom: 'body' },
    timeouts: { bodyMs: 1000, bodyTotalMs: 1500 },
    retryTimeout: 4,
    retries: 100,
    message:
      /^connecting: 127\.0\.0\.1:\d+ answers too slowly \(its answer was not complete after 1\.5 s\).*gave up after 4 s without progress \(retry-timeout\)/,
    maxSeconds: 12,
  },
  {
    name: 'answers 503 to everything: retry-timeout bounds the retries, whatever their count',
    behind: 'open',
    fault: () => 'status',
    faults: { statuses: [503] },
    timeouts: {},
    retryTimeout: 2,
    retries: 1000,
    message:
      /^connecting: 127\.0\.0\.1:\d+ answered 503 \(UNAVAILABLE: injected 503\); gave up after 2 s without progress \(retry-timeout\)/,
    maxSeconds: 8,
  },
  {
    name: 'nothing listens on the port: "cannot reach", once the short refused-connection window (3 s) is over',
    behind: 'open',
    fault: () => false,
    closed: true,
    timeouts: {},
    retryTimeout: 30,
    retries: 5,
    message: /^connecting: cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED.*is the registry running/,
    maxSeconds: 5,
  },
];

/**
 * The files of open upload sessions in distribution's storage: `<id>/data` (the bytes) and `<id>/startedat`.
 * A cancelled session loses both (distribution leaves an empty hash-state directory behind).
 */
async function sessionFiles(uploads: string): Promise<string[]> {
  const entries = await readdir(uploads, { recursive: true }).catch(() => []);
  return entries.filter((e) => /(^|\/)(data|startedat)$/.test(e));
}

describe('hostile servers', () => {
  let n = 0;
  for (const c of CASES) {
    test(c.name, async () => {
      const registry = c.behind === 'open' ? open : guarded;
      const proxy = await startFaultProxy(registry.url, { ...c.faults, faultFilter: c.fault });
      if (c.closed) await proxy.close();
      const repository = `hostile/${++n}`;
      const log = recordingLogger();
      await registry.clearRequests();
      const started = performance.now();
      try {
        await rejectsWithLine(
          push({
            source: `oci:${layout}`,
            destinations: [`${proxy.host}/${repository}:v1`],
            concurrency: 2,
            logger: log,
            ...(c.behind === 'guarded' ? { credentials: USER } : {}),
            retryPolicy: {
              retries: c.retries,
              maxElapsedMs: c.retryTimeout * 1000,
              baseDelayMs: 50,
              maxDelayMs: 300,
            },
            timeouts: c.timeouts,
          }),
          c.message,
        );
        const seconds = (performance.now() - started) / 1000;
        assert.ok(seconds < c.maxSeconds, `ended after ${seconds.toFixed(1)} s, bound ${c.maxSeconds} s`);
        if (c.logs) {
          const pattern = c.logs;
          assert.ok(
            log.lines.some((line) => pattern.test(line)),
            `a log line matches ${String(pattern)}`,
          );
        }
        const tagged = (await registry.requests()).filter(
          (r) => r.method === 'PUT' && r.path.includes('/manifests/') && r.status < 300,
        );
        assert.deepEqual(tagged, [], 'no tag moved');
        await c.check?.({ proxy, registry, repository, log });
      } finally {
        await proxy.close();
      }
    });
  }
});

test('slow but steady (every answer 400 ms late): the push outlives retry-timeout, which bounds silence only', async () => {
  const proxy = await startFaultProxy(open.url, { faultFilter: () => 'stall', stallMs: 400 });
  try {
    const started = performance.now();
    const result = await push({
      source: `oci:${layout}`,
      destinations: [`${proxy.host}/hostile/steady:v1`],
      concurrency: 1,
      logger: recordingLogger(),
      retryPolicy: { retries: 0, maxElapsedMs: 2000, baseDelayMs: 50, maxDelayMs: 300 },
      timeouts: { headersMs: 1500, uploadMs: 1500 },
    });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds > 2, `took ${seconds.toFixed(1)} s, longer than retry-timeout`);
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
    const tagged = (await open.requests()).filter(
      (r) => r.method === 'PUT' && r.path === '/v2/hostile/steady/manifests/v1' && r.status === 201,
    );
    assert.equal(tagged.length, 1, 'the tag was pushed');
  } finally {
    await proxy.close();
  }
});
