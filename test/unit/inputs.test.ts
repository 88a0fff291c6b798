// readSettings: every action input, read from INPUT_* variables as the runner sets them, parsed in one place.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { readSettings } from '../../src/action/inputs.ts';
import { InputError } from '../../src/errors.ts';
import type { PushJob, Request } from '../../src/run/request.ts';
import { DEFAULT_RETRIES, DEFAULT_RETRY_TIMEOUT_SECONDS } from '../../src/registry/transport/retry-policy.ts';
import { makeTempDir } from '../helpers/tools.ts';

const INPUTS = [
  'image',
  'merge',
  'tags',
  'registry',
  'username',
  'password',
  'concurrency',
  'compression',
  'compression-level',
  'cache',
  'push-by-digest',
  'platforms',
  'annotations',
  'summary',
  'chunk-size',
  'retries',
  'retry-timeout',
  'ca-file',
  'insecure-registries',
] as const;
type Input = (typeof INPUTS)[number];

/** As the runner does: `INPUT_` and the name upper-cased, hyphens kept. */
function setInputs(inputs: Partial<Record<Input, string>>): void {
  for (const name of INPUTS) Reflect.deleteProperty(process.env, `INPUT_${name.toUpperCase()}`);
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

const minimal = { image: 'oci:./layout', tags: 'ghcr.io/org/app:1' };

function fails(inputs: Partial<Record<Input, string>>, message: RegExp): void {
  setInputs(inputs);
  assert.throws(
    () => readSettings(),
    (err: unknown) => err instanceof InputError && message.test(err.message) && Boolean(err.hint),
  );
}

afterEach(() => setInputs({}));

function pushJob(request: Request): PushJob {
  if (request.job.kind !== 'push') throw new Error(`a ${request.job.kind}, not a push`);
  return request.job;
}

describe('readSettings', () => {
  test('defaults: only image and tags set', () => {
    setInputs(minimal);
    const s = readSettings();
    assert.equal(pushJob(s).source, 'oci:./layout');
    assert.deepEqual(s.destinations, ['ghcr.io/org/app:1']);
    assert.equal(s.registry, undefined);
    assert.equal(s.credentials, undefined);
    assert.deepEqual(s.insecureRegistries, []);
    assert.equal(s.blobMap, false);
    assert.equal(pushJob(s).pushByDigest, false);
    assert.equal(s.tuning.concurrency, 4);
    assert.equal(s.tuning.compression, 'gzip');
    assert.equal(s.tuning.compressionLevel, 2);
    assert.equal(s.tuning.chunkSize, undefined);
    assert.equal(s.tuning.retryPolicy.retries, DEFAULT_RETRIES);
    assert.equal(s.tuning.retryPolicy.maxElapsedMs, DEFAULT_RETRY_TIMEOUT_SECONDS * 1000);
    assert.equal(s.tuning.ca, undefined);
    assert.deepEqual(s.tuning.platforms, []);
  });

  test('every input given', async () => {
    const dir = await makeTempDir('inputs-');
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    setInputs({
      image: 'docker-archive:app.tar',
      tags: 'ghcr.io/org/app:1\n# a comment\nghcr.io/org/app:latest, quay.io/org/app:1',
      registry: 'ghcr.io',
      username: 'bot',
      password: 'secret-password',
      concurrency: '12',
      compression: 'ZSTD',
      'compression-level': '19',
      cache: 'False',
      'push-by-digest': 'TRUE',
      platforms: 'linux/amd64\nlinux/arm/v7',
      'chunk-size': '64MiB',
      retries: '0',
      'retry-timeout': '30',
      'ca-file': ca,
      'insecure-registries': 'localhost:5000, 10.0.0.1:5000',
    });
    const s = readSettings();
    assert.equal(pushJob(s).source, 'docker-archive:app.tar');
    assert.deepEqual(s.destinations, ['ghcr.io/org/app:1', 'ghcr.io/org/app:latest', 'quay.io/org/app:1']);
    assert.equal(s.registry, 'ghcr.io');
    assert.deepEqual(s.credentials, { username: 'bot', password: 'secret-password' });
    assert.equal(s.tuning.concurrency, 12);
    assert.equal(s.tuning.compression, 'zstd');
    assert.equal(s.tuning.compressionLevel, 19);
    assert.equal(s.blobMap, false);
    assert.equal(pushJob(s).pushByDigest, true);
    assert.deepEqual(s.tuning.platforms, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    assert.equal(s.tuning.chunkSize, 64 * 1024 * 1024);
    assert.equal(s.tuning.retryPolicy.retries, 0);
    assert.equal(s.tuning.retryPolicy.maxElapsedMs, 30_000);
    assert.match(s.tuning.ca ?? '', /BEGIN CERTIFICATE/);
    assert.deepEqual(s.insecureRegistries, ['localhost:5000', '10.0.0.1:5000']);
  });

  test('merge mode: sources listed, no image', () => {
    setInputs({
      merge: 'ghcr.io/org/app@sha256:aa\nghcr.io/org/app@sha256:bb',
      tags: 'ghcr.io/org/app:1',
      // metadata-action's output: one a line, values may hold commas.
      annotations: 'index:org.opencontainers.image.description=An app, fast\n\nindex:a=b\n',
    });
    const s = readSettings();
    assert.deepEqual(s.job, {
      kind: 'merge',
      sources: ['ghcr.io/org/app@sha256:aa', 'ghcr.io/org/app@sha256:bb'],
      annotations: ['index:org.opencontainers.image.description=An app, fast', 'index:a=b'],
    });
  });

  test('annotations with an image (no merge) are refused: they would change its digest', () => {
    setInputs({ ...minimal, annotations: 'index:a=b' });
    assert.throws(readSettings, /annotations are set, but they apply only to the index a merge writes/);
  });

  test('sizes in other units; empty means one PUT per blob', () => {
    setInputs({ ...minimal, 'chunk-size': '50MB' });
    assert.equal(readSettings().tuning.chunkSize, 50_000_000);
    setInputs({ ...minimal, 'chunk-size': '' });
    assert.equal(readSettings().tuning.chunkSize, undefined);
  });

  test('each bad input is one InputError naming it, with a hint', () => {
    fails({ tags: 'a:1' }, /^neither image nor merge is set$/);
    fails({ ...minimal, merge: 'x@sha256:aa' }, /^both image and merge are set$/);
    fails({ image: 'oci:x' }, /^tags is empty$/);
    fails({ ...minimal, username: 'bot' }, /^username is set but password is empty$/);
    fails({ ...minimal, password: 'p' }, /^password is set but username is empty$/);
    fails({ ...minimal, concurrency: '0' }, /^concurrency "0" is not a whole number from 1 to 64$/);
    fails({ ...minimal, compression: 'brotli' }, /^compression "brotli" is not gzip or zstd$/);
    fails(
      { ...minimal, 'compression-level': '10' },
      /^compression-level "10" is not a gzip level from 1 to 9$/,
    );
    fails({ ...minimal, cache: 'yes' }, /^cache "yes" is not true or false$/);
    fails({ ...minimal, 'push-by-digest': '1' }, /^push-by-digest "1" is not true or false$/);
    fails({ ...minimal, platforms: 'linux' }, /^platform "linux" is not os\/architecture\[\/variant\]$/);
    fails({ ...minimal, 'chunk-size': '1k' }, /^chunk-size "1k" is smaller than 64KiB$/);
    fails({ ...minimal, 'chunk-size': '0' }, /^chunk-size "0" is zero$/);
    fails({ ...minimal, retries: '101' }, /^retries "101" is not a whole number from 0 to 100$/);
    fails({ ...minimal, 'retry-timeout': '0' }, /^retry-timeout "0" is not a whole number from 1 to 86400$/);
    fails(
      { ...minimal, 'ca-file': '/nonexistent/ca.pem' },
      /^ca-file "\/nonexistent\/ca\.pem" cannot be read \(ENOENT\)$/,
    );
  });
});
