// A docker:// source registry that misbehaves while it is read (the second hostile trial): a download cut by a
// clean close, a resume met by a registry that ignores Range or answers another range, answers that stream
// on without end (manifests, referrers listings, error bodies), a manifest over 4 MiB under a tag, and an upload
// POST redirected back to itself. The proxy (test/helpers/fault-proxy.ts) plays each part in front of a real
// registry; what arrives is checked with skopeo.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import {
  startFaultProxy,
  type FaultKind,
  type FaultOptions,
  type ProxyRequestInfo,
} from '../helpers/fault-proxy.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { copyToOciLayout, listTags, ociLayoutBlobDigests } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let source: TestRegistry;
let destination: TestRegistry;
let work: string;
let image: SampleImage;
let round = 0;
/** Half the big layer: where the downloads are cut. */
let HALF = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  [source, destination, work] = await Promise.all([
    startRegistry(),
    startRegistry(),
    makeTempDir('hostile-registry-source-'),
  ]);
  const layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 4_000_000 }, { size: 30_000 }], seed: 2101 });
  HALF = Math.floor(image.layers[0]!.size / 2);
  await push({
    source: `oci:${layout}`,
    destinations: [`${source.host}/src/app:1`],
    dockerConfig: false,
    concurrency: 4,
    logger: silentLogger,
  });
});

after(async () => {
  await Promise.all([source.stop(), destination.stop()]);
});

/** The big layer's blob GETs: the first `faults.length` get those faults, in order. */
function blobGets(faults: readonly FaultKind[]): {
  ranges: (string | undefined)[];
  filter: (req: ProxyRequestInfo) => boolean | FaultKind;
} {
  const big = image.layers[0]!.digest;
  const ranges: (string | undefined)[] = [];
  return {
    ranges,
    filter: ({ method, path, headers }) => {
      if (method !== 'GET' || !path.endsWith(`/blobs/${big}`)) return false;
      ranges.push(headers.range);
      return faults[ranges.length - 1] ?? false;
    },
  };
}

/** Copies `src/app:1` through a proxy with `faults` to a new repository of the destination. */
async function copyThrough(
  faults: Partial<FaultOptions>,
  extra: Partial<PushOptions> = {},
): Promise<{
  repository: string;
  lines: string[];
  result: Promise<string>;
  proxy: Awaited<ReturnType<typeof startFaultProxy>>;
}> {
  const proxy = await startFaultProxy(source.url, faults);
  const repository = `copy/r${++round}`;
  const log = recordingLogger();
  const result = push({
    source: `docker://${proxy.host}/src/app:1`,
    destinations: [`${destination.host}/${repository}:1`],
    dockerConfig: false,
    concurrency: 4,
    logger: log,
    ...extra,
  })
    .then((r) => r.digest)
    .finally(() => proxy.close());
  return { repository, lines: log.lines, result, proxy };
}

async function assertCopied(repository: string): Promise<void> {
  const pulled = join(work, `pulled-${repository.replace('/', '-')}`);
  await copyToOciLayout(`${destination.host}/${repository}:1`, pulled);
  assert.deepEqual(
    await ociLayoutBlobDigests(pulled),
    [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)].sort(),
  );
}

describe('a docker:// download cut by a clean close (a body short of its Content-Length)', () => {
  test('resumes with Range from where it stopped, and the copy is the image', async () => {
    const { ranges, filter } = blobGets(['cut-response']);
    const run = await copyThrough({
      faultFilter: filter,
      cutResponseAfterBytes: HALF,
      cutResponseHow: 'close',
    });
    assert.equal(await run.result, image.manifestDigest);
    assert.equal(ranges.length, 2, `two GETs of the cut blob: ${JSON.stringify(ranges)}`);
    const from = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    assert.ok(from > 0 && from <= HALF, `resumed from byte ${from}, not from the start`);
    assert.ok(
      run.lines.some((l) => l.includes(`again from byte ${from} (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)`)),
      run.lines.join('\n'),
    );
    await assertCopied(run.repository);
  });

  test('with no retries left, says the registry broke off its answer, not that it cannot be reached', async () => {
    const { filter } = blobGets(['cut-response']);
    const run = await copyThrough(
      { faultFilter: filter, cutResponseAfterBytes: HALF, cutResponseHow: 'close' },
      { retryPolicy: { retries: 0, maxElapsedMs: 30_000, baseDelayMs: 100, maxDelayMs: 100 } },
    );
    const line = await rejectsWithLine(
      run.result,
      /broke off its answer \(the connection closed before the length it announced\)/,
    );
    assert.doesNotMatch(line, /cannot reach/);
    assert.deepEqual(await listTags(`${destination.host}/${run.repository}`), [], 'no tag moved');
  });

  test('a resume met by a registry that ignores Range (200, the whole blob): the known part is skipped', async () => {
    const { ranges, filter } = blobGets(['cut-response', 'ignore-range']);
    const run = await copyThrough({
      faultFilter: filter,
      cutResponseAfterBytes: HALF,
      cutResponseHow: 'close',
    });
    assert.equal(await run.result, image.manifestDigest);
    assert.equal(ranges.length, 2);
    assert.match(ranges[1] ?? '', /^bytes=\d+-$/);
    await assertCopied(run.repository);
  });

  test('a resume answered from an earlier byte (206 from 0): the known part is skipped', async () => {
    const { filter } = blobGets(['cut-response', 'wrong-range']);
    const run = await copyThrough({
      faultFilter: filter,
      cutResponseAfterBytes: HALF,
      cutResponseHow: 'close',
      wrongRangeStart: 0,
    });
    assert.equal(await run.result, image.manifestDigest);
    await assertCopied(run.repository);
  });

  test('a resume answered from a later byte than asked: fails clearly, no tag moves', async () => {
    const { filter } = blobGets(['cut-response', 'wrong-range']);
    const run = await copyThrough({
      faultFilter: filter,
      cutResponseAfterBytes: HALF,
      cutResponseHow: 'close',
      wrongRangeStart: HALF + 100_000,
    });
    await rejectsWithLine(
      run.result,
      new RegExp(
        `asked for bytes from \\d+ on, 127\\.0\\.0\\.1:\\d+ sent the range "bytes ${HALF + 100_000}-\\d+/\\d+".*answers ranges wrongly`,
      ),
    );
    assert.deepEqual(await listTags(`${destination.host}/${run.repository}`), [], 'no tag moved');
  });
});

describe('answers that stream on without end are read no further than their bound', () => {
  const onManifest = ({ method, path }: ProxyRequestInfo): boolean | FaultKind =>
    method === 'GET' && path.endsWith('/manifests/1') ? 'oversize' : false;

  test('a manifest without Content-Length (500 MB): stops at 4 MiB', async () => {
    const run = await copyThrough({ faultFilter: onManifest });
    await rejectsWithLine(
      run.result,
      /^docker:\/\/127\.0\.0\.1:\d+\/src\/app:1: the manifest under tag 1 is over the 4 MiB limit of registries \(it went on past 4 MiB, where reading stopped\)/,
    );
    const sent = run.proxy.requests().find((r) => r.fault === 'oversize');
    assert.ok(sent && sent.responseBytes < 32 << 20, `the proxy sent ${sent?.responseBytes} bytes`);
  });

  test('a manifest over 4 MiB with its Content-Length, under a tag: said as what it is, not read', async () => {
    const run = await copyThrough({
      faultFilter: onManifest,
      oversizeLength: true,
      oversizeBytes: 4_718_592,
    });
    const line = await rejectsWithLine(
      run.result,
      /^docker:\/\/127\.0\.0\.1:\d+\/src\/app:1: the manifest under tag 1 is over the 4 MiB limit of registries \(4718592 bytes\)\. registries refuse manifests this large, so no destination would take it/,
    );
    assert.doesNotMatch(line, /index\.json|single image of the index/);
  });

  test('an error body without end (a 400 that streams 500 MB): its start is quoted, the rest never read', async () => {
    const run = await copyThrough({ faultFilter: onManifest, oversizeStatus: 400 });
    await rejectsWithLine(
      run.result,
      /reading manifest src\/app:1: 127\.0\.0\.1:\d+ answered 400 \(\{"schemaVersion":2,"pad":"aaaa/,
    );
    const sent = run.proxy.requests().find((r) => r.fault === 'oversize');
    assert.ok(sent && sent.responseBytes < 32 << 20, `the proxy sent ${sent?.responseBytes} bytes`);
  });

  test('a referrers listing without end: stops at 4 MiB', async () => {
    const run = await copyThrough({
      faultFilter: ({ method, path }) =>
        method === 'GET' && path.includes('/referrers/') ? 'oversize' : false,
      oversizeContentType: 'application/vnd.oci.image.index.v1+json',
    });
    await rejectsWithLine(
      run.result,
      /listing the referrers of sha256:[0-9a-f]{64} in src\/app: .*more than 4 MiB/,
    );
    const sent = run.proxy.requests().find((r) => r.fault === 'oversize');
    assert.ok(sent && sent.responseBytes < 32 << 20, `the proxy sent ${sent?.responseBytes} bytes`);
  });
});

describe('an upload POST redirected back to itself', () => {
  test('says "redirects in a loop", as PUT and PATCH do', async () => {
    const proxy = await startFaultProxy(destination.url, {
      faultFilter: ({ method, path }) =>
        method === 'POST' && path.includes('/blobs/uploads/') ? 'redirect' : false,
    });
    try {
      await rejectsWithLine(
        push({
          source: `oci:${join(work, 'layout')}`,
          destinations: [`${proxy.host}/loop/app:1`],
          dockerConfig: false,
          concurrency: 4,
          logger: silentLogger,
        }),
        /^uploading blob sha256:[0-9a-f]{64} to loop\/app: 127\.0\.0\.1:\d+ redirected more than 5 times\. the registry or a proxy redirects in a loop/,
      );
    } finally {
      await proxy.close();
    }
  });
});
