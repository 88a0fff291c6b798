// Broken and hostile sources, one row each, every row run through both bundles (dist/cli.js, and dist/index.js
// with INPUT_* as a runner does). Every row must: exit 1 within a few seconds (several of them used to print the
// right error and then never exit, or loop forever at full CPU), print the expected one-line message, leave no
// exit backstop line (the process ended by itself), and move no tag: the registry saw no manifest PUT.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runActionBundle, runCliBundle, type BundleRun } from '../helpers/bundle.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { listTags } from '../helpers/skopeo.ts';
import {
  dockerArchive,
  layerTar,
  octal,
  paxEntry,
  sha256,
  TAR_END,
  tarFile,
  tarHeader,
} from '../helpers/tar.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

/** Generous: the machine is shared; a hang is killed at 30 s, and the old behaviour was "never". */
const PROMPT_MS = 10_000;
const REPO = 'hostile/app';

let registry: TestRegistry;
let work: string;
let rowCount = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [registry, work] = await Promise.all([startRegistry(), makeTempDir('hostile-sources-')]);
  await chmod(work, 0o755);
});

after(async () => {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

interface Row {
  readonly name: string;
  /** Makes the fixture; returns the source reference. */
  readonly source: (dir: string) => Promise<string>;
  readonly expect: RegExp;
  /** Extra CLI arguments and action inputs. */
  readonly args?: readonly string[];
  readonly inputs?: Record<string, string>;
  /** The CLI's exit code: the source is broken (6) unless the row is a bad argument (2). */
  readonly exit?: number;
}

async function file(dir: string, name: string, bytes: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const archive = async (dir: string, bytes: Buffer | Promise<Buffer>): Promise<string> =>
  `docker-archive:${await file(dir, 'image.tar', await bytes)}`;

/** An OCI layout of the row's own, then broken by `breakIt`. */
async function layout(
  dir: string,
  breakIt: (root: string, image: SampleImage) => Promise<void>,
): Promise<string> {
  const root = join(dir, 'layout');
  const image = await writeOciLayout(root, {
    layers: [{ size: 5000 }, { size: 2000 }],
    seed: 500 + rowCount,
  });
  await breakIt(root, image);
  return `oci:${root}`;
}

const blob = (root: string, digest: string): string => join(root, 'blobs/sha256', digest.slice(7));

async function replaceWith(path: string, kind: 'fifo' | 'dir' | 'zero'): Promise<void> {
  await rm(path, { force: true });
  if (kind === 'fifo') execFileSync('mkfifo', [path]);
  else if (kind === 'dir') await mkdir(path);
  else await symlink('/dev/zero', path);
}

/** Rewrites the config (and so the manifest and index.json) of a layout written by writeOciLayout. */
async function rewriteConfig(
  root: string,
  image: SampleImage,
  mutate: (config: { rootfs: { diff_ids: string[] } }) => void,
): Promise<void> {
  const config = JSON.parse(await readFile(blob(root, image.configDigest), 'utf8')) as {
    rootfs: { diff_ids: string[] };
  };
  mutate(config);
  const configBytes = Buffer.from(JSON.stringify(config));
  await writeFile(blob(root, sha256(configBytes)), configBytes);
  const manifest = JSON.parse(await readFile(blob(root, image.manifestDigest), 'utf8')) as {
    config: { digest: string; size: number };
  };
  manifest.config = { ...manifest.config, digest: sha256(configBytes), size: configBytes.length };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  await writeFile(blob(root, sha256(manifestBytes)), manifestBytes);
  const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as {
    manifests: { digest: string; size: number }[];
  };
  index.manifests = [{ ...index.manifests[0]!, digest: sha256(manifestBytes), size: manifestBytes.length }];
  await writeFile(join(root, 'index.json'), JSON.stringify(index));
}

/** Rewrites the manifest (and so index.json) of a layout written by writeOciLayout. */
async function rewriteManifest(
  root: string,
  image: SampleImage,
  mutate: (manifest: Record<string, unknown>) => void,
): Promise<void> {
  const manifest = JSON.parse(await readFile(blob(root, image.manifestDigest), 'utf8')) as Record<
    string,
    unknown
  >;
  mutate(manifest);
  const bytes = Buffer.from(JSON.stringify(manifest));
  await writeFile(blob(root, sha256(bytes)), bytes);
  const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as {
    manifests: { digest: string; size: number }[];
  };
  index.manifests = [{ ...index.manifests[0]!, digest: sha256(bytes), size: bytes.length }];
  await writeFile(join(root, 'index.json'), JSON.stringify(index));
}

const rows: Row[] = [
  // docker save archives whose manifest.json names what the tar does not hold as a file (these hung forever)
  {
    name: 'docker-archive: a layer the tar lacks',
    source: (dir) => archive(dir, dockerArchive(1, { entries: (l) => [tarFile('l0/layer.tar', l[0]!)] })),
    expect: /layer l1\/layer.tar is missing from the archive/,
  },
  {
    name: 'docker-archive: a layer path outside the tar (../../etc/passwd)',
    source: (dir) => archive(dir, dockerArchive(2, { layers: ['l0/layer.tar', '../../etc/passwd'] })),
    expect: /manifest.json Layers\[1\] is "..\/..\/etc\/passwd", which is no path inside the archive/,
  },
  {
    name: 'docker-archive: an absolute layer path (/etc/passwd)',
    source: (dir) => archive(dir, dockerArchive(3, { layers: ['l0/layer.tar', '/etc/passwd'] })),
    expect: /manifest.json Layers\[1\] is "\/etc\/passwd", which is no path inside the archive/,
  },
  {
    name: 'docker-archive: a layer that is a symbolic link out of the tar',
    source: (dir) =>
      archive(
        dir,
        dockerArchive(4, {
          entries: (l) => [
            tarFile('l0/layer.tar', l[0]!),
            tarHeader('l1/layer.tar', octal(0), '2', '/etc/passwd'),
          ],
        }),
      ),
    expect:
      /l1\/layer.tar in the archive is a symbolic link to \/etc\/passwd \(not in the archive\), not a regular file/,
  },
  {
    name: 'docker-archive: a diff_id that is not a string',
    source: (dir) => archive(dir, dockerArchive(5, { diffIds: ['sha256:' + 'a'.repeat(64), 42] })),
    expect: /rootfs.diff_ids\[1\] is 42, not a sha256 digest/,
  },
  {
    name: 'docker-archive: a layer that is a directory entry',
    source: (dir) =>
      archive(
        dir,
        dockerArchive(6, {
          entries: (l) => [tarFile('l0/layer.tar', l[0]!), tarHeader('l1/layer.tar', octal(0), '5')],
        }),
      ),
    expect: /l1\/layer.tar in the archive is a directory, not a regular file/,
  },
  {
    name: 'docker-archive: a Layers entry that is not a string',
    source: (dir) => archive(dir, dockerArchive(7, { layers: ['l0/layer.tar', { path: 'x' }] })),
    expect: /manifest.json Layers\[1\] is \{"path":"x"\}, which is no path inside the archive/,
  },
  // Tar headers no tar writer makes (the first looped forever at full CPU, the next gave "position ... NaN")
  {
    name: 'tar: a 3 KB tar with a PAX header size=-1536',
    source: (dir) =>
      archive(
        dir,
        Buffer.concat([
          tarFile('manifest.json', '[]'),
          paxEntry({ size: '-1536' }, 'PaxHeaders/victim'),
          tarHeader('victim', octal(0)),
          TAR_END,
        ]),
      ),
    expect: /cannot read the archive: .*PaxHeaders\/victim.*impossible size "-1536"/,
  },
  {
    name: 'tar: a size field of zzz',
    source: (dir) =>
      archive(dir, Buffer.concat([tarFile('manifest.json', '[]'), tarHeader('zzz-entry', 'zzz'), TAR_END])),
    expect: /entry "zzz-entry" at byte 1024 has an impossible size "zzz/,
  },
  {
    name: 'tar: a PAX size=abc',
    source: (dir) =>
      archive(
        dir,
        Buffer.concat([paxEntry({ path: 'l0/layer.tar', size: 'abc' }), tarHeader('x', octal(0)), TAR_END]),
      ),
    expect: /impossible size "abc" for "l0\/layer.tar"/,
  },
  {
    name: 'tar: an entry that runs past the end of the file',
    source: (dir) => archive(dir, Buffer.concat([tarHeader('manifest.json', octal(1 << 20)), TAR_END])),
    expect:
      /entry "manifest.json" at byte 0 says it holds 1048576 bytes, but the file ends 1024 bytes after.*cut short/,
  },
  // Paths that are no regular file
  {
    name: 'docker-archive path is a FIFO',
    exit: EXIT.input,
    source: async (dir) => {
      await mkdir(dir, { recursive: true });
      execFileSync('mkfifo', [join(dir, 'pipe.tar')]);
      return `docker-archive:${join(dir, 'pipe.tar')}`;
    },
    expect: /is a FIFO \(named pipe\), but docker-archive: reads a tar file in place/,
  },
  {
    name: 'oci-archive path is a character device',
    exit: EXIT.input,
    source: () => Promise.resolve('oci-archive:/dev/zero'),
    expect: /"\/dev\/zero" is a character device, but oci-archive: reads a tar file in place/,
  },
  {
    name: 'docker-archive path is a directory',
    exit: EXIT.input,
    source: async (dir) => {
      await mkdir(join(dir, 'a-dir'), { recursive: true });
      return `docker-archive:${join(dir, 'a-dir')}`;
    },
    expect: /is a directory, but docker-archive: reads a tar file/,
  },
  {
    name: 'oci: path is a FIFO',
    exit: EXIT.input,
    source: async (dir) => {
      await mkdir(dir, { recursive: true });
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      return `oci:${join(dir, 'pipe')}`;
    },
    expect: /is a FIFO \(named pipe\), but oci: reads an OCI layout directory/,
  },
  {
    name: 'OCI layout: index.json is a FIFO',
    source: (dir) => layout(dir, (root) => replaceWith(join(root, 'index.json'), 'fifo')),
    expect: /index.json is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: 'OCI layout: index.json is a directory',
    source: (dir) => layout(dir, (root) => replaceWith(join(root, 'index.json'), 'dir')),
    expect: /index.json is a directory, not a regular file/,
  },
  {
    name: 'OCI layout: index.json is /dev/zero',
    source: (dir) => layout(dir, (root) => replaceWith(join(root, 'index.json'), 'zero')),
    expect: /index.json is a character device, not a regular file/,
  },
  {
    name: 'OCI layout: oci-layout is a FIFO',
    source: (dir) => layout(dir, (root) => replaceWith(join(root, 'oci-layout'), 'fifo')),
    expect: /oci-layout is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: 'OCI layout: index.json of 100 MB',
    source: (dir) => layout(dir, (root) => truncate(join(root, 'index.json'), 100 << 20)),
    expect: /index.json is 104.9 MB, more than the 67.1 MB image-push reads for a metadata file/,
  },
  {
    name: 'OCI layout: the manifest blob is a FIFO',
    source: (dir) => layout(dir, (root, image) => replaceWith(blob(root, image.manifestDigest), 'fifo')),
    expect: /blobs\/sha256\/[a-f0-9]{64} is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: 'OCI layout: a layer blob is a directory',
    source: (dir) => layout(dir, (root, image) => replaceWith(blob(root, image.layers[0]!.digest), 'dir')),
    expect: /blobs\/sha256\/[a-f0-9]{64} is a directory, not a regular file/,
  },
  {
    name: 'OCI layout: the config blob is /dev/zero',
    source: (dir) => layout(dir, (root, image) => replaceWith(blob(root, image.configDigest), 'zero')),
    expect: /blobs\/sha256\/[a-f0-9]{64} is a character device, not a regular file/,
  },
  // JSON of the wrong shape (crashed with TypeErrors before)
  {
    name: 'OCI layout: index.json lists null',
    source: (dir) =>
      layout(dir, (root) =>
        writeFile(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [null] })),
      ),
    expect: /index.json manifests\[0\] is null, not a descriptor/,
  },
  {
    name: 'OCI layout: a manifest whose layers is an object',
    source: (dir) =>
      layout(dir, (root, image) =>
        rewriteManifest(root, image, (manifest) => {
          manifest.layers = { 0: manifest.layers };
        }),
      ),
    expect: /manifest sha256:[a-f0-9]{64} has "layers" that is not a list/,
  },
  {
    name: 'OCI layout: a manifest whose config is a string',
    source: (dir) =>
      layout(dir, (root, image) =>
        rewriteManifest(root, image, (manifest) => {
          manifest.config = 'sha256:abc';
        }),
      ),
    expect: /manifest sha256:[a-f0-9]{64} has config that is not a descriptor/,
  },
  {
    name: 'docker-archive: manifest.json lists null',
    source: (dir) => archive(dir, Buffer.concat([tarFile('manifest.json', '[null]'), TAR_END])),
    expect: /manifest.json entry has no Config or Layers/,
  },
  // platforms on a single-platform image (pushed silently before)
  {
    name: 'platforms linux/arm64 on a single-platform linux/amd64 OCI image',
    exit: EXIT.input,
    source: (dir) => layout(dir, () => Promise.resolve()),
    args: ['--platform', 'linux/arm64'],
    inputs: { platforms: 'linux/arm64' },
    expect: /the image is a single-platform linux\/amd64 image, not linux\/arm64/,
  },
  {
    name: 'platforms linux/arm64 on a linux/amd64 docker archive',
    exit: EXIT.input,
    source: (dir) => archive(dir, dockerArchive(8)),
    args: ['--platform', 'linux/arm64'],
    inputs: { platforms: 'linux/arm64' },
    expect: /the image is a single-platform linux\/amd64 image, not linux\/arm64/,
  },
  // verify: an OCI image whose config does not describe its layers (docker pull refuses it)
  {
    name: 'verify: a diff_id that does not match its layer',
    source: (dir) =>
      layout(dir, (root, image) =>
        rewriteConfig(root, image, (config) => {
          config.rootfs.diff_ids[1] = `sha256:${'0'.repeat(64)}`;
        }),
      ),
    args: ['--verify'],
    inputs: { verify: 'true' },
    expect:
      /layer sha256:[a-f0-9]{64} \(layers\[1\] of manifest sha256:[a-f0-9]{64}\) uncompresses to sha256:[a-f0-9]{64}, but the config's rootfs.diff_ids\[1\] is sha256:0{64}/,
  },
  {
    name: 'verify: a docker archive whose stored gzip layer does not match its diff_id',
    source: async (dir) => {
      const gz = gzipSync(await layerTar(9));
      const path = `blobs/sha256/${sha256(gz).slice(7)}`;
      return archive(
        dir,
        dockerArchive(9, {
          layers: [path, 'l1/layer.tar'],
          diffIds: [`sha256:${'2'.repeat(64)}`, sha256(await layerTar(10, 5000))],
          entries: (l) => [tarFile(path, gz), tarFile('l1/layer.tar', l[1]!)],
        }),
      );
    },
    args: ['--verify'],
    inputs: { verify: 'true' },
    expect:
      /layers\[0\] of manifest sha256:[a-f0-9]{64}\) uncompresses to sha256:[a-f0-9]{64}, but the config's rootfs.diff_ids\[0\] is sha256:2{64}/,
  },
  {
    name: 'verify: fewer diff_ids than layers',
    source: (dir) =>
      layout(dir, (root, image) =>
        rewriteConfig(root, image, (config) => {
          config.rootfs.diff_ids.pop();
        }),
      ),
    args: ['--verify'],
    inputs: { verify: 'true' },
    expect: /lists 2 layers but its config's rootfs.diff_ids names 1/,
  },
];

/** Manifest PUTs the registry saw since the last clear: there must be none. */
async function manifestPuts(): Promise<string[]> {
  return (await registry.requests())
    .filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))
    .map((r) => r.path);
}

function checkFailure(run: BundleRun, row: Row, line: string | undefined, front: string): void {
  const all = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.timedOut, false, `${front} hung (killed after 30 s): ${all}`);
  // The action's step fails (exit 1); the CLI says what kind of failure it was.
  assert.equal(run.code, front === 'CLI' ? (row.exit ?? EXIT.source) : 1, `${front} exit code: ${all}`);
  assert.ok(run.ms < PROMPT_MS, `${front} took ${Math.round(run.ms)} ms`);
  assert.ok(line, `${front} printed no error line: ${all}`);
  assert.match(line, row.expect, front);
  assert.doesNotMatch(all, /still running .* after the push ended/, `${front} needed the exit backstop`);
}

describe('hostile sources: each fails promptly with its own message, and moves no tag', () => {
  for (const row of rows) {
    test(row.name, async () => {
      rowCount++;
      const dir = join(work, `row-${rowCount}`);
      const source = await row.source(dir);
      const tag = `row-${rowCount}`;
      await registry.clearRequests();

      const cli = await runCliBundle(
        ['push', source, `${registry.host}/${REPO}:${tag}`, '--no-blob-map', ...(row.args ?? [])],
        work,
      );
      const cliLine = cli.stderr.split('\n').find((l) => l.startsWith('image-push: '));
      checkFailure(cli, row, cliLine, 'CLI');

      const action = await runActionBundle(
        { image: source, tags: `${registry.host}/${REPO}:${tag}-action`, cache: 'false', ...row.inputs },
        work,
      );
      const errors = action.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, action.stdout);
      checkFailure(action, row, errors[0], 'action');
      assert.equal(action.outputs.digest, undefined);

      assert.deepEqual(await manifestPuts(), [], 'no manifest was put');
      const tags = await listTags(`${registry.host}/${REPO}`);
      assert.ok(!tags.includes(tag) && !tags.includes(`${tag}-action`), `tags: ${tags.join(', ')}`);
    });
  }
});

describe('what a hostile source must not stop', () => {
  test('a docker archive without its two end blocks is read and pushed', async () => {
    const dir = join(work, 'no-end');
    const source = await archive(dir, dockerArchive(900, { noEnd: true }));
    const run = await runCliBundle(
      ['push', source, `${registry.host}/${REPO}:no-end`, '--no-blob-map'],
      work,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^sha256:[a-f0-9]{64}\n$/);
    assert.ok((await listTags(`${registry.host}/${REPO}`)).includes('no-end'));
  });

  test('verify is off by default (as in skopeo): the inconsistent image goes through without it', async () => {
    rowCount++;
    const source = await layout(join(work, 'verify-off'), (root, image) =>
      rewriteConfig(root, image, (config) => {
        config.rootfs.diff_ids[0] = `sha256:${'1'.repeat(64)}`;
      }),
    );
    const off = await runCliBundle(
      ['push', source, `${registry.host}/${REPO}:unverified`, '--no-blob-map'],
      work,
    );
    assert.equal(off.code, 0, off.stderr);
    const on = await runCliBundle(
      ['push', source, `${registry.host}/${REPO}:verified`, '--no-blob-map', '--verify'],
      work,
    );
    assert.equal(on.code, EXIT.source);
    assert.match(on.stderr, /rootfs.diff_ids\[0\] is sha256:1{64}/);
  });

  test('verify passes a consistent image, and says what it checked', async () => {
    rowCount++;
    const source = await layout(join(work, 'verify-ok'), () => Promise.resolve());
    const run = await runCliBundle(
      ['push', source, `${registry.host}/${REPO}:verified-ok`, '--no-blob-map', '--verify'],
      work,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /verified 2 layers \(.*uncompressed\) against the config's diff_ids/);
  });

  test("platforms naming the image's own platform pushes it", async () => {
    rowCount++;
    const source = await archive(join(work, 'platform-ok'), dockerArchive(901));
    const run = await runCliBundle(
      ['push', source, `${registry.host}/${REPO}:amd64`, '--no-blob-map', '--platform', 'linux/amd64'],
      work,
    );
    assert.equal(run.code, 0, run.stderr);
  });
});
