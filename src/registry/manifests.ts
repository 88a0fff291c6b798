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
