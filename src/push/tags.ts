import { RegistryError } from '../registry/transport/errors.ts';
import { tagKey, type RegistryView } from './reuse.ts';
import type { Target } from '../engine/session.ts';

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
