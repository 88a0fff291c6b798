// The lint rule that keeps every registry URL in src/registry/ fires where it should and nowhere else: run on
// code that builds a /v2/ URL, as if it sat in each folder of src/.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// The config is plain JavaScript without types: imported by a path TypeScript does not resolve, then typed.
const configPath = '../../eslint.config.js';
const { default: config, registryUrlsStayInRegistry } = (await import(configPath)) as {
  default: Linter.Config[];
  registryUrlsStayInRegistry: Linter.Config;
};

const CODE = [
  "export const plain = '/v2/';",
  'export const template = (repo: string, digest: string): string => `/v2/${repo}/blobs/${digest}`;',
  'export const tail = (base: string): string => `${base}/v2/`;',
  "export const unrelated = 'Docker v2 schema 2 /v1/ v2/';",
].join('\n');

function lint(filename: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(
    CODE,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, registryUrlsStayInRegistry],
    filename,
  );
}

describe('no /v2/ URL outside src/registry/', () => {
  test('the rule is part of the config `npm run lint` uses', () => {
    assert.ok(config.includes(registryUrlsStayInRegistry));
  });

  for (const folder of ['src/push', 'src/source', 'src/engine', 'src/action', 'src']) {
    test(`fires on each /v2/ literal in ${folder}/`, () => {
      const messages = lint(`${folder}/example.ts`);
      assert.deepEqual(
        messages.map((m) => [m.ruleId, m.line]),
        [
          ['no-restricted-syntax', 1],
          ['no-restricted-syntax', 2],
          ['no-restricted-syntax', 3],
        ],
        JSON.stringify(messages),
      );
      assert.match(messages[0]?.message ?? '', /outside src\/registry\//);
    });
  }

  for (const file of [
    'src/registry/blobs.ts',
    'src/registry/transport/http.ts',
    'test/helpers/registry.ts',
  ]) {
    test(`stays quiet in ${file}`, () => {
      assert.deepEqual(lint(file), []);
    });
  }
});
