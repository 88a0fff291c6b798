// Bundles the two front ends into dist/ with esbuild: dist/index.js is what GitHub runs, dist/cli.js the CLI.
import { build, type Plugin } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
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

await rm(dist, { recursive: true, force: true });
const result = await build({
  entryPoints: { index: join(root, 'src/action/index.ts'), cli: join(root, 'src/cli/index.ts') },
  outdir: dist,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  splitting: true,
  chunkNames: 'lib-[hash]',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true, // which npm packages went in: their licences go to dist/licenses.txt
  plugins: [lazyOidcClient, builtinsByRequire],
  // Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none without this.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await writeFile(join(dist, 'package.json'), '{ "type": "module" }\n');
await writeLicenses(result.metafile, join(dist, 'licenses.txt'));
