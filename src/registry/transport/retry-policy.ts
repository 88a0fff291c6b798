// The retry policy's shape and defaults, apart from retry.ts so that the front ends can parse and print them
// without loading the registry client (and undici) on the way to an input error.

/** How hard to try before giving up: a count and a wall-clock budget, whichever runs out first. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  /** No retry starts once this many milliseconds have passed since the first attempt. */
  readonly maxElapsedMs: number;
  /** First backoff; each next one doubles, with equal jitter, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * How long after an operation's first attempt a refused connection is still retried (a registry that is
   * still starting: a `docker run -d registry` or a `services:` container just before the push). Past it, a
   * refused connection fails: nothing listens there. Default REFUSED_WINDOW_MS.
   */
  readonly refusedWindowMs?: number;
  /** Counts the retries of a whole push, for the one warning at its end (RetryTally). */
  readonly tally?: { add(reason: string): void } | undefined;
}

export const DEFAULT_RETRIES = 5;
/** Short: a wrong host or port should still fail within a few seconds. */
export const REFUSED_WINDOW_MS = 3000;
export const DEFAULT_RETRY_TIMEOUT_SECONDS = 300;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: DEFAULT_RETRIES,
  maxElapsedMs: DEFAULT_RETRY_TIMEOUT_SECONDS * 1000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/**
 * The retries of a whole push, by reason: for one line at its end, `12 requests retried: HTTP 503 x7, ...`,
 * instead of a warning per retry.
 */
export class RetryTally {
  readonly #reasons = new Map<string, number>();

  add(reason: string): void {
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
  }

  get count(): number {
    let total = 0;
    for (const n of this.#reasons.values()) total += n;
    return total;
  }

  /** `12 requests retried: HTTP 503 x7, ECONNRESET x5`, most frequent first; undefined when none was. */
  describe(): string | undefined {
    const count = this.count;
    if (count === 0) return undefined;
    const reasons = [...this.#reasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} x${n}`);
    return `${count} ${count === 1 ? 'request' : 'requests'} retried: ${reasons.join(', ')}`;
  }
}
