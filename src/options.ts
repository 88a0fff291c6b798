import { InputError } from './errors.ts';
import { checkConcurrency, DEFAULT_CONCURRENCY } from './limit.ts';
import { readRegularFileSync, UnreadableFileError } from './files.ts';
import type { LayerCompression } from './compress/parallel-compress.ts';
import { parsePlatforms } from './oci/platform.ts';
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
} from './registry/transport/retry-policy.ts';
import type { Credentials } from './registry/transport/auth.ts';
import type { Tuning } from './run/request.ts';
import { DEFAULT_COMPRESSION_LEVEL, DEFAULT_ZSTD_LEVEL } from './compress/layer-compressor.ts';

export { DEFAULT_COMPRESSION_LEVEL };
export type { Tuning };

/** Defaults and value parsers shared by both front ends, so the action and the CLI accept the same text. */
export { DEFAULT_CONCURRENCY };

export function parseConcurrency(value: string): number {
  if (value.trim() === '') return DEFAULT_CONCURRENCY;
  return checkConcurrency(wholeNumber(value), value);
}

export function parseCompression(value: string): LayerCompression {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'gzip') return 'gzip';
  if (text === 'zstd') return 'zstd';
  throw new InputError(
    `compression "${value}" is not gzip or zstd`,
    'leave it empty for gzip, which every client pulls; zstd needs Docker 23+ or containerd 1.5+',
  );
}

/** The level for `compression`: gzip 1-9 (default 2), zstd 1-19 (default 3). */
export function parseCompressionLevel(value: string, compression: LayerCompression = 'gzip'): number {
  const [max, fallback] = compression === 'gzip' ? [9, DEFAULT_COMPRESSION_LEVEL] : [19, DEFAULT_ZSTD_LEVEL];
  if (value.trim() === '') return fallback;
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new InputError(
      `compression-level "${value}" is not a ${compression} level from 1 to ${max}`,
      `leave it empty for ${fallback}`,
    );
  }
  return n;
}

/** Splits a multi-line or comma-separated list (the shape `docker/metadata-action` outputs). */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

const UNIT: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};
const MIN_CHUNK = 64 * 1024;
/** No registry or object store takes a larger single request (S3's part limit is 5 GiB). */
const MAX_CHUNK = 5 * 1024 ** 3;

/** `chunk-size`: bytes or `64MiB`/`50MB`/`5m`; empty means one PUT per blob, chunks only after a 413. */
export function parseChunkSize(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const quoted = `chunk-size "${value}"`;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  if (!match) {
    throw new InputError(
      `${quoted} is not a size`,
      'write it like 64MiB or 50MB (a number and a unit), or leave it empty for one PUT per blob',
    );
  }
  const unit = UNIT[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) {
    throw new InputError(
      `${quoted} has an unknown unit "${match[2] ?? ''}"`,
      'use B, K or KiB, KB, M or MiB, MB, G or GiB, GB (64MiB is a good size)',
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes === 0) {
    throw new InputError(
      `${quoted} is zero`,
      'leave it empty for one PUT per blob (image-push switches to chunks by itself after a 413)',
    );
  }
  if (bytes < MIN_CHUNK) {
    throw new InputError(
      `${quoted} is smaller than 64KiB`,
      'write it like 64MiB or 50MB (Amazon ECR needs 5MiB or more), or leave it empty',
    );
  }
  if (!Number.isSafeInteger(bytes) || bytes > MAX_CHUNK) {
    throw new InputError(
      `${quoted} is larger than 5GiB, which no registry takes in one request`,
      'write it like 64MiB or 50MB, or leave it empty for one PUT per blob',
    );
  }
  return bytes;
}

/** Digits only: `Number()` would also take `0x10`, `1e3`, `4.0` and `+4`, none of which a user means. */
function wholeNumber(value: string): number {
  const text = value.trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

/** A whole number from `min` to `max`, or `fallback` when empty. */
export function parseWholeNumber(
  name: string,
  value: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value.trim() === '') return fallback;
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      `${name} "${value}" is not a whole number from ${min} to ${max}`,
      `leave it empty for ${fallback}`,
    );
  }
  return n;
}

/** YAML's booleans as GitHub passes them: `true`/`false`, any case; empty means `fallback`. */
export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase();
  if (text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new InputError(`${name} "${value}" is not true or false`, `leave it empty for ${String(fallback)}`);
}

/** The PEM text of a CA file named by `name` (an input or a flag); an unreadable file is an input error. */
export function readCaFile(name: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    // Bounded, and never a FIFO or a device: either would hang the parse of the inputs.
    return readRegularFileSync(path, 16 << 20).toString('utf8');
  } catch (err) {
    const why =
      err instanceof UnreadableFileError ? err.reason : ((err as NodeJS.ErrnoException).code ?? String(err));
    throw new InputError(
      `${name} "${path}" cannot be read (${why})`,
      'give the path of a PEM file holding the CA certificate',
    );
  }
}

/** The tuning options both front ends take, as text: action inputs or CLI flags of the same names. */
export interface TuningText {
  readonly concurrency: string;
  readonly compression: string;
  readonly compressionLevel: string;
  readonly chunkSize: string;
  readonly retries: string;
  readonly retryTimeout: string;
  readonly caFile: string | undefined;
  readonly platforms: readonly string[];
}

/** Parses every tuning option at once, before anything is read or sent, so a typo costs nothing. */
export function parseTuning(text: TuningText): Tuning {
  const compression = parseCompression(text.compression);
  const retryTimeout = parseWholeNumber(
    'retry-timeout',
    text.retryTimeout,
    1,
    86_400,
    DEFAULT_RETRY_TIMEOUT_SECONDS,
  );
  return {
    concurrency: parseConcurrency(text.concurrency),
    compression,
    compressionLevel: parseCompressionLevel(text.compressionLevel, compression),
    chunkSize: parseChunkSize(text.chunkSize),
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      retries: parseWholeNumber('retries', text.retries, 0, 100, DEFAULT_RETRIES),
      maxElapsedMs: retryTimeout * 1000,
    },
    ca: readCaFile('ca-file', text.caFile),
    platforms: parsePlatforms(text.platforms),
  };
}

/** A front end's words for a half pair: the error and its fix, each way round. */
export interface HalfPairErrors {
  readonly noPassword: readonly [message: string, hint: string];
  readonly noUsername: readonly [message: string, hint: string];
}

/**
 * The one rule for a username/password pair, the same in both front ends: both or neither (neither leaves
 * the Docker config or anonymous access). A half pair is an error, never silently dropped.
 */
export function credentialPair(
  username: string | undefined,
  password: string | undefined,
  errors: HalfPairErrors,
): Credentials | undefined {
  if (username && password) return { username, password };
  if (!username && !password) return undefined;
  const [message, hint] = username ? errors.noPassword : errors.noUsername;
  throw new InputError(message, hint);
}
