import { pipeline } from 'node:stream/promises';
import { DigestingStream } from '../digest.ts';
import { SourceError } from '../errors.ts';
import type { BlobSource, Descriptor } from '../source/types.ts';
import { pushScope, type RegistryClient } from './client.ts';
import { RegistryError, responseError } from './errors.ts';
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
 * Uploads a blob in one request (POST to open a session, PUT with the whole body and `?digest=`), hashing
 * the bytes on the way: a source whose bytes do not match its digest fails with a SourceError, never with
 * a half-checked blob in the registry.
 */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: BlobSource,
  onBytes: (count: number) => void = () => undefined,
): Promise<void> {
  const { digest, size } = blob.descriptor;
  const what = `uploading blob ${digest} to ${repository}`;
  const scopes = [pushScope(repository)];
  const start = await client.request(what, scopes, {
    method: 'POST',
    url: `/v2/${repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    ok: [202],
  });
  await start.body.dump();
  const location = header(start.headers, 'location');
  if (!location)
    throw new RegistryError(`${what}: ${client.registry} opened an upload without a Location`, undefined);
  const target = new URL(location, start.url);
  target.searchParams.set('digest', digest);

  // Each attempt (the client resends after a 401) reads the source afresh through a new hashing stream.
  let hashed: DigestingStream | undefined;
  let sourceError: Error | undefined;
  const send = () =>
    client.request(what, scopes, {
      method: 'PUT',
      url: target.href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: async () => {
        const source = await blob.open();
        const digesting = new DigestingStream(onBytes);
        hashed = digesting;
        sourceError = undefined;
        source.once('error', (err) => (sourceError = err));
        // pipeline() destroys both ends on failure, which aborts the request with the source's error.
        pipeline(source, digesting).catch(() => undefined);
        return digesting;
      },
      ok: [201, 400],
    });

  let res;
  try {
    res = await send();
  } catch (err) {
    if (sourceError) throw readError(digest, sourceError);
    throw err;
  }
  const text = await res.body.text();
  if (sourceError) throw readError(digest, sourceError);
  if (hashed && (hashed.bytes !== size || hashed.digest() !== digest)) {
    throw new SourceError(
      `blob ${digest} in the source does not match its descriptor (read ${hashed.bytes} bytes hashing to ${hashed.digest()})`,
      'the source is corrupt; export the image again',
    );
  }
  if (res.status !== 201) throw responseError(what, client.registry, res.status, text, client.anonymous);
  const stored = header(res.headers, 'docker-content-digest');
  if (stored !== undefined && stored !== digest) {
    throw new RegistryError(
      `${what}: ${client.registry} stored it as ${stored}`,
      'the registry or a proxy altered the bytes',
    );
  }
}

function readError(digest: string, err: Error): SourceError {
  return new SourceError(`reading blob ${digest} from the source: ${err.message}`, undefined, { cause: err });
}
