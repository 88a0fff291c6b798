import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/registry/transport/retry-policy.ts
var DEFAULT_RETRIES = 5;
var REFUSED_WINDOW_MS = 3e3;
var DEFAULT_RETRY_TIMEOUT_SECONDS = 300;
var DEFAULT_RETRY_POLICY = {
  retries: DEFAULT_RETRIES,
  maxElapsedMs: DEFAULT_RETRY_TIMEOUT_SECONDS * 1e3,
  baseDelayMs: 500,
  maxDelayMs: 3e4
};
var RetryTally = class {
  #reasons = /* @__PURE__ */ new Map();
  add(reason) {
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
  }
  get count() {
    let total = 0;
    for (const n of this.#reasons.values()) total += n;
    return total;
  }
  /** `12 requests retried: HTTP 503 x7, ECONNRESET x5`, most frequent first; undefined when none was. */
  describe() {
    const count = this.count;
    if (count === 0) return void 0;
    const reasons = [...this.#reasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} x${n}`);
    return `${count} ${count === 1 ? "request" : "requests"} retried: ${reasons.join(", ")}`;
  }
};

export {
  DEFAULT_RETRIES,
  REFUSED_WINDOW_MS,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
  DEFAULT_RETRY_POLICY,
  RetryTally
};
