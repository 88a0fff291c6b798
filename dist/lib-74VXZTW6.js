import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_ZSTD_LEVEL
} from "./lib-UQDTHQOB.js";
import {
  parsePlatforms
} from "./lib-YUGULL5U.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS
} from "./lib-P7AJY6S3.js";
import {
  InputError
} from "./lib-VQBWY2ZJ.js";

// src/options.ts
import { readFileSync } from "node:fs";
var DEFAULT_CONCURRENCY = 4;
function parseConcurrency(value) {
  if (value.trim() === "") return DEFAULT_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InputError(
      `concurrency "${value}" is not a whole number from 1 to 64`,
      `leave it empty for ${DEFAULT_CONCURRENCY}`
    );
  }
  return n;
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
  const n = Number(value);
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
var SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
var UNIT = { "": 1, b: 1, k: 1024, kb: 1e3, kib: 1024, m: 1024 ** 2 };
UNIT.mb = 1e3 ** 2;
UNIT.mib = 1024 ** 2;
UNIT.g = 1024 ** 3;
UNIT.gb = 1e3 ** 3;
UNIT.gib = 1024 ** 3;
function parseChunkSize(value) {
  if (value.trim() === "" || value.trim() === "0") return void 0;
  const match = SIZE.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * (UNIT[(match[2] ?? "").toLowerCase()] ?? 1)) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 64 * 1024) {
    throw new InputError(
      `chunk-size "${value}" is not a size of 64KiB or more`,
      "write it like 64MiB or 50MB (Amazon ECR needs 5MiB or more), or leave it empty"
    );
  }
  return bytes;
}
function parseWholeNumber(name, value, min, max, fallback) {
  if (value.trim() === "") return fallback;
  const n = Number(value);
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
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      `${name} "${path}" cannot be read (${err.code ?? String(err)})`,
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

export {
  DEFAULT_CONCURRENCY,
  splitList,
  parseBoolean,
  parseTuning
};
