import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { sha256Digest } from '../oci/digest.ts';
import { createSha256 } from '../oci/sha256.ts';
import type { Descriptor } from '../oci/descriptor.ts';
import { readBounded, TooLargeError } from '../read-bounded.ts';
import { pushScope, type RegistryClient } from './transport/client.ts';
import { networkError, RegistryError } from './transport/errors.ts';
import { header } from './transport/http.ts';
import { retryReason } from './transport/retry.ts';

/**
 * Whether the repository already holds the blob: a HEAD that names this digest and size. A 403 counts as
 * absent, as in go-containerregistry: some registries deny HEAD to pushers who may still upload.
 */
export async function blobExists(
  client: RegistryClient,
  repository: string,
  blob: Descriptor,
): Promise<boolean> {
  return (await blobSize(client, repository, blob.digest)) === blob.size;
}

/** The size of a blob the repository holds, from HEAD; undefined when it does not hold it. */
export async function blobSize(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<number | undefined> {
  const res = await client.request(`checking blob ${digest}`, [pushScope(repository)], {
    method: 'HEAD',
    url: `/v2/${repository}/blobs/${digest}`,
    ok: [200, 403, 404],
  });
  await res.body.dump();
  const stored = header(res.headers, 'docker-content-digest');
  const length = Number(header(res.headers, 'content-length'));
  if (res.status !== 200 || (stored !== undefined && stored !== digest) || !Number.isSafeInteger(length))
    return undefined;
  return length;
}

/**
 * Cross-repository mount (`POST /blobs/uploads/?mount=&from=`): the registry links a blob it holds in `from`
 * into `repository` without a byte sent. True when it did (201). A registry that cannot or will not mount
 * opens an upload session instead (202): that session is cancelled and false returned, so the caller
 * uploads normally. The token asks for pull on `from` too, or the registry would refuse to look there.
 */
export async function mountBlob(
  client: RegistryClient,
  repository: string,
  blob: Descriptor,
  from: string,
): Promise<boolean> {
  const what = `mounting blob ${blob.digest} from ${from} into ${repository}`;
  const query = new URLSearchParams({ mount: blob.digest, from });
  let res;
  try {
    res = await client.request(what, [pushScope(repository), `repository:${from}:pull`], {
      method: 'POST',
      url: `/v2/${repository}/blobs/uploads/?${query.toString()}`,
      headers: { 'content-length': '0' },
      ok: [201, 202],
    });
  } catch (err) {
    // No pull access to `from` (401/403 from the token service or the registry) only means no mount.
    if (err instanceof RegistryError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      return false;
    }
    throw err;
  }
  await res.body.dump();
  const location = header(res.headers, 'location');
  if (res.status === 202) {
    if (location) await cancelUpload(client, repository, new URL(location, res.url));
    return false;
  }
  const stored = header(res.headers, 'docker-content-digest');
  return stored === undefined || stored === blob.digest;
}

/** Best effort: an abandoned session only costs the registry some bookkeeping until it expires. */
async function cancelUpload(client: RegistryClient, repository: string, location: URL): Promise<void> {
  try {
    const res = await client.request(`cancelling an upload to ${repository}`, [pushScope(repository)], {
      method: 'DELETE',
      url: location.href,
      ok: [202, 204, 404],
      cleanup: true,
    });
    await res.body.dump();
  } catch {
    // ignored: see above
  }
}

export interface ReadBlobOptions {
  /**
   * Hash the bytes and fail unless they are the blob named (default true). A consumer that hashes every byte
   * itself (an upload, which commits only a matching digest) turns it off: hashing twice costs CPU for nothing.
   */
  readonly verify?: boolean;
  /** Called when a cut download carries on from `offset` (for logs). */
  readonly onResume?: (offset: number, reason: string) => void;
}

/**
 * Streams a blob from `repository` (`GET /blobs/<digest>`, following the registry's redirect to object storage)
 * and checks it as it passes: every byte is hashed, and the last chunk is only handed on once the size and the
 * digest match, so a consumer never sees the end of a blob that is not the one named (see `verify`). A connection cut in the
 * middle resumes with `Range: bytes=N-` from the bytes already handed on (a registry that ignores Range sends
 * the blob again and the known part is skipped), within the client's retry budget, renewed after progress.
 * Nothing touches the disk.
 */
export function readBlob(
  client: RegistryClient,
  repository: string,
  blob: Descriptor,
  options: ReadBlobOptions = {},
): Readable {
  return Readable.from(blobChunks(client, repository, blob, options), { objectMode: false });
}

async function* blobChunks(
  client: RegistryClient,
  repository: string,
  blob: Descriptor,
  { verify = true, onResume }: ReadBlobOptions,
): AsyncGenerator<Buffer> {
  const from = `${client.registry}/${repository}`;
  const what = `reading blob ${blob.digest} from ${from}`;
  const hash = createSha256();
  let passed = 0;
  let budget = client.retryBudget(what);
  let passedAtFailure = 0;
  for (;;) {
    const res = await client.request(what, [`repository:${repository}:pull`], {
      method: 'GET',
      url: `/v2/${repository}/blobs/${blob.digest}`,
      headers: passed > 0 ? { range: `bytes=${passed}-` } : {},
      ok: [200, 206],
    });
    // A 200 is the whole blob again (Range ignored), whose first `passed` bytes were already handed on; a
    // 206 should start where we asked, and one that starts earlier is skipped up to there. Either way only
    // bytes after `passed` go on, and they go on being hashed: the result is the blob named, or an error.
    let skip = passed;
    if (res.status === 206) {
      const range = header(res.headers, 'content-range') ?? '';
      const start = Number(/^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(range.trim())?.[1] ?? Number.NaN);
      if (!(start <= passed)) {
        const err = new RegistryError(
          `${what}: asked for bytes from ${passed} on, ${client.registry} sent ${range ? `the range "${range}"` : 'a partial answer without Content-Range'}`,
          'the registry or a proxy in front of it answers ranges wrongly; try again, or without that proxy',
        );
        // Nothing reads this body any more: undici's AbortError on destroy must not surface as uncaught.
        res.body.on('error', () => {});
        res.body.destroy();
        throw err;
      }
      skip = passed - start;
    }
    try {
      for await (const data of res.body as AsyncIterable<Buffer>) {
        let chunk = data;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        passed += chunk.length;
        if (verify) {
          hash.update(chunk);
          if (passed >= blob.size) checkBlob(from, blob, passed, hash);
        } else if (passed > blob.size) {
          throw new RegistryError(
            `${from} sent more than the ${blob.size} bytes of ${blob.digest}`,
            undefined,
          );
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      res.body.destroy();
      if (passed > passedAtFailure) budget = client.retryBudget(what); // progress: a fresh budget
      passedAtFailure = passed;
      await budget.next(networkError(what, client.registry, err, undefined, true));
      onResume?.(passed, retryReason(err) ?? 'the connection broke');
      continue;
    }
    if (passed === blob.size) {
      if (verify) checkBlob(from, blob, passed, hash); // an empty blob never reached the check above
      return;
    }
    // The body ended early without an error (a proxy that closes cleanly): carry on like after a cut.
    if (passed > passedAtFailure) budget = client.retryBudget(what);
    passedAtFailure = passed;
    const short = new RegistryError(
      `${what}: the body ended after ${passed} of ${blob.size} bytes`,
      undefined,
      { network: true },
    );
    await budget.next(short, 'the body ended early');
    onResume?.(passed, 'the body ended early');
  }
}

/** Once `passed` reaches the descriptor's size: the bytes must be exactly the blob named. */
function checkBlob(from: string, blob: Descriptor, passed: number, hash: Hash): void {
  const digest = `sha256:${hash.copy().digest('hex')}`;
  if (passed !== blob.size || digest !== blob.digest) {
    throw new RegistryError(
      `${from} sent ${passed === blob.size ? '' : 'more than '}${blob.size} bytes hashing to ${digest}, not ${blob.digest}`,
      'the source registry holds corrupt content, or a proxy altered it; push the image there again',
    );
  }
}

/**
 * Reads a small blob (a config) by digest and checks its bytes hash to it: what a registry serves is only
 * used once it matches the digest a manifest names. Larger than `maxBytes` is refused unread.
 */
export async function readSmallBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  maxBytes: number,
  scope = `repository:${repository}:pull`,
): Promise<Buffer | undefined> {
  if (descriptor.size > maxBytes) return undefined;
  const res = await openBlob(client, repository, descriptor.digest, scope);
  if (!res) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readBounded(res, maxBytes);
  } catch (err) {
    if (err instanceof TooLargeError) return undefined; // it is not the small blob it claims to be
    throw err;
  }
  return sha256Digest(bytes) === descriptor.digest ? bytes : undefined;
}

/** Streams a blob's bytes (GET, following the registry's redirect to storage); undefined when it is absent. */
export async function openBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  scope = `repository:${repository}:pull`,
): Promise<Readable | undefined> {
  const res = await client.request(`reading blob ${digest}`, [scope], {
    method: 'GET',
    url: `/v2/${repository}/blobs/${digest}`,
    ok: [200, 404],
  });
  if (res.status === 404) {
    await res.body.dump();
    return undefined;
  }
  return res.body;
}
