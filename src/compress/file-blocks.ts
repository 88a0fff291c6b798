import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { BlockLender } from './worker-pool.ts';

/**
 * Reads `length` bytes of a file from `start` (to its end when `length` is undefined) straight into lent
 * blocks, one block per chunk. The compressor hands such a block to a worker without copying it, and the block
 * comes back to the pool afterwards, so a layer of any size is read with the same few blocks instead of a fresh
 * buffer per read.
 */
export function readFileBlocks(
  path: string,
  start: number,
  length: number | undefined,
  blocks: BlockLender,
): Readable {
  return new FileBlockReader(path, start, length, blocks);
}

class FileBlockReader extends Readable {
  readonly #path: string;
  readonly #length: number | undefined;
  readonly #end: number;
  readonly #blocks: BlockLender;
  #position: number;
  #handle: Promise<FileHandle> | undefined;

  constructor(path: string, start: number, length: number | undefined, blocks: BlockLender) {
    // One block read ahead: the disk works while the previous block is hashed and handed on.
    super({ highWaterMark: 1 });
    this.#path = path;
    this.#length = length;
    this.#position = start;
    this.#end = length === undefined ? Infinity : start + length;
    this.#blocks = blocks;
  }

  override _read(): void {
    this.#next().then(
      (chunk) => this.push(chunk),
      (err: unknown) => this.destroy(err as Error),
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.#handle) return callback(err);
    this.#handle
      .then((handle) => handle.close())
      .then(
        () => callback(err),
        (closeErr: unknown) => callback(err ?? (closeErr as Error)),
      );
  }

  /** The next block, cut to what was read; null at the end. */
  async #next(): Promise<Buffer | null> {
    if (this.#position >= this.#end) return null;
    const handle = await (this.#handle ??= open(this.#path, 'r'));
    const block = this.#blocks.lend();
    const want = Math.min(block.length, this.#end - this.#position);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(block, filled, want - filled, this.#position + filled);
      if (bytesRead === 0) {
        if (this.#length === undefined) break;
        throw new Error(`${this.#path}: the file ends ${this.#end - this.#position - filled} bytes early`);
      }
      filled += bytesRead;
    }
    this.#position += filled;
    if (filled === 0) {
      this.#blocks.giveBack(block);
      return null;
    }
    return filled === block.length ? block : block.subarray(0, filled);
  }
}
