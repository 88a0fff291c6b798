import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlockLender } from '../compress/worker-pool.ts';
import { readFileBlocks } from '../compress/file-blocks.ts';
import { SourceError } from '../errors.ts';
import { fileKind, readRegularFile, UnreadableFileError } from '../files.ts';
import { formatBytes } from '../format.ts';
import { indexTar, normalise, type TarEntry, type TarIndex } from './tar-index.ts';

/**
 * The most read into memory for one metadata file (index.json, manifest.json, a config): far above any real
 * one (registries refuse manifests over 4 MiB), far below what would exhaust memory.
 */
export const MAX_METADATA_BYTES = 64 << 20;

function notAFile(sourceName: string, path: string, what: string): SourceError {
  return new SourceError(
    `${sourceName}: ${path} is ${what}, not a regular file`,
    'the image is damaged; export or save it again',
  );
}

function tooLarge(sourceName: string, path: string, size: string): SourceError {
  return new SourceError(
    `${sourceName}: ${path} is ${size}, more than the ${formatBytes(MAX_METADATA_BYTES)} image-push reads for a metadata file`,
    'this is not an image export; export or save the image again',
  );
}

/**
 * Read access to the files of an OCI image layout, wherever they are stored: a directory or a tar archive.
 * Paths are relative to the layout's root ('index.json', 'blobs/sha256/<hex>').
 */
export interface LayoutFiles {
  /** The file's size, or undefined when it is absent; a SourceError naming what it is when it is no regular file. */
  size(path: string): Promise<number | undefined>;
  /** Reads a whole (small: {@link MAX_METADATA_BYTES} at most) file. */
  read(path: string): Promise<Buffer>;
  /** Streams a file from its start; in whole blocks from `blocks` when given (see readFileBlocks). */
  open(path: string, blocks?: BlockLender): Readable;
}

export class DirectoryFiles implements LayoutFiles {
  readonly #root: string;
  readonly #sourceName: string;

  constructor(root: string, sourceName = root) {
    this.#root = root;
    this.#sourceName = sourceName;
  }

  async size(path: string): Promise<number | undefined> {
    let info;
    try {
      info = await stat(join(this.#root, path));
    } catch {
      return undefined;
    }
    if (!info.isFile()) throw notAFile(this.#sourceName, path, fileKind(info));
    return info.size;
  }

  async read(path: string): Promise<Buffer> {
    try {
      return await readRegularFile(join(this.#root, path), MAX_METADATA_BYTES);
    } catch (err) {
      if (!(err instanceof UnreadableFileError)) throw err;
      const info = await stat(err.path);
      if (!info.isFile()) throw notAFile(this.#sourceName, path, fileKind(info));
      throw tooLarge(this.#sourceName, path, info.size ? formatBytes(info.size) : 'endless');
    }
  }

  open(path: string, blocks?: BlockLender): Readable {
    if (blocks) return readFileBlocks(join(this.#root, path), 0, undefined, blocks);
    return createReadStream(join(this.#root, path), { highWaterMark: 1 << 20 });
  }
}

/** An uncompressed tar of a layout; entries are read in place with ranged reads. */
export class TarFiles implements LayoutFiles {
  readonly #archive: string;
  readonly #entries: TarIndex;
  readonly #sourceName: string;

  private constructor(archive: string, entries: TarIndex, sourceName: string) {
    this.#archive = archive;
    this.#entries = entries;
    this.#sourceName = sourceName;
  }

  static async open(archive: string, sourceName = archive): Promise<TarFiles> {
    return new TarFiles(archive, await indexTar(archive), sourceName);
  }

  size(path: string): Promise<number | undefined> {
    const name = normalise(path);
    const other = this.#entries.others.get(name);
    if (other) return Promise.reject(notAFile(this.#sourceName, `${path} in the archive`, other));
    return Promise.resolve(this.#entries.get(name)?.size);
  }

  async read(path: string): Promise<Buffer> {
    const entry = this.#entry(path);
    if (entry.size > MAX_METADATA_BYTES) throw tooLarge(this.#sourceName, path, formatBytes(entry.size));
    const buffer = Buffer.alloc(entry.size);
    const handle = await open(this.#archive, 'r');
    try {
      await handle.read(buffer, 0, entry.size, entry.offset);
    } finally {
      await handle.close();
    }
    return buffer;
  }

  open(path: string, blocks?: BlockLender): Readable {
    const entry = this.#entry(path);
    if (entry.size === 0) return Readable.from([]);
    if (blocks) return readFileBlocks(this.#archive, entry.offset, entry.size, blocks);
    return createReadStream(this.#archive, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: 1 << 20,
    });
  }

  #entry(path: string): TarEntry {
    const entry = this.#entries.get(normalise(path));
    if (!entry) throw new Error(`no entry "${path}" in the archive`);
    return entry;
  }
}
