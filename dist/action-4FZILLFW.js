import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/report/pushed.ts
function repositoryOf(reference) {
  const at = reference.indexOf("@");
  if (at !== -1) return reference.slice(0, at);
  const colon = reference.lastIndexOf(":");
  return colon > reference.lastIndexOf("/") ? reference.slice(0, colon) : reference;
}
function repositoriesOf(references) {
  return [...new Set(references.map(repositoryOf))];
}
function pinnedReferences(result) {
  return repositoriesOf(result.references).map((repository) => `${repository}@${result.digest}`);
}

export {
  repositoryOf,
  repositoriesOf,
  pinnedReferences
};
