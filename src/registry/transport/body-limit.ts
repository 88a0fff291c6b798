import { RegistryError } from './errors.ts';

const MiB = 1024 * 1024;
/** First chunk size tried after a proxy refused a whole blob: under Cloudflare's 100 MB, with room to spare. */
const FIRST_FALLBACK_CHUNK = 64 * MiB;
/** Below this a body limit is not worth fighting: nginx's default (1m) still passes 1 MiB. */
const SMALLEST_CHUNK = 1 * MiB;

/**
 * What one registry's uploads learnt about the largest request body that gets through (a proxy in front of it
 * answering 413): the first refusal is paid once, and later blobs go in chunks that fit from the start.
 */
export class BodyLimit {
  #chunkSize: number | undefined;

  /** The chunk size uploads should use; undefined while no body was refused (one PUT per blob). */
  get chunkSize(): number | undefined {
    return this.#chunkSize;
  }

  /**
   * A body of `tried` bytes was refused with `err` (a 413): returns the next chunk size to try, and keeps it
   * for later uploads; throws the 413, explained, when no chunk of at least `minChunk` bytes may be sent.
   */
  refused(tried: number, minChunk: number, err: RegistryError): number {
    let next = FIRST_FALLBACK_CHUNK;
    while (next >= tried) next /= 2;
    const min = Math.max(SMALLEST_CHUNK, minChunk);
    if (next < min) {
      throw new RegistryError(
        `${err.message}; even ${tried}-byte bodies are refused, and chunks may not be smaller than ${min} bytes`,
        'raise the body-size limit of the proxy in front of the registry (nginx: client_max_body_size)',
        { status: 413 },
      );
    }
    // Concurrent uploads may learn at once: keep the smallest.
    this.#chunkSize = Math.min(this.#chunkSize ?? next, next);
    return next;
  }
}
