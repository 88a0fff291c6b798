import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_ZSTD_LEVEL
} from "./cli-F25H4EDK.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
  RegistryError,
  RetryTally,
  VERSION,
  namedTags,
  parsePlatforms
} from "./cli-3A3KNOEV.js";
import {
  UnreadableFileError,
  describeFileError,
  fileErrorFix,
  fileKind,
  readRegularFile,
  readRegularFileSync
} from "./cli-HBYMJC2G.js";
import {
  DEFAULT_CONCURRENCY,
  ImagePushError,
  InputError,
  ManifestError,
  SourceError,
  __commonJS,
  __require,
  __toESM,
  checkConcurrency,
  describeError,
  isSha256Digest,
  parseRegistrySettings,
  refuseCredentialsIn,
  require_node_fs,
  require_node_os,
  require_node_path,
  require_promises,
  sha256Hex
} from "./cli-FJOGMTSZ.js";

// builtin-require:node:util
var require_node_util = __commonJS({
  "builtin-require:node:util"(exports, module) {
    module.exports = __require("node:util");
  }
});

// src/cli/main.ts
var import_promises3 = __toESM(require_promises(), 1);

// src/exit.ts
function exitWhenIdle(ms = 5e3) {
  setTimeout(() => {
    const busy = process.getActiveResourcesInfo().filter((name) => name !== "Timeout");
    process.stderr.write(
      `image-push: still running ${ms / 1e3}s after the push ended (${busy.join(", ") || "nothing listed"}); exiting (please report this)
`
    );
    process.exit(process.exitCode ?? 0);
  }, ms).unref();
}

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
    const info = await (0, import_promises2.stat)(current).catch((err) => {
      if (err.code === "ENOENT") return void 0;
      throw err;
    });
    if (info) {
      if (!info.isDirectory()) throw new Error(`${current} is ${fileKind(info)}, not a directory`);
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

// src/log.ts
function safeLine(message) {
  return message.replace(/\r\n|\r|\n|\u2028|\u2029/g, (br) => br === "\r" ? "\\r" : "\\n").replace(/^(\s*)::/, "$1\\::").replaceAll("##[", "#\\#[");
}

// src/report/pushed.ts
function repositoryOf(reference) {
  const at = reference.indexOf("@");
  if (at !== -1) return reference.slice(0, at);
  const colon = reference.lastIndexOf(":");
  return colon > reference.lastIndexOf("/") ? reference.slice(0, colon) : reference;
}
function repositoriesOf(references) {
  return [...new Set(references.map(repositoryOf))];
}
function pinnedReferences(result) {
  return repositoriesOf(result.references).map((repository) => `${repository}@${result.digest}`);
}

// src/run/run.ts
async function run(request, io) {
  const { logger } = io;
  for (const note of request.notes) logger.info(note);
  for (const warning of request.warnings) logger.warning(warning);
  const tally = new RetryTally();
  const { job, tuning } = request;
  if (job.kind === "merge" && request.sourceCredentials) {
    throw new InputError(
      "source credentials were given for a merge",
      "they are for a docker://REGISTRY/REPOSITORY:TAG image; a merge reads its sources with the destination credentials: drop them"
    );
  }
  const store = job.kind === "push" && request.blobMap ? await io.blobMapStore?.() : void 0;
  const blobMap = await store?.restore();
  const started = performance.now();
  const connection = {
    destinations: request.destinations,
    registry: request.registry,
    credentials: request.credentials,
    sourceCredentials: request.sourceCredentials,
    concurrency: tuning.concurrency,
    insecureRegistries: request.insecureRegistries,
    retryPolicy: { ...tuning.retryPolicy, tally },
    ca: tuning.ca,
    logger,
    ...io.onSecret ? { onSecret: io.onSecret } : {}
  };
  let result;
  try {
    result = job.kind === "merge" ? await logger.group(`Merging ${job.sources.length} images`, async () => {
      const { merge } = await import("./cli-H7VWBS4U.js");
      return merge({
        ...connection,
        sources: job.sources,
        annotationLines: job.annotations,
        chunkSize: tuning.chunkSize
      });
    }) : await logger.group(`Pushing ${job.source}`, async () => {
      const { push } = await import("./cli-LKLJJVIM.js");
      return push({
        ...connection,
        source: job.source,
        compression: tuning.compression,
        compressionLevel: tuning.compressionLevel,
        chunkSize: tuning.chunkSize,
        blobMap,
        pushByDigest: job.pushByDigest,
        platforms: tuning.platforms,
        verify: job.verify,
        reuseFrom: job.reuseFrom,
        overwrite: job.overwrite,
        describePlatform: io.describePlatform ?? true
      });
    });
  } catch (err) {
    const retried2 = tally.describe();
    if (retried2) logger.info(retried2);
    throw err;
  }
  const retried = tally.describe();
  if (retried) logger.warning(`${retried}; the push went on (a flaky registry or proxy?)`);
  const seconds = (performance.now() - started) / 1e3;
  if (blobMap) await store?.save(blobMap);
  return { result, seconds };
}

// src/cli/args.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_node_util = __toESM(require_node_util(), 1);

// src/options.ts
function parseConcurrency(value) {
  if (value.trim() === "") return DEFAULT_CONCURRENCY;
  return checkConcurrency(wholeNumber(value), value);
}
function parseCompression(value) {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "gzip") return "gzip";
  if (text === "zstd") return "zstd";
  throw new InputError(
    `compression "${value}" is not gzip or zstd`,
    "leave it empty for gzip, which every client pulls; zstd needs Docker 23+ or containerd 1.5+"
  );
}
function parseCompressionLevel(value, compression = "gzip") {
  const [max, fallback] = compression === "gzip" ? [9, DEFAULT_COMPRESSION_LEVEL] : [19, DEFAULT_ZSTD_LEVEL];
  if (value.trim() === "") return fallback;
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new InputError(
      `compression-level "${value}" is not a ${compression} level from 1 to ${max}`,
      `leave it empty for ${fallback}`
    );
  }
  return n;
}
var UNIT = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1e3,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1e3 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1e3 ** 3,
  gib: 1024 ** 3
};
var MIN_CHUNK = 64 * 1024;
var MAX_CHUNK = 5 * 1024 ** 3;
function parseChunkSize(value) {
  const text = value.trim();
  if (text === "") return void 0;
  const quoted = `chunk-size "${value}"`;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  if (!match) {
    throw new InputError(
      `${quoted} is not a size`,
      "write it like 64MiB or 50MB (a number and a unit), or leave it empty for one PUT per blob"
    );
  }
  const unit = UNIT[(match[2] ?? "").toLowerCase()];
  if (unit === void 0) {
    throw new InputError(
      `${quoted} has an unknown unit "${match[2] ?? ""}"`,
      "use B, K or KiB, KB, M or MiB, MB, G or GiB, GB (64MiB is a good size)"
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes === 0) {
    throw new InputError(
      `${quoted} is zero`,
      "leave it empty for one PUT per blob (image-push switches to chunks by itself after a 413)"
    );
  }
  if (bytes < MIN_CHUNK) {
    throw new InputError(
      `${quoted} is smaller than 64KiB`,
      "write it like 64MiB or 50MB (Amazon ECR needs 5MiB or more), or leave it empty"
    );
  }
  if (!Number.isSafeInteger(bytes) || bytes > MAX_CHUNK) {
    throw new InputError(
      `${quoted} is larger than 5GiB, which no registry takes in one request`,
      "write it like 64MiB or 50MB, or leave it empty for one PUT per blob"
    );
  }
  return bytes;
}
function wholeNumber(value) {
  const text = value.trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}
function parseWholeNumber(name, value, min, max, fallback) {
  if (value.trim() === "") return fallback;
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      `${name} "${value}" is not a whole number from ${min} to ${max}`,
      `leave it empty for ${fallback}`
    );
  }
  return n;
}
function readCaFile(name, path) {
  if (!path) return void 0;
  try {
    return readRegularFileSync(path, 16 << 20).toString("utf8");
  } catch (err) {
    const why = err instanceof UnreadableFileError ? err.reason : err.code ?? String(err);
    throw new InputError(
      `${name} "${path}" cannot be read (${why})`,
      "give the path of a PEM file holding the CA certificate"
    );
  }
}
function parseTuning(text) {
  const compression = parseCompression(text.compression);
  const retryTimeout = parseWholeNumber(
    "retry-timeout",
    text.retryTimeout,
    1,
    86400,
    DEFAULT_RETRY_TIMEOUT_SECONDS
  );
  return {
    concurrency: parseConcurrency(text.concurrency),
    compression,
    compressionLevel: parseCompressionLevel(text.compressionLevel, compression),
    chunkSize: parseChunkSize(text.chunkSize),
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      retries: parseWholeNumber("retries", text.retries, 0, 100, DEFAULT_RETRIES),
      maxElapsedMs: retryTimeout * 1e3
    },
    ca: readCaFile("ca-file", text.caFile),
    platforms: parsePlatforms(text.platforms)
  };
}
function credentialPair(username, password, errors) {
  if (username && password) return { username, password };
  if (!username && !password) return void 0;
  const [message, hint] = username ? errors.noPassword : errors.noUsername;
  throw new InputError(message, hint);
}

// src/cli/args.ts
var processInput = { env: process.env, readStdin: () => (0, import_node_fs.readFileSync)(0, "utf8") };
function readArgs(argv, input = processInput) {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) return { kind: "version" };
  if (values.help || argv.length === 0) return { kind: "help" };
  refuseCredentialsIn({
    argument: positionals,
    "--source": values.source,
    "--reuse-from": values["reuse-from"],
    "--registry": values.registry ? [values.registry] : [],
    "--insecure-registry": values["insecure-registry"]
  });
  const [command, ...rest] = positionals;
  const merging = command === "merge";
  const source = merging ? void 0 : rest[0];
  const destinations = merging ? rest : rest.slice(1);
  if (command !== "push" && !merging || !merging && !source || destinations.length === 0) {
    throw new InputError(
      `expected "push SOURCE DESTINATION..." or "merge DESTINATION... --source REF..." but got "${positionals.join(" ")}"`,
      "see --help"
    );
  }
  if (!merging && values.annotation.length > 0) {
    throw new InputError(
      "--annotation applies only to the index merge writes: adding it to the pushed image would change its digest",
      "set annotations when building, or pass them to image-push merge"
    );
  }
  if (merging && values.source.length === 0) {
    throw new InputError("merge needs at least one --source REF", "name the pushed digests to combine");
  }
  const verbose = values.verbose || values.debug;
  if (values.quiet && verbose) {
    throw new InputError("--quiet and --verbose (or --debug) together", "pick one");
  }
  const tuning = parseTuning({
    concurrency: values.concurrency,
    compression: values.compression,
    compressionLevel: values["compression-level"],
    chunkSize: values["chunk-size"],
    retries: values.retries,
    retryTimeout: values["retry-timeout"],
    caFile: values["ca-file"],
    platforms: values.platform
  });
  const { credentials, sourceCredentials } = credentialFlags(values, input);
  const registries = parseRegistrySettings(values.registry, values["insecure-registry"]);
  const pushByDigest = values["push-by-digest"];
  const request = {
    job: merging ? { kind: "merge", sources: values.source, annotations: values.annotation } : {
      kind: "push",
      source: source ?? "",
      pushByDigest,
      verify: values.verify,
      reuseFrom: values["reuse-from"],
      overwrite: !values["no-overwrite"]
    },
    destinations,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    tuning,
    blobMap: !values["no-blob-map"],
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(destinations, registries.registry) : []
  };
  return {
    kind: "run",
    request,
    output: {
      json: values.json,
      digestFile: values["digest-file"],
      blobMapFile: values["blob-map"],
      verbosity: values.quiet ? "quiet" : verbose ? "verbose" : "normal"
    }
  };
}
function credentialFlags(values, input) {
  const stdin = values["password-stdin"];
  const password = stdin ? input.readStdin().replace(/\r?\n$/, "") : input.env.IMAGE_PUSH_PASSWORD;
  const credentials = credentialPair(values.username, password, {
    noPassword: ["--username needs a password", "pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD"],
    noUsername: [
      `a password was given (${stdin ? "--password-stdin" : "IMAGE_PUSH_PASSWORD"}) but no --username`,
      "add --username USER, or give no password to use the Docker config"
    ]
  });
  const sourcePassword = values["source-password"] ?? input.env.IMAGE_PUSH_SOURCE_PASSWORD;
  const sourceCredentials = credentialPair(values["source-username"], sourcePassword, {
    noPassword: [
      "--source-username needs a password",
      "set IMAGE_PUSH_SOURCE_PASSWORD (or pass --source-password)"
    ],
    noUsername: [
      "a source password was given (IMAGE_PUSH_SOURCE_PASSWORD or --source-password) but no --source-username",
      "add --source-username USER, or give no source password to use the Docker config"
    ]
  });
  return { credentials, sourceCredentials };
}
function parseCommandLine(argv) {
  try {
    return parse(argv);
  } catch (err) {
    const code = err.code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw err;
    throw new InputError(err.message.split(". ")[0] ?? code, "see --help for the options");
  }
}
function parse(argv) {
  return (0, import_node_util.parseArgs)({
    args: [...argv],
    allowPositionals: true,
    options: {
      registry: { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      "source-username": { type: "string" },
      "source-password": { type: "string" },
      concurrency: { type: "string", default: "" },
      compression: { type: "string", default: "" },
      "compression-level": { type: "string", default: "" },
      "push-by-digest": { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
      platform: { type: "string", multiple: true, default: [] },
      "reuse-from": { type: "string", multiple: true, default: [] },
      "no-overwrite": { type: "boolean", default: false },
      source: { type: "string", multiple: true, default: [] },
      annotation: { type: "string", multiple: true, default: [] },
      "chunk-size": { type: "string", default: "" },
      retries: { type: "string", default: "" },
      "retry-timeout": { type: "string", default: "" },
      "ca-file": { type: "string" },
      "blob-map": { type: "string" },
      "no-blob-map": { type: "boolean", default: false },
      "insecure-registry": { type: "string", multiple: true, default: [] },
      "digest-file": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      verbose: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false }
    }
  });
}
function droppedTags(destinations, registry) {
  const tagged = namedTags(destinations, registry);
  if (tagged.length === 0) return [];
  return [
    `--push-by-digest moves no tag, so ${tagged.join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only; name the repository alone, or drop --push-by-digest`
  ];
}

// src/cli/exit-codes.ts
var EXIT = {
  /** Pushed (or --help, --version). */
  ok: 0,
  /** Anything else (the message says what). */
  failure: 1,
  /** A bad argument, option, environment variable, or a path missing or of the wrong kind: nothing was sent. */
  input: 2,
  /** The registry refused the credentials (401), or they may not push there (403). Log in again. */
  auth: 3,
  /** The registry answered, but refused or failed the request (404, 409, 413, 429, 5xx after the retries). */
  refused: 4,
  /** The registry could not be reached (or its TLS failed), or went silent, and the retries gave up. */
  network: 5,
  /** The image source's content is unreadable or inconsistent (a bad layout, archive, manifest or layer). */
  source: 6
};
var EXIT_CODES_HELP = `exit codes:
  0  pushed (or --help, --version)
  1  any other failure (the message says what)
  2  bad input: an argument, option, environment variable, or a path that is missing or of the wrong kind;
     nothing was sent
  3  authentication: the registry refused the credentials (401) or they may not push there (403)
  4  the registry refused or failed a request (404, 409, 413, 429, 5xx after the retries), or a tag that
     --no-overwrite or the registry's immutable tags keep
  5  the network gave up: the registry could not be reached, its TLS failed, or it went silent, after the retries
  6  the source is broken: its content is unreadable or inconsistent (layout, archive, manifest, config, layer)`;
function exitCodeFor(err) {
  if (err instanceof InputError) return EXIT.input;
  if (err instanceof SourceError || err instanceof ManifestError) return EXIT.source;
  if (err instanceof RegistryError) {
    if (err.status === 401) return EXIT.auth;
    if (err.status === 403) return /rate.?limit/i.test(err.message) ? EXIT.refused : EXIT.auth;
    if (err.status !== void 0) return EXIT.refused;
    return err.network ? EXIT.network : EXIT.refused;
  }
  return EXIT.failure;
}

// src/cli/usage.ts
function usage() {
  return `usage: image-push push SOURCE DESTINATION... [options]
       image-push merge DESTINATION... --source REF --source REF... [options]

push: SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG],
a bare image name (the Docker daemon) or docker://REGISTRY/REPO[:TAG|@DIGEST] (a copy from a registry, digest
kept); each DESTINATION is an image reference (ghcr.io/org/app:1.0).
merge: combines images already in a registry (REF is registry/repo@sha256:...) into one index under the
DESTINATIONs, mounting blobs across repositories. Both print the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin (both or neither;
                             neither: the Docker config and its credential helpers)
  --password-stdin           read the password from standard input
  --source-username USER     for a docker:// SOURCE, with the password from IMAGE_PUSH_SOURCE_PASSWORD
                             (or --source-password, which other users of the machine can see in ps)
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression gzip|zstd    how to compress uncompressed layers (default gzip)
  --compression-level N      gzip 1-9 (default ${DEFAULT_COMPRESSION_LEVEL}) or zstd 1-19 (default 3)
  --push-by-digest           push without moving any tag
  --verify                   check every layer against the config's diff_ids before any tag moves
                             (one more read and decompression of each layer read from the source:
                             about 1 s per 100 MB uncompressed)
  --platform OS/ARCH[/VAR]   push only this platform of an index; repeatable
  --reuse-from REF           a tag (in each destination repository) or same-registry reference holding a
                             previous version whose layers may be reused; repeatable
  --no-overwrite             fail before any upload if a destination tag holds another image
  --annotation TYPE:KEY=VAL  merge: annotate the index (index:KEY=VAL) or its entries
                             (manifest-descriptor[PLATFORM]:KEY=VAL), as metadata-action writes them; repeatable
  --chunk-size SIZE          upload in chunks (64MiB); default one request per blob, chunks after a 413
  --retries N                retries of a failed request or upload (default ${DEFAULT_RETRIES})
  --retry-timeout SECONDS    no new retry, and fail after this long without progress (default ${DEFAULT_RETRY_TIMEOUT_SECONDS})
  --ca-file FILE             PEM CA to trust for the registry's certificate
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP or unverified TLS to HOST[:PORT]; repeatable
  --digest-file FILE         also write the pushed manifest's digest to FILE
  --json                     print the whole result as JSON
  -q, --quiet                log nothing but the error line
  --verbose, --debug         also log debug lines: where credentials came from, mounts a registry declined,
                             manifests that could not be read for reuse, upload sessions cancelled (the same
                             as setting IMAGE_PUSH_DEBUG to any value)
  -v, --version              print the version
  -h, --help                 print this

${EXIT_CODES_HELP}`;
}

// src/cli/main.ts
async function main(argv) {
  const command = readArgs(argv);
  if (command.kind === "version") return print(`image-push ${VERSION}
`);
  if (command.kind === "help") return print(`${usage()}
`);
  const { request, output } = command;
  const logger = stderrLogger(output.verbosity);
  const { result } = await run(request, {
    logger,
    blobMapStore: () => Promise.resolve(fileBlobMap(output.blobMapFile ?? localBlobMapPath(), logger)),
    describePlatform: output.json
  });
  for (const reference of pinnedReferences(result)) logger.info(`pushed ${reference}`);
  print(printed(result, output));
  if (output.digestFile) await writeDigestFile(output.digestFile, result.digest);
}
function printed(result, output) {
  return output.json ? `${JSON.stringify(result, null, 2)}
` : `${result.digest}
`;
}
function print(text) {
  process.stdout.write(text);
}
function fileBlobMap(path, logger) {
  const reporter = { warn: (message) => logger.warning(message), disable: "--no-blob-map" };
  return {
    restore: () => loadBlobMap(path, reporter),
    save: async (map) => {
      if (map.changed) await saveBlobMap(map, path, reporter);
    }
  };
}
async function writeDigestFile(path, digest) {
  try {
    await (0, import_promises3.writeFile)(path, digest);
  } catch (err) {
    throw new ImagePushError(
      `the image was pushed (${digest}), but --digest-file ${path} could not be written: ${describeFileError(err)}`,
      fileErrorFix(err) ?? "name a file in a directory that exists and is writable"
    );
  }
}
function stderrLogger(verbosity) {
  const write = (line) => {
    if (verbosity !== "quiet") process.stderr.write(`${safeLine(line)}
`);
  };
  const debug = verbosity === "verbose" || Boolean(process.env.IMAGE_PUSH_DEBUG);
  return {
    info: write,
    warning: (message) => write(`warning: ${message}`),
    debug: (message) => {
      if (debug) write(`debug: ${message}`);
    },
    // Groups fold the Actions log; on a terminal their heading ("Pushing SOURCE") is only news with --verbose.
    group: (name, fn) => {
      if (debug) write(name);
      return fn();
    }
  };
}
main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`image-push: ${safeLine(describeError(err))}
`);
  process.exitCode = exitCodeFor(err);
}).finally(() => exitWhenIdle());
