// A newcomer's first minutes, through the bundles as GitHub and a shell run them (dist/index.js, dist/cli.js;
// `npm run build` first), against a real registry: the log's last lines and the notice, the job summary on
// success and on failure, the retry warning, the pitfalls that used to fail silently, and the CLI's basics.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { VERSION } from '../../src/version.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { parseBlocks, tablesOf } from '../helpers/markdown.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  work = await makeTempDir('first-minutes-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, {
    layers: [{ size: 3_000_000 }, { size: 200_000 }, { size: 30_000 }],
    seed: 14,
  });
});

after(async () => {
  await registry.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
}

let runs = 0;

/** dist/index.js with the inputs as INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
async function runAction(inputs: Record<string, string>, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const id = ++runs;
  const summaryFile = join(work, `summary-${id}.md`);
  const outputFile = join(work, `output-${id}`);
  await Promise.all([writeFile(summaryFile, ''), writeFile(outputFile, '')]);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: work,
    XDG_CACHE_HOME: join(work, `cache-${id}`),
    DOCKER_CONFIG: join(work, 'no-docker-config'),
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const run = await exec([join(root, 'dist/index.js')], env);
  return { ...run, summary: await readFile(summaryFile, 'utf8') };
}

async function runCli(args: string[]): Promise<Omit<Run, 'summary'>> {
  return exec([cli, ...args], {
    PATH: process.env.PATH,
    XDG_CACHE_HOME: join(work, 'cli-cache'),
    DOCKER_CONFIG: join(work, 'no-docker-config'),
  });
}

async function exec(args: string[], env: NodeJS.ProcessEnv): Promise<Omit<Run, 'summary'>> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The lines the runner shows: without the commands it consumes silently. */
function logLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line !== '' && !line.startsWith('::add-mask::'));
}

const blobDigests = (): string[] => [image.configDigest, ...image.layers.map((l) => l.digest)];

describe('the action bundle, as a newcomer sees it', () => {
  test('the last lines of the log are the pushed repository@digest per registry, and a notice', async () => {
    const other = await startRegistry();
    try {
      const run = await runAction({
        image: `oci:${layout}`,
        tags: `${registry.host}/first/app:1.0\n${registry.host}/first/app:latest\n${other.host}/mirror/app:1.0`,
      });
      assert.equal(run.code, 0, run.stdout);
      const lines = logLines(run.stdout);
      const pinned = [
        `${registry.host}/first/app@${image.manifestDigest}`,
        `${other.host}/mirror/app@${image.manifestDigest}`,
      ];
      // Outside the collapsed group, and last.
      assert.ok(lines.lastIndexOf('::endgroup::') < lines.length - 3, run.stdout);
      assert.deepEqual(lines.slice(-3), [
        ...pinned.map((p) => `pushed ${p}`),
        `::notice title=Image pushed::${pinned.join('%0A')}`,
      ]);
      for (const p of pinned) assert.equal((await inspectRaw(p)).length, image.manifestSize);
    } finally {
      await other.stop();
    }
  });

  test('the summary: one pull line per repository, tags, blob words a user knows, and it renders', async () => {
    const run = await runAction({ image: `oci:${layout}`, tags: `${registry.host}/summary/app:1.0` });
    assert.equal(run.code, 0, run.stdout);
    const blocks = parseBlocks(run.summary);
    assert.deepEqual(blocks[0], {
      kind: 'heading',
      level: 3,
      text: `Image pushed: \`${image.manifestDigest}\``,
    });
    const pulls = blocks.flatMap((b) => (b.kind === 'code' ? b.lines : []));
    assert.deepEqual(pulls, [`docker pull ${registry.host}/summary/app@${image.manifestDigest}`]);
    const [blobs] = tablesOf(blocks);
    assert.deepEqual(blobs!.header, ['Blob', 'Size', 'What happened', 'Time', 'Throughput']);
    assert.equal(blobs!.rows.length, blobDigests().length);
    // The test registry already holds these blobs in first/app, but nothing remembers that here: uploaded.
    assert.deepEqual(
      blobs!.rows.map((r) => r[2]),
      ['uploaded', 'uploaded', 'uploaded', 'uploaded'],
    );
    // A rate only for blobs of 1 MB or more (the sample layers compress: sizes from the image).
    const sizes = [image.configSize, ...image.layers.map((l) => l.size)].sort((a, b) => b - a);
    assert.ok(sizes[0]! >= 1_000_000 && sizes[1]! < 1_000_000, `sizes ${sizes.join(', ')}`);
    assert.deepEqual(
      blobs!.rows.map((r) => r[4] !== '–'),
      sizes.map((size) => size >= 1_000_000),
    );
    assert.ok(!run.summary.includes('already in the registry ('), 'nothing was skipped');

    const again = await runAction({ image: `oci:${layout}`, tags: `${registry.host}/summary/app:1.0` });
    assert.equal(again.code, 0, again.stdout);
    const [warm] = tablesOf(parseBlocks(again.summary));
    assert.deepEqual(
      warm!.rows.map((r) => r[2]),
      [
        'already in the registry',
        'already in the registry',
        'already in the registry',
        'already in the registry',
      ],
    );
    assert.match(again.summary, /, 4 already in the registry \([^)]+\)\./);
  });

  test('a failed push: one error line, and a summary of what failed, the fix and what went up', async () => {
    // One layer's bytes corrupted on disk (same size): its upload fails the digest check, the rest go up.
    const broken = join(work, 'broken');
    const brokenImage = await writeOciLayout(broken, {
      layers: [{ size: 400_000 }, { size: 200_000 }],
      seed: 15,
    });
    const victim = brokenImage.layers[1]!;
    const file = join(broken, 'blobs/sha256', victim.digest.slice('sha256:'.length));
    const bytes = await readFile(file);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(file, bytes);

    const run = await runAction({ image: `oci:${broken}`, tags: `${registry.host}/broken/app:1` });
    assert.equal(run.code, 1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    assert.equal(errors.length, 1, run.stdout);
    assert.match(errors[0]!, /does not match its descriptor/);
    assert.deepEqual(await listTags(`${registry.host}/broken/app`), [], 'no tag moved');

    const blocks = parseBlocks(run.summary);
    assert.deepEqual(blocks[0], { kind: 'heading', level: 3, text: `Push failed: \`oci:${broken}\`` });
    const paragraphs = blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
    assert.match(paragraphs[0]!, new RegExp(`^\\*\\*What failed:\\*\\* .*${victim.digest}.*does not match`));
    assert.match(paragraphs[1]!, /^\*\*How to fix it:\*\* the source is corrupt; export the image again$/);
    assert.match(paragraphs[2]!, /^\*\*Before the failure:\*\* 2 blobs uploaded/);
    const [table] = tablesOf(blocks);
    const good = [brokenImage.layers[0]!.digest, brokenImage.configDigest];
    assert.deepEqual(
      table!.rows.map((r) => [r[0], r[2]]),
      good.map((d) => [`\`${d.slice(0, 'sha256:'.length + 12)}\``, 'uploaded']),
    );
    // An independent look at the registry: what the summary says went up is there, the corrupt blob is not.
    for (const digest of good) assert.equal(await blobStatus('broken/app', digest), 200);
    assert.equal(await blobStatus('broken/app', victim.digest), 404);
  });

  test('summary: false, or DOCKER_BUILD_SUMMARY=false, writes no summary (also for a failure); imageid is the config digest', async () => {
    const off = await runAction({
      image: `oci:${layout}`,
      tags: `${registry.host}/quiet/app:1`,
      summary: 'false',
    });
    assert.equal(off.code, 0, off.stdout);
    assert.equal(off.summary, '');
    assert.match(off.stdout, new RegExp(`pushed ${registry.host}/quiet/app@${image.manifestDigest}`));
    const env = await runAction(
      { image: `oci:${layout}`, tags: `${registry.host}/quiet/app:2` },
      { DOCKER_BUILD_SUMMARY: 'false' },
    );
    assert.equal(env.code, 0, env.stdout);
    assert.equal(env.summary, '');
    const failed = await runAction(
      { image: '', tags: `${registry.host}/quiet/app:3` },
      { DOCKER_BUILD_SUMMARY: '0' /* as build-push-action also reads it */ },
    );
    assert.equal(failed.code, 1);
    assert.equal(failed.summary, '');
    // The default still writes one, with the source and the single image's platform.
    const on = await runAction({ image: `oci:${layout}`, tags: `${registry.host}/quiet/app:4` });
    assert.match(on.summary, new RegExp(`^Manifest for \`linux/amd64\``, 'm'));
    assert.ok(on.summary.includes(`\nFrom \`oci:${layout}\`.\n`), on.summary);
    const output = await readFile(join(work, `output-${runs}`), 'utf8');
    assert.match(output, new RegExp(`^imageid<<ghadelimiter_[\\w-]+\n${image.configDigest}\n`, 'm'));
  });

  test('a refused login: the summary headline names the repository and what the registry meant', async () => {
    const locked = await startRegistry({ htpasswd: { username: 'ci', password: 'right-pa55' } });
    try {
      const run = await runAction({
        image: `oci:${layout}`,
        tags: `${locked.host}/demo/app:1`,
        username: 'ci',
        password: 'wrong-pa55',
      });
      assert.equal(run.code, 1);
      const blocks = parseBlocks(run.summary);
      assert.deepEqual(blocks[0], {
        kind: 'heading',
        level: 3,
        text: `Push failed: \`${locked.host}/demo/app\` refused the credentials (401)`,
      });
      const paragraphs = blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
      assert.equal(paragraphs[0], `Pushing \`oci:${layout}\`.`);
      assert.match(paragraphs[1]!, /^\*\*What failed:\*\* .*answered 401/);
      assert.ok(!run.summary.includes('wrong-pa55'));
    } finally {
      await locked.stop();
    }
  });

  test('an input error also gets a summary with its fix', async () => {
    const run = await runAction({ image: '', tags: `${registry.host}/x/app:1` });
    assert.equal(run.code, 1);
    assert.match(run.summary, /^### Push failed\n/);
    assert.match(run.summary, /\*\*What failed:\*\* neither image nor merge is set/);
    assert.match(run.summary, /\*\*How to fix it:\*\* set image to push an image/);
  });

  test('retries that end well are plain lines, and one warning at the end sums them up', async () => {
    const proxy = await startFaultProxy(registry.url, {
      failureRate: 0.3,
      seed: 14,
      kinds: ['status'],
      statuses: [503],
      statusBody: 'drain',
    });
    try {
      const run = await runAction({
        image: `oci:${layout}`,
        tags: `${proxy.host}/retried/app:1`,
        retries: '10',
      });
      assert.equal(run.code, 0, run.stdout);
      assert.ok(proxy.stats.faults.status > 0, 'the proxy failed some requests');
      const retryLines = run.stdout.split('\n').filter((line) => /: HTTP 503, retry \d+ of 10 in/.test(line));
      assert.ok(retryLines.length > 0, run.stdout);
      assert.ok(
        retryLines.every((line) => !line.startsWith('::')),
        'each retry is a plain line',
      );
      const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
      assert.deepEqual(warnings, [
        `::warning::${retryLines.length} request${retryLines.length === 1 ? '' : 's'} retried: HTTP 503 x${retryLines.length}; the push went on (a flaky registry or proxy?)`,
      ]);
    } finally {
      await proxy.close();
    }
  });

  test('a bare word in tags with a namespaced registry is an error that shows the intended form', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      tags: 'latest',
      registry: `${registry.host}/acme`,
    });
    assert.equal(run.code, 1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    assert.deepEqual(errors, [
      `::error::destination "latest" names no image: with registry "${registry.host}/acme" it would push to ` +
        `${registry.host}/acme/latest:latest. for the tag latest write IMAGE:latest (app:latest pushes to ` +
        `${registry.host}/acme/app:latest); for an image named latest write latest:latest`,
    ]);
    assert.deepEqual(await listTags(`${registry.host}/acme/latest`), []);
    // The form the error shows works.
    const fixed = await runAction({
      image: `oci:${layout}`,
      tags: 'app:latest',
      registry: `${registry.host}/acme`,
    });
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.deepEqual(await listTags(`${registry.host}/acme/app`), ['latest']);
  });

  test('push-by-digest with a tag warns that the tag does not move', async () => {
    const run = await runAction({
      image: `oci:${layout}`,
      tags: `${registry.host}/bydigest/app:1.0`,
      'push-by-digest': 'true',
    });
    assert.equal(run.code, 0, run.stdout);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
    assert.deepEqual(warnings, [
      `::warning::push-by-digest moves no tag, so "${registry.host}/bydigest/app:1.0" is pushed by digest only. ` +
        'Drop the tag from tags (name the repository alone), or set push-by-digest: false',
    ]);
    assert.deepEqual(await listTags(`${registry.host}/bydigest/app`), []);
    const quiet = await runAction({
      image: `oci:${layout}`,
      tags: `${registry.host}/bydigest/app`,
      'push-by-digest': 'true',
    });
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.ok(!quiet.stdout.includes('::warning'), quiet.stdout);
  });
});

describe('the CLI bundle, as a newcomer tries it', () => {
  test('--version prints the version of package.json', async () => {
    const run = await runCli(['--version']);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `image-push ${pkg.version}\n`);
    assert.equal(VERSION, pkg.version);
  });

  test('no arguments prints the usage', async () => {
    const run = await runCli([]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^usage: image-push push SOURCE DESTINATION\.\.\. \[options\]\n/);
    assert.match(run.stdout, /--digest-file FILE/);
    assert.equal(run.stderr, '');
  });

  test('merge --annotation writes an annotated index; push --annotation is refused in one line', async () => {
    const pushed = await runCli([
      'push',
      '--no-blob-map',
      `oci:${layout}`,
      `${registry.host}/cli/annotated:src`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const merged = await runCli([
      'merge',
      `${registry.host}/cli/annotated:1`,
      '--source',
      `${registry.host}/cli/annotated@${image.manifestDigest}`,
      '--annotation',
      'index:org.opencontainers.image.description=from the CLI',
    ]);
    assert.equal(merged.code, 0, merged.stderr);
    const index = JSON.parse((await inspectRaw(`${registry.host}/cli/annotated:1`)).toString('utf8')) as {
      annotations?: Record<string, string>;
    };
    assert.deepEqual(index.annotations, { 'org.opencontainers.image.description': 'from the CLI' });

    const refused = await runCli([
      'push',
      `oci:${layout}`,
      `${registry.host}/cli/x:1`,
      '--annotation',
      'a=b',
    ]);
    assert.equal(refused.code, 2, 'an input error');
    assert.match(
      refused.stderr,
      /^image-push: --annotation applies only to the index merge writes: .*digest\. /,
    );
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  });

  test('--digest-file writes the digest, as skopeo --digestfile does', async () => {
    const digestFile = join(work, 'digest');
    const run = await runCli([
      'push',
      '--no-blob-map',
      '--digest-file',
      digestFile,
      `oci:${layout}`,
      `${registry.host}/cli/app:1`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await readFile(digestFile, 'utf8'), image.manifestDigest);
    assert.equal(run.stdout, `${image.manifestDigest}\n`);
    // stderr ends with what was pushed, pinned.
    assert.equal(
      run.stderr.trimEnd().split('\n').at(-1),
      `pushed ${registry.host}/cli/app@${image.manifestDigest}`,
    );
  });

  test('a re-run whose tag holds the image reads only the manifest and loads no built-in it does not need', async () => {
    // Each of these cost a re-run milliseconds of start-up (node:crypto ~6, node:http2 ~6, node:assert ~4).
    const reference = `${registry.host}/cli/rerun:1`;
    const first = await runCli(['push', '--no-blob-map', `oci:${layout}`, reference]);
    assert.equal(first.code, 0, first.stderr);
    // The re-run, with a preload that records the built-ins loaded and every file opened.
    const record = join(work, 'rerun-record.json');
    const preload = join(work, 'record.cjs');
    await writeFile(
      preload,
      `const fs = require('node:fs');
      const opened = [];
      const wrap = (object, name) => {
        const real = object[name];
        object[name] = function (path, ...rest) { opened.push(String(path)); return real.call(this, path, ...rest); };
      };
      for (const name of ['open', 'openSync', 'readFile', 'readFileSync', 'createReadStream']) wrap(fs, name);
      for (const name of ['open', 'readFile']) wrap(fs.promises, name);
      process.on('exit', () => fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ modules: process.moduleLoadList, opened })));`,
    );
    const again = await exec(
      ['--require', preload, cli, 'push', '--no-blob-map', `oci:${layout}`, reference],
      {
        PATH: process.env.PATH,
        XDG_CACHE_HOME: join(work, 'cli-cache'),
        DOCKER_CONFIG: join(work, 'no-docker-config'),
      },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${image.manifestDigest}\n`);
    const { modules, opened } = JSON.parse(await readFile(record, 'utf8')) as {
      modules: string[];
      opened: string[];
    };
    assert.ok(modules.includes('NativeModule http'), 'the recording works: undici loads node:http');
    for (const name of ['crypto', 'http2', 'assert', 'tls', 'child_process']) {
      assert.ok(!modules.includes(`NativeModule ${name}`), `node:${name} was loaded`);
    }
    const blobs = opened.filter((path) => path.startsWith(join(layout, 'blobs')));
    assert.deepEqual(blobs, [join(layout, 'blobs/sha256', image.manifestDigest.slice(7))]);
  });

  test('--digest-file in a missing directory fails with one line that still names the pushed digest', async () => {
    const run = await runCli([
      'push',
      '--quiet',
      '--no-blob-map',
      '--digest-file',
      join(work, 'no-such-dir', 'digest'),
      `oci:${layout}`,
      `${registry.host}/cli/app:2`,
    ]);
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^image-push: the image was pushed \\(${image.manifestDigest}\\), but --digest-file .* could not be written: it does not exist \\(ENOENT\\)`,
      ),
    );
  });

  test('a bare word with a namespaced --registry is refused before any request', async () => {
    await registry.clearRequests();
    const run = await runCli(['push', '--registry', `${registry.host}/acme`, `oci:${layout}`, 'v1']);
    assert.equal(run.code, 2, 'the exit code of an input error');
    assert.match(run.stderr, /^image-push: destination "v1" names no image: .*write IMAGE:v1/);
    assert.deepEqual(await registry.requests(), []);
  });
});

/** HEAD of a blob, by plain fetch: an independent look at what the registry holds. */
async function blobStatus(repository: string, digest: string): Promise<number> {
  const response = await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`, {
    method: 'HEAD',
    signal: AbortSignal.timeout(10_000),
  });
  return response.status;
}
