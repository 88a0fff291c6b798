// Annotation lines in the grammar docker/metadata-action and buildx write, and how a merge applies them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeError } from '../../src/errors.ts';
import { parseAnnotations } from '../../src/oci/annotations.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { OCI_MANIFEST } from '../../src/oci/media-types.ts';
import { applyMergeAnnotations } from '../../src/push/merge-annotations.ts';
import type { SourceChild } from '../../src/source/merge-sources.ts';

describe('parsing annotation lines', () => {
  test('types, platforms, several types at once, bare keys, values with = and commas', () => {
    const parsed = parseAnnotations([
      'index:org.opencontainers.image.title=app',
      'manifest-descriptor[linux/arm/v7]:k=a=b, c',
      'index,manifest:both=1',
      'bare=x',
      '   ',
    ]);
    assert.deepEqual(
      parsed.map((a) => [a.level, a.platform, a.key, a.value]),
      [
        ['index', undefined, 'org.opencontainers.image.title', 'app'],
        ['manifest-descriptor', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'k', 'a=b, c'],
        ['index', undefined, 'both', '1'],
        ['manifest', undefined, 'both', '1'],
        ['manifest', undefined, 'bare', 'x'],
      ],
    );
  });

  for (const [line, pattern] of [
    ['no-equals', /annotation "no-equals" has no "="/],
    ['layer:k=v', /"layer" is not an annotation type/],
    ['index[linux]:k=v', /platform "linux" is not os\/architecture/],
    ['index:=v', /has an empty key/],
  ] as const) {
    test(`"${line}" is one clear input error`, () => {
      assert.throws(
        () => parseAnnotations([line]),
        (err: unknown) => pattern.test(describeError(err)),
      );
    });
  }
});

function child(architecture: string, annotations?: Record<string, string>): SourceChild {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'1'.repeat(64)}`,
        size: 2,
      },
      layers: [],
      ...(annotations ? { annotations } : {}),
    }),
  );
  return {
    source: `r/app@${architecture}`,
    descriptor: { mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), size: bytes.length },
    platform: { architecture, os: 'linux' },
    annotations: undefined,
    attestation: false,
    registry: 'r',
    repository: 'app',
    bytes,
    blobs: [],
  };
}

describe('applying them to a merge', () => {
  test('a manifest: annotation every image already carries is accepted and changes nothing', () => {
    const children = [child('amd64', { a: '1' }), child('arm64', { a: '1' })];
    const result = applyMergeAnnotations(
      children,
      parseAnnotations(['manifest:a=1', 'index:t=x']),
      undefined,
    );
    assert.deepEqual(result.children, children);
    assert.deepEqual(result.index, { t: 'x' });
    assert.equal(result.descriptors, false);
  });

  test('one image without it: refused, naming that image', () => {
    const children = [child('amd64', { a: '1' }), child('arm64')];
    assert.throws(
      () => applyMergeAnnotations(children, parseAnnotations(['a=1']), undefined),
      (err: unknown) =>
        /the linux\/arm64 image sha256:\w+ \(r\/app@arm64\) does not carry it/.test(describeError(err)),
    );
  });

  test('index-descriptor has nothing to go on in a merge', () => {
    assert.throws(
      () => applyMergeAnnotations([child('amd64')], parseAnnotations(['index-descriptor:k=v']), undefined),
      (err: unknown) => /index-descriptor annotations .*use index:/.test(describeError(err)),
    );
  });
});
