// Collects the licence of every npm package esbuild put into dist/, into dist/licenses.txt: the bundle carries
// their code, so it must carry their licences. Called by scripts/build.ts with the build's metafile.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';

export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  /** The SPDX expression from package.json. */
  readonly license: string;
  /** The text of the package's licence file; undefined when the package ships none. */
  readonly text: string | undefined;
  /** package.json's author, to name the holder when there is no licence file. */
  readonly author: string | undefined;
}

// The last node_modules/<name> (or node_modules/@scope/<name>) of a path: the package the file belongs to.
const PACKAGE_DIR = /(?:^|[/\\])node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+(?=[/\\])/g;
const LICENSE_FILE = /^(?:licen[cs]e|copying)(?:[.-].*)?$/i;

/** The package directories of every bundled input, absolute, each once, sorted. */
export function bundledPackageDirs(metafile: Metafile, cwd: string): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = [...input.matchAll(PACKAGE_DIR)].at(-1);
    if (match) dirs.add(resolve(cwd, input.slice(0, match.index + match[0].length)));
  }
  return [...dirs].sort();
}

export async function readPackage(dir: string): Promise<BundledPackage> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    license?: string | { type?: string };
    author?: string | { name?: string };
  };
  const licenseFiles = (await readdir(dir)).filter((name) => LICENSE_FILE.test(name)).sort();
  const texts = await Promise.all(licenseFiles.map((name) => readFile(join(dir, name), 'utf8')));
  const license = typeof manifest.license === 'string' ? manifest.license : manifest.license?.type;
  const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
  return {
    name: manifest.name ?? dir,
    version: manifest.version ?? 'unknown',
    license: license ?? 'UNKNOWN',
    text: texts.length > 0 ? texts.map(normalise).join('\n\n') : undefined,
    author,
  };
}

const normalise = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();

const RULE = '='.repeat(80);

/** The text of dist/licenses.txt: one section per package@version, by name then version, nothing else. */
export function renderLicenses(packages: readonly BundledPackage[]): string {
  const unique = new Map<string, BundledPackage>();
  for (const pkg of packages) unique.set(`${pkg.name}@${pkg.version}`, pkg);
  const sorted = [...unique.values()].sort(
    (a, b) => compare(a.name, b.name) || compare(a.version, b.version),
  );
  const sections = sorted.map((pkg) => {
    const body =
      pkg.text ??
      `The package ships no licence file; its package.json declares the licence ${pkg.license}` +
        (pkg.author ? `, author ${pkg.author}.` : '.');
    return `${RULE}\n${pkg.name}@${pkg.version} (license: ${pkg.license})\n${RULE}\n\n${body}\n`;
  });
  return [
    `image-push's dist/ bundles code from the ${sorted.length} npm packages below; their licences follow.`,
    'Written by scripts/licenses.ts when dist/ is built: do not edit.',
    '',
    ...sections,
  ].join('\n');
}

// Code-point order, not the locale's: the file must be the same on every machine.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Writes dist/licenses.txt for the packages in `metafile` (paths relative to `cwd`, as esbuild writes them). */
export async function writeLicenses(metafile: Metafile, outFile: string, cwd = process.cwd()): Promise<void> {
  const packages = await Promise.all(bundledPackageDirs(metafile, cwd).map(readPackage));
  await writeFile(outFile, renderLicenses(packages));
}
