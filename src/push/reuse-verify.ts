import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';

/**
 * Whether a compressed layer blob decompresses to the uncompressed layer `diffId` names. Used with `verify`
 * before a blob the registry pairs with a local layer is relied on: the registry's word is then not needed.
 * (A local stand-in: the hostile-input work adds a shared layer check; this one can move onto it.)
 */
export async function blobHashesTo(stream: Readable, mediaType: string, diffId: string): Promise<boolean> {
  const hash = createHash('sha256');
  try {
    await pipeline(
      stream,
      mediaType.endsWith('zstd') ? createZstdDecompress() : createGunzip(),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) hash.update(chunk);
      },
    );
  } catch {
    return false; // not a valid compressed stream: not the layer
  }
  return `sha256:${hash.digest('hex')}` === diffId;
}
