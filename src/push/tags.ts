import { setTimeout as sleep } from 'node:timers/promises';
import type { Descriptor } from '../oci/descriptor.ts';
import { RegistryError } from '../registry/errors.ts';
import { putManifest, tagDigest } from '../registry/manifests.ts';
import { silentLogger, type Logger } from '../log.ts';
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

/** How long after its PUT a tag is read back a second time, with overwrite: false. */
const READ_BACK_AGAIN_MS = 500;

function overwriteRefused(target: Target, tag: string, held: string, pushed: string): RegistryError {
  return new RegistryError(
    `${target.registry}/${target.repository}:${tag} holds ${held}, not the pushed ${pushed}, and overwrite is false`,
    'push under a new tag, or set overwrite: true (--overwrite) to move the tag',
  );
}

/**
 * Puts the manifest under a tag; a registry that refuses to move an existing tag (immutable tags on ECR,
 * Artifact Registry, Harbor) gets an error that says so instead of the registry's code.
 *
 * Registries have no conditional PUT, so the check of `overwrite: false` before the upload cannot be atomic:
 * two pushes may both find the tag free and both PUT. The tag is read back after the PUT: when another push
 * moved it in between, that fails with `overwrite: false` and is a warning otherwise. Either way the tag is
 * not reported as holding this push. (A push that PUTs after the read-back still wins unseen: the read-back
 * narrows the race to that moment, it cannot close it.) Returns whether the tag holds the digest.
 */
export async function putTag(
  target: Target,
  tag: string,
  descriptor: Descriptor,
  bytes: Buffer,
  check: { overwrite: boolean; log: Logger } = { overwrite: true, log: silentLogger },
): Promise<boolean> {
  await putManifestUnder(target, tag, descriptor, bytes);
  let held = await tagDigest(target.client, target.repository, tag);
  if (!check.overwrite && (held === undefined || held === descriptor.digest)) {
    // Two jobs started together PUT within moments of each other: the other's PUT may land just after this
    // read-back. With overwrite: false a second look, a moment later, catches that too.
    await sleep(READ_BACK_AGAIN_MS);
    held = await tagDigest(target.client, target.repository, tag);
  }
  if (held === undefined || held === descriptor.digest) return true;
  const where = `${target.registry}/${target.repository}:${tag}`;
  if (!check.overwrite) {
    throw new RegistryError(
      `another push moved the tag: ${where} holds ${held} right after this push put ${descriptor.digest} there, and overwrite is false`,
      'two pushes raced for the tag; the pushed image is still there by digest. Push under a tag of its own (e.g. the commit SHA), or serialise the jobs (a concurrency group)',
    );
  }
  check.log.warning(
    `another push moved ${where} to ${held} right after this push put ${descriptor.digest} there: the tag holds the other image (two pushes raced for it)`,
  );
  return false;
}

async function putManifestUnder(
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
