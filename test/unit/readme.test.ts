// The README against the rest of the repository: its commands are the ones CI runs, its examples name one
// version of each action, and the owner placeholder and the licence agree everywhere.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string): Promise<string> => readFile(join(ROOT, path), 'utf8');

let readme: string;
let workflows: Map<string, string>;
before(async () => {
  readme = await read('README.md');
  const dir = '.github/workflows';
  const names = (await readdir(join(ROOT, dir))).filter((name) => /\.ya?ml$/.test(name));
  workflows = new Map(
    await Promise.all(names.map(async (name) => [name, await read(`${dir}/${name}`)] as const)),
  );
});

/** The shell blocks of the README's "Developing" section. */
function developingCommands(): string[] {
  const section = readme.split(/^## Developing$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^```sh\n([\s\S]*?)```$/gm)].map((m) => m[1]!.trim());
}

describe('the README', () => {
  test('keeps the two set-up commands in its Developing section', () => {
    assert.deepEqual(developingCommands(), [
      'scripts/setup.sh && npm run demo',
      'scripts/setup.sh && npm test',
    ]);
  });

  test('its test command is what .ci/run runs', async () => {
    const steps = (await read('.ci/run'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '));
    assert.equal(steps.join(' && '), developingCommands()[1]);
  });

  test('names one major version of each action, the same as the workflows use', () => {
    const majors = new Map<string, Set<string>>();
    for (const text of [readme, ...workflows.values()]) {
      for (const [, action, version] of text.matchAll(/uses: ([\w.-]+\/[\w./-]+)@(v\d+)\b/g)) {
        if (!majors.has(action!)) majors.set(action!, new Set());
        majors.get(action!)!.add(version!);
      }
    }
    assert.ok(majors.size >= 10, 'the examples use the actions they should');
    for (const [action, versions] of majors)
      assert.equal(versions.size, 1, `${action}: ${[...versions].join(', ')}`);
  });
});

describe('publishing metadata', () => {
  test('one owner placeholder in the README, package.json and the workflows', async () => {
    const manifest = JSON.parse(await read('package.json')) as {
      repository: { url: string };
      homepage: string;
      bugs: { url: string };
      author: string;
    };
    const repo = /github\.com\/([^/]+\/image-push)(?:\.git)?$/.exec(manifest.repository.url)?.[1];
    assert.ok(repo, `package.json repository ${manifest.repository.url} names github.com/OWNER/image-push`);
    assert.ok(
      manifest.homepage.includes(`github.com/${repo}`) && manifest.bugs.url.includes(`github.com/${repo}`),
    );
    const uses = [readme, ...workflows.values()].flatMap((text) =>
      [...text.matchAll(/uses: ([\w.-]+\/image-push)@/g)].map((m) => m[1]),
    );
    assert.ok(uses.length > 5);
    assert.deepEqual(new Set(uses), new Set([repo]));
    const action = await read('action.yml');
    assert.equal(/^author: (.+)$/m.exec(action)?.[1]?.replace(/^'|'$/g, ''), manifest.author);
  });

  test('the licence: LICENSE is the MIT text package.json declares', async () => {
    const manifest = JSON.parse(await read('package.json')) as { license: string; author: string };
    const license = await read('LICENSE');
    assert.equal(manifest.license, 'MIT');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} /);
    assert.ok(license.includes(manifest.author), 'the holder is the author');
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });
});
