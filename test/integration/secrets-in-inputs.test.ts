// Inputs that carry a secret where none belongs (the second hostile trial): a reference pasted from a URL with
// `user:password@` before its registry, in every input that names an image or a registry, through both bundles.
// Each must fail at once with one line that says where credentials go, and the password must appear nowhere:
// not in the log, the error, the job summary or the outputs (the action's only trace of it is its mask).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runActionBundle, runCliBundle } from '../helpers/bundle.ts';
import { makeTempDir } from '../helpers/tools.ts';
import { rm } from 'node:fs/promises';

const PASSWORD = 'Pa5te-d-fr0m-a-URL';
const CREDS = `bob:${PASSWORD}`;
const HINT =
  /credentials do not belong in a reference, where logs would show them: give them as username and password/;

let work: string;
before(async () => {
  work = await makeTempDir('secrets-in-inputs-');
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The password's only allowed trace: the action's own `::add-mask::` lines. */
function assertNowhere(text: string, where: string): void {
  const lines = text.split('\n').filter((line) => !line.startsWith('::add-mask::'));
  assert.ok(!lines.some((line) => line.includes(PASSWORD)), `${where} shows the password:\n${text}`);
}

describe('a reference with user:password@ in it', () => {
  const CLI_ROWS: { name: string; args: string[]; label: RegExp }[] = [
    {
      name: 'a destination',
      args: ['push', 'oci:layout', `${CREDS}@127.0.0.1:5000/app:1`],
      label: /^argument /,
    },
    {
      name: 'a docker:// source',
      args: ['push', `docker://${CREDS}@127.0.0.1:5000/app:1`, '127.0.0.1:5000/x:1'],
      label: /^argument "docker:\/\/\*\*\*@/,
    },
    {
      name: 'an https:// destination',
      args: ['push', 'oci:layout', `https://${CREDS}@127.0.0.1:5000/app:1`],
      label: /^argument "https:\/\/\*\*\*@/,
    },
    {
      name: '--reuse-from',
      args: ['push', 'oci:layout', '127.0.0.1:5000/app:1', '--reuse-from', `${CREDS}@127.0.0.1:5000/app:0`],
      label: /^--reuse-from /,
    },
  ];
  for (const row of CLI_ROWS) {
    test(`CLI, ${row.name}: refused, shown as ***@, with where credentials go`, async () => {
      const run = await runCliBundle(row.args, work);
      assert.equal(run.code, 2, 'an input error: nothing was sent');
      const line = run.stderr.trim().replace(/^image-push: /, '');
      assert.match(line, row.label);
      assert.match(
        line,
        /"[^"]*\*\*\*@127\.0\.0\.1:5000\/app:\d" holds credentials \(user:password@ before the registry\)/,
      );
      assert.match(line, HINT);
      assertNowhere(run.stdout + run.stderr, 'the CLI');
      assert.ok(!line.includes('bob'), 'nor the user name');
    });
  }

  for (const [input, value] of [
    ['tags', `${CREDS}@127.0.0.1:5000/app:1`],
    ['image', `docker://${CREDS}@127.0.0.1:5000/app:1`],
    ['reuse-from', `${CREDS}@127.0.0.1:5000/app:0`],
  ] as const) {
    test(`action, ${input}: masked, refused, and not in the summary or outputs`, async () => {
      const summary = join(work, `summary-${input}`);
      await writeFile(summary, '');
      const inputs: Record<string, string> = {
        image: 'oci:layout',
        tags: '127.0.0.1:5000/app:1',
        [input]: value,
      };
      const run = await runActionBundle(inputs, work, { env: { GITHUB_STEP_SUMMARY: summary } });
      assert.equal(run.code, 1);
      assert.ok(
        run.stdout.includes(`::add-mask::${PASSWORD}`),
        'the password was masked before anything else',
      );
      const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
      assert.match(
        error,
        new RegExp(`^::error::${input} "[^"]*\\*\\*\\*@127\\.0\\.0\\.1:5000/app:\\d" holds credentials`),
      );
      assert.match(error, HINT);
      assertNowhere(run.stdout + run.stderr, 'the log');
      assertNowhere(await readFile(summary, 'utf8'), 'the job summary');
      assertNowhere(JSON.stringify(run.outputs), 'the outputs');
    });
  }

  test('the password of a proxy URL is masked', async () => {
    const run = await runActionBundle({ image: 'oci:missing-layout', tags: '127.0.0.1:5000/app:1' }, work, {
      env: { HTTPS_PROXY: `http://proxy-user:${PASSWORD}@127.0.0.1:9/` },
    });
    assert.ok(run.stdout.includes(`::add-mask::${PASSWORD}`), run.stdout);
  });
});
