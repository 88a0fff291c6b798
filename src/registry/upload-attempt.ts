import { Readable } from 'node:stream';
import { ImagePushError, SourceError } from '../errors.ts';
import type { BlobSource } from '../oci/descriptor.ts';
import { DigestingStream } from '../oci/digest.ts';

/** Reads the source once per attempt: hashes every byte from the start, sends only from `offset` on. */
export class Attempt {
  readonly #blob: BlobSource;
  readonly #onProgress: (bytes: number) => void;
  #hashed: DigestingStream | undefined;
  #source: Readable | undefined;
  #chunks: AsyncIterator<Buffer> | undefined;
  #leftover: Buffer | undefined;
  #sourceError: Error | undefined;
  /** Position in the blob of the next byte to send. */
  #position: number;

  constructor(blob: BlobSource, offset: number, onProgress: (bytes: number) => void) {
    this.#blob = blob;
    this.#position = offset;
    this.#onProgress = onProgress;
    onProgress(offset);
  }

  /** The whole blob as one stream, for a single PUT. */
  async whole(): Promise<Readable> {
    return this.#open((count) => {
      this.#position += count;
      this.#onProgress(this.#position);
    });
  }

  /** The next `length` bytes from the current position, as a stream for one PATCH. */
  async slice(length: number): Promise<Readable> {
    if (!this.#chunks) {
      this.#chunks = (await this.#open())[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      await this.#skip(this.#position);
    }
    const take = async function* (self: Attempt): AsyncGenerator<Buffer> {
      let left = length;
      while (left > 0) {
        const chunk = await self.#next();
        if (!chunk) throw self.#sourceError ?? new Error('the blob ended early');
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
        if (part.length < chunk.length) self.#leftover = chunk.subarray(left);
        left -= part.length;
        self.#position += part.length;
        self.#onProgress(self.#position);
        yield part;
      }
    };
    return Readable.from(take(this), { objectMode: false });
  }

  /**
   * Fails with a SourceError unless the bytes read are exactly the descriptor's. For chunks, drains the
   * source first: its end must come exactly at the blob's size.
   */
  async verify(): Promise<void> {
    // Nothing sent in this attempt (the registry held every byte already): the source must still be checked.
    if (!this.#hashed) this.#chunks = (await this.#open())[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    if (this.#chunks && !this.#sourceError) {
      while (await this.#next()) {
        // bytes past the descriptor's size make the hash fail below
      }
    }
    if (this.#sourceError) throw readError(this.#blob.descriptor.digest, this.#sourceError);
    const { digest, size } = this.#blob.descriptor;
    const hashed = this.#hashed;
    if (!hashed || hashed.bytes !== size || hashed.digest() !== digest) {
      throw new SourceError(
        `blob ${digest} in the source does not match its descriptor (read ${hashed?.bytes ?? 0} bytes hashing to ${hashed?.digest() ?? 'nothing'})`,
        'the source is corrupt; export the image again',
      );
    }
  }

  /** The source's own read error: a failure of the disk or the archive, not of the network. */
  get sourceError(): SourceError | undefined {
    return this.#sourceError && readError(this.#blob.descriptor.digest, this.#sourceError);
  }

  close(): void {
    this.#source?.destroy();
    this.#hashed?.destroy();
  }

  async #open(onBytes?: (count: number) => void): Promise<DigestingStream> {
    const source = await this.#blob.open();
    const hashed = new DigestingStream(onBytes);
    this.#source = source;
    this.#hashed = hashed;
    source.once('error', (err) => {
      this.#sourceError = err;
      hashed.destroy(err);
    });
    // Kept in #sourceError and thrown from verify() or the reads: with no reader attached at that moment,
    // the destroyed stream's 'error' would otherwise end the process as an uncaught exception.
    hashed.on('error', () => undefined);
    return source.pipe(hashed);
  }

  /** Reads and hashes the bytes the registry already holds, without sending them. */
  async #skip(bytes: number): Promise<void> {
    let left = bytes;
    while (left > 0) {
      const chunk = await this.#next();
      if (!chunk) throw readError(this.#blob.descriptor.digest, new Error('the blob ended early'));
      if (chunk.length > left) this.#leftover = chunk.subarray(left);
      left -= Math.min(left, chunk.length);
    }
  }

  async #next(): Promise<Buffer | undefined> {
    if (this.#leftover) {
      const chunk = this.#leftover;
      this.#leftover = undefined;
      return chunk;
    }
    const next = await (this.#chunks as AsyncIterator<Buffer>).next();
    return next.done ? undefined : next.value;
  }
}

function readError(digest: string, err: Error): SourceError {
  // A source that knows what went wrong (a registry source's digest check) says how to fix it too.
  const hint = err instanceof ImagePushError ? err.hint : undefined;
  return new SourceError(`reading blob ${digest} from the source: ${err.message}`, hint, { cause: err });
}
