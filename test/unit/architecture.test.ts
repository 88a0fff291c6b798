// ARCHITECTURE.md against the tree. Its file map has a heading per folder of src/ (`src/push/`, `src/*.ts` for
// the leaves) and names each file under its folder's heading by its basename; a name with a slash is a path from
// src/ (or from the root when it starts with src/). The rule: every folder of src/ has its heading, every .ts file
// of src/ is named under its folder, every file the page names exists, and every integration test has a row in
// the tests table that lists the tools it installs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const page = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** Every file under `dir` (relative to the root, with forward slashes), and every folder. */
function walk(dir: string): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      folders.push(path);
      const inner = walk(path);
      files.push(...inner.files);
      folders.push(...inner.folders);
    } else files.push(path);
  }
  return { files, folders };
}

const exists = (path: string): boolean => {
  try {
    statSync(join(ROOT, path));
    return true;
  } catch {
    return false;
  }
};

/** `.ts` names in a line of text (globs such as `*.test.ts` are not names). */
function tsNames(line: string): string[] {
  return [...line.matchAll(/(?<![\w./*-])([\w./*-]+\.ts)\b/g)]
    .map((m) => m[1] as string)
    .filter((name) => !name.includes('*'));
}

/** The file map: the first code block after "## File map", as [folder, line] with the heading each is under. */
function fileMap(): { headings: string[]; names: { folder: string; name: string; line: string }[] } {
  const section = page.split(/^## File map$/m)[1];
  assert.ok(section, 'ARCHITECTURE.md has a "## File map" section');
  const block = /^```\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(block, 'the file map is a code block');
  const headings: string[] = [];
  const names: { folder: string; name: string; line: string }[] = [];
  let folder: string | undefined;
  for (const line of block.split('\n')) {
    const heading = /^(src\/(?:[\w-]+\/)*(?:\*\.ts)?)(?:\s|$)/.exec(line)?.[1];
    if (heading) {
      folder = heading.endsWith('*.ts') ? 'src' : heading.slice(0, -1);
      headings.push(folder);
    }
    if (folder === undefined) continue;
    for (const name of tsNames(line)) names.push({ folder, name, line });
  }
  return { headings, names };
}

/** Where a name in the map points: bare under its heading's folder, with a slash from src/ (or the root). */
function resolveInMap(folder: string, name: string): string {
  if (name.startsWith('src/')) return name;
  return name.includes('/') ? `src/${name}` : `${folder}/${name}`;
}

const src = walk('src');
const map = fileMap();

describe('ARCHITECTURE.md file map against src/', () => {
  test('every folder of src/ has its heading', () => {
    const missing = src.folders.filter((folder) => !map.headings.includes(folder));
    assert.deepEqual(
      missing,
      [],
      `folders of src/ the file map has no heading for (write "${missing[0] ?? ''}/")`,
    );
  });

  test('every heading is a folder of src/', () => {
    const gone = map.headings.filter((folder) => folder !== 'src' && !src.folders.includes(folder));
    assert.deepEqual(gone, [], 'headings of the file map that are no folder of src/');
  });

  test('every .ts file of src/ is named under its folder', () => {
    const named = new Set(map.names.map(({ folder, name }) => resolveInMap(folder, name)));
    const unnamed = src.files.filter((file) => file.endsWith('.ts') && !named.has(file));
    assert.deepEqual(
      unnamed,
      [],
      'files of src/ the file map does not name: add each under its folder\'s heading, as "  name.ts   what it does"',
    );
  });

  test('every file the map names exists', () => {
    const gone = map.names
      .filter(({ folder, name }) => !exists(resolveInMap(folder, name)))
      .map(({ folder, name, line }) => `${resolveInMap(folder, name)} (in "${line.trim()}")`);
    assert.deepEqual(gone, [], 'files the file map names that do not exist');
  });
});

describe('ARCHITECTURE.md elsewhere', () => {
  const known = new Set(
    ['src', 'test', 'scripts', 'bench'].flatMap((dir) => walk(dir).files.map((file) => basename(file))),
  );

  test('every .ts file the page names exists (a path, or the name of some file)', () => {
    const gone = page
      .split('\n')
      .flatMap(tsNames)
      .filter((name) => (name.includes('/') ? !exists(name) && !exists(`src/${name}`) : !known.has(name)));
    assert.deepEqual([...new Set(gone)], [], 'names in ARCHITECTURE.md that no file has');
  });

  test('every folder of test/ is named', () => {
    const folders = walk('test').folders.filter((folder) => dirname(folder) === 'test');
    assert.deepEqual(
      folders.filter((folder) => !page.includes(`${folder}/`)),
      [],
      'folders of test/ ARCHITECTURE.md does not name',
    );
  });

  test('every integration test has a row in the tests table, with each tool it installs', () => {
    // Table rows as their cells (Prettier pads them): [file, what it proves, tools].
    const rows = page
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const problems: string[] = [];
    for (const file of readdirSync(join(ROOT, 'test/integration')).filter((f) => f.endsWith('.test.ts'))) {
      const row = rows.find((cells) => cells[0] === file);
      if (!row) {
        problems.push(`${file}: no row "| ${file} | what it proves | tools |"`);
        continue;
      }
      const listed = (row[2] ?? '').split(/,\s*/);
      for (const tool of toolsOf(join(ROOT, 'test/integration', file)))
        if (!listed.includes(tool)) problems.push(`${file}: ${tool} is not in its row's tools`);
    }
    assert.deepEqual(
      problems,
      [],
      'integration tests missing from the tests table, or tools missing from their row',
    );
  });
});

/** The tools a test file's ensureTools calls name: its own, and those of the helpers it imports. */
function toolsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const helpers = [...text.matchAll(/from '(\.\.\/helpers\/[\w-]+\.ts)'/g)].map((m) =>
    readFileSync(join(dirname(file), m[1] as string), 'utf8'),
  );
  return [text, ...helpers].flatMap((code) =>
    [...code.matchAll(/ensureTools\(\[([^\]]*)\]\)/g)].flatMap((call) =>
      [...(call[1] ?? '').matchAll(/'([\w-]+)'/g)].map((m) => m[1] as string),
    ),
  );
}
