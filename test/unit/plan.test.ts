// The planner: a manifest tree and the destinations in, a plain plan out (no request is made).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import type { BlobSource, ManifestNode } from '../../src/oci/descriptor.ts';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../src/oci/media-types.ts';
import { planTree, uniqueBlobs } from '../../src/engine/plan.ts';
import { openSession, type PushSession } from '../../src/engine/session.ts';
import { postOrder } from '../../src/engine/manifest-order.ts';

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function blob(name: string, size: number, mediaType = OCI_LAYER_GZIP): BlobSource {
  return {
    descriptor: { mediaType, digest: digestOf(name), size },
    available: true,
    open: () => Promise.resolve(Readable.from([Buffer.alloc(size)])),
  };
}

function node(
  name: string,
  mediaType: string,
  blobs: BlobSource[],
  children: ManifestNode[] = [],
): ManifestNode {
  const bytes = Buffer.from(name);
  return { descriptor: { mediaType, digest: digestOf(name), size: bytes.length }, bytes, blobs, children };
}

const base = blob('base layer', 5000);
const amd = node('amd64', OCI_MANIFEST, [blob('amd config', 10, OCI_CONFIG), base, blob('amd app', 300)]);
const arm = node('arm64', OCI_MANIFEST, [blob('arm config', 10, OCI_CONFIG), base, blob('arm app', 200)]);
const index = node('index', OCI_INDEX, [], [amd, arm, amd]);

let session: PushSession;
before(async () => {
  // Real targets and clients, as a push makes them; the planner never sends a request through them.
  session = await openSession({
    destinations: ['127.0.0.1:5999/team/app:1', '127.0.0.1:5999/team/app:latest', '127.0.0.1:5999/other/app'],
    concurrency: 2,
    dockerConfig: false,
    logger: silentLogger,
  });
});
after(async () => {
  await session.close();
});

describe('planTree', () => {
  test('manifests children first, each once; blobs once per target; the root under the tags', () => {
    const plan = planTree(index, session.targets);
    assert.deepEqual(
      plan.children.map((n) => n.descriptor.digest),
      [amd.descriptor.digest, arm.descriptor.digest],
    );
    assert.equal(plan.root, index);
    // 5 distinct blobs (the base layer is shared) x 2 repositories.
    assert.equal(plan.writes.length, 10);
    for (const target of session.targets) {
      const digests = plan.writes.filter((w) => w.target === target).map((w) => w.blob.descriptor.digest);
      assert.equal(new Set(digests).size, 5);
    }
    assert.deepEqual(
      plan.references.map((r) => [r.target.repository, r.references]),
      [
        ['team/app', ['1', 'latest']],
        ['other/app', ['latest']],
      ],
    );
  });

  test('push by digest: every root reference is the digest', () => {
    const plan = planTree(amd, session.targets, { pushByDigest: true });
    assert.deepEqual(plan.children, []);
    assert.deepEqual(
      plan.references.map((r) => r.references),
      [[amd.descriptor.digest], [amd.descriptor.digest]],
    );
  });

  test('hints are asked per target and blob, and kept in the plan', () => {
    const plan = planTree(amd, session.targets, {
      hints: (target, b) => ({ mountFrom: [`${target.repository}-base`], compressed: b === base }),
    });
    const write = plan.writes.find((w) => w.target.repository === 'other/app' && w.blob === base);
    assert.deepEqual(write?.hints, { mountFrom: ['other/app-base'], compressed: true });
  });

  test('a tree nested deeper keeps every child before its parent', () => {
    const inner = node('inner index', OCI_INDEX, [], [arm]);
    const outer = node('outer index', OCI_INDEX, [], [inner, amd]);
    const order = postOrder(outer).map((n) => n.descriptor.digest);
    assert.ok(order.indexOf(arm.descriptor.digest) < order.indexOf(inner.descriptor.digest));
    assert.equal(order.at(-1), outer.descriptor.digest);
    assert.deepEqual(
      uniqueBlobs(postOrder(outer)).map((b) => b.descriptor.digest),
      uniqueBlobs([arm, amd]).map((b) => b.descriptor.digest),
    );
  });
});
