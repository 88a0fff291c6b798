import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log.ts';
import type { Deadline } from './deadline.ts';
import { RegistryError } from './errors.ts';
import { REFUSED_WINDOW_MS, type RetryPolicy } from './retry-policy.ts';

/** Statuses that say "try again": the request did nothing lasting, or the registry is briefly unable. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Connection failures worth another try. An unknown host or a certificate problem is not: trying again cannot
 * fix them, and the user should hear about them at once. A refused connection is retried only briefly (see
 * RetryPolicy.refusedWindowMs), by RetryBudget.
 */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // A body that ended short of its Content-Length: the connection closed in the middle of an answer.
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Why `err` deserves a retry, or undefined when it does not. */
export function retryReason(err: unknown): string | undefined {
  if (err instanceof RegistryError) {
    // GHCR's "secondary rate limit" is a 403, not a 429: it passes like any rate limit.
    if (err.status === 403 && /rate.?limit/i.test(err.message)) return 'HTTP 403 (rate limit)';
    if (err.status !== undefined)
      return RETRYABLE_STATUSES.has(err.status) ? `HTTP ${err.status}` : undefined;
    return retryReason(err.cause);
  }
  const code = errorCode(err);
  if (code && RETRYABLE_CODES.has(code)) return code;
  if (err instanceof Error && err.cause !== undefined) return retryReason(err.cause);
  return undefined;
}

/** Whether `err`, or an error it wraps, is a refused connection. */
function isRefused(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && depth < 8; depth++) {
    if (errorCode(e) === 'ECONNREFUSED') return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Exponential backoff with equal jitter (the AWS architecture blog's name): a random delay in the upper half of
 * each step, so clients spread apart yet every retry still waits at least half the step.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** When a push (keyed by its Deadline) first saw a refused connection. */
const firstRefusal = new WeakMap<object, number>();

/**
 * Keeps count of one operation's retries. `next(err)` either returns after waiting out the backoff (or the
 * registry's Retry-After), logging why, or rethrows `err` when it is not retryable or the budget is spent.
 */
export class RetryBudget {
  readonly #policy: RetryPolicy;
  readonly #log: Logger;
  readonly #what: string;
  readonly #deadline: Deadline | undefined;
  readonly #started = Date.now();
  #retries = 0;

  constructor(policy: RetryPolicy, log: Logger, what: string, deadline?: Deadline) {
    this.#policy = policy;
    this.#log = log;
    this.#what = what;
    this.#deadline = deadline;
  }

  get retries(): number {
    return this.#retries;
  }

  /** `reason` overrides the judgement of `err`: for failures only the caller knows how to recover from. */
  async next(err: unknown, reason = retryReason(err)): Promise<void> {
    let refused = false;
    let refusedLeft = 0;
    if (reason === undefined && isRefused(err)) {
      // One window per push (its deadline), from the first refusal: later operations get no fresh one.
      const key = this.#deadline ?? this;
      const since = firstRefusal.get(key) ?? Date.now();
      firstRefusal.set(key, since);
      refusedLeft = (this.#policy.refusedWindowMs ?? REFUSED_WINDOW_MS) - (Date.now() - since);
      refused = refusedLeft > 0;
    }
    if (refused) reason = 'connection refused (still starting?)';
    if (reason === undefined) throw err;
    // The push-wide bound: no retry, and no wait, past it.
    const pushLeft = this.#deadline?.remaining() ?? Number.POSITIVE_INFINITY;
    if (this.#deadline && pushLeft <= 0) throw this.#deadline.error(err);
    const elapsed = Date.now() - this.#started;
    if (this.#retries >= this.#policy.retries) throw err;
    if (elapsed >= this.#policy.maxElapsedMs) throw this.#deadline ? this.#deadline.error(err) : err;
    const asked = err instanceof RegistryError ? err.retryAfterMs : undefined;
    let delay = asked ?? backoffDelay(this.#policy, this.#retries);
    // The last try of a refused connection comes at the end of its window, not after it.
    if (refused) delay = Math.max(50, Math.min(delay, refusedLeft));
    const left = this.#policy.maxElapsedMs - elapsed;
    if (delay > left) {
      if (asked !== undefined) throw err; // the registry wants us gone longer than we may wait
      delay = left;
    }
    if (this.#deadline && delay >= pushLeft) throw this.#deadline.error(err);
    this.#deadline?.failed(err);
    this.#retries++;
    this.#policy.tally?.add(reason);
    // A plain line: a retry that ends well is no warning. The front end warns once, at the end, from the tally.
    this.#log.info(
      `${this.#what}: ${reason}, retry ${this.#retries} of ${this.#policy.retries} in ${(delay / 1000).toFixed(1)}s`,
    );
    await sleep(delay);
  }
}
