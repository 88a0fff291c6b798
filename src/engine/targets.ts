import { InputError } from '../errors.ts';
import { formatReference, parseReference, type ImageReference } from '../oci/reference.ts';

/** Every destination reference of one repository: the unit that blobs and manifests are pushed to. */
export interface RepositoryTarget {
  readonly registry: string;
  readonly repository: string;
  /** Tags to point at the pushed manifest; empty for a push by digest. */
  readonly tags: readonly string[];
  /** Digests the user pinned (`repo@sha256:...`): the pushed manifest must have one of them. */
  readonly digests: readonly string[];
  readonly references: readonly ImageReference[];
}

/**
 * Parses the destination references (before any network call, so a typo costs nothing) and groups them by
 * repository, keeping the user's order.
 */
export function parseTargets(
  destinations: readonly string[],
  defaultRegistry: string | undefined,
): RepositoryTarget[] {
  if (destinations.length === 0) {
    throw new InputError('no destination given', 'name at least one tag, e.g. ghcr.io/OWNER/IMAGE:latest');
  }
  const byRepository = new Map<string, { registry: string; repository: string; refs: ImageReference[] }>();
  for (const destination of destinations) {
    checkBareWord(destination, defaultRegistry);
    const ref = parseReference(destination, defaultRegistry ? { defaultRegistry } : undefined);
    const key = `${ref.registry}/${ref.repository}`;
    let group = byRepository.get(key);
    if (!group) {
      group = { registry: ref.registry, repository: ref.repository, refs: [] };
      byRepository.set(key, group);
    }
    if (!group.refs.some((r) => formatReference(r) === formatReference(ref))) group.refs.push(ref);
  }
  return [...byRepository.values()].map(({ registry, repository, refs }) => ({
    registry,
    repository,
    tags: refs.filter((r) => r.digest === undefined && r.tag !== undefined).map((r) => r.tag as string),
    digests: refs.filter((r) => r.digest !== undefined).map((r) => r.digest as string),
    references: refs,
  }));
}

/**
 * A bare word (`latest`) with a namespaced registry (`ghcr.io/org`) is a tag written the way other push actions
 * take tags, and would push an image named after it (`ghcr.io/org/latest:latest`): refused, with both forms the
 * user may have meant.
 */
function checkBareWord(destination: string, defaultRegistry: string | undefined): void {
  const word = destination.trim();
  const registry = defaultRegistry?.trim().replace(/\/+$/, '') ?? '';
  if (!registry.includes('/') || /[/:@]/.test(word) || word === '') return;
  throw new InputError(
    `destination "${word}" names no image: with registry "${registry}" it would push to ${registry}/${word}:latest`,
    `for the tag ${word} write IMAGE:${word} (app:${word} pushes to ${registry}/app:${word}); ` +
      `for an image named ${word} write ${word}:latest`,
  );
}

/**
 * The destinations that name a tag (`app:1.0`, not `app` or `app@sha256:...`): a push by digest moves no tag,
 * so the front ends warn about these rather than drop them without a word.
 */
export function namedTags(destinations: readonly string[], defaultRegistry: string | undefined): string[] {
  return destinations.filter((destination) => {
    const ref = parseReference(destination, {
      ...(defaultRegistry ? { defaultRegistry } : {}),
      defaultTag: false,
    });
    return ref.tag !== undefined;
  });
}

/**
 * A pinned destination (`repo@sha256:...`) must name exactly what is pushed; `what` says what that is
 * ("the image's manifest", "the merged index").
 */
export function checkPinnedDigests(targets: readonly RepositoryTarget[], digest: string, what: string): void {
  for (const target of targets) {
    const wrong = target.digests.find((d) => d !== digest);
    if (wrong) {
      throw new InputError(
        `destination ${target.registry}/${target.repository}@${wrong} pins a digest, but ${what} is ${digest}`,
        'drop the digest from the destination, or push the image it names',
      );
    }
  }
}
