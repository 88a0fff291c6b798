// Hostile inputs, one table each, run through the bundles as a runner and a user run them:
// - log injection: every input of action.yml set to a value holding "\n::warning::x"; no line the action prints
//   may start a workflow command it did not mean (only ::add-mask::, ::group::, ::endgroup::, ::error:: for the
//   failure, ::debug::), and an image path with a newline in it pushes without one either;
// - input values: each refused before any request with its own message, promptly, moving no tag;
// - the blob map: unreadable, unwritable, corrupt or special files are a warning naming the map and the switch
//   that turns it off, never a failure; the push succeeds and its tag moves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout } from '../../scripts/sample-image.ts';
import { runActionBundle, runCliBundle, type BundleRun } from '../helpers/bundle.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const PROMPT_MS = 10_000;
const NOBODY = 65534;
const INJECTED = '::warning::x';
/** Workflow commands the action means to print; any other line starting with :: is an injection. */
// The notice is the action's own: the pushed references, the last thing a push prints.
const MEANT = [
  '::add-mask::',
  '::group::',
  '::endgroup::',
  '::error::',
  '::debug::',
  '::notice title=Image pushed::',
];

let registry: TestRegistry;
let work: string;
let layout: string;
let digest: string;
let count = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [registry, work] = await Promise.all([startRegistry(), makeTempDir('hostile-inputs-')]);
  await chmod(work, 0o755);
  layout = join(work, 'layout');
  digest = (await writeOciLayout(layout, { layers: [{ size: 4000 }], seed: 77 })).manifestDigest;
});

after(async () => {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

const nextTag = (): string => `${registry.host}/inputs/app:t${++count}`;

/** The lines a run printed that a runner would take as workflow commands the action did not mean. */
function injected(run: BundleRun): string[] {
  return `${run.stdout}\n${run.stderr}`
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trimStart().startsWith('::'))
    .filter(
      (line) => !MEANT.some((prefix) => line.startsWith(prefix)) || line.trimStart().startsWith(INJECTED),
    );
}

async function actionInputs(): Promise<string[]> {
  const yml = await readFile(join(import.meta.dirname, '../../action.yml'), 'utf8');
  const section = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'));
  return [...section.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1] as string);
}

describe('log injection', () => {
  test('every input of action.yml, holding a newline and ::warning::, prints no command it did not mean', async () => {
    const names = await actionInputs();
    assert.ok(names.length >= 17 && names.includes('verify'), names.join(', '));
    for (const name of names) {
      for (const breakWith of ['\n', '\r\n']) {
        const inputs: Record<string, string> = { image: `oci:${layout}`, tags: nextTag(), cache: 'false' };
        if (name === 'merge') inputs.image = '';
        if (name === 'username') inputs.password = 'p';
        if (name === 'password') inputs.username = 'u';
        inputs[name] = `${inputs[name] ?? 'v'}${breakWith}${INJECTED}`;
        const run = await runActionBundle(inputs, work);
        assert.equal(run.timedOut, false);
        assert.deepEqual(injected(run), [], `input ${name}: ${run.stdout}`);
        assert.ok(run.ms < PROMPT_MS);
      }
    }
  });

  test('an image path holding a newline and ::warning:: pushes without printing the command', async () => {
    const dir = join(work, `lay\n${INJECTED}`);
    await writeOciLayout(dir, { layers: [{ size: 3000 }], seed: 78 });
    const action = await runActionBundle({ image: `oci:${dir}`, tags: nextTag(), cache: 'false' }, work);
    assert.equal(action.code, 0, action.stdout);
    assert.match(action.stdout, /lay\\n::warning::x/, 'the path is printed, escaped');
    assert.deepEqual(injected(action), []);
    const cli = await runCliBundle(['push', `oci:${dir}`, nextTag(), '--no-blob-map'], work);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(injected(cli), []);
    const failed = await runCliBundle(['push', `oci:${dir}/nope`, nextTag()], work);
    assert.equal(failed.code, 2, 'the exit code of an input error');
    assert.deepEqual(injected(failed), []);
  });
});

interface InputRow {
  readonly inputs: Record<string, string>;
  readonly expect: RegExp;
}

const INPUT_ROWS: InputRow[] = [
  { inputs: { 'chunk-size': '0' }, expect: /chunk-size "0" is zero\. leave it empty for one PUT per blob/ },
  { inputs: { 'chunk-size': '99999999TB' }, expect: /chunk-size "99999999TB" has an unknown unit "TB"/ },
  { inputs: { 'chunk-size': '999999GiB' }, expect: /chunk-size "999999GiB" is larger than 5GiB/ },
  { inputs: { 'chunk-size': '6GB' }, expect: /chunk-size "6GB" is larger than 5GiB/ },
  { inputs: { 'chunk-size': '1KB' }, expect: /chunk-size "1KB" is smaller than 64KiB/ },
  { inputs: { 'chunk-size': '-5MiB' }, expect: /chunk-size "-5MiB" is not a size/ },
  { inputs: { 'chunk-size': '64 MiB MiB' }, expect: /chunk-size "64 MiB MiB" is not a size/ },
  { inputs: { concurrency: '0x10' }, expect: /concurrency "0x10" is not a whole number from 1 to 64/ },
  { inputs: { concurrency: '1e1' }, expect: /concurrency "1e1" is not a whole number/ },
  { inputs: { concurrency: '-1' }, expect: /concurrency "-1" is not a whole number/ },
  { inputs: { concurrency: '65' }, expect: /concurrency "65" is not a whole number from 1 to 64/ },
  { inputs: { concurrency: '4.0' }, expect: /concurrency "4.0" is not a whole number/ },
  {
    inputs: { 'compression-level': '+3' },
    expect: /compression-level "\+3" is not a gzip level from 1 to 9/,
  },
  { inputs: { 'compression-level': '12' }, expect: /compression-level "12" is not a gzip level from 1 to 9/ },
  { inputs: { retries: '-1' }, expect: /retries "-1" is not a whole number from 0 to 100/ },
  { inputs: { retries: '1e2' }, expect: /retries "1e2" is not a whole number/ },
  { inputs: { 'retry-timeout': '0' }, expect: /retry-timeout "0" is not a whole number from 1 to 86400/ },
  { inputs: { 'retry-timeout': '99999999999999999999' }, expect: /retry-timeout "9+" is not a whole number/ },
  { inputs: { verify: 'yes' }, expect: /verify "yes" is not true or false/ },
  { inputs: { cache: '1' }, expect: /cache "1" is not true or false/ },
  { inputs: { 'push-by-digest': 'on' }, expect: /push-by-digest "on" is not true or false/ },
  { inputs: { compression: 'brotli' }, expect: /compression "brotli" is not gzip or zstd/ },
  { inputs: { platforms: 'linux' }, expect: /platform "linux" is not os\/architecture/ },
  { inputs: { platforms: 'linux/amd64/v1/x' }, expect: /platform "linux\/amd64\/v1\/x" is not os/ },
  {
    inputs: { 'ca-file': '/dev/zero' },
    expect: /ca-file "\/dev\/zero" cannot be read \(a character device, not a regular file\)/,
  },
  {
    inputs: { 'ca-file': '/proc' },
    expect: /ca-file "\/proc" cannot be read \(a directory, not a regular file\)/,
  },
  { inputs: { 'ca-file': 'FIFO' }, expect: /cannot be read \(a FIFO \(named pipe\), not a regular file\)/ },
];

describe('input values', () => {
  for (const row of INPUT_ROWS) {
    const [[name, value]] = Object.entries(row.inputs) as [[string, string]];
    test(`${name}: ${JSON.stringify(value)}`, async () => {
      const inputs = { ...row.inputs };
      if (value === 'FIFO') {
        const fifo = join(work, `fifo-${++count}`);
        execFileSync('mkfifo', [fifo]);
        inputs[name] = fifo;
      }
      await registry.clearRequests();
      const tag = nextTag();
      const run = await runActionBundle(
        { image: `oci:${layout}`, tags: tag, cache: 'false', ...inputs },
        work,
      );
      assert.equal(run.timedOut, false, 'hung');
      assert.equal(run.code, 1, run.stdout);
      assert.ok(run.ms < PROMPT_MS, `${Math.round(run.ms)} ms`);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0] ?? '', row.expect);
      assert.deepEqual(await registry.requests(), [], 'refused before any request');
    });
  }
});

/** A push that must succeed despite its blob map, with one warning naming the map and `disable`. */
function checkWarnedSuccess(run: BundleRun, map: RegExp, disable: string): void {
  const all = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.timedOut, false, `hung: ${all}`);
  assert.equal(run.code, 0, all);
  assert.ok(run.ms < PROMPT_MS, `${Math.round(run.ms)} ms`);
  const warnings = all.split('\n').filter((l) => /^(warning: |::warning::)/.test(l));
  assert.ok(warnings.length >= 1, `no warning: ${all}`);
  for (const warning of warnings) {
    assert.match(warning, /blob map/);
    assert.match(warning, map);
    assert.ok(warning.includes(disable), warning);
  }
  assert.doesNotMatch(all, /still running .* after the push ended/);
}

describe('the blob map never fails a push', () => {
  const cliRows: { name: string; map: () => Promise<string>; uid?: number; env?: NodeJS.ProcessEnv }[] = [
    {
      name: 'HOME=/ as an unprivileged user (mkdir /.cache: EACCES)',
      map: () => Promise.resolve(''),
      uid: NOBODY,
      env: { HOME: '/', XDG_CACHE_HOME: '' },
    },
    {
      name: 'a read-only directory (unprivileged)',
      map: async () => {
        const dir = join(work, `read-only-${++count}`);
        await mkdir(dir, { mode: 0o555 });
        await chmod(dir, 0o555);
        return join(dir, 'sub', 'blob-map.json');
      },
      uid: NOBODY,
    },
    {
      name: 'a path under /proc (recursive mkdir spun forever)',
      map: () => Promise.resolve('/proc/image-push/blob-map.json'),
    },
    { name: '/proc/self/pagemap (endless)', map: () => Promise.resolve('/proc/self/pagemap') },
    {
      name: 'a FIFO',
      map: () => {
        const fifo = join(work, `map-fifo-${++count}`);
        execFileSync('mkfifo', [fifo]);
        return Promise.resolve(fifo);
      },
    },
    { name: 'a directory', map: () => Promise.resolve(work) },
    {
      // A device node of the test's own, not /dev/zero: a regression that renames over the target (as the old
      // save did) must not replace the machine's /dev/zero with a file.
      name: 'a character device (like /dev/zero)',
      map: () => {
        const device = join(work, `zero-${++count}`);
        execFileSync('mknod', ['-m', '666', device, 'c', '1', '5']);
        return Promise.resolve(device);
      },
    },
    {
      name: 'a corrupt file',
      map: async () => {
        const path = join(work, `corrupt-${++count}.json`);
        await writeFile(path, '{"version":1,"entries":[nul');
        return path;
      },
    },
  ];
  for (const row of cliRows) {
    test(`CLI: ${row.name}`, async () => {
      const map = await row.map();
      const tag = nextTag();
      const run = await runCliBundle(
        ['push', `oci:${layout}`, tag, ...(map ? ['--blob-map', map] : [])],
        work,
        {
          ...(row.uid === undefined ? {} : { uid: row.uid }),
          env: row.env ?? {},
        },
      );
      checkWarnedSuccess(
        run,
        map ? new RegExp(map.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : /\/\.cache\/image-push/,
        '--no-blob-map',
      );
      assert.equal(run.stdout, `${digest}\n`);
      assert.ok((await listTags(`${registry.host}/inputs/app`)).includes(tag.split(':').pop() ?? ''));
    });
  }

  test('action: HOME=/ as an unprivileged user, cache on', async () => {
    const tag = nextTag();
    const run = await runActionBundle({ image: `oci:${layout}`, tags: tag }, work, {
      uid: NOBODY,
      env: { HOME: '/', XDG_CACHE_HOME: '' },
    });
    checkWarnedSuccess(run, /\/\.cache\/image-push\/blob-map\.json/, 'cache: false');
    assert.equal(run.outputs.digest, digest);
  });

  test('action: the blob map is a FIFO, and then corrupt', async () => {
    const cache = join(work, `action-cache-${++count}`);
    await mkdir(join(cache, 'image-push'), { recursive: true });
    execFileSync('mkfifo', [join(cache, 'image-push', 'blob-map.json')]);
    const env = { XDG_CACHE_HOME: cache };
    const fifo = await runActionBundle({ image: `oci:${layout}`, tags: nextTag() }, work, { env });
    checkWarnedSuccess(fifo, /blob-map\.json/, 'cache: false');
    assert.match(fifo.stdout, /cannot be read \(a FIFO/);
    await rm(join(cache, 'image-push', 'blob-map.json'));
    await writeFile(join(cache, 'image-push', 'blob-map.json'), 'not json');
    const corrupt = await runActionBundle({ image: `oci:${layout}`, tags: nextTag() }, work, { env });
    checkWarnedSuccess(corrupt, /blob-map\.json is corrupt/, 'cache: false');
    assert.equal(corrupt.outputs.digest, digest);
    // The corrupt map was replaced by a good one: the next run has nothing to warn about.
    const next = await runActionBundle({ image: `oci:${layout}`, tags: nextTag() }, work, { env });
    assert.equal(next.code, 0);
    assert.doesNotMatch(next.stdout, /::warning::/);
  });
});
