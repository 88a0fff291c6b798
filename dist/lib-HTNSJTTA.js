import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  InputError,
  formatReference,
  parseReference
} from "./lib-2QUEV4DK.js";

// src/engine/targets.ts
function parseTargets(destinations, defaultRegistry) {
  if (destinations.length === 0) {
    throw new InputError("no destination given", "name at least one tag, e.g. ghcr.io/OWNER/IMAGE:latest");
  }
  const byRepository = /* @__PURE__ */ new Map();
  for (const destination of destinations) {
    checkBareWord(destination, defaultRegistry);
    const ref = parseReference(destination, defaultRegistry ? { defaultRegistry } : void 0);
    const key = `${ref.registry}/${ref.repository}`;
    let group = byRepository.get(key);
    if (!group) {
      group = { registry: ref.registry, repository: ref.repository, refs: [] };
      byRepository.set(key, group);
    }
    if (!group.refs.some((r) => formatReference(r) === formatReference(ref))) group.refs.push(ref);
  }
  return [...byRepository.values()].map(({ registry, repository, refs }) => ({
    registry,
    repository,
    tags: refs.filter((r) => r.digest === void 0 && r.tag !== void 0).map((r) => r.tag),
    digests: refs.filter((r) => r.digest !== void 0).map((r) => r.digest),
    references: refs
  }));
}
function checkBareWord(destination, defaultRegistry) {
  const word = destination.trim();
  const registry = defaultRegistry?.trim().replace(/\/+$/, "") ?? "";
  if (!registry.includes("/") || /[/:@]/.test(word) || word === "") return;
  throw new InputError(
    `destination "${word}" names no image: with registry "${registry}" it would push to ${registry}/${word}:latest`,
    `for the tag ${word} write IMAGE:${word} (app:${word} pushes to ${registry}/app:${word}); for an image named ${word} write ${word}:latest`
  );
}
function namedTags(destinations, defaultRegistry) {
  return destinations.filter((destination) => {
    const ref = parseReference(destination, {
      ...defaultRegistry ? { defaultRegistry } : {},
      defaultTag: false
    });
    return ref.tag !== void 0;
  });
}

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

// src/limit.ts
function createLimiter(concurrency) {
  let active = 0;
  const waiting = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = waiting.shift();
    if (start) {
      active++;
      start();
    }
  };
  return (task) => new Promise((resolve, reject) => {
    waiting.push(() => {
      task().then(resolve, reject).finally(() => {
        active--;
        next();
      });
    });
    next();
  });
}

export {
  parseTargets,
  namedTags,
  DEFAULT_RETRIES,
  REFUSED_WINDOW_MS,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
  DEFAULT_RETRY_POLICY,
  RetryTally,
  createLimiter
};
