import { Transform, type TransformCallback } from 'node:stream';
import { noteDiscarded } from '../memory.ts';
import type { CompressionPool } from './worker-pool.ts';

export type LayerCompression = 'gzip' | 'zstd';

/**
 * Big enough that workers spend their time compressing, small enough that memory stays a few MB. zstd blocks
 * are independent frames with no shared window, so they are larger to lose less ratio at the cuts (2 MiB: 4 MiB
 * cost ~35 MB more peak memory on a 1 GB image here).
 */
export const BLOCK_SIZE: Readonly<Record<LayerCompression, number>> = { gzip: 1 << 20, zstd: 2 << 20 };
const WINDOW = 32 << 10;
// A fixed header (no name, mtime 0, unknown OS), so the output depends only on the input, level and block size.
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

/**
 * gzip or zstd on every core, with output that is the same byte for byte whatever the number of cores: the
 * input is cut into fixed-size blocks and the compressed pieces are joined in order. For gzip each block is
 * deflated with the previous block's last 32 KiB as dictionary and ended with a sync flush (as pigz does); for
 * zstd each block is a frame of its own. The number of workers changes only the speed, never the digest, so
 * pushes from different machines dedupe.
 */
export class ParallelCompress extends Transform {
  readonly #pool: CompressionPool;
  readonly #format: LayerCompression;
  readonly #level: number;
  readonly #blockSize: number;
  readonly #maxInFlight: number;
  #block: Buffer;
  #filled = 0;
  #dictionary: Uint8Array | undefined;
  #crc = 0;
  #length = 0;
  readonly #pending: Promise<Buffer>[] = [];

  constructor(
    pool: CompressionPool,
    format: LayerCompression,
    level: number,
    blockSize = BLOCK_SIZE[format],
  ) {
    super({ readableHighWaterMark: 1 << 20 });
    this.#pool = pool;
    this.#format = format;
    this.#level = level;
    this.#blockSize = blockSize;
    this.#maxInFlight = pool.size * 2;
    this.#block = pool.block(blockSize);
    // A copy: whoever reads the output last may free its chunks (see release).
    if (format === 'gzip') this.push(Buffer.from(HEADER));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#accept(chunk).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#submit(true);
    this.#drain(0)
      .then(() => {
        if (this.#format === 'zstd') return callback();
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(this.#crc >>> 0, 0);
        trailer.writeUInt32LE(this.#length % 2 ** 32, 4);
        this.push(trailer);
        callback();
      })
      .catch(callback);
  }

  async #accept(chunk: Buffer): Promise<void> {
    if (this.#format === 'gzip') this.#crc = crc32()(chunk, this.#crc);
    this.#length += chunk.length;
    if (this.#filled === 0 && chunk.length === this.#blockSize && this.#pool.isLent(chunk)) {
      // A whole block filled in place by the reader: it goes to a worker as it is.
      this.#pool.giveBack(this.#block);
      this.#block = chunk;
      this.#filled = chunk.length;
      this.#submit(false);
      await this.#drain(this.#maxInFlight);
      return;
    }
    noteDiscarded(chunk.length); // copied below, then garbage
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.#blockSize - this.#filled);
      chunk.copy(this.#block, this.#filled, offset, offset + n);
      this.#filled += n;
      offset += n;
      if (this.#filled === this.#blockSize) {
        this.#submit(false);
        // Backpressure: wait for the oldest block before taking more than the workers can hold.
        await this.#drain(this.#maxInFlight);
      }
    }
  }

  #submit(last: boolean): void {
    const data = this.#filled === this.#blockSize ? this.#block : this.#block.subarray(0, this.#filled);
    if (this.#format === 'zstd' && data.length === 0 && this.#length > 0) return; // no empty trailing frame
    const dictionary = this.#dictionary;
    // Keep the window before the block is handed to a worker (transferring it empties this side's buffer).
    if (this.#format === 'gzip')
      this.#dictionary =
        data.length >= WINDOW
          ? Uint8Array.prototype.slice.call(data, data.length - WINDOW)
          : joinWindow(dictionary, data);
    // A block of its own: a pooled Buffer's memory must never be transferred to a worker.
    let owned = data;
    if (data.length !== this.#blockSize) {
      owned = Buffer.allocUnsafeSlow(data.length);
      data.copy(owned);
    }
    const codec = this.#format === 'gzip' ? 'deflate' : 'zstd';
    this.#pending.push(this.#pool.compress({ codec, data: owned, dictionary, last, level: this.#level }));
    this.#block = this.#pool.block(this.#blockSize);
    this.#filled = 0;
  }

  async #drain(keep: number): Promise<void> {
    while (this.#pending.length > keep) {
      const next = this.#pending.shift();
      if (next) this.push(await next);
    }
  }
}

function joinWindow(previous: Uint8Array | undefined, data: Uint8Array): Uint8Array {
  const joined = Buffer.concat([previous ?? Buffer.alloc(0), data]);
  return joined.subarray(Math.max(0, joined.length - WINDOW));
}

let zlibCrc32: typeof import('node:zlib').crc32 | undefined;
/** node:zlib is loaded by the first layer compressed, not by every push. */
function crc32(): typeof import('node:zlib').crc32 {
  return (zlibCrc32 ??= process.getBuiltinModule('node:zlib').crc32);
}
