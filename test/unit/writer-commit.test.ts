// The writer's failure policy and commit order, against a scripted registry: manifests go up children first,
// by digest, a child the repository holds costs a HEAD only, the root goes up last under each reference, and
// nothing goes up after a failure; settle() waits for every task and throws the first failure in the given order.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import type { ManifestNode } from '../../src/oci/descriptor.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/oci/media-types.ts';
import type { Target } from '../../src/engine/session.ts';
import { postOrder } from '../../src/engine/manifest-order.ts';
import { Writer } from '../../src/engine/writer.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { recordingLogger, type RecordingLogger } from '../helpers/log.ts';
import { scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import { startScripted, type ScriptedServer, type Step } from '../helpers/scripted-server.ts';

const node = (name: string, children: ManifestNode[] = [], mediaType = OCI_MANIFEST): ManifestNode => {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, name }));
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: [],
    children,
  };
};
const amd = node('amd64');
const arm = node('arm64');
const index = node('index', [amd, arm], OCI_INDEX);
const manifestPath = (repository: string, reference: string): string =>
  `/v2/${repository}/manifests/${reference}`;
/** The HEAD that reads a tag back after its PUT (engine/tag-read-back.ts): it holds `n`. */
const readBack = (repository: string, tag: string, n: ManifestNode): Step => ({
  method: 'HEAD',
  path: manifestPath(repository, tag),
  reply: { status: 200, headers: { 'docker-content-digest': n.descriptor.digest } },
});
const stored = (n: ManifestNode): Step['reply'] => ({
  status: 201,
  headers: { 'docker-content-digest': n.descriptor.digest },
});

let registry: ScriptedServer;
let session: ScriptedClient;
let log: RecordingLogger;

async function start(steps: Step[]): Promise<{ writer: Writer; target: (repository: string) => Target }> {
  registry = await startScripted([{ method: 'GET', path: '/v2/', reply: { status: 200 } }, ...steps], {
    anyOrder: true,
  });
  session = scriptedClient(registry.host, {
    retryPolicy: { retries: 0, maxElapsedMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 },
  });
  log = recordingLogger();
  const writer = new Writer({ limit: (task) => task(), logger: log });
  const target = (repository: string): Target => ({
    registry: registry.host,
    repository,
    tags: [],
    digests: [],
    references: [],
    client: session.client,
  });
  return { writer, target };
}

afterEach(async () => {
  await session.close();
  await registry.close();
});

const manifestRequests = (): string[] =>
  registry.requests.filter((r) => r.path.includes('/manifests/')).map((r) => `${r.method} ${r.path}`);

describe('commit', () => {
  test('children by digest first (a child already there costs a HEAD), then the root under each reference', async () => {
    const { writer, target } = await start([
      { method: 'HEAD', path: manifestPath('app', amd.descriptor.digest), reply: { status: 404 } },
      { method: 'PUT', path: manifestPath('app', amd.descriptor.digest), reply: stored(amd) },
      {
        method: 'HEAD',
        path: manifestPath('app', arm.descriptor.digest),
        reply: { status: 200, headers: { 'docker-content-digest': arm.descriptor.digest } },
      },
      { method: 'PUT', path: manifestPath('app', 'v1'), reply: stored(index) },
      readBack('app', 'v1', index),
      { method: 'PUT', path: manifestPath('app', 'latest'), reply: stored(index) },
      readBack('app', 'latest', index),
      { method: 'PUT', path: manifestPath('app', index.descriptor.digest), reply: stored(index) },
    ]);
    const order = postOrder(index);
    assert.deepEqual(order, [amd, arm, index]);
    await writer.commit(order.slice(0, -1), index, [
      { target: target('app'), references: ['v1', 'latest', index.descriptor.digest] },
    ]);
    registry.done();
    const requests = manifestRequests();
    const roots = requests.filter(
      (r) => r.endsWith('/v1') || r.endsWith('/latest') || r.endsWith(index.descriptor.digest),
    );
    const lastChild = Math.max(
      ...[amd, arm].map((n) => requests.findLastIndex((r) => r.includes(n.descriptor.digest))),
    );
    assert.ok(requests.indexOf(roots[0]!) > lastChild, `the root after every child: ${requests.join(', ')}`);
    assert.ok(
      !requests.includes(`PUT ${manifestPath('app', arm.descriptor.digest)}`),
      'no PUT for a child it holds',
    );
    const put = registry.requests.find((r) => r.path === manifestPath('app', 'v1'));
    assert.ok(put);
    assert.deepEqual(put.body, index.bytes);
    assert.equal(put.headers['content-type'], OCI_INDEX);
    assert.deepEqual(
      log.lines.filter((l) => l.startsWith('info: pushed')),
      [
        `info: pushed ${registry.host}/app:v1`,
        `info: pushed ${registry.host}/app:latest`,
        `info: pushed ${registry.host}/app@${index.descriptor.digest}`,
      ],
    );
  });

  test('a grandchild goes up before its parent, in every repository', async () => {
    const leaf = node('leaf');
    const middle = node('middle', [leaf], OCI_INDEX);
    const root = node('root', [middle], OCI_INDEX);
    const steps: Step[] = [];
    for (const repo of ['one', 'two']) {
      for (const n of [leaf, middle]) {
        steps.push(
          { method: 'HEAD', path: manifestPath(repo, n.descriptor.digest), reply: { status: 404 } },
          { method: 'PUT', path: manifestPath(repo, n.descriptor.digest), reply: stored(n) },
        );
      }
      steps.push(
        { method: 'PUT', path: manifestPath(repo, 'v1'), reply: stored(root) },
        readBack(repo, 'v1', root),
      );
    }
    const { writer, target } = await start(steps);
    await writer.commit(postOrder(root).slice(0, -1), root, [
      { target: target('one'), references: ['v1'] },
      { target: target('two'), references: ['v1'] },
    ]);
    registry.done();
    const puts = manifestRequests().filter((r) => r.startsWith('PUT'));
    for (const repo of ['one', 'two']) {
      const at = (n: ManifestNode | string): number =>
        puts.indexOf(`PUT ${manifestPath(repo, typeof n === 'string' ? n : n.descriptor.digest)}`);
      assert.ok(at(leaf) < at(middle) && at(middle) < at('v1'), puts.join(', '));
    }
    // The children of every repository are up before any root moves.
    const firstRoot = puts.findIndex((r) => r.endsWith('/v1'));
    const lastChild = puts.findLastIndex((r) => !r.endsWith('/v1'));
    assert.ok(lastChild < firstRoot, puts.join(', '));
  });

  test('a child that fails: no root goes up, and its error is thrown', async () => {
    const { writer, target } = await start([
      { method: 'HEAD', path: manifestPath('app', amd.descriptor.digest), reply: { status: 404 } },
      {
        method: 'PUT',
        path: manifestPath('app', amd.descriptor.digest),
        reply: { status: 400, body: { errors: [{ code: 'MANIFEST_INVALID', message: 'bad' }] } },
      },
      { method: 'HEAD', path: manifestPath('app', arm.descriptor.digest), reply: { status: 404 } },
      { method: 'PUT', path: manifestPath('app', arm.descriptor.digest), reply: stored(arm) },
    ]);
    await assert.rejects(
      writer.commit([amd, arm], index, [{ target: target('app'), references: ['v1'] }]),
      /pushing manifest .* answered 400 \(MANIFEST_INVALID: bad\)/,
    );
    registry.done();
    assert.ok(!manifestRequests().includes(`PUT ${manifestPath('app', 'v1')}`), 'the tag did not move');
    assert.deepEqual(
      log.lines.filter((l) => l.startsWith('info: pushed')),
      [],
    );
  });

  test('after a failed blob write no manifest request is made at all', async () => {
    const blob = Buffer.from('layer');
    const descriptor = {
      mediaType: 'application/octet-stream',
      digest: sha256Digest(blob),
      size: blob.length,
    };
    const { writer, target } = await start([
      { method: 'HEAD', path: `/v2/app/blobs/${descriptor.digest}`, reply: { status: 400, body: 'refused' } },
    ]);
    const failed = writer.ensureBlob(target('app'), {
      descriptor,
      available: true,
      open: () => Promise.reject(new Error('not read')),
    });
    await assert.rejects(failed, /answered 400/);
    await assert.rejects(
      writer.commit([amd], index, [{ target: target('app'), references: ['v1'] }]),
      (err) => {
        assert.ok(err instanceof RegistryError);
        assert.match(err.message, /^checking blob sha256:[0-9a-f]{64}: .* answered 400/);
        return true;
      },
    );
    registry.done();
    assert.deepEqual(manifestRequests(), []);
  });
});

describe('commit, as the mutation run asked', () => {
  test('waits for a blob write still in flight before any manifest request', async () => {
    const blob = Buffer.from('slow layer');
    const descriptor = {
      mediaType: 'application/octet-stream',
      digest: sha256Digest(blob),
      size: blob.length,
    };
    registry = await startScripted(
      [
        { method: 'GET', path: '/v2/', reply: { status: 200 } },
        {
          method: 'HEAD',
          path: `/v2/app/blobs/${descriptor.digest}`,
          reply: { status: 200, headers: { 'content-length': String(blob.length) } },
        },
        { method: 'HEAD', path: manifestPath('app', amd.descriptor.digest), reply: { status: 404 } },
        { method: 'PUT', path: manifestPath('app', amd.descriptor.digest), reply: stored(amd) },
        { method: 'PUT', path: manifestPath('app', 'v1'), reply: stored(index) },
        readBack('app', 'v1', index),
      ],
      { anyOrder: true },
    );
    session = scriptedClient(registry.host);
    log = recordingLogger();
    let first = true;
    // The first request through the limiter (the blob's HEAD) waits: commit must wait for it.
    const writer = new Writer({
      limit: async (task) => {
        if (first) {
          first = false;
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        return task();
      },
      logger: log,
    });
    const target: Target = {
      registry: registry.host,
      repository: 'app',
      tags: [],
      digests: [],
      references: [],
      client: session.client,
    };
    void writer.ensureBlob(target, {
      descriptor,
      available: true,
      open: () => Promise.reject(new Error('not read')),
    });
    await writer.commit([amd], index, [{ target, references: ['v1'] }]);
    registry.done();
    const paths = registry.requests.map((r) => r.path);
    const blobAt = paths.indexOf(`/v2/app/blobs/${descriptor.digest}`);
    const firstManifest = paths.findIndex((p) => p.includes('/manifests/'));
    assert.ok(blobAt >= 0 && blobAt < firstManifest, paths.join(', '));
  });

  test('a tag refused as immutable is explained; a digest reference goes up by digest', async () => {
    const { writer, target } = await start([
      {
        method: 'PUT',
        path: manifestPath('app', 'v1'),
        reply: { status: 400, body: { errors: [{ code: 'TAG_INVALID', message: 'tag v1 is immutable' }] } },
      },
      { method: 'PUT', path: manifestPath('app', index.descriptor.digest), reply: stored(index) },
    ]);
    await assert.rejects(
      writer.commit([], index, [{ target: target('app'), references: ['v1', index.descriptor.digest] }]),
      /app:v1 is an immutable tag: the registry refuses to move it/,
    );
    registry.done();
  });
});

describe('settle', () => {
  const later = <T>(ms: number, value: T): Promise<T> =>
    new Promise((resolve) => setTimeout(() => resolve(value), ms));
  const failing = (ms: number, err: Error): Promise<string> =>
    new Promise((_resolve, reject) => setTimeout(() => reject(err), ms));

  test('waits for every task and throws the first failure in the given order, not in time', async () => {
    const { writer } = await start([]);
    const first = new Error('first in order');
    const second = new Error('first in time');
    let slowDone = false;
    const slow = later(80, 'slow').then((v) => {
      slowDone = true;
      return v;
    });
    await assert.rejects(
      writer.settle([failing(40, first), failing(5, second), slow]),
      (err) => err === first,
    );
    assert.ok(slowDone, 'the slow task was awaited');
    assert.deepEqual(await writer.settle([later(5, 'a'), Promise.resolve('b')]), ['a', 'b']);
  });

  test("once a blob write failed, even a group that succeeds throws the writer's first failure", async () => {
    const blob = Buffer.from('layer');
    const descriptor = {
      mediaType: 'application/octet-stream',
      digest: sha256Digest(blob),
      size: blob.length,
    };
    const { writer, target } = await start([
      { method: 'HEAD', path: `/v2/app/blobs/${descriptor.digest}`, reply: { status: 400, body: 'refused' } },
    ]);
    const failure = await writer
      .ensureBlob(target('app'), { descriptor, available: true, open: () => Promise.reject(new Error('x')) })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    assert.ok(failure instanceof RegistryError);
    await assert.rejects(writer.settle([Promise.resolve(1)]), (err) => err === failure);
    // The same blob asked again is the same failed write, not a new one.
    await assert.rejects(
      writer.ensureBlob(target('app'), {
        descriptor,
        available: true,
        open: () => Promise.reject(new Error('x')),
      }),
      (err) => err === failure,
    );
    registry.done();
  });
});
