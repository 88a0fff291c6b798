import { Readable } from 'node:stream';
import { DigestingStream } from '../oci/digest.ts';
import { ImagePushError, SourceError } from '../errors.ts';
import type { BlobSource } from '../oci/descriptor.ts';
import { blobSize } from './blobs.ts';
import { pushScope, type RegistryClient } from './client.ts';
import { RegistryError, responseError } from './errors.ts';
import { header, type HttpResponse } from './http.ts';

export interface UploadOptions {
  /** Send the blob in PATCH requests of this many bytes; undefined sends it in one PUT while that works. */
  readonly chunkSize?: number | undefined;
  /** Bytes of this blob the registry holds or is being sent, as the upload goes (it falls back on a retry). */
  readonly onProgress?: (bytes: number) => void;
}

const MiB = 1024 * 1024;
/** First chunk size tried after a proxy refused a whole blob: under Cloudflare's 100 MB, with room to spare. */
const FIRST_FALLBACK_CHUNK = 64 * MiB;
/** Below this a body limit is not worth fighting: nginx's default (1m) still passes 1 MiB. */
const SMALLEST_CHUNK = 1 * MiB;
/** Redirects an upload request may get; the request is then sent again to the new URL. */
const REDIRECTS = [307, 308];
/** More redirects than this for one blob is a loop. */
const MAX_REDIRECTS = 5;

/** Not a failure: the registry moved the upload; the loop sends the same bytes again, to the new URL. */
class Redirected extends RegistryError {
  constructor(what: string) {
    super(
      `${what}: redirected more than ${MAX_REDIRECTS} times`,
      'the registry or a proxy redirects in a loop',
    );
  }
}

/** A 401 mid-upload means the token lapsed; more than this many in a row means something else is wrong. */
const MAX_REAUTHENTICATIONS = 3;

/** An upload session the registry opened: where to send the next bytes, and how many it holds. */
interface Session {
  location: URL;
  offset: number;
  readonly minChunk: number;
  readonly maxChunk: number;
}

/**
 * Uploads one blob and makes sure it arrives whole. One PUT with the whole body when the path allows it,
 * PATCH chunks when a proxy refuses large bodies (413, learnt once per registry) or the user asks for them.
 * After a broken connection, a 5xx, a 429 or a lapsed token it asks the registry how much of the session it
 * holds and carries on from there; it opens a new session only when the registry lost the old one. Every
 * byte is hashed on the way, and a chunked upload is committed only after the hash matched, so a corrupt
 * source never lands.
 */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: BlobSource,
  options: UploadOptions = {},
): Promise<void> {
  const upload = new BlobUpload(client, repository, blob, options.onProgress ?? (() => undefined));
  const size = blob.descriptor.size;
  const budget = client.retryBudget(upload.what);
  let chunkSize = options.chunkSize ?? client.bodyLimit;
  let session: Session | undefined;
  let reauthentications = 0;
  let offsetAtLast401 = -1;
  let redirects = 0;

  for (;;) {
    try {
      session ??= await upload.open();
      const attempt = new Attempt(blob, session.offset, upload.onProgress);
      try {
        if (session.offset === 0 && chunkSize === undefined) {
          await upload.putWhole(session, attempt);
        } else {
          await upload.sendChunks(session, attempt, chunkSize ?? size);
          await attempt.verify();
          await upload.commit(session);
        }
      } finally {
        attempt.close();
      }
      upload.onProgress(size);
      return;
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err; // the source's errors, and bugs, are not retried
      if (err instanceof Redirected) {
        if (++redirects > MAX_REDIRECTS) throw err;
        continue; // the session now points at the new URL
      }
      if (err.status === 413) {
        const tried = Math.min(chunkSize ?? size, size);
        chunkSize = smallerChunk(tried, session, err);
        client.bodyLimit = chunkSize;
        client.log.warning(
          `${upload.what}: a body of ${tried} bytes was refused (413), going on in chunks of ${chunkSize} bytes`,
        );
      } else if (err.status === 401 && !client.anonymous && reauthentications < MAX_REAUTHENTICATIONS) {
        // The client dropped the stale token; the next request fetches a fresh one. Only 401s with no
        // progress in between count against the limit: a long upload may outlive many tokens.
        const offset = session?.offset ?? 0;
        reauthentications = offset > offsetAtLast401 ? 1 : reauthentications + 1;
        offsetAtLast401 = offset;
      } else if (sessionLost(err)) {
        await budget.next(err, 'the registry lost the upload session');
        session = undefined; // a new one, from the first byte
      } else if (chunkSize !== undefined && chunksRefused(err)) {
        client.log.warning(
          `${upload.what}: the registry refuses chunked uploads (${err.status}), sending it whole`,
        );
        chunkSize = undefined;
        session = undefined;
        continue;
      } else {
        await budget.next(err); // rethrows what is not worth retrying, or when the budget is spent
      }
      session = session && (await upload.where(session));
      // The registry may have taken the whole blob and lost only its answer: then nothing is left to send.
      if (!session && (await upload.present())) return;
    }
  }
}

/** Reads the source once per attempt: hashes every byte from the start, sends only from `offset` on. */
class Attempt {
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

/** The requests of one blob's upload, against one repository. */
class BlobUpload {
  readonly what: string;
  readonly onProgress: (bytes: number) => void;
  readonly #client: RegistryClient;
  readonly #repository: string;
  readonly #scopes: string[];
  readonly #digest: string;
  readonly #size: number;

  constructor(
    client: RegistryClient,
    repository: string,
    blob: BlobSource,
    onProgress: (bytes: number) => void,
  ) {
    this.#client = client;
    this.#repository = repository;
    this.#scopes = [pushScope(repository)];
    this.#digest = blob.descriptor.digest;
    this.#size = blob.descriptor.size;
    this.what = `uploading blob ${this.#digest} to ${repository}`;
    this.onProgress = onProgress;
  }

  /** `POST /blobs/uploads/`: a new session, with the chunk limits the registry announces. */
  async open(): Promise<Session> {
    const res = await this.#client.request(this.what, this.#scopes, {
      method: 'POST',
      url: `/v2/${this.#repository}/blobs/uploads/`,
      headers: { 'content-length': '0' },
      ok: [202],
    });
    await res.body.dump();
    const location = header(res.headers, 'location');
    if (!location) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} opened an upload without a Location`,
        undefined,
      );
    }
    return {
      location: new URL(location, res.url),
      offset: 0,
      minChunk: Math.max(
        positiveHeader(res, 'oci-chunk-min-length') ?? 0,
        knownMinimumChunk(this.#client.registry),
      ),
      maxChunk: positiveHeader(res, 'oci-chunk-max-length') ?? Number.POSITIVE_INFINITY,
    };
  }

  /** The whole blob in one PUT with `?digest=`: two requests in all, the fastest path when nothing is in the way. */
  async putWhole(session: Session, attempt: Attempt): Promise<void> {
    let res: HttpResponse;
    try {
      res = await this.#client.request(this.what, this.#scopes, {
        method: 'PUT',
        url: this.#withDigest(session.location).href,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(this.#size) },
        body: () => attempt.whole(),
        // distribution answers 400 DIGEST_INVALID to a corrupt source: checked below, as the source's fault
        ok: [201, 400, ...REDIRECTS],
        once: true,
      });
    } catch (err) {
      throw attempt.sourceError ?? err;
    }
    await this.#followRedirect(session, res);
    const text = await res.body.text();
    await attempt.verify();
    if (res.status !== 201) {
      throw responseError(this.what, this.#client.registry, res.status, text, this.#client.anonymous);
    }
    this.#checkStoredDigest(res);
  }

  /** PATCHes the rest of the blob in chunks of `chunkSize`, moving the session along after each. */
  async sendChunks(session: Session, attempt: Attempt, chunkSize: number): Promise<void> {
    const chunk = Math.min(Math.max(chunkSize, session.minChunk), session.maxChunk);
    while (session.offset < this.#size) {
      const start = session.offset;
      const length = Math.min(chunk, this.#size - start);
      let res: HttpResponse;
      try {
        res = await this.#client.request(this.what, this.#scopes, {
          method: 'PATCH',
          url: session.location.href,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(length),
            // Inclusive end and no unit: the distribution spec's form, not RFC 9110's `bytes a-b/n`.
            'content-range': `${start}-${start + length - 1}`,
          },
          body: () => attempt.slice(length),
          ok: [201, 202, 204, ...REDIRECTS],
          once: true,
        });
      } catch (err) {
        throw attempt.sourceError ?? err;
      }
      await this.#followRedirect(session, res);
      await res.body.dump();
      advance(session, res, start + length);
    }
  }

  /** `PUT ?digest=` with no body: the registry checks the digest and makes the blob visible. */
  async commit(session: Session): Promise<void> {
    const res = await this.#client.request(this.what, this.#scopes, {
      method: 'PUT',
      url: this.#withDigest(session.location).href,
      headers: { 'content-length': '0' },
      ok: [201, ...REDIRECTS],
      once: true,
    });
    await this.#followRedirect(session, res);
    await res.body.dump();
    this.#checkStoredDigest(res);
  }

  /**
   * A 307/308 on an upload request (a registry handing uploads to object storage): the session moves to the
   * new URL and the same bytes go there on the next attempt. The client sends no credentials to another
   * origin, so object storage never sees the registry's token.
   */
  async #followRedirect(session: Session, res: HttpResponse): Promise<void> {
    if (!REDIRECTS.includes(res.status)) return;
    await res.body.dump();
    const location = header(res.headers, 'location');
    if (!location) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} redirected without a Location`,
        undefined,
      );
    }
    session.location = new URL(location, res.url);
    throw new Redirected(this.what);
  }

  /**
   * Asks the registry where an interrupted upload stands (`GET` on the session: 204 with `Range: 0-N`).
   * Undefined when it no longer knows the session, so the next try opens a new one.
   */
  async where(session: Session): Promise<Session | undefined> {
    let res: HttpResponse;
    try {
      res = await this.#client.request(this.what, this.#scopes, {
        method: 'GET',
        url: session.location.href,
        ok: [204],
      });
    } catch (err) {
      if (err instanceof RegistryError && err.status !== undefined && err.status < 500) return undefined;
      throw err;
    }
    await res.body.dump();
    const held = rangeEnd(header(res.headers, 'range'));
    if (held === undefined) return undefined;
    advance(session, res, held);
    if (session.offset > 0) this.#client.log.info(`${this.what}: resuming at byte ${session.offset}`);
    return session;
  }

  /** Whether the repository holds the finished blob (an earlier attempt may have landed). */
  async present(): Promise<boolean> {
    return (await blobSize(this.#client, this.#repository, this.#digest)) === this.#size;
  }

  #withDigest(location: URL): URL {
    const target = new URL(location.href);
    target.searchParams.set('digest', this.#digest);
    return target;
  }

  #checkStoredDigest(res: HttpResponse): void {
    const stored = header(res.headers, 'docker-content-digest');
    if (stored !== undefined && stored !== this.#digest) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} stored it as ${stored}`,
        'the registry or a proxy altered the bytes',
      );
    }
  }
}

/** Takes the registry's new Location and the count of bytes it says it holds. */
function advance(session: Session, res: HttpResponse, expected: number): void {
  const location = header(res.headers, 'location');
  if (location) session.location = new URL(location, res.url);
  session.offset = rangeEnd(header(res.headers, 'range')) ?? expected;
}

/** Bytes held, from `Range: 0-N` (N inclusive). "0-0" is how distribution says "nothing yet". */
function rangeEnd(range: string | undefined): number | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(range?.trim() ?? '');
  if (!match) return undefined;
  const end = Number(match[1]);
  return end === 0 ? 0 : end + 1;
}

/** Amazon ECR takes chunks of 5 MiB or more (but the last) and does not say so in a header. */
const ECR_HOST = /\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(:\d+)?$/;

export function knownMinimumChunk(registry: string): number {
  return ECR_HOST.test(registry) ? 5 * MiB : 0;
}

function positiveHeader(res: HttpResponse, name: string): number | undefined {
  const value = Number(header(res.headers, name));
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** After a 413: the next chunk size to try, or the 413 itself when no smaller chunk may be sent. */
function smallerChunk(tried: number, session: Session | undefined, err: RegistryError): number {
  let next = FIRST_FALLBACK_CHUNK;
  while (next >= tried) next /= 2;
  const min = Math.max(SMALLEST_CHUNK, session?.minChunk ?? 0);
  if (next < min) {
    throw new RegistryError(
      `${err.message}; even ${tried}-byte bodies are refused, and chunks may not be smaller than ${min} bytes`,
      'raise the body-size limit of the proxy in front of the registry (nginx: client_max_body_size)',
      413,
    );
  }
  return next;
}

/** The registry no longer knows the session, or it holds other bytes than we think (416). */
function sessionLost(err: RegistryError): boolean {
  return (
    err.status === 416 ||
    (err.status === 404 &&
      (err.codes.includes('BLOB_UPLOAD_UNKNOWN') || err.codes.includes('BLOB_UPLOAD_INVALID')))
  );
}

/** Registries that do not take PATCH uploads (Google Artifact Registry among them) answer like this. */
function chunksRefused(err: RegistryError): boolean {
  return err.status === 405 || err.status === 501 || err.codes.includes('UNSUPPORTED');
}

function readError(digest: string, err: Error): SourceError {
  // A source that knows what went wrong (a registry source's digest check) says how to fix it too.
  const hint = err instanceof ImagePushError ? err.hint : undefined;
  return new SourceError(`reading blob ${digest} from the source: ${err.message}`, hint, { cause: err });
}
