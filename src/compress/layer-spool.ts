import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParallelCompress, type LayerCompression } from './parallel-compress.ts';
import type { CompressionPool } from './worker-pool.ts';
import { DigestingStream } from '../oci/digest.ts';
import { release } from '../memory.ts';
import { LocalFileError, TEMP_ADVICE, tempRoot } from '../file-errors.ts';
import { DOCKER_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.ts';
import type { BlobSource } from '../oci/descriptor.ts';

/** What a layer's first bytes say it is. */
export type SniffedCompression = LayerCompression | 'none';

/** What a layer's first bytes say it is. */
export function sniffCompression(head: Uint8Array): SniffedCompression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The first chunk of a stream (enough to sniff a compression format); the stream is closed after. */
export async function readHead(stream: Readable): Promise<Buffer> {
  try {
    for await (const chunk of stream) return chunk as Buffer;
    return Buffer.alloc(0);
  } finally {
    stream.destroy();
  }
}

export interface SpooledLayer {
  readonly blob: BlobSource;
  /** sha256 of the uncompressed tar, when it was hashed here. */
  readonly diffId: string | undefined;
  readonly uncompressedBytes: number;
}

/**
 * Temporary files for compressed layers. A spooled layer knows its digest and size before the upload starts
 * (so the registry can be asked whether it already has it) and can be re-read for a retry.
 */
export class Spool {
  readonly #dir: Promise<string>;

  constructor(parent = tempRoot()) {
    this.#dir = mkdtemp(join(parent, 'image-push-')).catch((err: unknown) => {
      throw new LocalFileError(
        'cannot create the compression spool (a temporary directory) in',
        parent,
        err,
        TEMP_ADVICE,
      );
    });
    this.#dir.catch(() => undefined); // reported by the first layer that needs it
  }

  /**
   * Compresses an uncompressed layer (on the pool's workers) into a spool file, hashing what goes in (the
   * diffID) and what comes out (the blob digest) on the way.
   */
  async compress(
    layer: Readable,
    pool: CompressionPool,
    format: LayerCompression,
    level: number,
    name: string,
  ): Promise<SpooledLayer> {
    const path = join(
      await this.#dir,
      `${name.replace(/[^\w.-]/g, '_')}.${format === 'gzip' ? 'gz' : 'zst'}`,
    );
    // The compressor copies these chunks (and counts them) or hands them to a worker whole.
    const uncompressed = new DigestingStream(undefined, { lastReader: false });
    const compressed = new DigestingStream(undefined, { lastReader: false });
    const compress = new ParallelCompress(pool, format, level);
    // The compressed blocks are read by nothing else: each one's memory is freed once it is on disk.
    await pipeline(layer, uncompressed, compress, compressed, spoolWriter(path, release));
    return {
      diffId: uncompressed.digest(),
      uncompressedBytes: uncompressed.bytes,
      blob: spooledBlob(path, {
        mediaType: format === 'gzip' ? DOCKER_LAYER_GZIP : OCI_LAYER_ZSTD,
        digest: compressed.digest(),
        size: compressed.bytes,
      }),
    };
  }

  /** Copies an already compressed layer as it is, learning its digest. */
  async copy(layer: Readable, mediaType: string, name: string): Promise<SpooledLayer> {
    const path = join(await this.#dir, name.replace(/[^\w.-]/g, '_'));
    const hashed = new DigestingStream();
    await pipeline(
      layer,
      hashed,
      spoolWriter(path, () => undefined),
    );
    return {
      diffId: undefined,
      uncompressedBytes: 0,
      blob: spooledBlob(path, { mediaType, digest: hashed.digest(), size: hashed.bytes }),
    };
  }

  async close(): Promise<void> {
    await rm(await this.#dir, { recursive: true, force: true });
  }
}

/** A failure of the spool file itself (a full disk), said as such: not to be taken for the source's. */
function spoolError(path: string, err: unknown): Error {
  return err instanceof LocalFileError
    ? err
    : new LocalFileError('writing a compressed layer to the temporary file', path, err, TEMP_ADVICE);
}

/** Writes chunks to a new file, then hands each one to `written` (so its memory can be freed at once). */
function spoolWriter(path: string, written: (chunk: Buffer) => void): Writable {
  const opening = open(path, 'w');
  opening.catch(() => undefined); // reported by the first write, or by final
  const fail = (callback: (err?: Error | null) => void) => (err: unknown) => callback(spoolError(path, err));
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      opening
        .then((handle) => writeAll(handle, chunk))
        .then(() => {
          written(chunk);
          callback();
        }, fail(callback));
    },
    final(callback) {
      opening.then((handle) => handle.close()).then(() => callback(), fail(callback));
    },
    destroy(err, callback) {
      opening
        .then((handle) => handle.close())
        .then(
          () => callback(err),
          (closeErr: unknown) => callback(err ?? (closeErr as Error)),
        );
    },
  });
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done)).bytesWritten;
}

function spooledBlob(path: string, descriptor: BlobSource['descriptor']): BlobSource {
  return {
    descriptor,
    available: true,
    open: () => Promise.resolve(createReadStream(path, { highWaterMark: 1 << 20 })),
  };
}
