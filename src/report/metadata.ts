import type { ChildReport, PushResult } from '../engine/result.ts';
import { formatPlatform } from '../oci/platform.ts';
import type { Platform } from '../oci/descriptor.ts';
import { parseReference } from '../oci/reference.ts';

/** A manifest an index points at. */
export type ChildManifest = ChildReport;

/** Kept as a name for the report modules: every PushResult carries its children now. */
export type PushResultWithChildren = PushResult;

export interface ManifestDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/**
 * The `metadata` output. The first keys are the ones docker/build-push-action users already read
 * (`fromJSON(steps.push.outputs.metadata)['containerimage.digest']`); `tags` and `platforms` are ours.
 */
export interface ImageMetadata {
  readonly 'containerimage.digest': string;
  readonly 'containerimage.descriptor': ManifestDescriptor;
  /** Every destination, comma-joined, as buildx writes it. */
  readonly 'image.name': string;
  /** Per destination reference: what it now points at. */
  readonly tags: Readonly<Record<string, ManifestDescriptor>>;
  /** The manifests of an index, one per platform; absent for a single manifest. */
  readonly platforms?: readonly ChildManifest[];
  /** Every repository pushed to, pinned by digest (`registry/repository@sha256:...`): the `images` output. */
  readonly images: readonly string[];
}

/** `registry/repository@digest` for every repository the result's references name, each once, in order. */
export function imagesOf(result: PushResult): string[] {
  const images = result.references.map((reference) => {
    const { registry, repository } = parseReference(reference);
    return `${registry}/${repository}@${result.digest}`;
  });
  return [...new Set(images)];
}

export function childrenOf(result: PushResult): readonly ChildManifest[] {
  return result.children;
}

export function buildMetadata(result: PushResultWithChildren): ImageMetadata {
  const descriptor: ManifestDescriptor = {
    mediaType: result.mediaType,
    digest: result.digest,
    size: result.size,
  };
  const tags: Record<string, ManifestDescriptor> = {};
  for (const reference of result.references) tags[reference] = { ...descriptor };
  // Copied field by field so nothing else a future PushResult carries can slip into an output.
  const platforms = childrenOf(result).map((child): ChildManifest => ({
    digest: child.digest,
    mediaType: child.mediaType,
    size: child.size,
    ...(child.platform ? { platform: copyPlatform(child.platform) } : {}),
  }));
  return {
    'containerimage.digest': result.digest,
    'containerimage.descriptor': descriptor,
    'image.name': result.references.join(','),
    tags,
    ...(platforms.length > 0 ? { platforms } : {}),
    images: imagesOf(result),
  };
}

function copyPlatform(platform: Platform): Platform {
  const { os, architecture, variant } = platform;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** `linux/arm64/v8`, as docker and buildx write platforms. */
export { formatPlatform };
