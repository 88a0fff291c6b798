import { parseManifest } from '../oci/manifest.ts';
import { sha256Digest } from '../oci/digest.ts';
import { OCI_INDEX } from '../oci/media-types.ts';
import type { Descriptor } from '../oci/descriptor.ts';
import { pushScope, type RegistryClient } from './transport/client.ts';
import { RegistryError } from './transport/errors.ts';
import { header } from './transport/http.ts';

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
): Promise<{ subjectAccepted: boolean }> {
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
  // OCI 1.1: a registry with the referrers API says so by echoing the subject of what it stored.
  return { subjectAccepted: header(res.headers, 'oci-subject') !== undefined };
}

/**
 * Puts a manifest under a tag; a registry that refuses to move an existing tag (immutable tags on ECR,
 * Artifact Registry, Harbor) gets an error that says so instead of the registry's code.
 */
export async function putTag(
  client: RegistryClient,
  repository: string,
  tag: string,
  descriptor: Descriptor,
  bytes: Buffer,
): Promise<void> {
  try {
    await putManifest(client, repository, tag, descriptor, bytes);
  } catch (err) {
    if (
      err instanceof RegistryError &&
      [400, 403, 409, 412].includes(err.status ?? 0) &&
      /immutable|already exists|cannot be overwritten/i.test(err.message)
    ) {
      throw new RegistryError(
        `${client.registry}/${repository}:${tag} is an immutable tag: the registry refuses to move it (${err.message})`,
        "push under a new tag (e.g. the commit SHA), or make the repository's tags mutable (ECR: image tag mutability; Harbor: tag immutability rules; Artifact Registry: immutable tags setting)",
        { ...(err.status === undefined ? {} : { status: err.status }), codes: err.codes, cause: err },
      );
    }
    throw err;
  }
}

/** Every manifest type image-push reads back: it pushes them all unchanged. */
const MANIFEST_ACCEPT = [
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
  /** The token scope; a repository being pushed to passes its push scope, so one token serves both. */
  scope = `repository:${repository}:pull`,
): Promise<FetchedManifest | undefined> {
  const what = `reading manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const res = await client.request(what, [scope], {
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
  const mediaType = header(res.headers, 'content-type')?.split(';')[0]?.trim() ?? declaredMediaType(bytes);
  return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
}

/**
 * Lists a referrer under the referrers tag schema (`sha256-<hex>` of its subject): for registries without
 * the OCI 1.1 referrers API, the way the distribution spec's fallback and oras/cosign do it. Reads the
 * tag's index (if any), adds the referrer unless it is listed, and writes the index back.
 */
export async function addToReferrersTag(
  client: RegistryClient,
  repository: string,
  subject: string,
  referrer: Descriptor & { readonly artifactType?: string },
): Promise<void> {
  const tag = subject.replace(':', '-');
  const existing = await getManifest(client, repository, tag);
  const listed = existing ? (manifestsOf(existing.bytes) ?? []) : [];
  if (listed.some((d) => d.digest === referrer.digest)) return;
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...listed, referrer] }),
  );
  await putManifest(
    client,
    repository,
    tag,
    { mediaType: OCI_INDEX, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
  );
}

/** Whether the repository holds the manifest with this digest (HEAD): then it need not be sent again. */
export async function manifestExists(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
): Promise<boolean> {
  const res = await client.request(
    `checking manifest ${descriptor.digest} in ${repository}`,
    [pushScope(repository)],
    {
      method: 'HEAD',
      url: `/v2/${repository}/manifests/${descriptor.digest}`,
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200, 403, 404],
    },
  );
  await res.body.dump();
  const stored = header(res.headers, 'docker-content-digest');
  return res.status === 200 && (stored === undefined || stored === descriptor.digest);
}

/**
 * The manifests that name `subject` as their subject: the OCI 1.1 referrers API (`GET /referrers/<digest>`),
 * or, where the registry lacks it (404, or anything but an index), the `sha256-<hex>` tag listing.
 */
export async function listReferrers(
  client: RegistryClient,
  repository: string,
  subject: string,
): Promise<Descriptor[]> {
  const what = `listing the referrers of ${subject} in ${repository}`;
  const res = await client.request(what, [`repository:${repository}:pull`], {
    method: 'GET',
    url: `/v2/${repository}/referrers/${subject}`,
    headers: { accept: OCI_INDEX },
    ok: [200, 400, 404, 405],
  });
  const text = await res.body.text();
  const fromApi = res.status === 200 ? manifestsOf(Buffer.from(text)) : undefined;
  if (fromApi) return fromApi;
  const tagged = await getManifest(client, repository, subject.replace(':', '-'));
  return (tagged && manifestsOf(tagged.bytes)) ?? [];
}

/** The `manifests` of an index, or undefined when the bytes are no index. */
function manifestsOf(bytes: Buffer): Descriptor[] | undefined {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown };
    if (!Array.isArray(json.manifests)) return undefined;
    // Entries are checked as they are read; here only those that name a digest at all are kept.
    return (json.manifests as unknown[]).filter(
      (d): d is Descriptor => typeof (d as { digest?: unknown } | null)?.digest === 'string',
    );
  } catch {
    return undefined;
  }
}

/** The media type the manifest's own bytes declare, when the registry sent no Content-Type; '' if none. */
function declaredMediaType(bytes: Buffer): string {
  try {
    return parseManifest(bytes).mediaType;
  } catch {
    return '';
  }
}
