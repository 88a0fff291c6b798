// The one manifest parser (src/oci/manifest.ts): typed fields from manifest and index bytes, neutral errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ManifestError, manifestBlobs, parseManifest, platformOf } from '../../src/oci/manifest.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from '../../src/oci/media-types.ts';

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const config = { mediaType: OCI_CONFIG, digest: digestOf('config'), size: 10 };
const layer = { mediaType: OCI_LAYER_GZIP, digest: digestOf('layer'), size: 20 };

function bytes(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json));
}

function rejects(
  input: Buffer | string,
  reason: ManifestError['reason'],
  message: RegExp,
  mediaType = '',
): void {
  assert.throws(
    () => parseManifest(input, mediaType),
    (err: unknown) => err instanceof ManifestError && err.reason === reason && message.test(err.message),
  );
}

describe('parseManifest', () => {
  test('an OCI image manifest: config, layers, annotations, subject, the JSON kept', () => {
    const subject = { mediaType: OCI_MANIFEST, digest: digestOf('subject'), size: 5 };
    const parsed = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example',
        config,
        layers: [layer],
        subject,
        annotations: { a: 'b', n: 1 },
        extra: true,
      }),
    );
    assert.equal(parsed.kind, 'manifest');
    assert.deepEqual(parsed.config, config);
    assert.deepEqual(parsed.layers, [layer]);
    assert.deepEqual(parsed.subject, subject);
    assert.equal(parsed.artifactType, 'application/vnd.example');
    assert.deepEqual(parsed.annotations, { a: 'b' }, 'non-string annotation values are dropped');
    assert.equal(parsed.json.extra, true);
    assert.equal(parsed.declared, true);
  });

  test('an index: its entries with platforms in the OCI key order', () => {
    const entry = {
      mediaType: OCI_MANIFEST,
      digest: digestOf('amd64'),
      size: 30,
      platform: { variant: 'v8', os: 'linux', architecture: 'arm64', features: [] },
    };
    const parsed = parseManifest(bytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] }));
    assert.ok(parsed.kind === 'index');
    assert.deepEqual(parsed.manifests.at(0)?.platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
    assert.deepEqual(Object.keys(parsed.manifests.at(0)?.platform ?? {}), ['architecture', 'os', 'variant']);
  });

  test('without its own mediaType, the described one or the shape decides', () => {
    assert.equal(parseManifest(bytes({ config, layers: [] })).kind, 'manifest');
    assert.equal(parseManifest(bytes({ manifests: [] })).kind, 'index');
    const list = parseManifest(bytes({ manifests: [] }), DOCKER_MANIFEST_LIST);
    assert.equal(list.mediaType, DOCKER_MANIFEST_LIST);
    assert.equal(list.declared, false);
  });

  test('a Docker manifest without config is refused', () => {
    rejects(bytes({ mediaType: DOCKER_MANIFEST, layers: [] }), 'structure', /^has no config descriptor$/);
  });

  test('bytes that are not a JSON object', () => {
    rejects('{', 'json', /^is not valid JSON$/);
    rejects('null', 'json', /^is not a JSON object$/);
    rejects('[]', 'json', /^is not a JSON object$/);
  });

  test('a media type that contradicts the description', () => {
    rejects(
      bytes({ mediaType: OCI_INDEX, manifests: [] }),
      'media-type',
      /says it is .*index.*described as .*manifest/,
      OCI_MANIFEST,
    );
  });

  test('something that is neither manifest nor index', () => {
    rejects(
      bytes({ mediaType: 'application/vnd.example+json' }),
      'unsupported',
      /has media type "application\/vnd\.example\+json"/,
    );
    rejects(bytes({ schemaVersion: 2 }), 'unsupported', /^names no media type$/);
  });

  test('malformed descriptors name the field', () => {
    rejects(
      bytes({ mediaType: OCI_MANIFEST, config: { ...config, digest: 'md5:00' }, layers: [] }),
      'structure',
      /config with digest "md5:00"/,
    );
    rejects(
      bytes({ mediaType: OCI_MANIFEST, config, layers: [{ ...layer, size: -1 }] }),
      'structure',
      /layers\[0\] with an invalid size -1/,
    );
    rejects(bytes({ mediaType: OCI_INDEX, manifests: {} }), 'structure', /"manifests" that is not a list/);
    rejects(
      bytes({ mediaType: OCI_INDEX, manifests: ['x'] }),
      'structure',
      /manifests\[0\] that is not a descriptor/,
    );
  });
});

describe('manifestBlobs', () => {
  test('config first, foreign layers left out', () => {
    const foreign = {
      mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
      digest: digestOf('foreign'),
      size: 99,
      urls: ['https://example.invalid/layer'],
    };
    const parsed = parseManifest(bytes({ mediaType: DOCKER_MANIFEST, config, layers: [foreign, layer] }));
    assert.ok(parsed.kind === 'manifest');
    assert.deepEqual(
      manifestBlobs(parsed).map((d) => d.digest),
      [config.digest, layer.digest],
    );
  });
});

describe('platformOf', () => {
  test('needs os and architecture; drops empty fields', () => {
    assert.equal(platformOf({ os: 'linux' }), undefined);
    assert.equal(platformOf(null), undefined);
    assert.deepEqual(
      platformOf({ os: 'windows', architecture: 'amd64', 'os.version': '10.0', variant: '' }),
      {
        architecture: 'amd64',
        os: 'windows',
        'os.version': '10.0',
      },
    );
  });
});
