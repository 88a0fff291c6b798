import type { Readable } from 'node:stream';
import { sha256Digest } from '../oci/digest.ts';
import type { Descriptor } from '../oci/descriptor.ts';
import { pushScope, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';
import { header } from './http.ts';

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
      once: true,
    });
    await res.body.dump();
  } catch {
    // ignored: see above
  }
}

/**
 * Reads a small blob (a config) by digest and checks its bytes hash to it: what a registry serves is only
 * used once it matches the digest a manifest names. Larger than `maxBytes` is refused unread.
 */
export async function readBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  maxBytes: number,
  scope = `repository:${repository}:pull`,
): Promise<Buffer | undefined> {
  if (descriptor.size > maxBytes) return undefined;
  const res = await openBlob(client, repository, descriptor.digest, scope);
  if (!res) return undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      res.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
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
