// Destinations -> targets: the bare-word pitfall and the tags a push by digest would drop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { namedTags, parseTargets } from '../../src/engine/targets.ts';

describe('a bare word with a namespaced registry', () => {
  test('is refused, showing both forms the user may have meant', () => {
    assert.throws(
      () => parseTargets(['latest'], '127.0.0.1:5055/acme'),
      (err: unknown) =>
        err instanceof InputError &&
        err.message ===
          'destination "latest" names no image: with registry "127.0.0.1:5055/acme" it would push to 127.0.0.1:5055/acme/latest:latest' &&
        err.hint ===
          'for the tag latest write IMAGE:latest (app:latest pushes to 127.0.0.1:5055/acme/app:latest); for an image named latest write latest:latest',
    );
    assert.throws(() => parseTargets(['app:1', ' v2 '], 'ghcr.io/org/'), /destination "v2" names no image/);
  });

  test('IMAGE:TAG, a path, a digest, or a registry without namespace are what they say', () => {
    const target = parseTargets(['app:latest', 'app:1'], '127.0.0.1:5055/acme')[0];
    assert.ok(target);
    assert.equal(target.repository, 'acme/app');
    assert.deepEqual(target.tags, ['latest', '1']);
    assert.equal(parseTargets(['team/app'], 'ghcr.io/org')[0]?.repository, 'org/team/app');
    // No namespace: `app` with registry 127.0.0.1:5000 is the usual way to name the image.
    assert.equal(parseTargets(['app'], '127.0.0.1:5000')[0]?.repository, 'app');
    assert.equal(parseTargets(['app'], undefined)[0]?.repository, 'library/app');
  });
});

describe('tags a push by digest would drop', () => {
  test('only destinations that name a tag', () => {
    assert.deepEqual(
      namedTags(
        ['ghcr.io/org/app', 'ghcr.io/org/app:1.0', `ghcr.io/org/app@sha256:${'a'.repeat(64)}`, 'x:2'],
        'r.io',
      ),
      ['ghcr.io/org/app:1.0', 'x:2'],
    );
  });
});
