// Bundles the two front ends into dist/ with esbuild: dist/index.js is what GitHub runs, dist/cli.js the CLI.
import { build, type Metafile, type Plugin } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeLicenses } from './licenses.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

/**
 * @actions/core imports its OIDC client, and with it @actions/http-client and a whole second undici, only for
 * getIDToken(), which image-push never calls; loading them took about half of the action's start-up. This
 * stands a stub in for that module that imports the real one on the first call, into a chunk of its own.
 */
const lazyOidcClient: Plugin = {
  name: 'lazy-oidc-client',
  setup(b) {
    b.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]oidc-utils\.js$/ }, (args) => {
      if (args.suffix === '?real') return undefined; // the stub's own import: the module as it is
      return {
        resolveDir: dirname(args.path),
        loader: 'js',
        contents: [
          'export class OidcClient {',
          '  static async getIDToken(audience) {',
          "    const real = await import('./oidc-utils.js?real');",
          '    return real.OidcClient.getIDToken(audience);',
          '  }',
          '}',
        ].join('\n'),
      };
    });
  },
};

/**
 * Node's built-ins through require() instead of ESM imports: an ESM import of a built-in builds a module facade
 * that reads every export, getters included (node:crypto's webcrypto, node:util's lazy parts, node:tls's root
 * certificate list), which loaded dozens of internal modules a push never uses. require() returns the module
 * as it is, and esbuild's interop reads a property only when the code uses it.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' && args.path !== 'node:module'
        ? { path: args.path, namespace: 'builtin-require' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * undici's Client requires its HTTP/2 module, and with it node:http2 (~6 ms of every start-up here), even when no
 * connection will ever speak HTTP/2. image-push turns HTTP/2 off (see registry/transport/http.ts), so that module
 * is loaded on its first use instead, which does not come. The build fails if undici's line changes.
 */
const lazyHttp2Client: Plugin = {
  name: 'lazy-http2-client',
  setup(b) {
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const connectH2 = require('./client-h2.js')";
      if (!source.includes(eager))
        throw new Error(`${args.path} no longer has the line ${eager}: update lazyHttp2Client`);
      const lazy =
        "let connectH2Module; const connectH2 = (...args) => (connectH2Module ??= require('./client-h2.js'))(...args)";
      return { contents: source.replace(eager, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * undici's modules call node:assert's assert(value[, message]) for invariants, and nothing else of it; loading
 * node:assert (its diff and error-formatting machinery) took ~4 ms of every start-up here. They get a function
 * that throws as it does, with the same name and code, without the module.
 */
const undiciAssert: Plugin = {
  name: 'undici-assert',
  setup(b) {
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) =>
      /[\\/]node_modules[\\/]undici[\\/]/.test(args.importer)
        ? { path: 'assert', namespace: 'undici-assert' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'undici-assert' }, () => ({
      loader: 'js',
      contents: [
        'module.exports = function assert(value, message) {',
        '  if (value) return;',
        '  if (message instanceof Error) throw message;',
        "  const err = new Error(message ?? 'undici: an internal invariant failed');",
        "  err.name = 'AssertionError';",
        "  err.code = 'ERR_ASSERTION';",
        '  throw err;',
        '};',
      ].join('\n'),
    }));
  },
};

await rm(dist, { recursive: true, force: true });
// The action and the CLI are bundled apart: chunks shared by two entries multiply with every lazy import they
// have between them (28 files on a CLI push), and each file is a module to resolve, load and link at start-up.
// Apart, a CLI push loads 9 and a re-run takes 8% less time.
const fronts = { index: 'src/action/index.ts', cli: 'src/cli/index.ts' } as const;
const results = await Promise.all(
  Object.entries(fronts).map(([name, entry]) =>
    build({
      entryPoints: { [name]: join(root, entry) },
      outdir: dist,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      splitting: true,
      chunkNames: `${name === 'cli' ? 'cli' : 'action'}-[hash]`,
      legalComments: 'linked',
      logLevel: 'warning',
      metafile: true, // which npm packages went in: their licences go to dist/licenses.txt
      plugins: [lazyOidcClient, lazyHttp2Client, undiciAssert, builtinsByRequire],
      // Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none without this.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    }),
  ),
);
await writeFile(join(dist, 'package.json'), '{ "type": "module" }\n');
const inputs = Object.assign({}, ...results.map((r) => r.metafile.inputs)) as Metafile['inputs'];
const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs)) as Metafile['outputs'];
await writeLicenses({ inputs, outputs }, join(dist, 'licenses.txt'));
