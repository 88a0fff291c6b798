import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { parseRetryAfter } from '../../src/registry/transport/http.ts';
import { RetryTally, type RetryPolicy } from '../../src/registry/transport/retry-policy.ts';
import { backoffDelay, retryReason, RetryBudget } from '../../src/registry/transport/retry.ts';
import { knownMinimumChunk } from '../../src/registry/upload.ts';
import { recordingLogger } from '../helpers/log.ts';

const fast: RetryPolicy = { retries: 3, maxElapsedMs: 10_000, baseDelayMs: 1, maxDelayMs: 4 };

function withCode(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code });
}

describe('which failures are retried', () => {
  const cases: [string, unknown, string | undefined][] = [
    ['a reset connection', withCode('ECONNRESET'), 'ECONNRESET'],
    ['undici closing the socket', withCode('UND_ERR_SOCKET'), 'UND_ERR_SOCKET'],
    [
      'a reset wrapped in a RegistryError',
      new RegistryError('x', undefined, { cause: withCode('ECONNRESET') }),
      'ECONNRESET',
    ],
    ['503', new RegistryError('x', undefined, { status: 503 }), 'HTTP 503'],
    ['500', new RegistryError('x', undefined, { status: 500 }), 'HTTP 500'],
    ['429', new RegistryError('x', undefined, { status: 429 }), 'HTTP 429'],
    ['408', new RegistryError('x', undefined, { status: 408 }), 'HTTP 408'],
    [
      '401: credentials do not get better by waiting',
      new RegistryError('x', undefined, { status: 401 }),
      undefined,
    ],
    ['404', new RegistryError('x', undefined, { status: 404 }), undefined],
    [
      '403 denied: waiting changes nothing',
      new RegistryError('x: answered 403 (DENIED: denied)', undefined, { status: 403 }),
      undefined,
    ],
    [
      "403 with GHCR's secondary rate limit",
      new RegistryError('x: answered 403 (DENIED: secondary rate limit)', undefined, { status: 403 }),
      'HTTP 403 (rate limit)',
    ],
    [
      '413: handled by chunking, not by waiting',
      new RegistryError('x', undefined, { status: 413 }),
      undefined,
    ],
    // Retried only within a short window, by RetryBudget (below).
    ['a refused connection: nothing listens there', withCode('ECONNREFUSED'), undefined],
    ['an unknown host', withCode('ENOTFOUND'), undefined],
    ['a certificate error', withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), undefined],
    ['a plain bug', new TypeError('x is undefined'), undefined],
  ];
  for (const [name, err, reason] of cases) {
    test(name, () => assert.equal(retryReason(err), reason));
  }
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  test('delta seconds', () => {
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 7 ', now), 7000, 'surrounding blanks');
  });
  test('an HTTP date', () => assert.equal(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now), 30_000));
  test('a date in the past means now', () =>
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now), 0));
  test('absent or unreadable', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter('7s', now), undefined);
    assert.equal(parseRetryAfter('   ', now), undefined);
    // Not an HTTP date, though Date.parse reads it: a header must be in RFC 9110's form.
    assert.equal(parseRetryAfter('2026-11-25T12:00:30Z', now), undefined);
  });
});

describe('backoff', () => {
  const policy: RetryPolicy = { retries: 10, maxElapsedMs: 1e9, baseDelayMs: 100, maxDelayMs: 1000 };
  test('doubles, with equal jitter: a delay in the upper half of each step', () => {
    assert.equal(
      backoffDelay(policy, 0, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(policy, 0, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(policy, 2, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(policy, 2, () => 1),
      400,
    );
  });
  test('never exceeds the ceiling', () => {
    assert.equal(
      backoffDelay(policy, 30, () => 1),
      1000,
    );
  });
});

describe('RetryBudget', () => {
  test('retries up to the count, logging each reason, then rethrows', async () => {
    const log = recordingLogger();
    const budget = new RetryBudget(fast, log, 'uploading blob sha256:ab');
    const err = new RegistryError('x', undefined, { status: 503 });
    for (let i = 0; i < 3; i++) await budget.next(err);
    await assert.rejects(budget.next(err), (thrown) => thrown === err);
    assert.equal(budget.retries, 3);
    assert.equal(log.lines.length, 3);
    assert.match(log.lines[0] ?? '', /^info: uploading blob sha256:ab: HTTP 503, retry 1 of 3 in \d\.\ds$/);
    assert.ok(
      !log.lines.some((line) => line.startsWith('warning:')),
      'a retry is a plain line, not a warning',
    );
  });

  test('counts every retry of a push in the tally of its policy, by reason', async () => {
    const tally = new RetryTally();
    const policy = { ...fast, retries: 10, tally };
    const first = new RetryBudget(policy, recordingLogger(), 'a');
    const second = new RetryBudget(policy, recordingLogger(), 'b');
    for (let i = 0; i < 3; i++) await first.next(new RegistryError('x', undefined, { status: 503 }));
    await second.next(withCode('ECONNRESET'));
    await second.next(new RegistryError('x', undefined, { status: 502 }));
    await second.next(new RegistryError('x', undefined, { status: 503 }));
    await assert.rejects(second.next(new RegistryError('denied', undefined, { status: 403 })));
    assert.equal(tally.count, 6);
    assert.equal(tally.describe(), '6 requests retried: HTTP 503 x4, ECONNRESET x1, HTTP 502 x1');
    assert.equal(new RetryTally().describe(), undefined);
  });

  test('a refused connection is retried within its short window only, then rethrown', async () => {
    const log = recordingLogger();
    const policy = { ...fast, retries: 100, baseDelayMs: 10, maxDelayMs: 10, refusedWindowMs: 150 };
    const budget = new RetryBudget(policy, log, 'connecting');
    const err = new RegistryError('cannot reach', 'is the registry running?', {
      cause: withCode('ECONNREFUSED'),
    });
    const started = Date.now();
    await budget.next(err);
    assert.match(
      log.lines[0] ?? '',
      /^info: connecting: connection refused \(still starting\?\), retry 1 of 100/,
    );
    await assert.rejects(
      (async () => {
        for (;;) await budget.next(err);
      })(),
      (thrown) => thrown === err,
    );
    const took = Date.now() - started;
    assert.ok(took >= 140 && took < 1000, `gave up after ${took} ms`);
    assert.ok(budget.retries >= 2 && budget.retries < 30, `${budget.retries} retries`);
  });

  test('retries: 0 turns the refused-connection retry off too', async () => {
    const budget = new RetryBudget({ ...fast, retries: 0 }, recordingLogger(), 'x');
    const err = withCode('ECONNREFUSED');
    await assert.rejects(budget.next(err), (thrown) => thrown === err);
  });

  test('rethrows at once what is not retryable', async () => {
    const budget = new RetryBudget(fast, recordingLogger(), 'x');
    const err = new RegistryError('denied', undefined, { status: 403 });
    await assert.rejects(budget.next(err), (thrown) => thrown === err);
    assert.equal(budget.retries, 0);
  });

  test('waits as long as Retry-After asks', async () => {
    const budget = new RetryBudget(fast, recordingLogger(), 'x');
    const err = new RegistryError('slow down', undefined, { status: 429, retryAfterMs: 120 });
    const started = performance.now();
    await budget.next(err);
    assert.ok(performance.now() - started >= 110, 'slept for the asked time, not the 1 ms backoff');
  });

  test('gives up when Retry-After asks for more than the time budget left', async () => {
    const budget = new RetryBudget({ ...fast, maxElapsedMs: 1000 }, recordingLogger(), 'x');
    const err = new RegistryError('slow down', undefined, { status: 429, retryAfterMs: 60_000 });
    const started = performance.now();
    await assert.rejects(budget.next(err), (thrown) => thrown === err);
    assert.ok(performance.now() - started < 500, 'did not sleep before giving up');
  });
});

describe('registries with a chunk minimum they do not announce', () => {
  test('Amazon ECR: 5 MiB', () => {
    assert.equal(knownMinimumChunk('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), 5 * 1024 * 1024);
    assert.equal(knownMinimumChunk('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com'), 5 * 1024 * 1024);
  });
  test('others: none', () => {
    assert.equal(knownMinimumChunk('ghcr.io'), 0);
    assert.equal(knownMinimumChunk('ecr.example.com'), 0);
  });
});
