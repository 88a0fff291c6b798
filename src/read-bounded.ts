// The one way a body of unknown length is read into memory: never more than a bound. A server (or a
// credential helper) may stream without end and without Content-Length; the bound is checked per chunk, and
// the stream is destroyed once it is passed, so memory never holds more than the bound plus one chunk.

/** A stream that can be read chunk by chunk and stopped: undici's bodies, Node's Readables. */
export type BoundedStream = AsyncIterable<Buffer | string> & {
  destroy?: (error?: Error) => unknown;
  iterator?: (options: { destroyOnReturn: boolean }) => AsyncIterable<Buffer | string>;
};

/**
 * The chunks of `stream`, without destroying it when they end: undici aborts a request whose answer is
 * destroyed, and the request's own body may still be on its way (a registry that answers an upload early).
 */
function chunksOf(stream: BoundedStream): AsyncIterable<Buffer | string> {
  return typeof stream.iterator === 'function' ? stream.iterator({ destroyOnReturn: false }) : stream;
}

/** More than the bound arrived: `read` bytes had been counted when reading stopped. */
export class TooLargeError extends Error {
  readonly read: number;
  readonly max: number;

  constructor(read: number, max: number) {
    super(`more than ${max} bytes`);
    this.name = 'TooLargeError';
    this.read = read;
    this.max = max;
  }
}

/**
 * Reads `stream` to its end, at most `max` bytes. Past the bound the stream is destroyed and what
 * `tooLarge` makes of it is thrown (a {@link TooLargeError} by default).
 */
export async function readBounded(
  stream: BoundedStream,
  max: number,
  tooLarge: (read: number) => Error = (read) => new TooLargeError(read, max),
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    total += chunk.length;
    if (total > max) {
      stream.destroy?.();
      throw tooLarge(total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The first `max` bytes of `stream` (an error body, quoted only in part): the rest is not read, and the
 * stream is destroyed when more was coming.
 */
export async function readPrefix(stream: BoundedStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    const piece = chunk.subarray(0, max - total);
    chunks.push(piece);
    total += piece.length;
    if (total >= max) {
      stream.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks, total);
}
