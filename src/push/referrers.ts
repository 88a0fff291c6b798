import { SourceError } from '../errors.ts';
import type { ManifestNode } from '../oci/descriptor.ts';
import { ManifestError, parseManifest } from '../oci/manifest.ts';
import { addToReferrersTag, manifestExists, putManifest } from '../registry/manifests.ts';
import type { PlanContext } from './context.ts';

/**
 * Artifacts that refer to the pushed manifests (signatures, SBOMs), pushed after their subject: blobs, then
 * the artifact by digest. A registry without the referrers API gets the tag-schema fallback.
 */
export async function pushReferrers(referrers: readonly ManifestNode[], context: PlanContext): Promise<void> {
  const { targets, writer, limit, log: logger } = context;
  for (const node of referrers) {
    const { digest, mediaType, size } = node.descriptor;
    let parsed;
    try {
      parsed = parseManifest(node.bytes, mediaType);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      throw new SourceError(
        `${context.sourceName}: manifest ${digest} ${err.message}`,
        'the image is corrupt; export it again',
      );
    }
    const subject = parsed.subject?.digest;
    if (!subject) continue; // the source found it by its subject; without one it refers to nothing
    const artifactType =
      parsed.artifactType ?? (parsed.kind === 'manifest' ? parsed.config.mediaType || undefined : undefined);
    const listing = {
      mediaType,
      digest,
      size,
      ...(artifactType ? { artifactType } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    };
    await writer.ensureAll(
      targets.flatMap((target) =>
        node.blobs.map((blob) => ({
          target,
          blob,
          ...(context.hints ? { hints: context.hints(target, blob) } : {}),
        })),
      ),
    );
    for (const target of targets) {
      // Already there (a promotion or rollback of an image that has it): it was listed when it was pushed.
      if (await limit(() => manifestExists(target.client, target.repository, node.descriptor))) continue;
      const { subjectAccepted } = await limit(() =>
        putManifest(target.client, target.repository, digest, node.descriptor, node.bytes),
      );
      if (!subjectAccepted) {
        await limit(() => addToReferrersTag(target.client, target.repository, subject, listing));
      }
      logger.info(`pushed ${artifactType ?? 'artifact'} ${digest} referring to ${subject}`);
    }
  }
}
