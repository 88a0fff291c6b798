import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_ZSTD_LEVEL
} from "./action-7JMU3JPC.js";
import {
  namedTags
} from "./action-MAUTNQXR.js";
import {
  partialBlobs,
  tallyBlobs
} from "./action-AUXMV2XP.js";
import {
  parsePlatforms
} from "./action-33YKOHQK.js";
import {
  describeFileError,
  fileErrorFix
} from "./action-XRD6C2XL.js";
import {
  DEFAULT_CONCURRENCY,
  checkConcurrency
} from "./action-GKFREAB2.js";
import {
  parseRegistrySettings,
  refuseCredentialsIn
} from "./action-QG7TUPY7.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS
} from "./action-VOW7TFM6.js";
import {
  ImagePushError,
  InputError,
  describeError
} from "./action-QNNVT73O.js";
import {
  safeLine
} from "./action-CQU646PA.js";
import {
  UnreadableFileError,
  readRegularFileSync
} from "./action-TDGLVJ5A.js";
import "./action-KFWXCRBI.js";
import "./action-7YDRSE4Y.js";
import {
  debug,
  getInput,
  group,
  info,
  notice,
  setFailed,
  setOutput,
  setSecret,
  warning
} from "./action-PD5JI2TT.js";
import "./action-O6GVOO7T.js";
import "./action-JJ6ZGO25.js";

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
function splitList(value) {
  return value.split(/[\n,]/).map((item) => item.trim()).filter((item) => item !== "" && !item.startsWith("#"));
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
function parseBoolean(name, value, fallback) {
  const text = value.trim().toLowerCase();
  if (text === "") return fallback;
  if (text === "true") return true;
  if (text === "false") return false;
  throw new InputError(`${name} "${value}" is not true or false`, `leave it empty for ${String(fallback)}`);
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

// src/action/inputs.ts
function readSettings() {
  const image = getInput("image");
  const merge = splitList(getInput("merge"));
  refuseCredentialsIn(
    {
      image: [image],
      merge,
      tags: splitList(getInput("tags")),
      registry: [getInput("registry")],
      "reuse-from": splitList(getInput("reuse-from")),
      "insecure-registries": splitList(getInput("insecure-registries"))
    },
    (secret) => setSecret(secret)
  );
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"])
    maskProxyPassword(process.env[name]);
  if (Boolean(image) === merge.length > 0) {
    throw new InputError(
      image ? "both image and merge are set" : "neither image nor merge is set",
      "set image to push an image, or merge to combine pushed digests into one index"
    );
  }
  const pushByDigest = parseBoolean("push-by-digest", getInput("push-by-digest"), false);
  const tags = splitList(getInput("tags"));
  if (tags.length === 0) {
    throw new InputError(
      "tags is empty",
      pushByDigest ? "name the repository to push to (ghcr.io/org/app); with push-by-digest no tag moves" : "name at least one destination, e.g. ghcr.io/org/app:1.0"
    );
  }
  const credentials = credentialInputs(
    "",
    "set both, or neither to use the Docker config (docker/login-action) or anonymous access"
  );
  const sourceCredentials = credentialInputs(
    "source-",
    "set both, or neither to use the Docker config (docker/login-action) for the source registry"
  );
  const annotations = getInput("annotations").split("\n").map((line) => line.trim()).filter(Boolean);
  if (annotations.length > 0 && merge.length === 0) {
    throw new InputError(
      "annotations are set, but they apply only to the index a merge writes: adding them to the pushed image would change its digest",
      "set them when building (build-push-action annotations), or use them on the merge step"
    );
  }
  const registries = parseRegistrySettings(
    getInput("registry") || void 0,
    splitList(getInput("insecure-registries"))
  );
  const job = image ? {
    kind: "push",
    source: image,
    pushByDigest,
    verify: parseBoolean("verify", getInput("verify"), false),
    reuseFrom: splitList(getInput("reuse-from")),
    overwrite: parseBoolean("overwrite", getInput("overwrite"), true)
  } : { kind: "merge", sources: merge, annotations };
  return {
    job,
    destinations: tags,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    blobMap: parseBoolean("cache", getInput("cache"), false),
    tuning: parseTuning({
      concurrency: getInput("concurrency"),
      compression: getInput("compression"),
      compressionLevel: getInput("compression-level"),
      chunkSize: getInput("chunk-size"),
      retries: getInput("retries"),
      retryTimeout: getInput("retry-timeout"),
      caFile: getInput("ca-file") || void 0,
      platforms: splitList(getInput("platforms"))
    }),
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(tags, registries.registry) : []
  };
}
function credentialInputs(prefix, hint) {
  const password = getInput(`${prefix}password`);
  if (password) setSecret(password);
  const [username, pass] = [`${prefix}username`, `${prefix}password`];
  return credentialPair(getInput(username), password, {
    noPassword: [`${username} is set but ${pass} is empty`, hint],
    noUsername: [`${pass} is set but ${username} is empty`, hint]
  });
}
function droppedTags(tags, registry) {
  const tagged = namedTags(tags, registry);
  if (tagged.length === 0) return [];
  return [
    `push-by-digest moves no tag, so ${tagged.map((t) => `"${t}"`).join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only. Drop the tag from tags (name the repository alone), or set push-by-digest: false`
  ];
}
function maskProxyPassword(url) {
  if (!url) return;
  try {
    const { password } = new URL(url);
    if (password) {
      setSecret(password);
      setSecret(decodeURIComponent(password));
    }
  } catch {
  }
}
function readSummarySetting() {
  return parseBoolean("summary", getInput("summary"), true) && summaryFromEnv();
}
function summaryFromEnv(env = process.env) {
  return !/^(false|0|no|off)$/i.test(env.DOCKER_BUILD_SUMMARY?.trim() ?? "");
}

// src/action/main.ts
var actionsLogger = {
  info: (message) => info(safeLine(message)),
  warning: (message) => warning(safeLine(message)),
  debug: (message) => debug(safeLine(message)),
  group: (name, fn) => group(safeLine(name), fn)
};
async function run() {
  let request;
  let summary = summaryFromEnv();
  try {
    summary = readSummarySetting();
    request = readSettings();
    const { run: runRequest } = await import("./action-UN2DZRU4.js");
    const { result, seconds } = await runRequest(request, {
      logger: actionsLogger,
      onSecret: (value) => setSecret(value),
      blobMapStore: openBlobMapCache,
      describePlatform: summary
    });
    let outputsFailed;
    try {
      await setOutputs(result);
    } catch (err) {
      outputsFailed = err;
    }
    if (summary) await report(result, seconds);
    await announce(result);
    if (outputsFailed !== void 0) throw new OutputsNotWritten(result.digest, outputsFailed);
  } catch (err) {
    setFailed(safeLine(describeError(err)));
    if (summary && !(err instanceof OutputsNotWritten)) await reportFailure(err, request);
  }
}
var OutputsNotWritten = class extends ImagePushError {
  constructor(digest, cause) {
    const path = process.env.GITHUB_OUTPUT ?? "";
    const fix = fileErrorFix(cause);
    super(
      `the image was pushed (${digest}), but the step outputs could not be written to GITHUB_OUTPUT (${path}): ${describeFileError(cause)}`,
      `the step fails so that later steps do not run without the digest; GITHUB_OUTPUT is the runner's file: check that no earlier step removed or replaced it${fix ? ` (${fix})` : ""}`,
      { cause }
    );
    this.name = "OutputsNotWritten";
  }
};
async function openBlobMapCache() {
  const { BlobMapCache } = await import("./action-R2BVFUGA.js");
  return BlobMapCache.open();
}
async function setOutputs(result) {
  const { buildMetadata, imagesOf } = await import("./action-WJO7RICD.js");
  const { uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  setOutput("digest", result.digest);
  setOutput("imageid", result.configDigest ?? "");
  setOutput("image", result.image);
  setOutput("tags", result.references.join("\n"));
  setOutput("blobs-uploaded", uploaded.count);
  setOutput("blobs-skipped", skipped.count);
  setOutput("blobs-mounted", mounted.count);
  setOutput("bytes-uploaded", uploaded.bytes);
  setOutput("bytes-skipped", skipped.bytes);
  setOutput("bytes-mounted", mounted.bytes);
  setOutput("images", imagesOf(result).join("\n"));
  setOutput("metadata", JSON.stringify(buildMetadata(result)));
}
async function report(result, seconds) {
  try {
    const { writeSummary } = await import("./action-BN7GB6XN.js");
    await writeSummary(result, { seconds });
  } catch (err) {
    actionsLogger.warning(
      `the image was pushed (${result.digest}), but the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY ?? ""}): ${summaryError(err)}`
    );
  }
}
async function announce(result) {
  const { pinnedReferences } = await import("./action-URPDIXZR.js");
  const pinned = pinnedReferences(result);
  for (const reference of pinned) actionsLogger.info(`pushed ${reference}`);
  notice(pinned.map(safeLine).join("\n"), { title: "Image pushed" });
}
async function reportFailure(err, request) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const { writeFailureSummary } = await import("./action-BN7GB6XN.js");
    await writeFailureSummary(
      err,
      partialBlobs(err),
      request?.job.kind === "push" ? request.job.source : void 0
    );
  } catch (summaryErr) {
    actionsLogger.warning(
      `the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY}): ${summaryError(summaryErr)}`
    );
  }
}
function summaryError(err) {
  if (err instanceof Error && /^Unable to access summary file/.test(err.message)) {
    return "it does not exist or is not writable";
  }
  return describeFileError(err);
}
export {
  run
};
