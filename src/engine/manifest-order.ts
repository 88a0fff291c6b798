// The order in which a manifest tree goes up: children before the manifests that name them, so that a registry
// never holds an index whose child is missing.
import type { ManifestNode } from '../oci/descriptor.ts';

/** Manifests children-first, each once, ending with the root. */
export function postOrder(root: ManifestNode): ManifestNode[] {
  const seen = new Set<string>();
  const out: ManifestNode[] = [];
  const visit = (node: ManifestNode): void => {
    if (seen.has(node.descriptor.digest)) return;
    seen.add(node.descriptor.digest);
    node.children.forEach(visit);
    out.push(node);
  };
  visit(root);
  return out;
}

/** Groups manifests by height (leaves first): each group may go up at once, after the one before. */
export function waves(nodes: readonly ManifestNode[]): ManifestNode[][] {
  const height = new Map<string, number>();
  const of = (node: ManifestNode): number => {
    let h = height.get(node.descriptor.digest);
    if (h === undefined) {
      h = node.children.reduce((max, child) => Math.max(max, of(child) + 1), 0);
      height.set(node.descriptor.digest, h);
    }
    return h;
  };
  const groups: ManifestNode[][] = [];
  for (const node of nodes) (groups[of(node)] ??= []).push(node);
  return groups.filter((g) => g.length > 0);
}
