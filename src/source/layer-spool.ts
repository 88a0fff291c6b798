import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DeflatePool } from '../compress/gzip-pool.ts';
import { ParallelGzip } from '../compress/parallel-gzip.ts';
import { DigestingStream } from '../digest.ts';
import { DOCKER_LAYER_GZIP } from '../media-types.ts';
import type { BlobSource } from './types.ts';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** What a layer's first bytes say it is. */
export function sniffCompression(head: Uint8Array): LayerCompression {
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

  constructor(parent = tmpdir()) {
    this.#dir = mkdtemp(join(parent, 'image-push-'));
  }

  /**
   * Gzips an uncompressed layer (on the pool's workers) into a spool file, hashing what goes in (the diffID)
   * and what comes out (the blob digest) on the way.
   */
  async compress(layer: Readable, pool: DeflatePool, level: number, name: string): Promise<SpooledLayer> {
    const path = join(await this.#dir, `${name.replace(/[^\w.-]/g, '_')}.gz`);
    const uncompressed = new DigestingStream();
    const compressed = new DigestingStream();
    await pipeline(layer, uncompressed, new ParallelGzip(pool, level), compressed, createWriteStream(path));
    return {
      diffId: uncompressed.digest(),
      uncompressedBytes: uncompressed.bytes,
      blob: spooledBlob(path, {
        mediaType: DOCKER_LAYER_GZIP,
        digest: compressed.digest(),
        size: compressed.bytes,
      }),
    };
  }

  /** Copies an already compressed layer as it is, learning its digest. */
  async copy(layer: Readable, mediaType: string, name: string): Promise<SpooledLayer> {
    const path = join(await this.#dir, name.replace(/[^\w.-]/g, '_'));
    const hashed = new DigestingStream();
    await pipeline(layer, hashed, createWriteStream(path));
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

function spooledBlob(path: string, descriptor: BlobSource['descriptor']): BlobSource {
  return {
    descriptor,
    available: true,
    open: () => Promise.resolve(createReadStream(path, { highWaterMark: 1 << 20 })),
  };
}
