// The CLI's exit codes, each from a real failure of its kind (dist/cli.js against real registries), and what
// -q and --verbose/--debug print.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runCliBundle } from '../helpers/bundle.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const PASSWORD = 'exit-c0des-pw';

let open: TestRegistry;
let locked: TestRegistry;
let work: string;
let layout: string;
let other: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd']);
  [open, locked] = await Promise.all([
    startRegistry(),
    startRegistry({ htpasswd: { username: 'ci', password: PASSWORD } }),
  ]);
  work = await makeTempDir('cli-exit-codes-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 200_000 }], seed: 31 });
  other = join(work, 'other');
  await writeOciLayout(other, { layers: [{ size: 100_000 }], seed: 32 });
});

after(async () => {
  await Promise.all([open.stop(), locked.stop()]);
});

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The CLI failed with `code`, printed nothing on stdout, and its last stderr line is the error. */
async function failsWith(
  code: number,
  args: string[],
  expect: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const run = await runCliBundle(['push', '--no-blob-map', ...args], work, { env });
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr.trimEnd().split('\n').at(-1) ?? '', expect);
}

describe('exit codes', () => {
  test(`${EXIT.ok}: pushed`, async () => {
    const run = await runCliBundle(
      ['push', '--no-blob-map', `oci:${layout}`, `${open.host}/codes/app:1`],
      work,
    );
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.equal(run.stdout, `${image.manifestDigest}\n`);
  });

  test(`${EXIT.input}: a bad option, before any request`, async () => {
    await open.clearRequests();
    await failsWith(
      EXIT.input,
      ['--retries', 'many', `oci:${layout}`, `${open.host}/codes/app:2`],
      /retries "many"/,
    );
    assert.deepEqual(await open.requests(), []);
  });

  test(`${EXIT.auth}: the registry refused the credentials`, async () => {
    await failsWith(
      EXIT.auth,
      ['--username', 'ci', `oci:${layout}`, `${locked.host}/codes/app:1`],
      /answered 401\. check the username and password/,
      { IMAGE_PUSH_PASSWORD: `${PASSWORD}-wrong` },
    );
  });

  test(`${EXIT.refused}: a tag that --no-overwrite keeps`, async () => {
    const tag = `${open.host}/codes/kept:1`;
    const first = await runCliBundle(['push', '--no-blob-map', `oci:${other}`, tag], work);
    assert.equal(first.code, 0, first.stderr);
    await failsWith(
      EXIT.refused,
      ['--no-overwrite', `oci:${layout}`, tag],
      /holds sha256:.*overwrite is false/,
    );
  });

  test(`${EXIT.refused}: a merge source the registry does not hold (404)`, async () => {
    const run = await runCliBundle(
      [
        'merge',
        `${open.host}/codes/merged:1`,
        '--source',
        `${open.host}/codes/none@sha256:${'0'.repeat(64)}`,
      ],
      work,
    );
    assert.equal(run.code, EXIT.refused, run.stderr);
    // The same error as a docker:// source's that names nothing (copy-inputs.test.ts), with the fix for a merge.
    assert.match(
      run.stderr,
      /has no manifest sha256:0{64} in codes\/none\. push it first with push-by-digest/,
    );
  });

  test(`${EXIT.network}: nothing listens on the registry's port`, async () => {
    const port = await closedPort();
    const started = performance.now();
    await failsWith(
      EXIT.network,
      ['--retries', '0', `oci:${layout}`, `127.0.0.1:${port}/codes/app:1`],
      /cannot reach 127\.0\.0\.1:\d+.*ECONNREFUSED/,
    );
    assert.ok(performance.now() - started < 20_000);
  });

  test(`${EXIT.source}: a layer whose bytes do not match its digest`, async () => {
    const broken = join(work, 'broken');
    const brokenImage = await writeOciLayout(broken, { layers: [{ size: 150_000 }], seed: 33 });
    const file = join(broken, 'blobs/sha256', brokenImage.layers[0]!.digest.slice('sha256:'.length));
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    await failsWith(EXIT.source, [`oci:${broken}`, `${open.host}/codes/broken:1`], /sha256/);
    assert.deepEqual(await listTags(`${open.host}/codes/broken`).catch(() => []), []);
  });
});

describe('-q, --verbose and --debug', () => {
  let dockerConfig: string;
  before(async () => {
    dockerConfig = join(work, 'docker-config');
    await mkdir(dockerConfig, { recursive: true });
    const auth = Buffer.from(`ci:${PASSWORD}`).toString('base64');
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [locked.host]: { auth } } }),
    );
  });
  const push = (tag: string, flags: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliBundle(
      ['push', '--no-blob-map', ...flags, `oci:${layout}`, `${locked.host}/verbosity/app:${tag}`],
      work,
      {
        env: { DOCKER_CONFIG: dockerConfig, ...env },
      },
    );

  test('-q: the digest on stdout, nothing on stderr; a failure is its one error line', async () => {
    const run = await push('q', ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${image.manifestDigest}\n`);
    assert.equal(run.stderr, '');
    const failed = await runCliBundle(
      ['push', '-q', `oci:${join(work, 'missing')}`, `${open.host}/x:1`],
      work,
    );
    assert.equal(failed.code, EXIT.input);
    assert.equal(failed.stderr.split('\n').length, 2, failed.stderr); // one line and its newline
  });

  test('the default: what was pushed, no debug lines', async () => {
    const run = await push('default', []);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^pushed /m);
    assert.doesNotMatch(run.stderr, /^debug: /m);
  });

  for (const [name, flags, env] of [
    ['--verbose', ['--verbose'], {}],
    ['--debug', ['--debug'], {}],
    ['IMAGE_PUSH_DEBUG', [], { IMAGE_PUSH_DEBUG: '1' }],
  ] as const) {
    test(`${name}: the library's debug lines (where the credentials came from) and the step headings`, async () => {
      const run = await push(name.replace(/\W/g, ''), [...flags], env);
      assert.equal(run.code, 0, run.stderr);
      const host = locked.host.replace(/\./g, '\\.');
      assert.match(
        run.stderr,
        new RegExp(`^debug: credentials for ${host} looked up in .*config\\.json$`, 'm'),
      );
      // Which file gave them is no debug line: every run says it.
      assert.match(run.stderr, new RegExp(`^credentials for ${host}: auths\\["${host}"\\] in `, 'm'));
      assert.match(run.stderr, /^Pushing oci:/m);
      assert.ok(!run.stderr.includes(PASSWORD));
    });
  }
});
