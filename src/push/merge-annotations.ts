// Annotation lines (docker/metadata-action's `annotations` output) applied to the index a merge writes, the way
// `docker buildx imagetools create --annotation` applies them: `index:` to the index, `manifest-descriptor:`
// to its entries. The images themselves are already pushed by digest, so a `manifest:` annotation cannot be
// added without changing their digests: it is accepted only when every image already carries it (the same
// metadata-action output given to the build), and refused otherwise.
import { InputError } from '../errors.ts';
import { appliesTo, type Annotation } from '../oci/annotations.ts';
import { parseManifest } from '../oci/manifest.ts';
import { formatPlatform } from '../oci/platform.ts';
import type { SourceChild } from '../source/merge-sources.ts';

export interface AnnotatedMerge {
  readonly children: readonly SourceChild[];
  /** Annotations of the index itself, or undefined for none. */
  readonly index: Record<string, string> | undefined;
  /** Whether an entry got annotations: the index must then be an OCI index. */
  readonly descriptors: boolean;
}

export function applyMergeAnnotations(
  children: readonly SourceChild[],
  annotations: readonly Annotation[],
  indexAnnotations: Readonly<Record<string, string>> | undefined,
): AnnotatedMerge {
  const index: Record<string, string> = { ...indexAnnotations };
  const extra = new Map<SourceChild, Record<string, string>>();
  for (const a of annotations) {
    if (a.level === 'index') {
      if (a.platform) {
        throw new InputError(
          `annotation "${a.line}": an index: annotation names no platform`,
          'drop the [platform]; use manifest-descriptor[PLATFORM]: for one entry',
        );
      }
      index[a.key] = a.value;
    } else if (a.level === 'index-descriptor') {
      throw new InputError(
        `annotation "${a.line}": index-descriptor annotations go on a descriptor of the index, and a merge pushes the index itself, with no descriptor of it`,
        'use index: to annotate the index',
      );
    } else if (a.level === 'manifest-descriptor') {
      for (const child of children) {
        if (appliesTo(a, child.platform)) extra.set(child, { ...extra.get(child), [a.key]: a.value });
      }
    } else {
      checkCarried(a, children);
    }
  }
  const annotated = children.map((child) => {
    const more = extra.get(child);
    if (!more) return child;
    return { ...child, annotations: sortedRecord({ ...child.annotations, ...more }) };
  });
  return {
    children: annotated,
    index: Object.keys(index).length > 0 ? index : undefined,
    descriptors: extra.size > 0,
  };
}

/** A `manifest:` annotation: fine when every image it applies to already has it, else refused. */
function checkCarried(a: Annotation, children: readonly SourceChild[]): void {
  const images = children.filter((child) => !child.attestation && appliesTo(a, child.platform));
  for (const child of images) {
    const carried = parseManifest(child.bytes, child.descriptor.mediaType).annotations;
    if (carried?.[a.key] === a.value) continue;
    throw new InputError(
      `annotation "${a.line}": the ${formatPlatform(child.platform)} image ${child.descriptor.digest} (${child.source}) does not carry it, and adding it would change that image's digest`,
      'set manifest annotations when building (build-push-action annotations), and use index: or manifest-descriptor: here (DOCKER_METADATA_ANNOTATIONS_LEVELS=index,manifest-descriptor for metadata-action)',
    );
  }
}

/** Keys sorted: the same annotations in any order give the same index bytes. */
function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
