import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_ZSTD_LEVEL
} from "./lib-USXPPWAT.js";
import {
  parsePlatforms
} from "./lib-YUGULL5U.js";
import {
  UnreadableFileError,
  readRegularFileSync
} from "./lib-U2ZXBBGP.js";
import {
  DEFAULT_CONCURRENCY,
  checkConcurrency
} from "./lib-JPMS3PJJ.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS
} from "./lib-RIHUBGJN.js";
import {
  InputError
} from "./lib-VQBWY2ZJ.js";

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

export {
  splitList,
  parseBoolean,
  parseTuning,
  credentialPair
};
