// Runs the bundled action (dist/index.js) the way a runner does, and the bundled CLI, against a real registry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const PASSWORD = 'pa55-Wörd-s3cret';

let open: TestRegistry;
let locked: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd']);
  [open, locked] = await Promise.all([
    startRegistry(),
    startRegistry({ htpasswd: { username: 'ci', password: PASSWORD } }),
  ]);
  work = await makeTempDir('front-ends-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 1 << 20 }, { size: 300_000 }], seed: 3 });
});

after(async () => {
  await Promise.all([open.stop(), locked.stop()]);
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
}

/** Runs dist/index.js with inputs as INPUT_* variables and reads GITHUB_OUTPUT back, as the runner does. */
async function runAction(
  inputs: Record<string, string>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  const outputFile = join(work, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(outputFile, '');
  // No Actions cache service here: the blob map goes to a cache directory of the test's own.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: outputFile,
    XDG_CACHE_HOME: join(work, 'cache'),
    // No Docker config unless a test gives one: the machine's own must not leak in.
    DOCKER_CONFIG: join(work, 'no-docker-config'),
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(process.execPath, [join(root, 'dist/index.js')], { env }));
  } catch (err) {
    const failed = err as { code: number; stdout: string };
    code = failed.code;
    stdout = failed.stdout;
  }
  return { code, stdout, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

/** What the runner shows in the log: everything but the `::add-mask::` commands it consumes. */
function printed(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

describe('the action bundle', () => {
  test('pushes and writes every output', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      tags: `${open.host}/action/app:1.0\n${open.host}/action/app:latest`,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.digest, image.manifestDigest);
    assert.equal(run.outputs.image, `${open.host}/action/app@${image.manifestDigest}`);
    assert.equal(run.outputs.tags, `${open.host}/action/app:1.0\n${open.host}/action/app:latest`);
    assert.equal(run.outputs['blobs-uploaded'], '3');
    assert.equal(run.outputs['blobs-skipped'], '0');
    assert.equal(run.outputs['bytes-uploaded'], String(image.totalBlobBytes));
    assert.equal((await inspectRaw(`${open.host}/action/app:latest`)).length, image.manifestSize);
  });

  test('applies the registry input to tags that name none', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      tags: 'app:v2, app:v3',
      registry: `${open.host}/team`,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.tags, `${open.host}/team/app:v2\n${open.host}/team/app:v3`);
    // The first test pushed the same blobs to action/app, and the blob map remembers where.
    assert.equal(run.outputs['blobs-uploaded'], '0');
    assert.equal(run.outputs['blobs-mounted'], '3');
  });

  test('fails with one error line for a malformed tag', async () => {
    const run = await runAction({ image: `oci:${layout}`, tags: `${open.host}/UPPER/app:1` });
    assert.equal(run.code, 1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /UPPER\/app:1.*lowercase/);
    assert.equal(run.outputs.digest, undefined);
  });

  test('authenticates with username and password, and never prints the password', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      tags: `${locked.host}/private/app:1`,
      username: 'ci',
      password: PASSWORD,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.digest, image.manifestDigest);
    const basic = Buffer.from(`ci:${PASSWORD}`).toString('base64');
    assert.ok(run.stdout.includes(`::add-mask::${PASSWORD}\n`), 'the password is registered as a secret');
    assert.ok(run.stdout.includes(`::add-mask::${basic}\n`), 'so is the Basic credential made from it');
    assert.ok(!printed(run.stdout).includes(PASSWORD));
    assert.ok(!printed(run.stdout).includes(basic));
  });

  test('a wrong password gives the 401 error with its fix, and no output', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const run = await runAction({
      image: `oci:${layout}`,
      tags: `${locked.host}/private/app:2`,
      username: 'ci',
      password: wrong,
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::.*answered 401.*check the username and password/);
    assert.ok(!printed(run.stdout).includes(wrong));
    assert.equal(run.outputs.digest, undefined);
  });
});

describe('the matrix pattern through the action bundle', () => {
  test('each job pushes by digest with no tag; a final job merges the digests into one tag', async () => {
    const arm = join(work, 'arm64');
    const armImage = await writeOciLayout(arm, {
      layers: [{ size: 200_000 }],
      seed: 4,
      platform: { os: 'linux', architecture: 'arm64' },
    });
    const jobs = await Promise.all(
      [layout, arm].map((dir) =>
        runAction({ image: `oci:${dir}`, tags: `${open.host}/matrix/app`, 'push-by-digest': 'true' }),
      ),
    );
    for (const job of jobs) assert.equal(job.code, 0, job.stdout);
    assert.deepEqual(
      jobs.map((job) => job.outputs.image),
      [
        `${open.host}/matrix/app@${image.manifestDigest}`,
        `${open.host}/matrix/app@${armImage.manifestDigest}`,
      ],
    );
    assert.deepEqual(await listTags(`${open.host}/matrix/app`), [], 'push-by-digest moved no tag');

    const merged = await runAction({
      merge: jobs.map((job) => job.outputs.image ?? '').join('\n'),
      tags: `${open.host}/matrix/app:1.0`,
    });
    assert.equal(merged.code, 0, merged.stdout);
    const index = JSON.parse((await inspectRaw(`${open.host}/matrix/app:1.0`)).toString()) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    assert.equal(merged.outputs.digest?.startsWith('sha256:'), true);
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.platform.architecture]),
      [
        [image.manifestDigest, 'amd64'],
        [armImage.manifestDigest, 'arm64'],
      ],
    );
    const metadata = JSON.parse(merged.outputs.metadata ?? '{}') as { platforms?: unknown[] };
    assert.equal(metadata.platforms?.length, 2);
  });

  test('image and merge together are refused with one line', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      merge: `${open.host}/a@sha256:${'0'.repeat(64)}`,
      tags: 'x',
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::both image and merge are set/);
  });
});

describe('credentials from the Docker config', () => {
  test('with no username input, the auths entry docker/login-action wrote is used', async () => {
    const dockerConfig = join(work, 'docker-config');
    await mkdir(dockerConfig, { recursive: true });
    const auth = Buffer.from(`ci:${PASSWORD}`).toString('base64');
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [locked.host]: { auth } } }),
    );
    const run = await runAction(
      { image: `oci:${layout}`, tags: `${locked.host}/from-config/app:1` },
      { DOCKER_CONFIG: dockerConfig },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.digest, image.manifestDigest);
    assert.ok(run.stdout.includes(`::add-mask::${PASSWORD}\n`), 'the password from the config is masked');
    assert.ok(!printed(run.stdout).includes(PASSWORD));
  });
});

describe('the CLI bundle', () => {
  test('prints the digest of what it pushed', async () => {
    const { stdout } = await execFileAsync(process.execPath, [
      join(root, 'dist/cli.js'),
      'push',
      '--quiet',
      '--no-blob-map',
      `oci:${layout}`,
      `${open.host}/cli/app:1`,
    ]);
    assert.equal(stdout, `${image.manifestDigest}\n`);
  });

  test('exits 2 (input error) with one error line for an unknown transport', async () => {
    await assert.rejects(
      execFileAsync(process.execPath, [
        join(root, 'dist/cli.js'),
        'push',
        'tarball:/x.tar',
        `${open.host}/cli/app:1`,
      ]),
      (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 2);
        assert.match(
          err.stderr,
          /^image-push: image "tarball:\/x\.tar": unknown transport "tarball", and not an image name either\. write the source as/,
        );
        assert.equal(err.stderr.trim().split('\n').length, 1);
        return true;
      },
    );
  });
});
