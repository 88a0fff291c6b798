import { sha256Digest } from '../digest.ts';
import { InputError } from '../errors.ts';
import { isIndexMediaType } from '../media-types.ts';
import type { Descriptor, ManifestNode, Platform } from '../source/types.ts';

/** `os/arch[/variant]`, as Docker and buildx write platforms. */
export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Parses the `platforms` input: `linux/amd64`, `linux/arm/v7`; an error names the bad entry. */
export function parsePlatforms(values: readonly string[]): Platform[] {
  return values.map((value) => {
    const parts = value.trim().split('/');
    const [os, architecture, variant] = parts;
    if (!os || !architecture || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
      throw new InputError(
        `platform "${value}" is not os/architecture[/variant]`,
        'write platforms like linux/amd64 or linux/arm/v7',
      );
    }
    return variant ? { os, architecture, variant } : { os, architecture };
  });
}

/**
 * Keeps only the wanted platforms of an image index, and the entries that belong to them (buildx's
 * attestation manifests name the image they describe in `vnd.docker.reference.digest`). The index is written
 * anew, so its digest changes; children keep theirs. A single-platform image is checked, not changed.
 */
export function selectPlatforms(root: ManifestNode, wanted: readonly Platform[]): ManifestNode {
  if (wanted.length === 0) return root;
  if (!isIndexMediaType(root.descriptor.mediaType)) return root;
  const json = JSON.parse(root.bytes.toString('utf8')) as { manifests?: Descriptor[] };
  const entries = json.manifests ?? [];
  const chosen = new Set(
    entries.filter((d) => wanted.some((p) => matches(d.platform, p))).map((d) => d.digest),
  );
  const missing = wanted.filter((p) => !entries.some((d) => matches(d.platform, p)));
  if (missing.length > 0) {
    const available = entries
      .filter((d) => d.platform && d.platform.os !== 'unknown')
      .map((d) => formatPlatform(d.platform));
    throw new InputError(
      `the image has no ${missing.map(formatPlatform).join(', ')} (it has ${available.join(', ') || 'no platforms'})`,
      'build those platforms, or drop them from the platforms input',
    );
  }
  const kept = entries.filter(
    (d) => chosen.has(d.digest) || chosen.has(d.annotations?.['vnd.docker.reference.digest'] ?? ''),
  );
  const bytes = Buffer.from(JSON.stringify({ ...json, manifests: kept }));
  const keptDigests = new Set(kept.map((d) => d.digest));
  return {
    descriptor: { ...root.descriptor, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: root.blobs,
    children: root.children.filter((child) => keptDigests.has(child.descriptor.digest)),
  };
}

/** A wanted platform without a variant matches every variant, as `docker pull --platform linux/arm` does. */
function matches(have: Platform | undefined, want: Platform): boolean {
  if (!have) return false;
  return (
    have.os === want.os &&
    have.architecture === want.architecture &&
    (want.variant === undefined || have.variant === want.variant)
  );
}
