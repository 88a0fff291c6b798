// Two pushes racing for one tag (the second hostile trial). Registries have no conditional manifest PUT, so
// `overwrite: false` checks the tag before the upload and reads it back after its PUT. Here the race is made
// certain: the proxy holds back the answer to push A's tag PUT (the registry has stored it) while push B
// moves the tag; A's read-back then finds B's image. With overwrite: false A must fail, saying another push
// moved the tag; with overwrite: true it warns; either way it never reports the tag as its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import { sha256Digest } from '../../src/oci/digest.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
let work: string;
let a: SampleImage;
let b: SampleImage;
let round = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [registry, work] = await Promise.all([startRegistry(), makeTempDir('tag-race-')]);
  a = await writeOciLayout(join(work, 'a'), { layers: [{ size: 20_000 }], seed: 2121 });
  b = await writeOciLayout(join(work, 'b'), { layers: [{ size: 20_000 }], seed: 2122 });
});

after(async () => {
  await registry.stop();
});

/**
 * Push A through a proxy that holds back the answer to A's tag PUT while push B (straight to the registry)
 * moves the tag. Returns A's outcome, A's log and what the tag holds at the end.
 */
async function race(overwrite: boolean): Promise<{
  outcome: Promise<Awaited<ReturnType<typeof push>>>;
  lines: string[];
  repository: string;
  pushB: () => Promise<unknown>;
}> {
  const repository = `race/r${++round}`;
  let pushB: Promise<unknown> | undefined;
  const proxy = await startFaultProxy(registry.url, {
    stallMs: 3000,
    faultFilter: ({ method, path }) => {
      if (method !== 'PUT' || path !== `/v2/${repository}/manifests/1`) return false;
      pushB ??= push({
        source: `oci:${join(work, 'b')}`,
        destinations: [`${registry.host}/${repository}:1`],
        dockerConfig: false,
        concurrency: 4,
        logger: silentLogger,
      });
      return 'stall';
    },
  });
  const log = recordingLogger();
  const outcome = push({
    source: `oci:${join(work, 'a')}`,
    destinations: [`${proxy.host}/${repository}:1`],
    dockerConfig: false,
    concurrency: 4,
    logger: log,
    overwrite,
  }).finally(() => proxy.close());
  return { outcome, lines: log.lines, repository, pushB: () => pushB ?? Promise.resolve() };
}

describe('two pushes racing for a new tag', () => {
  test('overwrite: false: the push whose tag was moved right after its PUT fails, naming the race', async () => {
    const run = await race(false);
    await rejectsWithLine(
      run.outcome,
      new RegExp(
        `^another push moved the tag: 127\\.0\\.0\\.1:\\d+/${run.repository}:1 holds ${b.manifestDigest} right after this push put ${a.manifestDigest} there, and overwrite is false\\. two pushes raced for the tag`,
      ),
    );
    await run.pushB();
    assert.equal(sha256Digest(await inspectRaw(`${registry.host}/${run.repository}:1`)), b.manifestDigest);
    assert.ok(!run.lines.some((l) => l.includes(`pushed 127.0.0.1`) && l.endsWith(':1')), 'no "pushed" line');
  });

  test('overwrite: true: a warning, and the lost tag is not reported', async () => {
    const run = await race(true);
    const result = await run.outcome;
    await run.pushB();
    assert.equal(result.digest, a.manifestDigest);
    assert.deepEqual(result.references, [], 'the tags output leaves out the tag it lost');
    assert.ok(
      run.lines.some((l) =>
        new RegExp(
          `^warning: another push moved 127\\.0\\.0\\.1:\\d+/${run.repository}:1 to ${b.manifestDigest}`,
        ).test(l),
      ),
      run.lines.join('\n'),
    );
    assert.ok(
      !run.lines.some((l) => /^info: pushed 127\.0\.0\.1:\d+\/race\/r\d+:1$/.test(l)),
      'no "pushed" line',
    );
    assert.equal(sha256Digest(await inspectRaw(`${registry.host}/${run.repository}:1`)), b.manifestDigest);
  });
});
