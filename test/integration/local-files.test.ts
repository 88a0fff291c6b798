// Local files that cannot be written (the second hostile trial): the compression spool on a full or
// unwritable disk, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / --digest-file that are directories or missing. Each
// failure must say what was being written, where, why in words, and what to do; when the image was pushed
// first, the failure must say that it was (with the digest), and the registry must hold it.
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Spool } from '../../src/compress/layer-spool.ts';
import { describeError } from '../../src/errors.ts';
import { runActionBundle, runCliBundle } from '../helpers/bundle.ts';
import { layerTar, writeDockerSave } from '../helpers/docker-save.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const NOBODY = 65534;

let registry: TestRegistry;
let work: string;
/** A docker save tarball with an uncompressed layer: pushing it compresses into the spool. */
let archive: string;
let round = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [registry, work] = await Promise.all([startRegistry(), makeTempDir('local-files-')]);
  await chmod(work, 0o755);
  archive = join(work, 'image.tar');
  const random = Buffer.alloc(300_000);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 251;
  await writeDockerSave(archive, 'app:1', [await layerTar({ 'data.bin': random })]);
  await chmod(archive, 0o644);
});

after(async () => {
  await registry.stop();
});

/** A directory of its own, writable by everyone (the unprivileged runs write there). */
async function dir(name: string, mode = 0o777): Promise<string> {
  const path = join(work, `${name}-${++round}`);
  await mkdir(path);
  await chmod(path, mode);
  return path;
}

describe('the compression spool', () => {
  test('goes under RUNNER_TEMP in the action, not TMPDIR (here unwritable)', async () => {
    const runnerTemp = await dir('runner-temp');
    const run = await runActionBundle(
      { image: `docker-archive:${archive}`, tags: `${registry.host}/spool/app:1`, cache: 'false' },
      work,
      { uid: NOBODY, env: { RUNNER_TEMP: runnerTemp, TMPDIR: await dir('tmp-read-only', 0o555) } },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.outputs.digest ?? '', /^sha256:/);
    assert.deepEqual(await readdir(runnerTemp), [], 'the spool was removed after the push');
  });

  test('an unwritable RUNNER_TEMP: says what it is for, where, why, and what to do', async () => {
    const runnerTemp = await dir('runner-temp-read-only', 0o555);
    const run = await runActionBundle(
      { image: `docker-archive:${archive}`, tags: `${registry.host}/spool/app:2`, cache: 'false' },
      work,
      { uid: NOBODY, env: { RUNNER_TEMP: runnerTemp } },
    );
    assert.equal(run.code, 1);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
    assert.equal(
      error,
      `::error::cannot create the compression spool (a temporary directory) in ${runnerTemp}: permission denied (EACCES). make it writable for this user, or point it elsewhere; temporary files go under RUNNER_TEMP on a runner, else TMPDIR: point it at a writable directory with room for the largest layer`,
    );
  });

  test('a full disk (ENOSPC) while a layer is written to the spool: said as such', async () => {
    const parent = await dir('spool-parent');
    const spool = new Spool(parent);
    try {
      await spool.copy(Readable.from([Buffer.from('first')]), 'application/octet-stream', 'first');
      const [own] = await readdir(parent);
      // The next layer's file is /dev/full, whose every write fails with ENOSPC.
      await symlink('/dev/full', join(parent, own ?? '', 'second'));
      await assert.rejects(
        spool.copy(Readable.from([Buffer.alloc(1 << 16)]), 'application/octet-stream', 'second'),
        (err: unknown) => {
          assert.equal(
            describeError(err),
            `writing a compressed layer to the temporary file ${join(parent, own ?? '', 'second')}: the disk is full (ENOSPC). free space there, or point it at a disk with room; temporary files go under RUNNER_TEMP on a runner, else TMPDIR: point it at a writable directory with room for the largest layer`,
          );
          return true;
        },
      );
    } finally {
      await spool.close();
    }
  });
});

describe('outputs that cannot be written after the push', () => {
  async function pushedDigest(tag: string): Promise<string> {
    return sha256Digest(await inspectRaw(`${registry.host}/outputs/app:${tag}`));
  }

  for (const [name, output, reason] of [
    ['a directory', () => dir('output-dir'), 'it is a directory \\(EISDIR\\)'],
    [
      'in a directory that does not exist',
      () => Promise.resolve(join(work, 'missing', 'output')),
      'it does not exist \\(ENOENT\\)',
    ],
  ] as const) {
    test(`GITHUB_OUTPUT ${name}: the step fails, saying the image was pushed, with its digest`, async () => {
      const tag = `out-${++round}`;
      const summary = join(work, `summary-${round}`);
      await writeFile(summary, '');
      const path = await output();
      const run = await runActionBundle(
        { image: `docker-archive:${archive}`, tags: `${registry.host}/outputs/app:${tag}`, cache: 'false' },
        work,
        { env: { GITHUB_OUTPUT: path, GITHUB_STEP_SUMMARY: summary } },
      );
      assert.equal(run.code, 1);
      const digest = await pushedDigest(tag);
      const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
      assert.match(
        error,
        new RegExp(
          `^::error::the image was pushed \\(${digest}\\), but the step outputs could not be written to GITHUB_OUTPUT \\(${path}\\): ${reason}\\. the step fails so that later steps do not run without the digest`,
        ),
      );
      assert.ok(
        run.stdout.includes(`pushed ${registry.host}/outputs/app@${digest}`),
        'the pushed line is there',
      );
    });
  }

  test('GITHUB_STEP_SUMMARY a directory: a warning that says the image was pushed; the step succeeds', async () => {
    const tag = `sum-${++round}`;
    const summary = await dir('summary-dir');
    const run = await runActionBundle(
      { image: `docker-archive:${archive}`, tags: `${registry.host}/outputs/app:${tag}`, cache: 'false' },
      work,
      { env: { GITHUB_STEP_SUMMARY: summary } },
    );
    assert.equal(run.code, 0, run.stdout);
    const digest = await pushedDigest(tag);
    assert.equal(run.outputs.digest, digest);
    assert.ok(
      run.stdout.includes(
        `::warning::the image was pushed (${digest}), but the job summary could not be written to GITHUB_STEP_SUMMARY (${summary}): it is a directory (EISDIR)`,
      ),
      run.stdout,
    );
  });

  test('CLI --digest-file a directory: says the image was pushed, after printing its digest', async () => {
    const tag = `file-${++round}`;
    const path = await dir('digest-file-dir');
    const run = await runCliBundle(
      [
        'push',
        `docker-archive:${archive}`,
        `${registry.host}/outputs/app:${tag}`,
        '--no-blob-map',
        '--digest-file',
        path,
      ],
      work,
    );
    assert.equal(run.code, 1);
    const digest = await pushedDigest(tag);
    assert.equal(run.stdout, `${digest}\n`);
    assert.match(
      run.stderr,
      new RegExp(
        `image-push: the image was pushed \\(${digest}\\), but --digest-file ${path} could not be written: it is a directory \\(EISDIR\\)\\. it must be a file\\n$`,
      ),
    );
  });
});
