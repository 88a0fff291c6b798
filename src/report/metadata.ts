import type { PushResult } from '../push/push.ts';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

/** A manifest an index points at. */
export interface ChildManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly platform?: Platform | undefined;
}

/** PushResult as it is about to be: `children` (empty for a single manifest) may not be there yet. */
export type PushResultWithChildren = PushResult & { readonly children?: readonly ChildManifest[] };

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
}

export function childrenOf(result: PushResultWithChildren): readonly ChildManifest[] {
  return result.children ?? [];
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
  };
}

function copyPlatform(platform: Platform): Platform {
  const { os, architecture, variant } = platform;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** `linux/arm64/v8`, as docker and buildx write platforms. */
export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  const { os, architecture, variant } = platform;
  return [os, architecture, variant].filter(Boolean).join('/');
}
