import { sha256Digest } from '../digest.ts';
import type { Descriptor } from '../source/types.ts';
import { pushScope, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';
import { header } from './http.ts';

/**
 * Puts a manifest's exact bytes under a tag or digest. The registry's `Docker-Content-Digest` must equal the
 * digest of the bytes sent, or the step outputs would name something other than what was pushed.
 */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  descriptor: Descriptor,
  bytes: Buffer,
): Promise<void> {
  const what = `pushing manifest ${descriptor.digest} to ${repository}:${reference}`;
  const res = await client.request(what, [pushScope(repository)], {
    method: 'PUT',
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { 'content-type': descriptor.mediaType, 'content-length': String(bytes.length) },
    body: () => Promise.resolve(bytes),
    ok: [200, 201, 202],
  });
  await res.body.dump();
  const stored = header(res.headers, 'docker-content-digest');
  if (stored !== undefined && stored !== descriptor.digest) {
    throw new RegistryError(
      `${what}: ${client.registry} stored it as ${stored}`,
      'the registry rewrote the manifest; the pushed digest would not be the one reported',
    );
  }
}

/** Every manifest type image-push reads back: it pushes them all unchanged. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface FetchedManifest {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
}

/**
 * Reads a manifest or index by tag or digest, and checks its bytes: by digest they must hash to it, and by
 * tag to the `Docker-Content-Digest` the registry names. The descriptor holds the registry's media type.
 */
export async function getManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<FetchedManifest | undefined> {
  const what = `reading manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const res = await client.request(what, [`repository:${repository}:pull`], {
    method: 'GET',
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    ok: [200, 404],
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.status === 404) return undefined;
  const digest = sha256Digest(bytes);
  const expected = reference.startsWith('sha256:') ? reference : header(res.headers, 'docker-content-digest');
  if (expected !== undefined && expected !== digest) {
    throw new RegistryError(
      `${what}: ${client.registry} sent bytes hashing to ${digest}, not ${expected}`,
      'the registry or a proxy altered the manifest',
    );
  }
  const mediaType =
    header(res.headers, 'content-type')?.split(';')[0]?.trim() ??
    (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ??
    '';
  return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
}
