// Bundles the two front ends into dist/ with esbuild: dist/index.js is what GitHub runs, dist/cli.js the CLI.
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLicenses } from './licenses.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

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
  // Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none without this.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await writeFile(join(dist, 'package.json'), '{ "type": "module" }\n');
await writeLicenses(result.metafile, join(dist, 'licenses.txt'));
