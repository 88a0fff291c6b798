// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, top to bottom: front ends (action/, cli/, options.ts) -> run/ (the request and the one run both
 * front ends call) -> report/ -> push/ (the planners) ->
 * engine/ (the writer) and source/ -> registry/, cache/, compress/ -> oci/ -> the leaves in src/*.ts. Each
 * layer imports only from below it.
 */
const folder = (name) => [`**/${name}/*`, `**/${name}/**`];
const layer = (files, forbidden, message, more = []) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: forbidden.flat(Infinity), message }, ...more] }],
  },
});
/** What every layer below the front ends must not import: the front ends, and run/ right under them. */
const FRONT = [folder('action'), folder('cli'), '**/options.ts', folder('run')];
const ABOVE_REGISTRY = [
  FRONT,
  folder('report'),
  folder('push'),
  folder('engine'),
  folder('source'),
  folder('cache'),
  folder('compress'),
];
const layers = [
  layer(['src/action/**'], [folder('cli')], 'the front ends do not import each other'),
  layer(['src/cli/**'], [folder('action')], 'the front ends do not import each other'),
  layer(
    ['src/run/**'],
    [folder('action'), folder('cli'), '**/options.ts', folder('report')],
    'run/ is below the front ends and knows nothing of the report',
  ),
  layer(
    ['src/report/**'],
    [
      FRONT,
      folder('source'),
      folder('registry'),
      folder('cache'),
      folder('compress'),
      folder('push'),
      folder('engine'),
      '!**/engine/result.ts',
    ],
    'report/ reads engine/result.ts and oci/ only',
  ),
  layer(['src/push/**'], [FRONT, folder('report')], 'push/ knows nothing of the front ends or the report'),
  layer(
    ['src/engine/**'],
    [FRONT, folder('report'), folder('push'), folder('source'), folder('compress')],
    'engine/ (the writer) imports no planner (push/), front end, report or source',
  ),
  layer(
    ['src/source/**'],
    [FRONT, folder('report'), folder('push'), folder('engine'), folder('cache')],
    'source/ sits below push/',
  ),
  layer(['src/registry/**'], ABOVE_REGISTRY, 'registry/ knows only oci/ and the leaves'),
  // registry/ has floors: transport/ (HTTP, auth, retries, errors) under the resource API in registry/*.ts
  // (blobs, manifests, uploads, connect.ts); credentials/ (the Docker config) reads transport/'s types only.
  layer(['src/registry/transport/**'], ABOVE_REGISTRY, 'registry/ knows only oci/ and the leaves', [
    {
      regex: '^\\.\\./(?!\\.\\./)',
      message:
        'registry/transport/ is the bottom floor: it imports neither the resource API nor credentials/',
    },
  ]),
  layer(['src/registry/credentials/**'], ABOVE_REGISTRY, 'registry/ knows only oci/ and the leaves', [
    {
      regex: '^\\.\\./(?!\\.\\./|transport/)',
      message: 'registry/credentials/ reads transport/ only, not the resource API above it',
    },
  ]),
  layer(
    ['src/cache/**', 'src/compress/**'],
    [FRONT, folder('report'), folder('push'), folder('engine'), folder('source'), folder('registry')],
    'cache/ and compress/ know only oci/ and the leaves',
  ),
  layer(
    ['src/oci/**'],
    [
      FRONT,
      folder('report'),
      folder('push'),
      folder('engine'),
      folder('source'),
      folder('registry'),
      folder('cache'),
      folder('compress'),
    ],
    'oci/ is the bottom model: it knows only the leaves',
  ),
  layer(
    ['src/*.ts'],
    [
      folder('run'),
      folder('report'),
      folder('push'),
      folder('engine'),
      folder('source'),
      folder('registry'),
      folder('cache'),
      folder('compress'),
      folder('oci'),
    ],
    'the leaves in src/*.ts import no folder of src/',
  ),
  layer(['src/options.ts'], [folder('action'), folder('cli')], 'options.ts is shared by both front ends'),
];

/**
 * Every registry URL (`/v2/...`) is built in registry/: the rest of src/ reads and writes registries through
 * its functions (readBlob, getManifest, loadRegistryImage...), so a cut download resumes and a missing
 * manifest reads the same wherever it happens. test/unit/lint-rules.test.ts proves the rule fires.
 */
export const registryUrlsStayInRegistry = {
  files: ['src/**/*.ts'],
  ignores: ['src/registry/**'],
  rules: {
    'no-restricted-syntax': [
      'error',
      ...['Literal[value=/\\/v2\\//]', 'TemplateElement[value.raw=/\\/v2\\//]'].map((selector) => ({
        selector,
        message:
          'a /v2/ URL outside src/registry/: read or write the registry through registry/ (blobs.ts, manifests.ts)',
      })),
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', '.tmp/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // bench/warm-floor.mjs is plain JavaScript on purpose (it measures Node without type stripping).
        projectService: { allowDefaultProject: ['bench/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `() => resolve()` and `(x) => log(x)` read well; the rule would force braces on every callback.
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['test/**', 'scripts/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  ...layers,
  registryUrlsStayInRegistry,
  { files: ['eslint.config.js', 'stryker.config.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bench/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly' } },
  },
);
