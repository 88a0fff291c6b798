import { sha256Digest } from '../oci/digest.ts';
import { isIndexMediaType } from '../oci/media-types.ts';
import { parseManifest } from '../oci/manifest.ts';
import type { Descriptor, ManifestNode, Platform } from '../oci/descriptor.ts';
import { formatPlatform, platformMatches } from '../oci/platform.ts';
import { InputError } from '../errors.ts';

/**
 * Keeps only the wanted platforms of an image index, and the entries that belong to them (buildx's
 * attestation manifests name the image they describe in `vnd.docker.reference.digest`). The index is written
 * anew, so its digest changes; children keep theirs. A single-platform image is checked, not changed.
 */
export function selectPlatforms(root: ManifestNode, wanted: readonly Platform[]): ManifestNode {
  if (wanted.length === 0) return root;
  if (!isIndexMediaType(root.descriptor.mediaType)) return root;
  const parsed = parseManifest(root.bytes, root.descriptor.mediaType); // checked as it loaded
  if (parsed.kind !== 'index') return root;
  const entries = parsed.manifests;
  // Rewritten from the JSON as written, so fields this parser does not name are kept.
  const written = (parsed.json.manifests ?? []) as Descriptor[];
  const chosen = new Set(
    entries.filter((d) => wanted.some((p) => platformMatches(d.platform, p))).map((d) => d.digest),
  );
  const missing = wanted.filter((p) => !entries.some((d) => platformMatches(d.platform, p)));
  if (missing.length > 0) {
    const available = entries
      .filter((d) => d.platform && d.platform.os !== 'unknown')
      .map((d) => formatPlatform(d.platform));
    throw new InputError(
      `the image has no ${missing.map(formatPlatform).join(', ')} (it has ${available.join(', ') || 'no platforms'})`,
      'build those platforms, or drop them from the platforms input',
    );
  }
  const keep = entries.map(
    (d) => chosen.has(d.digest) || chosen.has(d.annotations?.['vnd.docker.reference.digest'] ?? ''),
  );
  const kept = written.filter((_, i) => keep[i]);
  const bytes = Buffer.from(JSON.stringify({ ...parsed.json, manifests: kept }));
  const keptDigests = new Set(kept.map((d) => d.digest));
  return {
    descriptor: { ...root.descriptor, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: root.blobs,
    children: root.children.filter((child) => keptDigests.has(child.descriptor.digest)),
  };
}
