// The esbuild plugins of image-push's bundles, shared by scripts/build.ts and the bench's floors (which must be
// bundled the same way to be a fair floor).
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * @actions/core imports its OIDC client, and with it @actions/http-client and a whole second undici, only for
 * getIDToken(), which image-push never calls; loading them took about half of the action's start-up. This
 * stands a stub in for that module that imports the real one on the first call, into a chunk of its own.
 */
export const lazyOidcClient: Plugin = {
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
export const builtinsByRequire: Plugin = {
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
export const lazyHttp2Client: Plugin = {
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
export const undiciAssert: Plugin = {
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

/** Every plugin, in the order the bundles take them. */
export const bundlePlugins: Plugin[] = [lazyOidcClient, lazyHttp2Client, undiciAssert, builtinsByRequire];

/** Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none without this. */
export const requireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
