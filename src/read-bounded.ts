// The one way a body of unknown length is read into memory: never more than a bound. A server (or a
// credential helper) may stream without end and without Content-Length; the bound is checked per chunk, and
// the stream is destroyed once it is passed, so memory never holds more than the bound plus one chunk.

/** A stream that can be read chunk by chunk and stopped: undici's bodies, Node's Readables. */
export type BoundedStream = AsyncIterable<Buffer | string> & { destroy?: (error?: Error) => unknown };

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
  for await (const data of stream) {
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
  for await (const data of stream) {
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
