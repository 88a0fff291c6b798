// dist/licenses.txt: every npm package esbuild bundles, with its licence text, in an order that never varies.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import {
  bundledPackageDirs,
  readPackage,
  renderLicenses,
  writeLicenses,
  type BundledPackage,
} from '../../scripts/licenses.ts';

const ROOT = join(import.meta.dirname, '../..');

const metafile = (...paths: string[]): Metafile => ({
  inputs: Object.fromEntries(paths.map((path) => [path, { bytes: 1, imports: [] }])),
  outputs: {},
});

describe('bundledPackageDirs', () => {
  test('one directory per package, nested and scoped ones included, project files left out', () => {
    const dirs = bundledPackageDirs(
      metafile(
        'src/action/main.ts',
        'node_modules/undici/lib/api/request.js',
        'node_modules/undici/index.js',
        'node_modules/@actions/core/lib/core.js',
        'node_modules/@actions/http-client/node_modules/undici/lib/core.js',
        '../shared/node_modules/tar-stream/index.js',
      ),
      '/repo/app',
    );
    assert.deepEqual(dirs, [
      '/repo/app/node_modules/@actions/core',
      '/repo/app/node_modules/@actions/http-client/node_modules/undici',
      '/repo/app/node_modules/undici',
      '/repo/shared/node_modules/tar-stream',
    ]);
  });
});

describe('renderLicenses', () => {
  const pkg = (name: string, version: string, text?: string): BundledPackage => ({
    name,
    version,
    license: 'MIT',
    text,
    author: 'A. Author',
  });

  test('sorted by name then version, each name@version once, the same whatever the input order', () => {
    const packages = [
      pkg('undici', '8.0.0', 'U8'),
      pkg('@actions/core', '3.0.0', 'C'),
      pkg('undici', '6.0.0', 'U6'),
    ];
    const text = renderLicenses([...packages, packages[0]!]);
    assert.equal(text, renderLicenses([...packages].reverse()));
    const headers = [...text.matchAll(/^(\S+@\S+) \(license: MIT\)$/gm)].map((m) => m[1]);
    assert.deepEqual(headers, ['@actions/core@3.0.0', 'undici@6.0.0', 'undici@8.0.0']);
    assert.match(text, /the 3 npm packages/);
  });

  test('a package without a licence file names its declared licence and author instead', () => {
    assert.match(
      renderLicenses([pkg('bare', '1.0.0')]),
      /ships no licence file; .* licence MIT, author A\. Author\./,
    );
  });
});

describe('readPackage and writeLicenses on real files', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'licenses-'));
    const dir = join(work, 'node_modules/@scope/pkg');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: '@scope/pkg', version: '1.2.3', license: 'ISC' }),
    );
    await writeFile(join(dir, 'LICENSE.md'), 'ISC License\r\n\r\nCopyright someone   \r\n');
    await writeFile(join(dir, 'index.js'), '');
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('reads the licence file with line ends and trailing spaces normalised', async () => {
    const pkg = await readPackage(join(work, 'node_modules/@scope/pkg'));
    assert.deepEqual(pkg, {
      name: '@scope/pkg',
      version: '1.2.3',
      license: 'ISC',
      text: 'ISC License\n\nCopyright someone',
      author: undefined,
    });
    await writeLicenses(metafile('node_modules/@scope/pkg/index.js'), join(work, 'licenses.txt'), work);
    const text = await readFile(join(work, 'licenses.txt'), 'utf8');
    assert.match(text, /@scope\/pkg@1\.2\.3 \(license: ISC\)\n=+\n\nISC License\n\nCopyright someone\n/);
    assert.doesNotMatch(text, new RegExp(work.replaceAll('/', '\\/')), 'no path of this machine');
  });
});

describe("the action's own bundle", () => {
  test('every runtime dependency is bundled and has its licence text', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'src/action/index.ts'), join(ROOT, 'src/cli/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      outdir: join(ROOT, '.tmp/licenses-test'),
      metafile: true,
      logLevel: 'error',
    });
    const packages = await Promise.all(bundledPackageDirs(result.metafile, process.cwd()).map(readPackage));
    const names = new Set(packages.map((p) => p.name));
    // The bundle is the package: runtime packages are dev dependencies (what src/ imports), none is installed.
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.equal(manifest.dependencies, undefined, 'no runtime dependency: npm install needs no registry');
    const imported = await importedPackages(join(ROOT, 'src'));
    assert.ok(imported.size >= 4, [...imported].join(', '));
    for (const name of imported) {
      assert.ok(names.has(name), `${name} is bundled`);
      assert.ok(manifest.devDependencies[name], `${name} is a dev dependency`);
    }
    for (const pkg of packages) {
      // A package may ship no licence file; then its package.json must at least declare one.
      assert.ok((pkg.text?.length ?? 0) > 100 || pkg.license !== 'UNKNOWN', `${pkg.name} has a licence`);
    }
    assert.ok(packages.filter((p) => p.text).length >= packages.length - 2, 'nearly all ship the text');
  });
});

/** The npm packages src/ imports (bare specifiers, not node: built-ins), by package name. */
async function importedPackages(dir: string): Promise<Set<string>> {
  const files = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.ts'));
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from |import\()'([^'.][^']*)'/g)) {
      if (!spec || spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}
