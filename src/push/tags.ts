import type { Descriptor } from '../oci/descriptor.ts';
import { RegistryError } from '../registry/errors.ts';
import { putManifest } from '../registry/manifests.ts';
import { tagKey, type RegistryView } from './reuse.ts';
import type { Target } from './session.ts';

/**
 * With `overwrite: false`, fails before any upload when a destination tag holds another image. The pushed
 * manifest's digest is known here for sources that carry their manifest; for images whose manifest is built
 * at push time, an image with another config is another image for sure (the same config is checked again
 * against the built digest before the tag moves: `tagAction`).
 */
export function checkTagsBeforeUpload(
  view: RegistryView,
  targets: readonly Target[],
  image: { digest: string | undefined; configDigest: string | undefined },
): void {
  for (const target of targets) {
    for (const tag of target.tags) {
      const held = view.tags.get(tagKey(target, tag));
      if (!held) continue;
      if (image.digest !== undefined && held.digest !== image.digest) {
        throw overwriteRefused(target, tag, held.digest, image.digest);
      }
      if (image.digest === undefined && held.configDigest !== image.configDigest) {
        throw overwriteRefused(target, tag, held.digest, `image (config ${image.configDigest ?? '?'})`);
      }
    }
  }
}

/** Whether the tag's manifest PUT is needed: not when it already holds `digest`; refused when it must not move. */
export function tagAction(
  view: RegistryView,
  target: Target,
  tag: string,
  digest: string,
  overwrite: boolean,
): 'put' | 'unchanged' {
  const held = view.tags.get(tagKey(target, tag));
  if (held?.digest === digest) return 'unchanged';
  if (held && !overwrite) throw overwriteRefused(target, tag, held.digest, digest);
  return 'put';
}

function overwriteRefused(target: Target, tag: string, held: string, pushed: string): RegistryError {
  return new RegistryError(
    `${target.registry}/${target.repository}:${tag} holds ${held}, not the pushed ${pushed}, and overwrite is false`,
    'push under a new tag, or let the tag move (the action: overwrite: true, its default; the CLI: leave out --no-overwrite)',
  );
}

/**
 * Puts the manifest under a tag; a registry that refuses to move an existing tag (immutable tags on ECR,
 * Artifact Registry, Harbor) gets an error that says so instead of the registry's code.
 */
export async function putTag(
  target: Target,
  tag: string,
  descriptor: Descriptor,
  bytes: Buffer,
): Promise<void> {
  try {
    await putManifest(target.client, target.repository, tag, descriptor, bytes);
  } catch (err) {
    if (
      err instanceof RegistryError &&
      [400, 403, 409, 412].includes(err.status ?? 0) &&
      /immutable|already exists|cannot be overwritten/i.test(err.message)
    ) {
      throw new RegistryError(
        `${target.registry}/${target.repository}:${tag} is an immutable tag: the registry refuses to move it (${err.message})`,
        "push under a new tag (e.g. the commit SHA), or make the repository's tags mutable (ECR: image tag mutability; Harbor: tag immutability rules; Artifact Registry: immutable tags setting)",
        { ...(err.status === undefined ? {} : { status: err.status }), codes: err.codes, cause: err },
      );
    }
    throw err;
  }
}
