import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { SourceError } from '../errors.ts';
import { isSha256Digest, sha256Digest } from '../oci/digest.ts';
import { DOCKER_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.ts';
import { ManifestError, parseManifest } from '../oci/manifest.ts';
import { sniffCompression } from '../compress/layer-spool.ts';
import { loadManifestTree, type ManifestStore } from './manifest-tree.ts';
import { normalise } from './tar-index.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';

/** Entries up to this size are kept in memory (manifests, configs, tiny layers); larger ones are blobs to send. */
const SMALL_ENTRY = 1 << 20;
/** How far the save may run ahead of the uploads, in all (the memory it may take). */
const READ_AHEAD = 16 << 20;

/** Takes a blob as it streams past, before the tree is known; settles once the blob is in the registry. */
export type BlobSink = (blob: BlobSource) => Promise<unknown>;

export interface StoredSaveOptions {
  /** The image ID, which on the containerd image store is the digest of the manifest or index. */
  readonly rootDigest: string;
  readonly sourceName: string;
  /** The save stream to read. */
  readonly stream: Readable;
  /** A new save stream, for a blob whose bytes already went past (an upload retry, a second registry). */
  readonly resave: () => Promise<Readable>;
  /** When given, each large blob goes here as its bytes arrive (no disk); otherwise it waits in a temp file. */
  readonly sink?: BlobSink | undefined;
}

/**
 * Reads `docker save` of an image in the containerd image store: an OCI layout whose blobs are what the store
 * holds (the gzip layers BuildKit or a pull wrote), in name order, so layers may come before the manifest that
 * names them. The manifest tree is pushed as it is, byte for byte, so the pushed digest is the image ID and what
 * `docker push` gives. Each large blob is handed to the sink as soon as its bytes start arriving; the stream
 * waits until the sink has taken them, and nothing is written to disk.
 */
export class StoredSaveReader {
  readonly #options: StoredSaveOptions;
  readonly #small = new Map<string, Buffer>();
  readonly #blobs = new Map<string, BlobSource>();
  /** The streams of blobs being uploaded, for the read-ahead budget. */
  readonly #streams = new Set<Readable>();
  #spoolDir: Promise<string> | undefined;

  constructor(options: StoredSaveOptions) {
    this.#options = options;
  }

  async read(): Promise<ManifestNode> {
    const { sourceName } = this.#options;
    const tar = extract();
    const feeding = pipeline(this.#options.stream, tar);
    feeding.catch(() => undefined);
    let sinkFailure: { error: unknown } | undefined;
    try {
      for await (const entry of tar) {
        const name = normalise(entry.header.name);
        const hex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
        if (entry.header.type !== 'file' || hex === undefined) {
          entry.resume();
          continue;
        }
        const digest = `sha256:${hex}`;
        if (entry.header.size <= SMALL_ENTRY) {
          const bytes = await buffer(entry);
          this.#small.set(digest, bytes);
          this.#blobs.set(digest, memoryBlob(digest, bytes));
        } else if (this.#options.sink) {
          await this.#withinReadAhead();
          const failed = await this.#handOver(
            this.#options.sink,
            entry as AsyncIterable<Buffer>,
            name,
            digest,
            entry.header.size,
          );
          if (failed) {
            sinkFailure = failed;
            break;
          }
        } else {
          await this.#spool(entry as AsyncIterable<Buffer>, digest, entry.header.size);
        }
      }
    } finally {
      if (sinkFailure) this.#options.stream.destroy();
    }
    if (sinkFailure) throw sinkFailure.error;
    await feeding;
    return this.#tree(sourceName);
  }

  async close(): Promise<void> {
    if (this.#spoolDir) await rm(await this.#spoolDir, { recursive: true, force: true });
  }

  /**
   * Gives the live entry to the sink; the first open() gets these bytes, later ones a fresh save. Returns the
   * sink's failure, if it failed before it had read the entry (the push is over then).
   */
  async #handOver(
    sink: BlobSink,
    entry: AsyncIterable<Buffer>,
    name: string,
    digest: string,
    size: number,
  ): Promise<{ error: unknown } | undefined> {
    const pull = new EntryPuller(entry);
    const first = await pull.first();
    // The entry starts filling the stream's buffer at once (up to READ_AHEAD, counted in #streams): the engine's
    // save goes on while the upload asks the registry first (HEAD, POST), instead of waiting on every blob's
    // round trips (a POST answered only once the registry had committed the previous blob stalled it 160-380 ms).
    const stream = pull.stream();
    this.#streams.add(stream);
    const done = (): boolean => this.#streams.delete(stream);
    stream.once('end', done).once('close', done);
    // A save cut before the upload opened this stream fails it with no reader attached yet: kept for open() (the
    // read of the save fails too), instead of ending the process as an uncaught 'error'.
    stream.on('error', () => undefined);
    stream.read(0);
    let opened = false;
    const blob: BlobSource = {
      descriptor: { mediaType: layerMediaType(first), digest, size },
      available: true,
      open: () => {
        if (opened) return this.#reopen(name);
        opened = true;
        return stream.errored ? Promise.reject(stream.errored) : Promise.resolve(stream);
      },
    };
    this.#blobs.set(digest, blob);
    let failure: { error: unknown } | undefined;
    const taken = sink(blob).then(
      () => undefined,
      (error: unknown) => (failure = { error }),
    );
    // Not read at all (the registry had it: a HEAD or a mount): what was read ahead is dropped, and a later open()
    // reads a fresh save.
    void taken.then(() => {
      if (opened) return;
      opened = true;
      stream.destroy();
    });
    await Promise.race([pull.ended, taken]);
    if (!pull.done) {
      // Not read, or the upload stopped reading (it failed, or a retry reads a fresh save): once the writer is
      // done with it, the rest streams past.
      await taken;
      opened = true;
      stream.destroy();
      await pull.drain();
    }
    return failure;
  }

  /**
   * Waits while the blobs handed over earlier still hold more than READ_AHEAD unread bytes (their uploads are
   * slower than the save), so memory stays bounded whatever the number of blobs. An upload that stalls fails
   * on the writer's own deadline, which ends its stream.
   */
  async #withinReadAhead(): Promise<void> {
    const buffered = (): number => [...this.#streams].reduce((sum, s) => sum + s.readableLength, 0);
    while (buffered() > READ_AHEAD) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async #spool(entry: AsyncIterable<Buffer>, digest: string, size: number): Promise<void> {
    const dir = await (this.#spoolDir ??= mkdtemp(join(tmpdir(), 'image-push-store-')));
    const file = join(dir, digest.slice(7));
    const pull = new EntryPuller(entry);
    const first = await pull.first();
    await pipeline(pull.stream(), createWriteStream(file));
    this.#blobs.set(digest, {
      descriptor: { mediaType: layerMediaType(first), digest, size },
      available: true,
      open: () => Promise.resolve(createReadStream(file, { highWaterMark: 1 << 20 })),
    });
  }

  /** The entry `name` from a new save stream (the rest of that stream is dropped). */
  #reopen(name: string): Promise<Readable> {
    return Promise.resolve(
      Readable.from(this.#entryOfFreshSave(name), { objectMode: false, highWaterMark: 1 << 20 }),
    );
  }

  // The loop over the tar stays open while the entry is read: leaving it early would destroy the extract, and
  // the entry with it.
  async *#entryOfFreshSave(name: string): AsyncGenerator<Buffer> {
    const source = await this.#options.resave();
    const tar = extract();
    const feeding = pipeline(source, tar);
    feeding.catch(() => undefined);
    try {
      for await (const entry of tar) {
        if (normalise(entry.header.name) !== name) {
          entry.resume();
          continue;
        }
        for await (const chunk of entry) yield chunk as Buffer;
        return;
      }
      throw new SourceError(
        `${this.#options.sourceName}: ${name} is no longer in the engine's save`,
        'the image changed while it was pushed; push again',
      );
    } finally {
      source.destroy();
    }
  }

  async #tree(sourceName: string): Promise<ManifestNode> {
    const { rootDigest } = this.#options;
    const rootBytes = this.#small.get(rootDigest);
    if (!rootBytes) {
      throw new SourceError(
        `${sourceName}: the engine's save has no manifest ${rootDigest} (the image ID)`,
        'the image changed while it was saved; push again',
      );
    }
    const store: ManifestStore = {
      manifest: (descriptor, where) => this.#manifest(descriptor, where, sourceName),
      blob: (descriptor) => {
        const blob = this.#blobs.get(descriptor.digest);
        // Content the store lacks (a layer of a lazily pulled image): the registry may have it.
        if (!blob)
          return Promise.resolve({
            descriptor,
            available: false,
            open: () => Promise.reject(new Error('absent')),
          });
        return Promise.resolve({ ...blob, descriptor });
      },
    };
    const root = descriptorOf(rootDigest, rootBytes, sourceName);
    const parsed = parseManifest(rootBytes, root.mediaType);
    if (parsed.kind !== 'index') return loadManifestTree(store, root, sourceName);
    // An index of which the engine holds only some platforms: the tree holds the present ones, so that the
    // caller can push what `platforms` asks, or say what is not there (push/platforms.ts checkAllPresent).
    const children: ManifestNode[] = [];
    for (const child of parsed.manifests) {
      if (isSha256Digest(child.digest) && this.#small.has(child.digest))
        children.push(await loadManifestTree(store, child, sourceName));
    }
    return { descriptor: root, bytes: rootBytes, blobs: [], children };
  }

  #manifest(descriptor: Descriptor, where: string, sourceName: string): Promise<Buffer> {
    const bytes = this.#small.get(descriptor.digest);
    if (!bytes) {
      return Promise.reject(
        new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) is not in the engine's save`,
          'pull the image again, so the engine holds all of it',
        ),
      );
    }
    if (sha256Digest(bytes) !== descriptor.digest || bytes.length !== descriptor.size) {
      return Promise.reject(
        new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) does not match its digest or size`,
          'the engine sent a damaged save; push again',
        ),
      );
    }
    return Promise.resolve(bytes);
  }
}

/** The root's descriptor: its media type is the one its bytes declare. */
function descriptorOf(digest: string, bytes: Buffer, sourceName: string): Descriptor {
  if (sha256Digest(bytes) !== digest) {
    throw new SourceError(
      `${sourceName}: the saved manifest does not hash to the image ID ${digest}`,
      'the engine sent a damaged save; push again',
    );
  }
  try {
    const parsed = parseManifest(bytes);
    return { mediaType: parsed.mediaType, digest, size: bytes.length };
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    throw new SourceError(
      `${sourceName}: the image's manifest ${digest} ${err.message}`,
      'push an OCI or Docker schema 2 image',
      {
        cause: err,
      },
    );
  }
}

function memoryBlob(digest: string, bytes: Buffer): BlobSource {
  return {
    descriptor: { mediaType: 'application/octet-stream', digest, size: bytes.length },
    available: true,
    open: () => Promise.resolve(Readable.from([bytes])),
  };
}

/**
 * A label for a blob whose manifest may not have arrived yet (for the report only: the manifest that goes up
 * is the stored one, and the tree's descriptors replace this once it is read).
 */
function layerMediaType(first: Buffer): string {
  const kind = sniffCompression(first);
  if (kind === 'zstd') return OCI_LAYER_ZSTD;
  if (kind === 'gzip') return DOCKER_LAYER_GZIP;
  return 'application/vnd.docker.image.rootfs.diff.tar';
}

/**
 * Reads one tar entry through its iterator, one read at a time, whoever asks: the upload's stream (with a deep
 * read-ahead, so the save keeps its own pace while both ends hash), or the reader draining what is left after
 * the upload stopped. The entry itself is never destroyed, so the tar stream goes on to the next one.
 */
class EntryPuller {
  readonly #chunks: AsyncIterator<Buffer>;
  #queue: Promise<unknown> = Promise.resolve();
  #first: Buffer | undefined;
  #end: (() => void) | undefined;
  done = false;
  readonly ended = new Promise<void>((resolve) => (this.#end = resolve));

  constructor(entry: AsyncIterable<Buffer>) {
    this.#chunks = entry[Symbol.asyncIterator]();
  }

  /** The first chunk (kept for the stream). */
  async first(): Promise<Buffer> {
    const chunk = await this.#next();
    this.#first = chunk ?? Buffer.alloc(0);
    return this.#first;
  }

  stream(): Readable {
    return Readable.from(this.#chunksFromStart(), { objectMode: false, highWaterMark: READ_AHEAD });
  }

  async *#chunksFromStart(): AsyncGenerator<Buffer> {
    if (this.#first?.length) yield this.#first;
    this.#first = undefined;
    for (let chunk = await this.#next(); chunk; chunk = await this.#next()) yield chunk;
  }

  async drain(): Promise<void> {
    while (await this.#next()) {
      // dropped
    }
  }

  #next(): Promise<Buffer | undefined> {
    const read = this.#queue.then(async () => {
      if (this.done) return undefined;
      const result: IteratorResult<Buffer> = await this.#chunks.next();
      const { done } = result;
      const value = result.value as Buffer;
      if (done) {
        this.done = true;
        this.#end?.();
        return undefined;
      }
      return value;
    });
    this.#queue = read.catch(() => undefined);
    return read;
  }
}
