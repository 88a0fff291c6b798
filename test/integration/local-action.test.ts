// Runs the action's source (src/action/main.ts) under @github/local-action, which loads inputs from a .env file and
// stubs @actions/core and @actions/cache the way a runner's environment looks, against a real registry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { shortDigest } from '../../src/report/summary.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const localAction = join(root, 'node_modules/@github/local-action/bin/local-action.js');

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('local-action-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 200_000 }, { size: 30_000 }], seed: 7 });
});

after(async () => {
  await registry.stop();
});

interface LocalRun {
  stdout: string;
  /** What the run printed as `::set-output name=NAME::VALUE`, one-line values only. */
  outputs: Record<string, string>;
  errors: string[];
  summary: string;
}

/** `local-action run . src/action/main.ts FILE`, with the inputs in FILE as `INPUT_*` lines. */
async function runLocalAction(name: string, inputs: Record<string, string>): Promise<LocalRun> {
  const dotenv = join(work, `${name}.env`);
  const summaryFile = join(work, `${name}-summary.md`);
  await writeFile(summaryFile, '');
  await writeFile(
    dotenv,
    Object.entries(inputs)
      .map(([input, value]) => `INPUT_${input.toUpperCase()}=${JSON.stringify(value)}\n`)
      .join(''),
  );
  const env: NodeJS.ProcessEnv = {
    // Node 24 from the devDependency first: local-action starts tsx through `npm exec`, which finds `node` on PATH.
    PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME,
    GITHUB_STEP_SUMMARY: summaryFile,
    XDG_CACHE_HOME: join(work, 'cache'),
    // Its @actions/cache stub insists on these two.
    LOCAL_ACTION_WORKSPACE: work,
    LOCAL_ACTION_CACHE_PATH: work,
    FORCE_COLOR: '0',
    // local-action stubs @actions/core by its path under this checkout's node_modules; where that is a symlink (a
    // worktree sharing one install), Node would resolve the action's imports to the real path and miss the stub.
    NODE_OPTIONS: '--preserve-symlinks',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  // local-action reports a failed step in its output, not in its exit code.
  const { stdout } = await execFileAsync(
    process.execPath,
    [localAction, 'run', root, 'src/action/main.ts', dotenv],
    {
      cwd: root,
      env,
      maxBuffer: 16 << 20,
    },
  );
  const outputs: Record<string, string> = {};
  for (const match of stdout.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm)) outputs[match[1]!] = match[2]!;
  const errors = stdout.split('\n').filter((line) => line.startsWith('::error::'));
  return { stdout, outputs, errors, summary: await readFile(summaryFile, 'utf8') };
}

/** The body rows of the summary's blob table: [short digest, size, what happened, time, throughput]. */
function blobRows(summary: string): string[][] {
  const start = summary.indexOf('| Blob |');
  assert.ok(start >= 0, `no blob table in:\n${summary}`);
  return summary
    .slice(start)
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const blobDigests = (): string[] => [image.configDigest, ...image.layers.map((l) => l.digest)];

describe('the action under @github/local-action', () => {
  test('pushes, sets the outputs and writes the summary', async () => {
    const tags = `${registry.host}/local/app:1.0, ${registry.host}/local/app:latest`;
    const run = await runLocalAction('first', { image: `oci:${layout}`, tags });
    assert.deepEqual(run.errors, [], run.stdout);

    assert.equal(run.outputs.digest, image.manifestDigest, run.stdout);
    // The stubbed @actions/core recorded it too: local-action lists the outputs it saw at the end.
    const recorded = run.stdout.slice(run.stdout.lastIndexOf('Action Outputs'));
    assert.match(recorded, new RegExp(`'digest' +│ '${image.manifestDigest}'`));
    assert.equal(run.outputs.image, `${registry.host}/local/app@${image.manifestDigest}`);
    assert.equal(run.outputs['blobs-uploaded'], '3');
    assert.equal(run.outputs['bytes-uploaded'], String(image.totalBlobBytes));
    assert.equal((await inspectRaw(`${registry.host}/local/app:latest`)).length, image.manifestSize);

    const references = [`${registry.host}/local/app:1.0`, `${registry.host}/local/app:latest`];
    const descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: image.manifestDigest,
      size: image.manifestSize,
    };
    assert.deepEqual(JSON.parse(run.outputs.metadata ?? 'null'), {
      'containerimage.digest': image.manifestDigest,
      'containerimage.descriptor': descriptor,
      'image.name': references.join(','),
      tags: Object.fromEntries(references.map((r) => [r, descriptor])),
      images: [`${registry.host}/local/app@${image.manifestDigest}`],
    });
    assert.equal(run.outputs.images, `${registry.host}/local/app@${image.manifestDigest}`);

    assert.ok(
      run.summary.includes(
        `\`\`\`sh\ndocker pull ${registry.host}/local/app@${image.manifestDigest}\n\`\`\``,
      ),
      run.summary,
    );
    assert.ok(run.summary.includes(`**${registry.host}/local/app**: tags \`1.0\`, \`latest\``), run.summary);
    // The last lines of the log, outside the group: the pushed repository by digest, and a notice with it.
    const pinned = `${registry.host}/local/app@${image.manifestDigest}`;
    const tail = run.stdout.slice(run.stdout.lastIndexOf('::endgroup::'));
    // (local-action's stub prints info lines as `::info::...`, the runner's core as they are.)
    assert.match(tail, new RegExp(`^(::info::)?pushed ${pinned.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(tail, new RegExp(`::notice title=Image pushed::${pinned.replace(/[.]/g, '\\.')}`));
    const rows = blobRows(run.summary);
    assert.deepEqual(
      rows.map((r) => r[0]).sort(),
      blobDigests()
        .map((d) => `\`${shortDigest(d)}\``)
        .sort(),
    );
    assert.deepEqual(
      rows.map((r) => r[2]),
      ['uploaded', 'uploaded', 'uploaded'],
    );
    assert.ok(!run.summary.includes('already in the registry ('), 'nothing was skipped');
  });

  test('a second push reports every blob as skipped, with the bytes it saved', async () => {
    const run = await runLocalAction('again', {
      image: `oci:${layout}`,
      tags: `${registry.host}/local/app:1.0`,
    });
    assert.deepEqual(run.errors, [], run.stdout);
    assert.equal(run.outputs.digest, image.manifestDigest);
    assert.equal(run.outputs['blobs-uploaded'], '0');
    assert.equal(run.outputs['bytes-skipped'], String(image.totalBlobBytes));
    assert.deepEqual(
      blobRows(run.summary).map((r) => [r[2], r[3]]),
      [
        ['already in the registry', '–'],
        ['already in the registry', '–'],
        ['already in the registry', '–'],
      ],
    );
    const skipped = /, 3 already in the registry \(([^)]+)\)\./.exec(run.summary)?.[1];
    assert.ok(skipped && skipped !== '0 B', run.summary);
  });

  test('a failure is one error line, with no outputs, and a summary that says what failed', async () => {
    const run = await runLocalAction('broken', {
      image: `oci:${join(work, 'no-such-layout')}`,
      tags: `${registry.host}/local/app:broken`,
    });
    assert.equal(run.errors.length, 1, run.stdout);
    assert.match(run.errors[0]!, /no-such-layout/);
    assert.equal(run.outputs.digest, undefined);
    assert.match(run.summary, /^### Push failed: `oci:.*no-such-layout`\n/);
    assert.match(run.summary, /\*\*What failed:\*\* image "oci:.*no-such-layout": path .* does not exist/);
    assert.match(run.summary, /\*\*How to fix it:\*\* check the path/);
    assert.ok(run.summary.includes('No blob had gone up before the failure.'), run.summary);
  });
});
