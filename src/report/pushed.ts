// The pushed repositories, from the normalised references of a PushResult: for the pull lines of the summary
// and the last lines of the log.

/** `reg/org/app` of `reg/org/app:1.0` or `reg/org/app@sha256:...`. */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at !== -1) return reference.slice(0, at);
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
}

/** Each repository once, in the order of the references. */
export function repositoriesOf(references: readonly string[]): string[] {
  return [...new Set(references.map(repositoryOf))];
}

/** `reg/org/app@sha256:...` for each repository the image went to: what a user pulls or deploys. */
export function pinnedReferences(result: {
  readonly references: readonly string[];
  readonly digest: string;
}): string[] {
  return repositoriesOf(result.references).map((repository) => `${repository}@${result.digest}`);
}
