import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlockLender } from '../compress/worker-pool.ts';
import { readFileBlocks } from '../compress/file-blocks.ts';
import { indexTar, normalise, type TarEntry } from './tar-index.ts';

/**
 * Read access to the files of an OCI image layout, wherever they are stored: a directory or a tar archive.
 * Paths are relative to the layout's root ('index.json', 'blobs/sha256/<hex>').
 */
export interface LayoutFiles {
  /** The file's size, or undefined when it is absent. */
  size(path: string): Promise<number | undefined>;
  /** Reads a whole (small) file. */
  read(path: string): Promise<Buffer>;
  /** Streams a file from its start; in whole blocks from `blocks` when given (see readFileBlocks). */
  open(path: string, blocks?: BlockLender): Readable;
}

export class DirectoryFiles implements LayoutFiles {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async size(path: string): Promise<number | undefined> {
    try {
      const info = await stat(join(this.#root, path));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  async read(path: string): Promise<Buffer> {
    const handle = await open(join(this.#root, path), 'r');
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
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
  readonly #entries: Map<string, TarEntry>;

  private constructor(archive: string, entries: Map<string, TarEntry>) {
    this.#archive = archive;
    this.#entries = entries;
  }

  static async open(archive: string): Promise<TarFiles> {
    return new TarFiles(archive, await indexTar(archive));
  }

  size(path: string): Promise<number | undefined> {
    return Promise.resolve(this.#entries.get(normalise(path))?.size);
  }

  async read(path: string): Promise<Buffer> {
    const entry = this.#entry(path);
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
