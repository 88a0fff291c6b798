// The CLI as people install it: on Node 22 LTS (the nested test/node22 package) and 24, with one line for an
// older Node (the system's, when it is older); from the npm tarball into a clean prefix, offline; and as the
// single executable (scripts/build-sea.ts). Each pushes to a real registry, checked with skopeo.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { layerTar, writeDockerSave } from '../helpers/docker-save.ts';
import { runCliBundle, runProgram, type BundleRun } from '../helpers/bundle.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir, run } from '../helpers/tools.ts';

const root = join(import.meta.dirname, '../..');
const NODE22 = join(root, 'test/node22/node_modules/node/bin/node');
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;
let plain: string; // a docker save tarball: its plain tar layers are compressed (worker threads)

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('cli-install-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 600_000 }, { size: 90_000 }], seed: 18 });
  plain = join(work, 'saved.tar');
  const files = { 'etc/data': randomBytes(300_000), 'etc/name': 'cli-install' };
  await writeDockerSave(plain, 'saved:1', [await layerTar(files)]);
});

after(async () => {
  await registry.stop();
});

/** A push went up: the digest on stdout, and the registry serves that manifest under the tag. */
async function assertPushed(run: BundleRun, reference: string, digest?: string): Promise<void> {
  assert.equal(run.code, 0, run.stderr);
  const printed = run.stdout.trim();
  assert.match(printed, /^sha256:[a-f0-9]{64}$/);
  if (digest) assert.equal(printed, digest);
  const served = await inspectRaw(reference);
  assert.equal(`sha256:${createHash('sha256').update(served).digest('hex')}`, printed);
}

function nodeVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
}

describe('Node versions', () => {
  test('engines asks for what the bundle needs: undici 8 wants Node 22.19', async () => {
    const undici = JSON.parse(await readFile(join(root, 'node_modules/undici/package.json'), 'utf8')) as {
      engines: { node: string };
    };
    assert.equal(manifest.engines.node, undici.engines.node);
    assert.equal(manifest.engines.node, '>=22.19.0');
  });

  test('Node 22 LTS runs the CLI: --version, a push, and one that compresses with zstd', async () => {
    assert.ok(existsSync(NODE22), 'npm ci installs test/node22 (the node@22 package)');
    assert.match(nodeVersion(NODE22), /^v22\.(19|[2-9]\d)\./);
    const version = await runCliBundle(['--version'], work, { node: NODE22 });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `image-push ${manifest.version}\n`);
    const ref = `${registry.host}/node22/app:1`;
    await assertPushed(
      await runCliBundle(['push', '--no-blob-map', `oci:${layout}`, ref], work, { node: NODE22 }),
      ref,
      image.manifestDigest,
    );
    const zstd = `${registry.host}/node22/zstd:1`;
    const run = await runCliBundle(
      ['push', '--no-blob-map', '--compression', 'zstd', `docker-archive:${plain}`, zstd],
      work,
      {
        node: NODE22,
      },
    );
    await assertPushed(run, zstd);
    assert.match((await inspectRaw(zstd)).toString(), /tar\+zstd/);
  });

  test('an older Node (the system one, when older than 22) gets one line naming the Node to install', async (t) => {
    const system = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path));
    const version = system ? nodeVersion(system) : '';
    const major = Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
    if (!system || major >= 22) {
      t.skip(`no Node older than 22 on this machine (${system ? `${system} is ${version}` : 'none found'})`);
      return;
    }
    const run = await runCliBundle(['push', `oci:${layout}`, `${registry.host}/old/app:1`], work, {
      node: system,
    });
    assert.equal(run.code, 2, 'the input-error code');
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `image-push: needs Node 22.19 or later (22 LTS or 24), not ${version.slice(1)}. install Node 24 (or 22), or use the single-executable build, which brings its own\n`,
    );
  });
});

describe('the npm package', () => {
  let prefix: string;
  let tarball: string;

  before(async () => {
    const packed = join(work, 'packed');
    await mkdir(packed);
    await run('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: root });
    const names = await readdir(packed);
    assert.equal(names.length, 1, names.join(', '));
    assert.match(names[0]!, /^image-push-\d+\.\d+\.\d+\.tgz$/);
    tarball = join(packed, names[0]!);
    prefix = join(work, 'prefix');
    // Offline, with an empty npm cache: the tarball must need nothing from a registry (dist/ is bundled).
    await run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
      env: {
        ...process.env,
        npm_config_cache: join(work, 'empty-npm-cache'),
        npm_config_userconfig: '/dev/null',
      },
    });
  });

  test('holds dist/ and the package files only, and no runtime dependency', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    assert.ok(files.includes('package/dist/cli.js'));
    assert.ok(files.includes('package/dist/licenses.txt'));
    assert.ok(files.includes('package/README.md') && files.includes('package/LICENSE'));
    const outside = files.filter((f) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f));
    assert.deepEqual(outside, []);
    const installed = join(prefix, 'lib/node_modules/image-push');
    assert.equal(existsSync(join(installed, 'node_modules')), false, 'nothing installed beside it');
  });

  test('image-push --version and a push, from the clean prefix', async () => {
    const bin = join(prefix, 'bin/image-push');
    const version = await runProgram(bin, ['--version'], work);
    assert.equal(version.stdout, `image-push ${manifest.version}\n`, version.stderr);
    const ref = `${registry.host}/npm/app:1`;
    await assertPushed(
      await runProgram(bin, ['push', `oci:${layout}`, ref], work),
      ref,
      image.manifestDigest,
    );
  });
});

describe('the single executable (linux-x64)', () => {
  let binary: string;

  before(async () => {
    binary = join(work, 'sea', 'image-push');
    // The Node that runs the tests (24) is the one the executable is made of.
    await run(process.execPath, [join(root, 'scripts/build-sea.ts'), binary], { cwd: root });
  });

  test('--version, with no Node on PATH', async () => {
    const version = await runProgram(binary, ['--version'], work, { env: { PATH: '/nonexistent' } });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `image-push ${manifest.version}\n`);
  });

  test('a push to a local registry, and an input error with its exit code', async () => {
    const ref = `${registry.host}/sea/app:1`;
    await assertPushed(
      await runProgram(binary, ['push', '--no-blob-map', `oci:${layout}`, ref], work),
      ref,
      image.manifestDigest,
    );
    const compressed = `${registry.host}/sea/plain:1`;
    await assertPushed(
      await runProgram(binary, ['push', '--no-blob-map', `docker-archive:${plain}`, compressed], work),
      compressed,
    );
    const bad = await runProgram(binary, ['push', `oci:${layout}`], work);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^image-push: expected "push SOURCE DESTINATION\.\.\."/);
  });
});
