// The merge's pure index builder: the same children always give the same bytes, and what cannot be one index
// is refused with one line.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../../src/oci/media-types.ts';
import { buildIndex, indexSettings, type IndexChild } from '../../src/oci/index-builder.ts';

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function child(name: string, arch: string, details: Partial<IndexChild> = {}): IndexChild {
  return {
    source: `reg/app@${name}`,
    descriptor: { mediaType: DOCKER_MANIFEST, digest: digestOf(name), size: name.length * 100 },
    platform: { architecture: arch, os: 'linux' },
    annotations: undefined,
    attestation: false,
    ...details,
  };
}

const auto = indexSettings(undefined, undefined);

describe('buildIndex', () => {
  test('Docker children: a manifest list, bytes fixed by the children and their order', () => {
    const built = buildIndex([child('a', 'amd64'), child('b', 'arm64')], auto);
    assert.equal(built.docker, true);
    assert.equal(built.descriptor.mediaType, DOCKER_MANIFEST_LIST);
    assert.equal(built.descriptor.digest, sha256Digest(built.bytes));
    assert.equal(built.descriptor.size, built.bytes.length);
    assert.equal(
      built.bytes.toString(),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST_LIST,
        manifests: [
          {
            mediaType: DOCKER_MANIFEST,
            digest: digestOf('a'),
            size: 100,
            platform: { architecture: 'amd64', os: 'linux' },
          },
          {
            mediaType: DOCKER_MANIFEST,
            digest: digestOf('b'),
            size: 100,
            platform: { architecture: 'arm64', os: 'linux' },
          },
        ],
      }),
    );
    const again = buildIndex([child('a', 'amd64'), child('b', 'arm64')], auto);
    assert.equal(again.descriptor.digest, built.descriptor.digest);
    const swapped = buildIndex([child('b', 'arm64'), child('a', 'amd64')], auto);
    assert.notEqual(swapped.descriptor.digest, built.descriptor.digest);
  });

  test('an OCI child, format oci, or index annotations make an OCI index', () => {
    const oci = child('o', 'arm64', {
      descriptor: { mediaType: OCI_MANIFEST, digest: digestOf('o'), size: 1 },
    });
    assert.equal(buildIndex([child('a', 'amd64'), oci], auto).descriptor.mediaType, OCI_INDEX);
    assert.equal(
      buildIndex([child('a', 'amd64')], indexSettings('oci', undefined)).descriptor.mediaType,
      OCI_INDEX,
    );
    const annotated = buildIndex([child('a', 'amd64')], indexSettings('auto', { z: '1', a: '2' }));
    assert.equal(annotated.descriptor.mediaType, OCI_INDEX);
    assert.ok(annotated.bytes.toString().endsWith('"annotations":{"a":"2","z":"1"}}'), 'keys sorted');
  });

  test('child annotations only in an OCI index', () => {
    const c = child('a', 'amd64', { annotations: { note: 'x' } });
    assert.ok(!buildIndex([c], auto).bytes.toString().includes('note'));
    assert.ok(
      buildIndex([c], indexSettings('oci', undefined))
        .bytes.toString()
        .includes('"annotations":{"note":"x"}'),
    );
  });

  test('the same manifest twice is listed once', () => {
    const built = buildIndex([child('a', 'amd64'), child('a', 'amd64'), child('b', 'arm64')], auto);
    assert.equal(built.children.length, 2);
  });

  test('two images of one platform are refused, naming both; arm64 and arm64/v8 are one platform', () => {
    assert.throws(
      () => buildIndex([child('a', 'amd64'), child('b', 'amd64')], auto),
      (err: unknown) =>
        err instanceof InputError &&
        /reg\/app@a .* and reg\/app@b .* are both linux\/amd64/.test(err.message),
    );
    assert.throws(
      () =>
        buildIndex(
          [
            child('a', 'arm64'),
            child('b', 'arm64', { platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
          ],
          auto,
        ),
      /are both linux\/arm64\/v8/,
    );
  });

  test('attestations may share a platform', () => {
    const unknown = { architecture: 'unknown', os: 'unknown' };
    const built = buildIndex(
      [
        child('a', 'amd64'),
        child('att-a', 'x', { platform: unknown, attestation: true }),
        child('att-b', 'x', { platform: unknown, attestation: true }),
      ],
      indexSettings('oci', undefined),
    );
    assert.equal(built.children.length, 3);
  });

  test('format docker with an OCI child is refused', () => {
    const oci = child('o', 'arm64', {
      descriptor: { mediaType: OCI_MANIFEST, digest: digestOf('o'), size: 1 },
    });
    assert.throws(
      () => buildIndex([oci], indexSettings('docker', undefined)),
      (err: unknown) =>
        err instanceof InputError &&
        /^format docker was asked for, but reg\/app@o/.test(err.message) &&
        /use format oci or auto/.test(err.hint ?? ''),
    );
  });
});

describe('indexSettings', () => {
  test('checks format and annotations', () => {
    assert.throws(() => indexSettings('zip', undefined), /format "zip" is not one of auto, oci, docker/);
    assert.throws(
      () => indexSettings('docker', { a: 'b' }),
      /a Docker manifest list cannot hold annotations/,
    );
    assert.throws(() => indexSettings('oci', { '': 'b' }), /needs a non-empty key/);
    assert.deepEqual(indexSettings(undefined, {}), { format: 'auto', annotations: undefined });
  });
});
