import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createSha256 } from '../oci/sha256.ts';
import { zstdDecompressFrames } from './zstd-frames.ts';

/** What a layer's media type says about its compression (tar, tar+gzip, tar+zstd; anything else is as is). */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  if (/zstd/i.test(mediaType)) return 'zstd';
  if (/gzip/i.test(mediaType)) return 'gzip';
  return 'none';
}

export interface DiffIdCheck {
  readonly ok: boolean;
  /** sha256 of the uncompressed stream. */
  readonly actual: string;
  /** Bytes of uncompressed data hashed. */
  readonly bytes: number;
}

/**
 * Decompresses a layer as its media type says (gzip or zstd, with node:zlib, streaming: memory stays a few
 * chunks) and compares the sha256 of what comes out with `diffId`, the digest the image config's
 * rootfs.diff_ids names for it. That is the check `docker pull` makes; a layer that fails it is an image no
 * client will run. Throws when the stream is not what the media type says (not gzip, truncated).
 */
export async function verifyDiffId(
  stream: Readable,
  mediaType: string,
  diffId: string,
  signal?: AbortSignal,
): Promise<DiffIdCheck> {
  const hash = createSha256();
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback();
    },
  });
  const kind = layerCompression(mediaType);
  const options = signal ? { signal } : {};
  if (kind === 'gzip')
    await pipeline(stream, process.getBuiltinModule('node:zlib').createGunzip(), sink, options);
  else if (kind === 'zstd')
    await pipeline(stream, (source: AsyncIterable<Buffer>) => zstdDecompressFrames(source), sink, options);
  else await pipeline(stream, sink, options);
  const actual = `sha256:${hash.digest('hex')}`;
  return { ok: actual === diffId, actual, bytes };
}
