// Builds the CLI as one executable file (Node's single-executable applications), for the platform of the Node
// that runs this script (the release workflow: linux-x64, Node 24 from the `node` dev dependency): the CLI
// bundled into one CommonJS file (SEA runs no ES modules in Node 24), a SEA blob with its V8 code cache, and
// that blob injected with postject into a copy of this Node binary. Usage: node scripts/build-sea.ts [OUT]
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const output = resolve(process.argv[2] ?? join(root, '.tmp/sea/image-push'));
const work = join(dirname(output), 'sea-build');
/** The fuse Node's SEA loader looks for (docs: single-executable-applications). */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const started = performance.now();
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const main = join(work, 'image-push.cjs');
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: main,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  legalComments: 'none', // dist/licenses.txt ships beside the binary in the release
  logLevel: 'warning',
});
const config = join(work, 'sea-config.json');
const blob = join(work, 'sea-prep.blob');
await writeFile(
  config,
  JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }),
);
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'ignore', timeout: 120_000 });
await rm(output, { force: true });
await copyFile(process.execPath, output); // a copy: the node binary itself stays as it is
await chmod(output, 0o755);
const postject = join(root, 'node_modules/postject/dist/cli.js');
const injected = spawnSync(
  process.execPath,
  [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE],
  { encoding: 'utf8', timeout: 300_000 },
);
// LIEF warns about ELF note sections it cannot name, harmlessly: the rest of its output is kept.
const said = `${injected.stdout}${injected.stderr}`
  .split('\n')
  .filter((l) => l && !/string offset for section/.test(l));
if (injected.status !== 0)
  throw new Error(`postject failed (${injected.status ?? injected.signal}): ${said.join('\n')}`);
for (const line of said) process.stderr.write(`${line}\n`);
await rm(work, { recursive: true, force: true });
const { size } = await stat(output);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `${output}: ${(size / 2 ** 20).toFixed(0)} MiB, Node ${process.versions.node}, built in ${seconds} s\n`,
);
