import type { BlobSource } from '../oci/descriptor.ts';
import { blobSize } from './blobs.ts';
import { pushScope, type RegistryClient } from './transport/client.ts';
import { DeadlineError } from './transport/deadline.ts';
import { RegistryError, responseError } from './transport/errors.ts';
import { header, type HttpResponse } from './transport/http.ts';
import { Attempt } from './upload-attempt.ts';

export interface UploadOptions {
  /** Send the blob in PATCH requests of this many bytes; undefined sends it in one PUT while that works. */
  readonly chunkSize?: number | undefined;
  /** Bytes of this blob the registry holds or is being sent, as the upload goes (it falls back on a retry). */
  readonly onProgress?: (bytes: number) => void;
}

const MiB = 1024 * 1024;
/** Redirects an upload request may get; the request is then sent again to the new URL. */
const REDIRECTS = [307, 308];
/** More redirects than this for one blob is a loop. */
const MAX_REDIRECTS = 5;

/**
 * How one step of an upload ended: done, or moved (a 307/308) with the session now pointing at the new URL,
 * so the same bytes go there on the next turn.
 */
type Step = 'done' | 'redirected';

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
  const state: { session: Session | undefined } = { session: undefined };
  try {
    await uploadLoop(client, upload, blob, options.chunkSize, state);
  } catch (err) {
    // An abandoned session holds the bytes sent so far on the registry until it expires: cancel it.
    if (state.session) await upload.cancel(state.session);
    throw err;
  }
}

async function uploadLoop(
  client: RegistryClient,
  upload: BlobUpload,
  blob: BlobSource,
  chunkOption: number | undefined,
  state: { session: Session | undefined },
): Promise<void> {
  const size = blob.descriptor.size;
  const budget = client.retryBudget(upload.what);
  let chunkSize = chunkOption ?? client.bodyLimit.chunkSize;
  let reauthentications = 0;
  let offsetAtLast401 = -1;
  let redirects = 0;

  for (;;) {
    try {
      state.session ??= await upload.open();
      const session = state.session;
      const attempt = new Attempt(blob, session.offset, (bytes) => {
        client.deadline.touch(); // bytes going out are progress
        upload.onProgress(bytes);
      });
      let step: Step;
      try {
        if (session.offset === 0 && chunkSize === undefined) {
          step = await upload.putWhole(session, attempt);
        } else {
          step = await upload.sendChunks(session, attempt, chunkSize ?? size);
          if (step === 'done') {
            await attempt.verify();
            step = await upload.commit(session);
          }
        }
      } finally {
        attempt.close();
      }
      if (step === 'redirected') {
        if (++redirects > MAX_REDIRECTS) {
          throw new RegistryError(
            `${upload.what}: redirected more than ${MAX_REDIRECTS} times`,
            'the registry or a proxy redirects in a loop',
          );
        }
        continue; // the session now points at the new URL
      }
      state.session = undefined; // committed: nothing left to cancel
      upload.onProgress(size);
      return;
    } catch (err) {
      if (!(err instanceof RegistryError) || err instanceof DeadlineError) throw err; // not retried here
      let session = state.session;
      if (err.status === 413) {
        const tried = Math.min(chunkSize ?? size, size);
        chunkSize = client.bodyLimit.refused(tried, session?.minChunk ?? 0, err);
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
        if (session) await upload.cancel(session);
        chunkSize = undefined;
        state.session = undefined;
        continue;
      } else {
        await budget.next(err); // rethrows what is not worth retrying, or when the budget is spent
      }
      state.session = session && (await upload.where(session));
      // The registry may have taken the whole blob and lost only its answer: then nothing is left to send.
      if (!state.session && (await upload.present())) return;
    }
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
  async putWhole(session: Session, attempt: Attempt): Promise<Step> {
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
    if (await this.#redirected(session, res)) return 'redirected';
    const text = await res.body.text();
    await attempt.verify();
    if (res.status !== 201) {
      throw responseError(this.what, this.#client.registry, res.status, text, this.#client.anonymous);
    }
    this.#checkStoredDigest(res);
    return 'done';
  }

  /** PATCHes the rest of the blob in chunks of `chunkSize`, moving the session along after each. */
  async sendChunks(session: Session, attempt: Attempt, chunkSize: number): Promise<Step> {
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
      if (await this.#redirected(session, res)) return 'redirected';
      await res.body.dump();
      advance(session, res, start + length);
    }
    return 'done';
  }

  /** `PUT ?digest=` with no body: the registry checks the digest and makes the blob visible. */
  async commit(session: Session): Promise<Step> {
    const res = await this.#client.request(this.what, this.#scopes, {
      method: 'PUT',
      url: this.#withDigest(session.location).href,
      headers: { 'content-length': '0' },
      ok: [201, ...REDIRECTS],
      once: true,
    });
    if (await this.#redirected(session, res)) return 'redirected';
    await res.body.dump();
    this.#checkStoredDigest(res);
    return 'done';
  }

  /**
   * Best effort, never failing: `DELETE` on an abandoned session, so the registry drops the bytes it holds
   * now rather than when the session expires. Short, and outside the push's deadline (which may be what
   * ended the upload).
   */
  async cancel(session: Session): Promise<void> {
    try {
      const res = await this.#client.request(`cancelling the upload of ${this.#digest}`, this.#scopes, {
        method: 'DELETE',
        url: session.location.href,
        ok: [200, 202, 204, 404],
        cleanup: true,
      });
      await res.body.dump();
    } catch (err) {
      this.#client.log.debug(`cancelling an upload session: ${(err as Error).message}`);
    }
  }

  /**
   * A 307/308 on an upload request (a registry handing uploads to object storage): the session moves to the
   * new URL and the same bytes go there on the next attempt. The client sends no credentials to another
   * origin, so object storage never sees the registry's token, and never goes from HTTPS to plain HTTP.
   */
  async #redirected(session: Session, res: HttpResponse): Promise<boolean> {
    if (!REDIRECTS.includes(res.status)) return false;
    await res.body.dump();
    const location = header(res.headers, 'location');
    if (!location) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} redirected without a Location`,
        undefined,
      );
    }
    const next = new URL(location, res.url);
    this.#client.origins.checkMove(this.what, new URL(res.url), next);
    session.location = next;
    return true;
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
