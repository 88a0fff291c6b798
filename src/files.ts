import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { formatBytes } from './format.ts';

/** What a path that is not a regular file is, for a message: "a directory", "a FIFO (named pipe)", ... */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file cannot be read whole: it is no regular file, or larger than what is read into memory. */
export class UnreadableFileError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path} is ${reason}`);
    this.name = 'UnreadableFileError';
    this.path = path;
    this.reason = reason;
  }
}

/**
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. Regular files ignore it.
 * (A /proc file reports size 0 and may be endless, a device has no end: hence the checks and the bound.)
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function check(path: string, stats: Stats, limit: number): void {
  if (!stats.isFile()) throw new UnreadableFileError(path, `${fileKind(stats)}, not a regular file`);
  if (stats.size > limit)
    throw new UnreadableFileError(
      path,
      `${formatBytes(stats.size)}, more than the ${formatBytes(limit)} read into memory`,
    );
}

/**
 * Reads a whole regular file of at most `limit` bytes. Refuses directories, FIFOs and devices (which would block
 * or never end) and files that say, or turn out, to be larger (procfs files say 0 bytes), with an
 * {@link UnreadableFileError} that says what the path is.
 */
export async function readRegularFile(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, READ_FLAGS);
  try {
    check(path, await handle.stat(), limit);
    const into = new BoundedChunks(path, limit);
    for (;;) {
      const chunk = into.next();
      if (!into.take(chunk, (await handle.read(chunk, 0, chunk.length, null)).bytesRead)) break;
    }
    return into.bytes();
  } finally {
    await handle.close();
  }
}

/** The same, synchronously (for input parsing, which runs before anything else). */
export function readRegularFileSync(path: string, limit: number): Buffer {
  const fd = openSync(path, READ_FLAGS);
  try {
    check(path, fstatSync(fd), limit);
    const into = new BoundedChunks(path, limit);
    for (;;) {
      const chunk = into.next();
      if (!into.take(chunk, readSync(fd, chunk, 0, chunk.length, null))) break;
    }
    return into.bytes();
  } finally {
    closeSync(fd);
  }
}

/** A file's chunks as reads fill them, up to `limit` bytes: one byte more is the error (a file that grew). */
class BoundedChunks {
  readonly #path: string;
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #total = 0;

  constructor(path: string, limit: number) {
    this.#path = path;
    this.#limit = limit;
  }

  /** The buffer for the next read: 1 MiB at most, and never more than one byte past the limit. */
  next(): Buffer {
    return Buffer.allocUnsafe(Math.min(1 << 20, this.#limit + 1 - this.#total));
  }

  /** Keeps what a read put in `chunk`; false at the end of the file. */
  take(chunk: Buffer, bytesRead: number): boolean {
    if (bytesRead === 0) return false;
    this.#chunks.push(chunk.subarray(0, bytesRead));
    this.#total += bytesRead;
    if (this.#total > this.#limit)
      throw new UnreadableFileError(this.#path, `more than the ${formatBytes(this.#limit)} read into memory`);
    return true;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#total);
  }
}
