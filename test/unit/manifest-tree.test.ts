// loadManifestTree reads an index's children a few at a time (the second hostile trial: an index of 5,000
// children read all at once opened 5,000 requests together and peaked at ~450 MB).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { Descriptor } from '../../src/oci/descriptor.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { loadManifestTree, type ManifestStore } from '../../src/source/manifest-tree.ts';

const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

function described(bytes: Buffer, mediaType: string): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
}

test('an index of 500 children: at most 8 manifest reads at once, every child loaded', async () => {
  const blob = (text: string): Descriptor => described(Buffer.from(text), 'application/octet-stream');
  const config = { ...blob('{}'), mediaType: 'application/vnd.oci.image.config.v1+json' };
  const layer = { ...blob('layer'), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
  const bytes = new Map<string, Buffer>();
  const children = Array.from({ length: 500 }, (_, i) => {
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: IMAGE,
        config,
        layers: [layer],
        annotations: { n: String(i) },
      }),
    );
    const descriptor = described(manifest, IMAGE);
    bytes.set(descriptor.digest, manifest);
    return descriptor;
  });
  const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: children }));
  const root = described(indexBytes, INDEX);
  bytes.set(root.digest, indexBytes);

  let reading = 0;
  let most = 0;
  const store: ManifestStore = {
    manifest: async (descriptor) => {
      most = Math.max(most, ++reading);
      await sleep(1);
      reading--;
      return bytes.get(descriptor.digest) ?? Buffer.alloc(0);
    },
    blob: (descriptor) =>
      Promise.resolve({ descriptor, available: true, open: () => Promise.reject(new Error('unused')) }),
  };
  const tree = await loadManifestTree(store, root, 'test');
  assert.equal(tree.children.length, 500);
  assert.ok(most <= 8, `${most} manifest reads at once`);
});
