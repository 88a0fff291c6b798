// The README's inputs/outputs tables come from action.yml: the parser, the renderer and the repository's own README.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  END,
  START,
  expectedReadme,
  parseActionYaml,
  renderActionDocs,
  replaceBetweenMarkers,
} from '../../scripts/action-docs.ts';

const ROOT = join(import.meta.dirname, '../..');

const SAMPLE = `name: sample
description: A sample action: colons stay in plain values.
author: someone # a comment
branding:
  icon: upload-cloud

inputs:
  image:
    description: >-
      The image to push,
      folded onto one line.
    required: false
  tags:
    description: 'Destinations; it''s required'
    required: true
  level:
    description: "Level \\"4\\" by default"
    default: '4'
  literal:
    description: |
      first | second
      third
    default: gzip # trailing comment
outputs:
  digest:
    description: Digest, e.g. \`sha256:4f...\`.
  plain:
    description: A plain value
      that goes on over two lines # and a comment

runs:
  using: node24
  main: dist/index.js
`;

describe('parseActionYaml', () => {
  const meta = parseActionYaml(SAMPLE);

  test('reads folded, literal, quoted and plain values in order', () => {
    assert.deepEqual(meta.inputs, [
      {
        name: 'image',
        description: 'The image to push, folded onto one line.',
        required: false,
        default: undefined,
      },
      { name: 'tags', description: "Destinations; it's required", required: true, default: undefined },
      { name: 'level', description: 'Level "4" by default', required: false, default: '4' },
      { name: 'literal', description: 'first | second\nthird\n', required: false, default: 'gzip' },
    ]);
    assert.deepEqual(meta.outputs, [
      { name: 'digest', description: 'Digest, e.g. `sha256:4f...`.' },
      { name: 'plain', description: 'A plain value that goes on over two lines' },
    ]);
  });

  test('refuses YAML it does not read, with the line number', () => {
    assert.throws(() => parseActionYaml('inputs:\n  a:\n    default: [1, 2]\n'), /line 3: .*does not read/);
    assert.throws(
      () => parseActionYaml('inputs:\n  a:\n    description: x\n      y: z\n'),
      /line 4: unexpected/,
    );
    assert.throws(
      () => parseActionYaml('inputs:\n  a:\n    required: true\n      b: 1\n'),
      /line 4: unexpected/,
    );
    assert.throws(() => parseActionYaml("inputs:\n  a:\n    description: 'open\n"), /line 3: a quoted value/);
    assert.throws(() => parseActionYaml('inputs: none\n'), /inputs should be a map/);
  });

  test("reads the repository's action.yml: every input once, tags required, defaults as GitHub passes them", async () => {
    const text = await readFile(join(ROOT, 'action.yml'), 'utf8');
    const { inputs, outputs } = parseActionYaml(text);
    const names = inputs.map((input) => input.name);
    assert.equal(new Set(names).size, names.length);
    // Every `name:` line indented under inputs/outputs is one entry: the parser misses none.
    const block = (key: string): string => text.split(new RegExp(`^${key}:$`, 'm'))[1]!.split(/^\S/m)[0]!;
    assert.deepEqual(
      names,
      [...block('inputs').matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]),
    );
    assert.deepEqual(
      outputs.map((output) => output.name),
      [...block('outputs').matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]),
    );
    assert.equal(inputs.find((input) => input.name === 'tags')?.required, true);
    assert.equal(inputs.find((input) => input.name === 'concurrency')?.default, '4');
    for (const entry of [...inputs, ...outputs]) assert.notEqual(entry.description.trim(), '', entry.name);
  });
});

describe('renderActionDocs', () => {
  test('one row per input and output, pipes escaped, block text on one line', () => {
    const block = renderActionDocs(parseActionYaml(SAMPLE));
    assert.ok(block.startsWith(START) && block.endsWith(END));
    assert.match(block, /^\| `tags` \| yes \| {2}\| Destinations; it's required \|$/m);
    assert.match(block, /^\| `level` \| {2}\| `4` \| Level "4" by default \|$/m);
    assert.match(block, /^\| `literal` \| {2}\| `gzip` \| first \\\| second third \|$/m);
    assert.match(block, /^\| `digest` \| Digest, e\.g\. `sha256:4f\.\.\.`\. \|$/m);
  });

  test('replaces only the text between the markers, and asks for them when missing', () => {
    const readme = `# Title\n\nbefore\n\n${START}\nold table\n${END}\n\nafter\n`;
    assert.equal(
      replaceBetweenMarkers(readme, `${START}\nnew\n${END}`),
      `# Title\n\nbefore\n\n${START}\nnew\n${END}\n\nafter\n`,
    );
    assert.throws(() => replaceBetweenMarkers('# Title\n', 'x'), /lacks the markers/);
  });
});

describe('the README against action.yml', () => {
  test('the README is what `npm run docs` writes (run it after changing action.yml)', async () => {
    const { current, expected } = await expectedReadme(ROOT);
    assert.ok(current === expected, "README.md's tables differ from action.yml: run 'npm run docs'");
    const text = await readFile(join(ROOT, 'action.yml'), 'utf8');
    for (const input of parseActionYaml(text).inputs) {
      assert.match(current, new RegExp(`^\\| \`${input.name}\` +\\|`, 'm'), `${input.name} has a row`);
    }
  });

  test('--check fails with one line on a README whose tables are stale, and a plain run repairs it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'action-docs-'));
    try {
      for (const name of ['README.md', 'action.yml', '.prettierrc.json'])
        await cp(join(ROOT, name), join(dir, name));
      await mkdir(join(dir, 'scripts'));
      await cp(join(ROOT, 'scripts/action-docs.ts'), join(dir, 'scripts/action-docs.ts'));
      await symlink(await realpath(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
      // A new input, added without regenerating the README.
      const action = await readFile(join(dir, 'action.yml'), 'utf8');
      await writeFile(
        join(dir, 'action.yml'),
        action.replace(
          '\noutputs:',
          '  brand-new:\n    description: Added without regenerating.\n\noutputs:',
        ),
      );
      const run = (...args: string[]) =>
        promisify(execFile)(process.execPath, [join(dir, 'scripts/action-docs.ts'), ...args], { cwd: dir });
      const failed = await run('--check').then(
        () => assert.fail('--check passed on a stale README'),
        (err: unknown) => err as { code: number; stderr: string },
      );
      assert.equal(failed.code, 1);
      assert.equal(failed.stderr.trim().split('\n').length, 1);
      assert.match(failed.stderr, /run 'npm run docs'/);
      await run();
      assert.match(
        await readFile(join(dir, 'README.md'), 'utf8'),
        /^\| `brand-new` +\| +\| +\| Added without regenerating\. +\|$/m,
      );
      await run('--check');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
