import { InputError } from './errors.ts';
import { DEFAULT_COMPRESSION_LEVEL } from './source/layer-compressor.ts';

export { DEFAULT_COMPRESSION_LEVEL };

/** Defaults and value parsers shared by both front ends, so the action and the CLI accept the same text. */
export const DEFAULT_CONCURRENCY = 4;

export function parseConcurrency(value: string): number {
  if (value.trim() === '') return DEFAULT_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InputError(
      `concurrency "${value}" is not a whole number from 1 to 64`,
      `leave it empty for ${DEFAULT_CONCURRENCY}`,
    );
  }
  return n;
}

export function parseCompressionLevel(value: string): number {
  if (value.trim() === '') return DEFAULT_COMPRESSION_LEVEL;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    throw new InputError(
      `compression-level "${value}" is not a gzip level from 1 to 9`,
      `leave it empty for ${DEFAULT_COMPRESSION_LEVEL}`,
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
