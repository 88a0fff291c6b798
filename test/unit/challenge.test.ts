import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, type Challenge } from '../../src/registry/transport/challenge.ts';

const cases: { name: string; header: string | string[] | undefined; expected: Challenge[] }[] = [
  {
    name: "Docker Hub's Bearer challenge",
    header:
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"',
    expected: [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull,push',
        },
      },
    ],
  },
  {
    name: 'GHCR insufficient_scope',
    header:
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull",error="insufficient_scope"',
    expected: [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://ghcr.io/token',
          service: 'ghcr.io',
          scope: 'repository:user/image:pull',
          error: 'insufficient_scope',
        },
      },
    ],
  },
  {
    name: 'Basic with a realm',
    header: 'Basic realm="Registry Realm"',
    expected: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
  },
  { name: 'a scheme alone', header: 'Basic', expected: [{ scheme: 'basic', params: {} }] },
  {
    name: 'scheme case',
    header: 'BEARER Realm="x"',
    expected: [{ scheme: 'bearer', params: { realm: 'x' } }],
  },
  {
    name: 'two challenges in one header',
    header: 'Basic realm="x", Bearer realm="y",service="z"',
    expected: [
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y', service: 'z' } },
    ],
  },
  {
    name: 'two header lines',
    header: ['Basic realm="a"', 'Bearer realm="b"'],
    expected: [
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'b' } },
    ],
  },
  {
    name: 'commas, equals signs and escaped quotes inside quotes',
    header: 'Bearer realm="https://h/t?a=1,b=2",note="say \\"hi\\", ok"',
    expected: [{ scheme: 'bearer', params: { realm: 'https://h/t?a=1,b=2', note: 'say "hi", ok' } }],
  },
  {
    name: 'unquoted token values and space around = and ,',
    header: 'Bearer realm = "r" , service=registry.local ,scope=x',
    expected: [{ scheme: 'bearer', params: { realm: 'r', service: 'registry.local', scope: 'x' } }],
  },
  {
    name: 'empty list elements',
    header: ', , Bearer realm="r",, ,service="s",',
    expected: [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  },
  {
    name: 'token68 then another challenge',
    header: 'Negotiate abc123==, Basic realm="r"',
    expected: [
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'r' } },
    ],
  },
  {
    name: 'the first of duplicate parameters wins',
    header: 'Bearer realm="first", realm="second"',
    expected: [{ scheme: 'bearer', params: { realm: 'first' } }],
  },
  {
    name: 'parameter names lowercased',
    header: 'Bearer REALM="r"',
    expected: [{ scheme: 'bearer', params: { realm: 'r' } }],
  },
  {
    name: 'an unterminated quote drops the parameter',
    header: 'Bearer service="s", realm="r',
    expected: [{ scheme: 'bearer', params: { service: 's' } }],
  },
  {
    name: 'garbage before a challenge',
    header: '=== "x", Basic realm="r"',
    expected: [{ scheme: 'basic', params: { realm: 'r' } }],
  },
  { name: 'no header', header: undefined, expected: [] },
  { name: 'an empty header', header: '', expected: [] },
];

for (const { name, header, expected } of cases) {
  test(`parseChallenges: ${name}`, () => {
    assert.deepEqual(parseChallenges(header), expected);
  });
}
