import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  safeLine
} from "./action-CQU646PA.js";
import {
  UnreadableFileError,
  fileKind,
  readRegularFile
} from "./action-TDGLVJ5A.js";
import {
  isSha256Digest,
  require_node_path,
  require_promises,
  sha256Hex
} from "./action-KFWXCRBI.js";
import "./action-7YDRSE4Y.js";
import {
  info,
  warning
} from "./action-PD5JI2TT.js";
import {
  require_node_os
} from "./action-O6GVOO7T.js";
import {
  __toESM
} from "./action-JJ6ZGO25.js";

// src/action/actions-cache.ts
var import_node_path3 = __toESM(require_node_path(), 1);

// src/cache/blob-map-store.ts
var import_promises2 = __toESM(require_promises(), 1);
var import_node_os = __toESM(require_node_os(), 1);
var import_node_path2 = __toESM(require_node_path(), 1);

// src/cache/blob-map.ts
var import_promises = __toESM(require_promises(), 1);
var import_node_path = __toESM(require_node_path(), 1);
var MAX_REPOSITORIES = 5;
var MAX_ENTRIES = 5e3;
var MAX_ATTESTATIONS = 5;
var BlobMap = class _BlobMap {
  #entries = /* @__PURE__ */ new Map();
  #locations = /* @__PURE__ */ new Map();
  #changed = false;
  static async load(path) {
    try {
      return _BlobMap.parse(await (0, import_promises.readFile)(path, "utf8"));
    } catch {
      return new _BlobMap();
    }
  }
  /** The map a file's text holds; throws when the text is no blob map (the store then warns and starts empty). */
  static parse(text) {
    const map = new _BlobMap();
    const parsed = JSON.parse(text);
    if (parsed?.version === 1) return map;
    if (parsed?.version !== 2 || !Array.isArray(parsed.entries)) throw new Error("not a version 2 blob map");
    for (const entry of parsed.entries) {
      if (isValid(entry)) map.#entries.set(key(entry.diffId, entry.digest), entry);
    }
    for (const location of Array.isArray(parsed.locations) ? parsed.locations : []) {
      if (isValidLocation(location)) map.#locations.set(key(location.registry, location.digest), location);
    }
    return map;
  }
  /**
   * Manifests of `registry` that paired the layer with some blob, newest first: candidates to read again.
   * Nothing here is trusted: the caller reads each manifest and its config from the registry and takes the
   * pairing only if the registry's own bytes make it.
   */
  attestations(diffId, registry) {
    return [...this.#entries.values()].filter((entry) => entry.diffId === diffId).sort((a, b) => b.lastUsed - a.lastUsed).flatMap((entry) => entry.attestations.filter((a) => a.registry === registry));
  }
  /** Notes that `attestation` (a manifest the registry now holds) pairs the layer `diffId` with `form`. */
  record(diffId, form, attestation) {
    const id = key(diffId, form.digest);
    const same = (a) => a.registry === attestation.registry && a.repository === attestation.repository;
    const known = this.#entries.get(id)?.attestations ?? [];
    if (known[0] && same(known[0]) && known[0].manifest === attestation.manifest) return;
    const attestations = [attestation, ...known.filter((a) => !same(a))].slice(0, MAX_ATTESTATIONS);
    const entry = { diffId, digest: form.digest, size: form.size, mediaType: form.mediaType };
    this.#entries.set(id, { ...entry, attestations, lastUsed: Date.now(), check: checksum(entry) });
    this.#changed = true;
  }
  /** Repositories of `registry` that held the blob when last seen, newest first: candidates to mount from. */
  repositoriesWith(digest, registry) {
    return [...this.#locations.get(key(registry, digest))?.repositories ?? []];
  }
  /** Notes that `repository` of `registry` holds the blob (pushed, found or mounted there). */
  recordLocation(digest, registry, repository) {
    const id = key(registry, digest);
    const known = this.#locations.get(id)?.repositories ?? [];
    if (known[0] === repository) return;
    const repositories = [repository, ...known.filter((r) => r !== repository)].slice(0, MAX_REPOSITORIES);
    const check = locationChecksum({ digest, registry, repositories });
    this.#locations.set(id, { digest, registry, repositories, lastUsed: Date.now(), check });
    this.#changed = true;
  }
  /** Forgets a form the registry turned out not to hold, or that failed a check. */
  forget(diffId, digest) {
    this.#changed = this.#entries.delete(key(diffId, digest)) || this.#changed;
  }
  get changed() {
    return this.#changed;
  }
  get size() {
    return this.#entries.size;
  }
  /** Writes the newest entries (atomically: a crash leaves the old file, never half a new one). */
  async save(path) {
    await (0, import_promises.mkdir)((0, import_node_path.dirname)(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await (0, import_promises.writeFile)(temp, this.serialize());
    await (0, import_promises.rename)(temp, path);
    this.markSaved();
  }
  /** The file's text: the newest entries and locations. */
  serialize() {
    const entries = [...this.#entries.values()].sort((a, b) => b.lastUsed - a.lastUsed).slice(0, MAX_ENTRIES);
    const locations = [...this.#locations.values()].sort((a, b) => b.lastUsed - a.lastUsed).slice(0, MAX_ENTRIES);
    return JSON.stringify({ version: 2, entries, locations });
  }
  /** After the serialized text reached the disk. */
  markSaved() {
    this.#changed = false;
  }
};
function key(diffId, digest) {
  return `${diffId} ${digest}`;
}
function checksum(entry) {
  return sha256Hex(`${entry.diffId}
${entry.digest}
${entry.size}
${entry.mediaType}`);
}
function isValid(entry) {
  return typeof entry.diffId === "string" && isSha256Digest(entry.diffId) && typeof entry.digest === "string" && isSha256Digest(entry.digest) && typeof entry.size === "number" && Number.isSafeInteger(entry.size) && entry.size >= 0 && typeof entry.mediaType === "string" && Array.isArray(entry.attestations) && entry.attestations.every(isAttestation) && typeof entry.lastUsed === "number" && entry.check === checksum(entry);
}
function isAttestation(a) {
  return typeof a.registry === "string" && typeof a.repository === "string" && typeof a.manifest === "string" && isSha256Digest(a.manifest);
}
function locationChecksum(location) {
  return sha256Hex(`${location.digest}
${location.registry}
${location.repositories.join("\n")}`);
}
function isValidLocation(location) {
  return typeof location.digest === "string" && isSha256Digest(location.digest) && typeof location.registry === "string" && Array.isArray(location.repositories) && location.repositories.every((r) => typeof r === "string") && typeof location.lastUsed === "number" && location.check === locationChecksum(location);
}

// src/cache/blob-map-store.ts
function localBlobMapPath() {
  const base = process.env.XDG_CACHE_HOME || (0, import_node_path2.join)((0, import_node_os.homedir)(), ".cache");
  return (0, import_node_path2.join)(base, "image-push", "blob-map.json");
}
var MAX_MAP_BYTES = 32 << 20;
async function loadBlobMap(path, reporter) {
  let text;
  try {
    text = (await readRegularFile(path, MAX_MAP_BYTES)).toString("utf8");
  } catch (err) {
    if (err.code !== "ENOENT")
      reporter?.warn(`the blob map ${path} cannot be read (${reason(err)}): ${going(reporter)}`);
    return new BlobMap();
  }
  try {
    return BlobMap.parse(text);
  } catch (err) {
    reporter?.warn(`the blob map ${path} is corrupt (${reason(err)}): ${going(reporter)}`);
    return new BlobMap();
  }
}
async function saveBlobMap(map, path, reporter) {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const existing = await (0, import_promises2.stat)(path).catch(() => void 0);
    if (existing && !existing.isFile()) throw new Error(`it is ${fileKind(existing)}`);
    await makeDirectory((0, import_node_path2.dirname)(path));
    await (0, import_promises2.rm)(temp, { force: true });
    await (0, import_promises2.writeFile)(temp, map.serialize(), { flag: "wx" });
    await (0, import_promises2.rename)(temp, path);
    map.markSaved();
    return true;
  } catch (err) {
    await (0, import_promises2.rm)(temp, { force: true }).catch(() => void 0);
    reporter.warn(
      `could not save the blob map ${path} (${reason(err)}); the push itself is done. The map only saves time on the next push: ${reporter.disable.startsWith("--") ? "point --blob-map at a writable file, or pass" : "set"} ${reporter.disable} to do without it`
    );
    return false;
  }
}
async function makeDirectory(dir) {
  const missing = [];
  for (let current = dir; ; current = (0, import_node_path2.dirname)(current)) {
    const info2 = await (0, import_promises2.stat)(current).catch((err) => {
      if (err.code === "ENOENT") return void 0;
      throw err;
    });
    if (info2) {
      if (!info2.isDirectory()) throw new Error(`${current} is ${fileKind(info2)}, not a directory`);
      break;
    }
    missing.unshift(current);
    if ((0, import_node_path2.dirname)(current) === current) break;
  }
  for (const path of missing) await (0, import_promises2.mkdir)(path);
}
function reason(err) {
  if (err instanceof UnreadableFileError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}
function going(reporter) {
  return `going on without it, which only costs time${reporter ? ` (${reporter.disable} skips it)` : ""}`;
}

// src/action/actions-cache.ts
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
    this.#path = cache ? (0, import_node_path3.join)(process.env.RUNNER_TEMP ?? process.cwd(), "image-push-blob-map", "blob-map.json") : localBlobMapPath();
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
    const cache = await import("./action-CUX6H3Y5.js");
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
