import { InputError } from '../errors.ts';
import type { Descriptor, Platform } from './descriptor.ts';
import { sha256Digest } from './digest.ts';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX } from './media-types.ts';

/** How the index is written: see MergeOptions.format. */
export type IndexFormat = 'auto' | 'oci' | 'docker';

/** One image of the new index, as its source named it. */
export interface IndexChild {
  /** The user's reference it came from, for messages. */
  readonly source: string;
  /** The child manifest: media type, digest, size. */
  readonly descriptor: Descriptor;
  /** In the OCI spec's key order (platformOf gives it so), for stable bytes. */
  readonly platform: Platform;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** A BuildKit attestation (platform unknown/unknown): may appear once per image, not once per platform. */
  readonly attestation: boolean;
}

export interface IndexSettings {
  readonly format: IndexFormat;
  /** Annotations of the index itself, keys sorted; undefined for none. */
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

export interface BuiltIndex<C extends IndexChild = IndexChild> {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  /** A Docker manifest list, rather than an OCI image index. */
  readonly docker: boolean;
  /** The children it lists, each once, in the order given. */
  readonly children: readonly C[];
}

/** Checks the merge's own inputs (before any network call). */
export function indexSettings(
  format: string | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): IndexSettings {
  const chosen = format ?? 'auto';
  if (chosen !== 'auto' && chosen !== 'oci' && chosen !== 'docker') {
    throw new InputError(`format "${chosen}" is not one of auto, oci, docker`);
  }
  const sorted = checkAnnotations(annotations);
  if (chosen === 'docker' && sorted) {
    throw new InputError(
      'index annotations were given, but a Docker manifest list cannot hold annotations',
      'drop the annotations, or use format oci',
    );
  }
  return { format: chosen, annotations: sorted };
}

/**
 * The index's exact bytes from its children: the same children in the same order always give the same
 * digest. Pure. The same manifest named twice is listed once; two images of one platform are refused.
 */
export function buildIndex<C extends IndexChild>(
  children: readonly C[],
  settings: IndexSettings,
): BuiltIndex<C> {
  const unique = uniqueChildren(children);
  checkPlatforms(unique);
  const docker = useDockerList(unique, settings.format, settings.annotations !== undefined);
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const manifests = unique.map((child) => ({
    mediaType: child.descriptor.mediaType,
    digest: child.descriptor.digest,
    size: child.descriptor.size,
    platform: child.platform,
    ...(!docker && child.annotations ? { annotations: child.annotations } : {}),
  }));
  const json = {
    schemaVersion: 2,
    mediaType,
    manifests,
    ...(settings.annotations ? { annotations: settings.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(json));
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    docker,
    children: unique,
  };
}

/** `os/arch[/variant][/os.version]`, for messages. */
export function describePlatform(p: Platform): string {
  return [
    p.os,
    p.architecture,
    ...(p.variant ? [p.variant] : []),
    ...(p['os.version'] ? [p['os.version']] : []),
  ].join('/');
}

function checkAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const entries = Object.entries(annotations);
  if (entries.length === 0) return undefined;
  for (const [key, value] of entries) {
    if (key === '' || typeof value !== 'string') {
      throw new InputError(`index annotation "${key}" needs a non-empty key and a string value`);
    }
  }
  // Sorted keys: the same annotations in any order give the same bytes.
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The same manifest named twice (by two sources, or an index and one of its images) is one child. */
function uniqueChildren<C extends IndexChild>(children: readonly C[]): C[] {
  const seen = new Set<string>();
  return children.filter((child) => {
    if (seen.has(child.descriptor.digest)) return false;
    seen.add(child.descriptor.digest);
    return true;
  });
}

function platformKey(p: Platform): string {
  // arm64 is v8 unless said otherwise: `linux/arm64` and `linux/arm64/v8` are one platform.
  const variant = p.architecture === 'arm64' && p.variant === 'v8' ? undefined : p.variant;
  return [p.os, p.architecture, variant ?? '', p['os.version'] ?? ''].join('/');
}

function checkPlatforms(children: readonly IndexChild[]): void {
  const byPlatform = new Map<string, IndexChild>();
  for (const child of children) {
    if (child.attestation) continue;
    const key = platformKey(child.platform);
    const other = byPlatform.get(key);
    if (other) {
      throw new InputError(
        `${other.source} (${other.descriptor.digest}) and ${child.source} (${child.descriptor.digest}) are both ${describePlatform(child.platform)}`,
        'an index holds one image per platform: drop one of them, or build it for another platform',
      );
    }
    byPlatform.set(key, child);
  }
}

function useDockerList(
  children: readonly IndexChild[],
  format: IndexFormat,
  hasAnnotations: boolean,
): boolean {
  if (format === 'oci') return false;
  const oci = children.find((c) => c.descriptor.mediaType !== DOCKER_MANIFEST);
  if (format === 'docker' && oci) {
    throw new InputError(
      `format docker was asked for, but ${oci.source} (${oci.descriptor.digest}) is a ${oci.descriptor.mediaType}`,
      'a Docker manifest list holds only Docker v2 schema 2 manifests: use format oci or auto',
    );
  }
  // A manifest list has no place for annotations: asking for them means an OCI index.
  return oci === undefined && !hasAnnotations;
}
