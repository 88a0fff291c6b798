import { Readable } from 'node:stream';
import { BLOCK_SIZE, type LayerCompression } from './parallel-compress.ts';
import { CompressionPool, type BlockLender } from './worker-pool.ts';
import { createLimiter } from '../limit.ts';
import { SourceError } from '../errors.ts';
import { DOCKER_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.ts';
import { readHead, sniffCompression, Spool } from './layer-spool.ts';
import type { BlobSource } from '../oci/descriptor.ts';

/**
 * gzip level 2. On a 1 GB docker save (measured here): 1.38x the speed of level 4 for 3.8% larger layers, 2.7%
 * larger than skopeo's (Go's default level), and the whole push as fast as skopeo's instead of 1.2x slower.
 * Level 3 was 1.16x for 2.7% larger; level 1 gained only 7% more over level 2. A layer that is pulled many times
 * is worth more: `compression-level` 6 or 9 (or zstd, smaller and several times faster).
 */
export const DEFAULT_COMPRESSION_LEVEL = 2;
/** zstd level 3, zstd's own default: faster than gzip level 1 and smaller than gzip level 9. */
export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * Turns layers from `docker save` into blobs a registry takes: uncompressed ones are gzipped on every core into
 * the spool, compressed ones are copied as they are. Owns the worker pool and the spool directory.
 */
export class LayerCompressor {
  readonly format: LayerCompression;
  readonly level: number;
  // One layer at a time keeps every gzip worker busy (blocks are compressed in parallel within a layer).
  readonly #oneAtATime = createLimiter(1);
  #pool: CompressionPool | undefined;
  #spool: Spool | undefined;
  #closed = false;
  /** Blobs made here from an uncompressed layer whose diffID was checked on the way (verify need not redo it). */
  readonly #checked = new WeakSet<BlobSource>();
  /** Bytes of uncompressed layer read and compressed, for the summary and the tests. */
  bytesCompressed = 0;

  constructor(format: LayerCompression = 'gzip', level?: number) {
    this.format = format;
    this.level = level ?? (format === 'gzip' ? DEFAULT_COMPRESSION_LEVEL : DEFAULT_ZSTD_LEVEL);
  }

  /**
   * Prepares one layer read from `open()`: compresses it when it is a plain tar (checking the result against the
   * diffID the config names), or copies it when it is already compressed. `open` reads into the blocks it is
   * given, when it can, so that they reach the workers without a copy.
   */
  prepare(open: (blocks?: BlockLender) => Readable, diffId: string, sourceName: string): Promise<BlobSource> {
    return this.#oneAtATime(() => this.#prepare(open, diffId, sourceName));
  }

  /** Whether `blob` was compressed here from a layer whose diffID matched (no need to verify it again). */
  checkedDiffId(blob: BlobSource): boolean {
    return this.#checked.has(blob);
  }

  /** The pool and the spool, made on first use; never after close() (a failed push closes while layers wait). */
  #parts(): { pool: () => CompressionPool; spool: Spool } {
    const stopped = (): Error => new Error('the push was stopped before this layer was read');
    if (this.#closed) throw stopped();
    const spool = (this.#spool ??= new Spool());
    const pool = (): CompressionPool => {
      if (this.#closed) throw stopped();
      return (this.#pool ??= new CompressionPool());
    };
    return { spool, pool };
  }

  async #prepare(
    open: (blocks?: BlockLender) => Readable,
    diffId: string,
    sourceName: string,
  ): Promise<BlobSource> {
    const kind = sniffCompression(await readHead(open()));
    const { spool, pool: makePool } = this.#parts();
    if (kind !== 'none') {
      const spooled = await spool.copy(
        open(),
        kind === 'zstd' ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP,
        diffId.slice(7),
      );
      return spooled.blob;
    }
    const pool = makePool();
    const blocks = pool.lender(BLOCK_SIZE[this.format]);
    const spooled = await spool.compress(open(blocks), pool, this.format, this.level, diffId.slice(7));
    this.bytesCompressed += spooled.uncompressedBytes;
    if (spooled.diffId !== diffId) {
      throw new SourceError(
        `${sourceName}: layer ${diffId} hashes to ${spooled.diffId ?? '?'} uncompressed`,
        'the image is corrupt; save it again',
      );
    }
    this.#checked.add(spooled.blob);
    return spooled.blob;
  }

  /**
   * The same for a stream that can be read only once (an entry of a `docker save` stream): the first chunk
   * decides, then the whole stream goes through. Returns the diffID it hashed, if it decompressed nothing.
   */
  async prepareStream(
    stream: Readable,
    name: string,
    sourceName: string,
  ): Promise<{ blob: BlobSource; diffId: string | undefined }> {
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await chunks.next();
    const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
    const whole = Readable.from(
      (async function* () {
        yield head;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })(),
    );
    const kind = sniffCompression(head);
    const { spool, pool: makePool } = this.#parts();
    if (kind !== 'none') {
      const spooled = await spool.copy(whole, kind === 'zstd' ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP, name);
      return { blob: spooled.blob, diffId: undefined };
    }
    const pool = makePool();
    try {
      const spooled = await spool.compress(whole, pool, this.format, this.level, name);
      this.bytesCompressed += spooled.uncompressedBytes;
      return { blob: spooled.blob, diffId: spooled.diffId };
    } catch (err) {
      throw new SourceError(`${sourceName}: reading layer ${name}: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#pool?.close(), this.#spool?.close()]);
  }
}
