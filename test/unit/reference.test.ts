import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/errors.ts';
import {
  formatReference,
  isLoopbackRegistry,
  parseReference,
  registryApiHost,
  type ParseOptions,
} from '../../src/oci/reference.ts';

const D = `sha256:${'a'.repeat(64)}`;

const valid: { input: string; options?: ParseOptions; expected: string }[] = [
  { input: 'nginx', expected: 'docker.io/library/nginx:latest' },
  { input: 'nginx:1.25', expected: 'docker.io/library/nginx:1.25' },
  { input: 'docker.io/nginx', expected: 'docker.io/library/nginx:latest' },
  { input: 'index.docker.io/library/nginx', expected: 'docker.io/library/nginx:latest' },
  { input: 'registry-1.docker.io/foo/bar', expected: 'docker.io/foo/bar:latest' },
  { input: 'user/app', expected: 'docker.io/user/app:latest' },
  { input: 'foo:5000', expected: 'docker.io/library/foo:5000' }, // a tag, not a port: no '/' follows
  { input: 'localhost/foo', expected: 'localhost/foo:latest' },
  { input: 'localhost:5000/foo:1', expected: 'localhost:5000/foo:1' },
  { input: '127.0.0.1:5000/a/b/c:t', expected: '127.0.0.1:5000/a/b/c:t' },
  { input: '[::1]:5000/x', expected: '[::1]:5000/x:latest' },
  { input: '[2001:db8::1]/x:y', expected: '[2001:db8::1]/x:y' },
  { input: 'ghcr.io/org/app', expected: 'ghcr.io/org/app:latest' },
  { input: `ghcr.io/org/app@${D}`, expected: `ghcr.io/org/app@${D}` },
  { input: `ghcr.io/org/app:1.0@${D}`, expected: `ghcr.io/org/app:1.0@${D}` },
  { input: 'Ghcr.IO/org/app', expected: 'ghcr.io/org/app:latest' },
  { input: '  ghcr.io/org/app:v1  ', expected: 'ghcr.io/org/app:v1' },
  { input: 'quay.io/a.b/c_d/e__f/g-h---i:T_1.0-x', expected: 'quay.io/a.b/c_d/e__f/g-h---i:T_1.0-x' },
  { input: 'registry.example.com:443/team/app:latest', expected: 'registry.example.com:443/team/app:latest' },
  { input: 'my-registry/app', expected: 'docker.io/my-registry/app:latest' },
  { input: 'a/b/c/d/e', expected: 'docker.io/a/b/c/d/e:latest' },
  { input: `app:${'x'.repeat(128)}`, expected: `docker.io/library/app:${'x'.repeat(128)}` },
  { input: `app@sha512:${'b'.repeat(128)}`, expected: `docker.io/library/app@sha512:${'b'.repeat(128)}` },
  { input: 'app:v1', options: { defaultRegistry: 'ghcr.io/my-org' }, expected: 'ghcr.io/my-org/app:v1' },
  { input: 'app:v1', options: { defaultRegistry: 'ghcr.io/my-org/' }, expected: 'ghcr.io/my-org/app:v1' },
  { input: 'org/app', options: { defaultRegistry: 'ghcr.io' }, expected: 'ghcr.io/org/app:latest' },
  { input: 'app', options: { defaultRegistry: 'ghcr.io' }, expected: 'ghcr.io/app:latest' },
  { input: 'app', options: { defaultRegistry: 'docker.io' }, expected: 'docker.io/library/app:latest' },
  {
    input: 'app',
    options: { defaultRegistry: '127.0.0.1:5000/ns' },
    expected: '127.0.0.1:5000/ns/app:latest',
  },
  { input: 'quay.io/app', options: { defaultRegistry: 'ghcr.io' }, expected: 'quay.io/app:latest' },
  { input: 'app', options: { defaultTag: false }, expected: 'docker.io/library/app' },
  { input: 'app', options: { defaultTag: 'main' }, expected: 'docker.io/library/app:main' },
];

const invalid: { input: string; reason: RegExp }[] = [
  { input: '', reason: /it is empty/ },
  { input: '   ', reason: /it is empty/ },
  { input: 'https://ghcr.io/org/app', reason: /no scheme.*drop it: "ghcr.io\/org\/app"/ },
  { input: 'ghcr.io/Org/app', reason: /must be lowercase.*"ghcr.io\/org\/app"/ },
  { input: 'MyApp', reason: /must be lowercase/ },
  { input: 'ghcr.io/org//app', reason: /empty component/ },
  { input: 'ghcr.io/org/app/', reason: /empty component/ },
  { input: 'ghcr.io/', reason: /repository name is missing/ },
  { input: ':tag', reason: /repository name is missing/ },
  { input: 'ghcr.io/org/app:', reason: /tag ""/ },
  { input: 'app:-bad', reason: /tag "-bad"/ },
  { input: 'app:.bad', reason: /tag ".bad"/ },
  { input: `app:${'x'.repeat(129)}`, reason: /longer than 128/ },
  { input: 'app:a:b', reason: /"app:a" holds a ':'/ },
  { input: 'app@', reason: /'@' must be followed by a digest/ },
  { input: 'app@sha256:abc', reason: /is not a digest/ },
  { input: `app@sha256:${'A'.repeat(64)}`, reason: /exactly 64 lowercase hex/ },
  { input: `app@sha256:${'a'.repeat(65)}`, reason: /exactly 64 lowercase hex/ },
  { input: `app@md5${'a'.repeat(32)}`, reason: /is not a digest/ },
  { input: 'ghcr.io:0/app', reason: /port "0"/ },
  { input: 'ghcr.io:70000/app', reason: /port "70000"/ },
  { input: 'ghcr.io:/app', reason: /port ""/ },
  { input: 'bad_host.io/app', reason: /not a valid registry host/ },
  { input: '-x.io/app', reason: /not a valid registry host/ },
  { input: 'ghcr.io/org/a pp', reason: /white space/ },
  { input: 'ghcr.io/org/-app', reason: /"-app" is not a valid path component/ },
  { input: 'ghcr.io/org/app_', reason: /"app_" is not a valid path component/ },
  { input: 'ghcr.io/org/a..b', reason: /"a..b" is not a valid path component/ },
  { input: `ghcr.io/${'a'.repeat(250)}`, reason: /longer than 255/ },
];

describe('parseReference accepts', () => {
  for (const { input, options, expected } of valid) {
    test(`${JSON.stringify(input)}${options ? ` with ${JSON.stringify(options)}` : ''} as ${expected}`, () => {
      assert.equal(formatReference(parseReference(input, options)), expected);
    });
  }
});

describe('parseReference rejects', () => {
  for (const { input, reason } of invalid) {
    test(`${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}...` : input)}: ${reason.source}`, () => {
      assert.throws(
        () => parseReference(input),
        (err: unknown) => {
          assert.ok(err instanceof InputError, 'an InputError');
          const line = `${err.message}. ${err.hint ?? ''}`;
          assert.ok(line.includes(`"${input.trim()}"`), `quotes the input: ${line}`);
          assert.match(line, reason);
          return true;
        },
      );
    });
  }
});

test('parts are split as Docker splits them', () => {
  assert.deepEqual(parseReference(`localhost:5000/a/b:t@${D}`), {
    registry: 'localhost:5000',
    repository: 'a/b',
    tag: 't',
    digest: D,
  });
});

test('formatReference round-trips every valid reference', () => {
  for (const { input, options } of valid) {
    const formatted = formatReference(parseReference(input, options));
    assert.equal(formatReference(parseReference(formatted, { defaultTag: false })), formatted);
  }
});

test('registryApiHost sends every Docker Hub alias to registry-1.docker.io', () => {
  for (const alias of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
    assert.equal(registryApiHost(alias), 'registry-1.docker.io');
  }
  assert.equal(registryApiHost('ghcr.io'), 'ghcr.io');
  assert.equal(registryApiHost('localhost:5000'), 'localhost:5000');
});

test('isLoopbackRegistry knows loopback hosts, with or without a port', () => {
  for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:5000']) {
    assert.equal(isLoopbackRegistry(host), true, host);
  }
  for (const host of [
    'ghcr.io',
    'localhost.example.com',
    '128.0.0.1:5000',
    '[::2]:5000',
    '10.0.0.1',
    'local',
  ]) {
    assert.equal(isLoopbackRegistry(host), false, host);
  }
});

describe('references with credentials in them', () => {
  test('user:password@ before the registry is found and redacted; a digest is not credentials', async () => {
    const { referenceCredentials, redactReference } = await import('../../src/oci/reference.ts');
    assert.equal(referenceCredentials('bob:pw@ghcr.io/org/app:1'), 'bob:pw');
    assert.equal(referenceCredentials('https://bob:pw@ghcr.io/org/app'), 'bob:pw');
    assert.equal(referenceCredentials('bob@127.0.0.1:5000/app'), 'bob');
    assert.equal(referenceCredentials('ghcr.io/org/app@sha256:' + 'a'.repeat(64)), undefined);
    assert.equal(referenceCredentials('app@sha256:' + 'a'.repeat(64)), undefined);
    assert.equal(referenceCredentials('ghcr.io/org/app:1'), undefined);
    assert.equal(redactReference('bob:pw@ghcr.io/org/app:1'), '***@ghcr.io/org/app:1');
  });

  test('parseReference refuses them without echoing the password', async () => {
    const { parseReference } = await import('../../src/oci/reference.ts');
    assert.throws(
      () => parseReference('bob:hunter2@ghcr.io/org/app:1'),
      (err: Error) =>
        !err.message.includes('hunter2') &&
        /"\*\*\*@ghcr\.io\/org\/app:1" holds credentials/.test(err.message),
    );
  });
});
