import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import type { Descriptor } from '../oci/descriptor.ts';
import { RegistryError } from '../registry/transport/errors.ts';
import { putTag, tagDigest } from '../registry/manifests.ts';
import type { Target } from './session.ts';

/** How long after its PUT a tag is read back a second time, with overwrite: false. */
const READ_BACK_AGAIN_MS = 500;

/**
 * Puts the manifest under a tag and reads the tag back. Registries have no conditional PUT, so the check of
 * `overwrite: false` before the upload cannot be atomic: two pushes may both find the tag free and both PUT.
 * When another push moved the tag right after this one's PUT, that fails with `overwrite: false` and is a
 * warning otherwise; either way the tag is not reported as holding this push (false is returned). A push
 * that PUTs after the last read-back still wins unseen: the read-back narrows the race, it cannot close it.
 */
export async function putTagAndReadBack(
  target: Target,
  tag: string,
  descriptor: Descriptor,
  bytes: Buffer,
  check: { readonly overwrite: boolean; readonly log: Logger },
): Promise<boolean> {
  await putTag(target.client, target.repository, tag, descriptor, bytes);
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
