// The registry and insecure-registries inputs as users write them, and the plain-HTTP policy they feed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeError, InputError } from '../../src/errors.ts';
import { isListedInsecure, parseRegistrySettings } from '../../src/oci/reference.ts';
import { OriginPolicy } from '../../src/registry/transport/origin.ts';

describe('parseRegistrySettings: forms users write', () => {
  const accepted: [string, string | undefined, string[], string | undefined, string[], RegExp | undefined][] =
    [
      // name, registry input, insecure input, registry out, insecure out, note
      ['plain host:port', 'localhost:5000', ['myreg:5000'], 'localhost:5000', ['myreg:5000'], undefined],
      [
        'a scheme on the registry (port "" before)',
        'http://127.0.0.1:5501',
        [],
        '127.0.0.1:5501',
        [],
        /registry "http:\/\/127\.0\.0\.1:5501" read as "127\.0\.0\.1:5501": the scheme is chosen by the client/,
      ],
      ['a namespace on the registry', 'ghcr.io/org/', [], 'ghcr.io/org', [], /read as "ghcr\.io\/org"$/],
      [
        'http:// and a trailing slash on an entry',
        undefined,
        ['http://reg.example:5000', 'https://other.example:443/'],
        undefined,
        ['reg.example:5000', 'other.example:443'],
        /insecure-registries entry "http:\/\/reg\.example:5000" read as "reg\.example:5000"/,
      ],
      ['a host without a port', undefined, ['Reg.Example'], undefined, ['reg.example'], undefined],
      ['empty entries are skipped', '', ['', ' '], undefined, [], undefined],
    ];
  for (const [name, registry, insecure, wantRegistry, wantInsecure, note] of accepted) {
    test(name, () => {
      const got = parseRegistrySettings(registry, insecure);
      assert.equal(got.registry, wantRegistry);
      assert.deepEqual(got.insecureRegistries, wantInsecure);
      if (note)
        assert.ok(
          got.notes.some((n) => note.test(n)),
          `a note matches ${String(note)}: ${got.notes.join(' | ')}`,
        );
      else assert.deepEqual(got.notes, []);
    });
  }

  const refused: [string, string | undefined, string[], RegExp][] = [
    [
      'a wildcard',
      undefined,
      ['*'],
      /^insecure-registries entry "\*": wildcards are not supported\. list each registry/,
    ],
    [
      'a path in an entry',
      undefined,
      ['reg.example:5000/v2/'],
      /^insecure-registries entry "reg\.example:5000\/v2\/" holds a path\. list the registry host only: "reg\.example:5000"$/,
    ],
    [
      'another scheme',
      'ftp://reg.example',
      [],
      /^registry "ftp:\/\/reg\.example": "ftp:\/\/" is not a registry scheme/,
    ],
    ['an empty port', 'reg.example:', [], /^registry "reg\.example:": port "" is not from 1 to 65535/],
    ['a bad host', undefined, ['reg_example'], /is not a valid registry host/],
  ];
  for (const [name, registry, insecure, pattern] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => parseRegistrySettings(registry, insecure),
        (err: unknown) => err instanceof InputError && pattern.test(describeError(err)),
      );
    });
  }
});

describe('plain-HTTP policy', () => {
  test('an entry without a port covers every port of its host; with a port, that port only', () => {
    assert.ok(isListedInsecure('reg.example:5000', ['reg.example']));
    assert.ok(isListedInsecure('reg.example', ['reg.example']));
    assert.ok(!isListedInsecure('reg.example:5000', ['reg.example:5001']));
    assert.ok(!isListedInsecure('other.example:5000', ['reg.example']));
  });

  test('HTTPS everywhere but loopback and listed registries', () => {
    assert.deepEqual(new OriginPolicy('ghcr.io', []).candidates, ['https://ghcr.io']);
    assert.deepEqual(new OriginPolicy('localhost:5000', []).candidates, [
      'http://localhost:5000',
      'https://localhost:5000',
    ]);
    assert.deepEqual(new OriginPolicy('reg.example:5000', ['reg.example']).candidates, [
      'https://reg.example:5000',
      'http://reg.example:5000',
    ]);
  });

  const moves: [string, string, string, boolean][] = [
    ['HTTPS to HTTPS on another host (object storage)', 'https://reg.example', 'https://s3.example/x', true],
    ['HTTPS to plain HTTP', 'https://reg.example', 'http://reg.example/x', false],
    ['HTTPS to plain HTTP on loopback', 'https://reg.example', 'http://127.0.0.1:9/x', true],
    ['HTTPS to plain HTTP on a listed host', 'https://reg.example', 'http://listed.example/x', true],
    ['to another scheme', 'https://reg.example', 'ftp://reg.example/x', false],
    ['to a file', 'https://reg.example', 'file:///etc/passwd', false],
  ];
  const policy = new OriginPolicy('reg.example', ['listed.example']);
  for (const [name, from, to, allowed] of moves) {
    test(`${allowed ? 'allows' : 'refuses'} ${name}`, () => {
      const move = (): void => policy.checkMove('x', new URL(from), new URL(to));
      if (allowed) move();
      else assert.throws(move, /refused|not an http\(s\) URL/);
    });
  }
});
