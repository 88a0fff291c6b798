// The tag policy: with overwrite: false no tag that holds another image moves (checked before any upload, and
// again against the pushed digest), a tag already on the pushed digest costs no PUT, and a registry's refusal
// to move an immutable tag is explained.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.ts';
import { OCI_MANIFEST } from '../../src/oci/media-types.ts';
import type { RegistryView, TagState } from '../../src/push/reuse.ts';
import type { Target } from '../../src/engine/session.ts';
import { checkTagsBeforeUpload, tagAction } from '../../src/push/tags.ts';
import { putTag } from '../../src/registry/manifests.ts';
import type { RegistryClient } from '../../src/registry/transport/client.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { scriptedClient, type ScriptedClient } from '../helpers/scripted-client.ts';
import { startScripted, type ScriptedServer } from '../helpers/scripted-server.ts';

const d = (name: string): string => sha256Digest(Buffer.from(name));
/** The policy checks never touch the client: none is needed but where a tag is put. */
const NO_CLIENT = Object.create(null) as RegistryClient;
const target = (repository: string, tags: string[], client = NO_CLIENT): Target => ({
  registry: 'reg.test',
  repository,
  tags,
  digests: [],
  references: [],
  client,
});
const view = (tags: Record<string, TagState>): RegistryView => ({
  pairings: new Map(),
  tags: new Map(Object.entries(tags)),
});
const refused = (tag: string, held: string, pushed: string): RegExp =>
  new RegExp(
    `^RegistryError: reg\\.test/app:${tag} holds ${held}, not the pushed ${pushed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, and overwrite is false$`,
  );

describe('tagAction', () => {
  const app = target('app', ['v1']);

  test('a tag holding the pushed digest needs no PUT, whatever overwrite says', () => {
    const held = view({ 'reg.test/app:v1': { digest: d('m'), configDigest: d('c') } });
    assert.equal(tagAction(held, app, 'v1', d('m'), false), 'unchanged');
    assert.equal(tagAction(held, app, 'v1', d('m'), true), 'unchanged');
  });

  test('an absent tag is put', () => {
    assert.equal(tagAction(view({}), app, 'v1', d('m'), false), 'put');
    const other = view({ 'reg.test/other:v1': { digest: d('x'), configDigest: undefined } });
    assert.equal(tagAction(other, app, 'v1', d('m'), false), 'put', 'another repository');
    const otherTag = view({ 'reg.test/app:v2': { digest: d('x'), configDigest: undefined } });
    assert.equal(tagAction(otherTag, app, 'v1', d('m'), false), 'put', 'another tag');
  });

  test('a tag holding another digest moves with overwrite, and is refused without it, even with the same config', () => {
    const held = view({ 'reg.test/app:v1': { digest: d('old'), configDigest: d('c') } });
    assert.equal(tagAction(held, app, 'v1', d('new'), true), 'put');
    assert.throws(
      () => tagAction(held, app, 'v1', d('new'), false),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.match(String(err), refused('v1', d('old'), d('new')));
        assert.equal(
          err.hint,
          'push under a new tag, or let the tag move (the action: overwrite: true, its default; the CLI: leave out --no-overwrite)',
        );
        return true;
      },
    );
  });
});

describe('checkTagsBeforeUpload', () => {
  const app = target('app', ['v1', 'v2']);

  test('a known manifest digest: only tags on another digest are refused', () => {
    const held = view({ 'reg.test/app:v1': { digest: d('m'), configDigest: undefined } });
    checkTagsBeforeUpload(held, [app], { digest: d('m'), configDigest: undefined });
    checkTagsBeforeUpload(view({}), [app], { digest: d('m'), configDigest: undefined });
    const moved = view({ 'reg.test/app:v2': { digest: d('old'), configDigest: undefined } });
    assert.throws(
      () => checkTagsBeforeUpload(moved, [app], { digest: d('m'), configDigest: d('c') }),
      refused('v2', d('old'), d('m')),
    );
  });

  test('a manifest built at push time: another config is another image; the same config passes (checked later)', () => {
    const held = view({ 'reg.test/app:v1': { digest: d('m'), configDigest: d('c') } });
    checkTagsBeforeUpload(held, [app], { digest: undefined, configDigest: d('c') });
    assert.throws(
      () => checkTagsBeforeUpload(held, [app], { digest: undefined, configDigest: d('other') }),
      refused('v1', d('m'), `image (config ${d('other')})`),
    );
    const index = view({ 'reg.test/app:v1': { digest: d('index'), configDigest: undefined } });
    assert.throws(
      () => checkTagsBeforeUpload(index, [app], { digest: undefined, configDigest: d('c') }),
      refused('v1', d('index'), `image (config ${d('c')})`),
      'a tag holding an index (no config) is another image',
    );
  });

  test('an image whose config is unknown is named as such', () => {
    const held = view({ 'reg.test/app:v1': { digest: d('m'), configDigest: d('c') } });
    assert.throws(
      () => checkTagsBeforeUpload(held, [app], { digest: undefined, configDigest: undefined }),
      refused('v1', d('m'), 'image (config ?)'),
    );
  });

  test('every tag of every target is checked', () => {
    const second = target('second', ['a', 'b']);
    const held = view({ 'reg.test/second:b': { digest: d('old'), configDigest: undefined } });
    assert.throws(
      () => checkTagsBeforeUpload(held, [app, second], { digest: d('m'), configDigest: undefined }),
      /reg\.test\/second:b holds/,
    );
  });
});

describe('putTag', () => {
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }));
  const descriptor = { mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length };
  let registry: ScriptedServer;
  const opened: { server: ScriptedServer; session: ScriptedClient }[] = [];

  afterEach(async () => {
    for (const { server, session } of opened.splice(0)) {
      await session.close();
      await server.close();
    }
  });

  const start = async (status: number, body: object | string): Promise<Target> => {
    registry = await startScripted([
      { method: 'GET', path: '/v2/', reply: { status: 200 } },
      {
        method: 'PUT',
        path: '/v2/app/manifests/v1',
        reply: { status, body, headers: status < 300 ? { 'docker-content-digest': descriptor.digest } : {} },
      },
    ]);
    const session = scriptedClient(registry.host, {
      retryPolicy: { retries: 0, maxElapsedMs: 1000, baseDelayMs: 1, maxDelayMs: 1 },
    });
    opened.push({ server: registry, session });
    return { ...target('app', ['v1']), registry: registry.host, client: session.client };
  };

  test('puts the exact bytes under the tag', async () => {
    await putTag((await start(201, '')).client, 'app', 'v1', descriptor, manifest);
    registry.done();
    assert.deepEqual(registry.requests[1]?.body, manifest);
    assert.equal(registry.requests[1].headers['content-type'], OCI_MANIFEST);
  });

  for (const [status, message] of [
    [
      400,
      "The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable.",
    ],
    [403, 'tag is immutable'],
    [409, 'artifact already exists'],
    [412, 'tag v1 is IMMUTABLE'],
  ] as const) {
    test(`a ${status} that says the tag is immutable is explained`, async () => {
      const t = await start(status, { errors: [{ code: 'TAG_INVALID', message }] });
      await assert.rejects(putTag(t.client, 'app', 'v1', descriptor, manifest), (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.match(
          err.message,
          new RegExp(`^${registry.host}/app:v1 is an immutable tag: the registry refuses to move it \\(`),
        );
        assert.match(
          err.hint ?? '',
          /^push under a new tag \(e\.g\. the commit SHA\), or make the repository's tags mutable/,
        );
        assert.equal(err.status, status);
        assert.deepEqual(err.codes, ['TAG_INVALID']);
        assert.ok(err.cause instanceof RegistryError);
        return true;
      });
    });
  }

  test('other refusals are passed on as they are', async () => {
    const t = await start(400, { errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }] });
    await assert.rejects(putTag(t.client, 'app', 'v1', descriptor, manifest), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.doesNotMatch(err.message, /immutable/);
      assert.match(err.message, /MANIFEST_INVALID/);
      return true;
    });
    const denied = await start(401, { errors: [{ code: 'UNAUTHORIZED', message: 'tag is immutable' }] });
    await assert.rejects(putTag(denied.client, 'app', 'v1', descriptor, manifest), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.doesNotMatch(err.message, /is an immutable tag/, 'a 401 is not about immutability');
      return true;
    });
  });
});
