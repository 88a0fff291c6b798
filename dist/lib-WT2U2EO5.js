import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  loadBlobMap,
  localBlobMapPath,
  saveBlobMap
} from "./lib-YFVTKVGO.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
import "./lib-U2ZXBBGP.js";
import {
  require_node_path
} from "./lib-KQYZT7ZY.js";
import "./lib-LDHBL6VY.js";
import {
  info,
  warning
} from "./lib-7MXFONZB.js";
import "./lib-3QRKZH6D.js";
import {
  __toESM
} from "./lib-V3WSX2IK.js";

// src/action/actions-cache.ts
var import_node_path = __toESM(require_node_path(), 1);
var KEY_PREFIX = "image-push-blob-map-v1-";
var REPORTER = {
  warn: (message) => warning(safeLine(message)),
  disable: "cache: false"
};
var BlobMapCache = class _BlobMapCache {
  #path;
  #cache;
  constructor(cache) {
    this.#cache = cache;
    this.#path = cache ? (0, import_node_path.join)(process.env.RUNNER_TEMP ?? process.cwd(), "image-push-blob-map", "blob-map.json") : localBlobMapPath();
  }
  static async open() {
    return new _BlobMapCache(await cacheService());
  }
  async restore() {
    if (this.#cache) {
      try {
        const hit = await this.#cache.restoreCache([this.#path], `${KEY_PREFIX}${runKey()}`, [KEY_PREFIX]);
        info(
          safeLine(hit ? `blob map restored from cache entry ${hit}` : "no blob map in the cache yet")
        );
      } catch (err) {
        warning(
          safeLine(
            `could not restore the blob map from the Actions cache (${err.message}); going on without it, which only costs time (cache: false skips it)`
          )
        );
      }
    }
    return loadBlobMap(this.#path, REPORTER);
  }
  async save(map) {
    if (!map.changed) return;
    if (!await saveBlobMap(map, this.#path, REPORTER) || !this.#cache) return;
    try {
      await this.#cache.saveCache([this.#path], `${KEY_PREFIX}${runKey()}`);
    } catch (err) {
      warning(
        safeLine(
          `could not save the blob map to the Actions cache (${err.message}); the push itself is done (cache: false skips the map)`
        )
      );
    }
  }
};
async function cacheService() {
  if (!process.env.ACTIONS_CACHE_URL && !process.env.ACTIONS_RESULTS_URL) return void 0;
  try {
    const cache = await import("./lib-XSHLLQZ3.js");
    return typeof cache.isFeatureAvailable === "function" && cache.isFeatureAvailable() ? cache : void 0;
  } catch {
    return void 0;
  }
}
function runKey() {
  const { GITHUB_RUN_ID = "local", GITHUB_RUN_ATTEMPT = "1", GITHUB_JOB = "job" } = process.env;
  return `${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}-${GITHUB_JOB}-${Date.now().toString(36)}`;
}
export {
  BlobMapCache
};
