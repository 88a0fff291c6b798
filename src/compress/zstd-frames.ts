import { once } from 'node:events';
import type { createZstdDecompress } from 'node:zlib';

/**
 * Decompresses a zstd stream of any number of frames. Node's zstd stream stops at the end of the first frame,
 * but a zstd stream may hold many (RFC 8878, 3.1), and image-push's own parallel compressor writes one per
 * block: so the frames are found here, from their headers and block headers (no decompression needed), and
 * each goes through a decompressor of its own. Skippable frames are skipped.
 */
export async function* zstdDecompressFrames(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const splitter = new FrameSplitter();
  let decoder: ReturnType<typeof createZstdDecompress> | undefined;
  let output: Buffer[] = [];
  let failure: Error | undefined;
  const start = (): ReturnType<typeof createZstdDecompress> => {
    const d = process.getBuiltinModule('node:zlib').createZstdDecompress();
    d.on('data', (chunk: Buffer) => output.push(chunk));
    d.on('error', (err: Error) => (failure ??= err));
    return d;
  };
  const flushOutput = function* (): Generator<Buffer> {
    if (failure) throw failure;
    const ready = output;
    output = [];
    yield* ready;
  };
  for await (const chunk of source) {
    for (const piece of splitter.split(chunk)) {
      if (piece.data.length > 0) {
        decoder ??= start();
        if (!decoder.write(piece.data)) await Promise.race([once(decoder, 'drain'), once(decoder, 'error')]);
      }
      if (piece.frameEnd && decoder) {
        const ended = once(decoder, 'end');
        decoder.end();
        await Promise.race([ended, once(decoder, 'error')]);
        decoder = undefined;
      }
      yield* flushOutput();
    }
  }
  splitter.finish();
  yield* flushOutput();
}

interface Piece {
  /** Bytes of the current frame (empty for a skippable frame). */
  readonly data: Buffer;
  /** The frame ends with these bytes. */
  readonly frameEnd: boolean;
}

type State = 'magic' | 'descriptor' | 'fixed' | 'block' | 'body' | 'checksum' | 'skipSize' | 'skip';

const ZSTD_MAGIC = 0xfd2fb528;

/** Walks frame and block headers to cut a zstd stream at frame boundaries. */
class FrameSplitter {
  #state: State = 'magic';
  #need = 4;
  #held = Buffer.alloc(0);
  #remaining = 0;
  #checksum = false;
  #lastBlock = false;

  split(chunk: Buffer): Piece[] {
    const pieces: Piece[] = [];
    let pos = 0;
    let frameStart = 0;
    const emit = (end: number, frameEnd: boolean): void => {
      if (end > frameStart || frameEnd) pieces.push({ data: chunk.subarray(frameStart, end), frameEnd });
      frameStart = end;
    };
    while (pos < chunk.length) {
      if (this.#state === 'body' || this.#state === 'skip') {
        const n = Math.min(this.#remaining, chunk.length - pos);
        if (this.#state === 'skip') frameStart = pos + n; // skipped bytes go nowhere
        pos += n;
        this.#remaining -= n;
        if (this.#remaining === 0) {
          if (this.#state === 'skip') this.#expect('magic', 4);
          else this.#afterBlock();
          if (this.#frameDone) {
            this.#frameDone = false;
            emit(pos, true);
          }
        }
        continue;
      }
      // A magic number (or a skippable frame's size) is held back until it is known to start a zstd frame.
      const between = this.#state === 'magic' || this.#state === 'skipSize';
      if (between) emit(pos, false);
      const n = Math.min(this.#need - this.#held.length, chunk.length - pos);
      this.#held = Buffer.concat([this.#held, chunk.subarray(pos, pos + n)]);
      pos += n;
      if (between) frameStart = pos;
      if (this.#held.length < this.#need) continue;
      const header = this.#held;
      this.#held = Buffer.alloc(0);
      const wasMagic = this.#state === 'magic';
      this.#header(header);
      if (wasMagic && (this.#state as State) === 'descriptor') pieces.push({ data: header, frameEnd: false });
      if (this.#frameDone) {
        this.#frameDone = false;
        emit(pos, true);
      }
    }
    if (this.#state !== 'skip') emit(pos, false);
    return pieces;
  }

  finish(): void {
    if (this.#state !== 'magic' || this.#held.length > 0)
      throw new Error('the zstd stream ends in the middle of a frame');
  }

  #frameDone = false;

  /** Handles a complete header field. */
  #header(bytes: Buffer): void {
    switch (this.#state) {
      case 'magic': {
        const magic = bytes.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) {
          this.#expect('descriptor', 1);
          return;
        }
        if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
          this.#expect('skipSize', 4);
          return;
        }
        throw new Error('not a zstd frame (bad magic number)');
      }
      case 'descriptor': {
        const d = bytes[0] ?? 0;
        const single = (d >> 5) & 1;
        this.#checksum = ((d >> 2) & 1) === 1;
        const dictionary = [0, 1, 2, 4][d & 3] ?? 0;
        const contentSize = [single, 2, 4, 8][d >> 6] ?? 0;
        const fixed = (single ? 0 : 1) + dictionary + contentSize;
        if (fixed > 0) this.#expect('fixed', fixed);
        else this.#expect('block', 3);
        return;
      }
      case 'fixed':
        this.#expect('block', 3);
        return;
      case 'block': {
        const h = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16);
        this.#lastBlock = (h & 1) === 1;
        const type = (h >> 1) & 3;
        if (type === 3) throw new Error('not a zstd frame (reserved block type)');
        const size = type === 1 ? 1 : h >>> 3;
        if (size > 0) {
          this.#state = 'body';
          this.#remaining = size;
        } else this.#afterBlock();
        return;
      }
      case 'checksum':
        this.#endFrame();
        return;
      case 'skipSize': {
        const size = bytes.readUInt32LE(0);
        if (size > 0) {
          this.#state = 'skip';
          this.#remaining = size;
        } else this.#expect('magic', 4);
        return;
      }
      default:
        throw new Error(`zstd frame splitter: unexpected state ${this.#state}`);
    }
  }

  #afterBlock(): void {
    if (!this.#lastBlock) this.#expect('block', 3);
    else if (this.#checksum) this.#expect('checksum', 4);
    else this.#endFrame();
  }

  #endFrame(): void {
    this.#frameDone = true;
    this.#expect('magic', 4);
  }

  #expect(state: State, bytes: number): void {
    this.#state = state;
    this.#need = bytes;
  }
}
