import { sha256Digest } from '../oci/digest.ts';
import { isIndexMediaType } from '../oci/media-types.ts';
import { MAX_CONFIG_BYTES, parseManifest } from '../oci/manifest.ts';
import type { Descriptor, ManifestNode, Platform } from '../oci/descriptor.ts';
import { formatPlatform, platformMatches } from '../oci/platform.ts';
import { InputError } from '../errors.ts';

/**
 * Keeps only the wanted platforms of an image index, and the entries that belong to them (buildx's
 * attestation manifests name the image they describe in `vnd.docker.reference.digest`). The index is written
 * anew, so its digest changes; children keep theirs. A single-platform image is checked, not changed.
 */
export async function selectPlatforms(
  root: ManifestNode,
  wanted: readonly Platform[],
): Promise<ManifestNode> {
  if (wanted.length === 0) return root;
  if (!isIndexMediaType(root.descriptor.mediaType)) {
    checkSinglePlatform(await configPlatform(root), wanted);
    return root;
  }
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

/**
 * A single-platform image (no index to choose from) is pushed whole, so every wanted platform must be its own:
 * `platforms: linux/arm64` on a linux/amd64 image is a mistake, not a subset.
 */
export function checkSinglePlatform(have: Platform | undefined, wanted: readonly Platform[]): void {
  if (wanted.length === 0) return;
  if (!have) {
    throw new InputError(
      `platforms asks for ${wanted.map(formatPlatform).join(', ')}, but the image's config names no platform`,
      'drop the platforms input (it selects platforms of a multi-platform image)',
    );
  }
  const missing = wanted.filter((p) => !platformMatches(have, p));
  if (missing.length > 0) {
    throw new InputError(
      `the image is a single-platform ${formatPlatform(have)} image, not ${missing.map(formatPlatform).join(', ')}`,
      'build the image for that platform, or drop it from the platforms input',
    );
  }
}

/** The os/architecture/variant a config names (configs are small; more than 16 MiB is no config). */
export function platformOfConfig(bytes: Buffer): Platform | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const { os, architecture, variant } = (json ?? {}) as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return typeof variant === 'string' && variant ? { os, architecture, variant } : { os, architecture };
}

async function configPlatform(node: ManifestNode): Promise<Platform | undefined> {
  const config = node.blobs[0];
  if (!config?.available || config.descriptor.size > MAX_CONFIG_BYTES) return node.descriptor.platform;
  const chunks: Buffer[] = [];
  for await (const chunk of await config.open()) chunks.push(chunk as Buffer);
  return platformOfConfig(Buffer.concat(chunks)) ?? node.descriptor.platform;
}

/**
 * An index whose tree lacks some of the manifests it lists (an engine holds only the platforms it pulled or
 * built) cannot go up as it is: names what is there and what is not, and how to push the part that is.
 */
export function checkAllPresent(root: ManifestNode, sourceName: string): void {
  if (!isIndexMediaType(root.descriptor.mediaType)) return;
  const parsed = parseManifest(root.bytes, root.descriptor.mediaType);
  if (parsed.kind !== 'index') return;
  const present = new Set(root.children.map((child) => child.descriptor.digest));
  const absent = parsed.manifests.filter((d) => !present.has(d.digest));
  if (absent.length === 0) return;
  const name = (d: Descriptor): string =>
    d.platform && d.platform.os !== 'unknown'
      ? formatPlatform(d.platform)
      : `an attestation (${d.digest.slice(0, 19)})`;
  const held = parsed.manifests.filter(
    (d) => present.has(d.digest) && d.platform && d.platform.os !== 'unknown',
  );
  throw new InputError(
    `${sourceName}: the image index lists ${parsed.manifests.length} manifests, but the source holds only ` +
      `${held.map(name).join(', ') || 'none of the platforms'}; missing: ${absent.map(name).join(', ')}`,
    held.length
      ? `push what is there with the platforms input ${held.map((d) => formatPlatform(d.platform)).join(',')} (CLI: --platform), or pull the missing platforms first (docker pull --platform OS/ARCH)`
      : 'pull the image with its platforms first (docker pull --platform OS/ARCH)',
  );
}
