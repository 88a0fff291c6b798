// retry-timeout as a bound on time without progress: progress moves it, silence ends it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { describeError } from '../../src/errors.ts';
import { Deadline } from '../../src/registry/transport/deadline.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { RetryBudget } from '../../src/registry/transport/retry.ts';
import { recordingLogger } from '../helpers/log.ts';

test('progress moves the bound; without it a network wait is aborted', async () => {
  const deadline = new Deadline(300);
  const signal = deadline.signal;
  await deadline.waiting(async () => {
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      deadline.touch();
    }
  });
  assert.equal(signal.aborted, false, '500 ms of steady progress outlive a 300 ms bound');
  await deadline.waiting(() => sleep(700));
  assert.equal(signal.aborted, true, 'aborted after 300 ms without progress');
  assert.ok(deadline.expired);
  deadline.touch();
  assert.ok(deadline.expired, 'nothing revives a bound that passed');
  deadline.close();
});

test('time without a request in flight (local work) does not abort; the next operation starts afresh', async () => {
  const deadline = new Deadline(200);
  await sleep(500);
  assert.equal(deadline.signal.aborted, false);
  deadline.touch();
  assert.equal(deadline.expired, false);
  deadline.close();
});

test('a retry never waits past the bound, and the error names retry-timeout once', async () => {
  const deadline = new Deadline(150);
  const budget = new RetryBudget(
    { retries: 100, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 100 },
    recordingLogger(),
    'x',
    deadline,
  );
  const err = new RegistryError('x: reg answered 503', undefined, { status: 503 });
  const started = performance.now();
  let thrown: unknown;
  try {
    for (;;) await budget.next(err);
  } catch (e) {
    thrown = e;
  }
  assert.ok(performance.now() - started < 400, 'ended at the bound');
  const line = describeError(thrown);
  assert.match(
    line,
    /^x: reg answered 503; gave up after 0\.\d s without progress \(retry-timeout\)\. raise retry-timeout/,
  );
  assert.equal(describeError(deadline.error(thrown)), line, 'wrapping twice changes nothing');
  deadline.close();
});
