import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { noteDiscarded } from '../memory.ts';
import { createSha256, sha256Hex } from './sha256.ts';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

export function isSha256Digest(value: string): boolean {
  return SHA256.test(value);
}

/** The hex part of a digest, which is also the blob's file name in an OCI layout. */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/**
 * A pass-through stream that hashes and counts what flows through it, so a blob is verified on its way to
 * the registry without a second read.
 */
export class DigestingStream extends Transform {
  #hash: Hash = createSha256();
  #bytes = 0;
  readonly #onBytes: ((count: number) => void) | undefined;
  readonly #lastReader: boolean;

  /**
   * `onBytes` sees each chunk's size as it passes (for progress), without taking the stream's data.
   * `lastReader`: nothing reads the chunks after the stream's consumer, so they count towards a collection
   * (see noteDiscarded); false when they go on to be copied or reused.
   */
  constructor(onBytes?: (count: number) => void, { lastReader = true }: { lastReader?: boolean } = {}) {
    super({ highWaterMark: 1 << 20 });
    this.#onBytes = onBytes;
    this.#lastReader = lastReader;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.#onBytes?.(chunk.length);
    if (this.#lastReader) noteDiscarded(chunk.length);
    callback(null, chunk);
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Valid once the stream has ended. */
  digest(): string {
    return `sha256:${this.#hash.copy().digest('hex')}`;
  }
}
