import type { Descriptor } from '../source/types.ts';
import { pushScope, type RegistryClient } from './client.ts';
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
