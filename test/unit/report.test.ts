// The push report: job summary markdown, the metadata output, and the progress lines (on a fake clock).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../src/oci/media-types.ts';
import type { BlobReport } from '../../src/engine/result.ts';
import { formatBytes } from '../../src/format.ts';
import { buildMetadata, formatPlatform, type PushResultWithChildren } from '../../src/report/metadata.ts';
import { formatTransferSummary, ProgressReporter, type ProgressTimers } from '../../src/engine/progress.ts';
import { InputError } from '../../src/errors.ts';
import { RegistryError } from '../../src/registry/transport/errors.ts';
import { pinnedReferences } from '../../src/report/pushed.ts';
import {
  blobOutcome,
  buildFailureSummary,
  buildSummary,
  LONG_TABLE,
  shortDigest,
} from '../../src/report/summary.ts';
import { marked } from 'marked';
import { parseBlocks, tablesOf } from '../helpers/markdown.ts';

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const REPO = '127.0.0.1:5000/team/app';
const ROOT = digestOf('root manifest');

function blob(name: string, size: number, details: Partial<BlobReport> = {}): BlobReport {
  return {
    repository: REPO,
    digest: digestOf(name),
    mediaType: OCI_LAYER_GZIP,
    size,
    action: 'uploaded',
    compressed: false,
    fromBlobMap: false,
    seconds: 0.5,
    ...details,
  };
}

function result(overrides: Partial<PushResultWithChildren> = {}): PushResultWithChildren {
  return {
    digest: ROOT,
    mediaType: OCI_MANIFEST,
    size: 1234,
    references: [`${REPO}:1.0`, `${REPO}:latest`],
    image: `${REPO}@${ROOT}`,
    blobs: [
      blob('config', 900, { mediaType: OCI_CONFIG }),
      blob('big layer', 3_000_000, { compressed: true, seconds: 1.5 }),
      blob('shared base', 2_000_000, { action: 'skipped', seconds: 0 }),
      blob('remembered', 500_000, { action: 'skipped', fromBlobMap: true, seconds: 0 }),
    ],
    bytesCompressed: 7_000_000,
    layersRead: 1,
    children: [],
    ...overrides,
  };
}

/** The rows of every table in `markdown` (also inside <details>), header first, each row's cells trimmed. */
function tables(markdown: string): string[][][] {
  return tablesOf(parseBlocks(markdown)).map((t) => [t.header, ...t.rows]);
}

describe('the job summary', () => {
  test('one copyable pull line per repository, then its tags, no digest column', () => {
    const input = result();
    const markdown = buildSummary(input);
    const blocks = parseBlocks(markdown);
    assert.deepEqual(blocks[0], { kind: 'heading', level: 3, text: `Image pushed: \`${ROOT}\`` });
    const pulls = blocks.filter((b) => b.kind === 'code');
    assert.deepEqual(pulls, [{ kind: 'code', lang: 'sh', lines: [`docker pull ${REPO}@${ROOT}`] }]);
    assert.ok(
      blocks.some((b) => b.kind === 'paragraph' && b.text === `**${REPO}**: tags \`1.0\`, \`latest\``),
      markdown,
    );
    // The digest: in the heading and the pull line, not once per reference.
    assert.equal(markdown.split(ROOT).length - 1, 2, markdown);
    assert.ok(!tables(markdown).some((t) => t[0]!.includes('Digest')));
  });

  test('a pull line for each repository, and "by digest" where no tag moved', () => {
    const mirror = '127.0.0.1:5001/mirror/app';
    const markdown = buildSummary(result({ references: [`${REPO}:1.0`, `${mirror}@${ROOT}`] }));
    const pulls = parseBlocks(markdown).flatMap((b) => (b.kind === 'code' ? b.lines : []));
    assert.deepEqual(pulls, [`docker pull ${REPO}@${ROOT}`, `docker pull ${mirror}@${ROOT}`]);
    assert.ok(markdown.includes(`**${mirror}**: by digest, no tag`), markdown);
  });

  test('has one row per blob, largest first, saying what happened in plain words', () => {
    const input = result();
    const blobTable = tables(buildSummary(input)).at(-1)!;
    const [header, ...rows] = blobTable;
    assert.deepEqual(header, ['Blob', 'Size', 'What happened', 'Time', 'Throughput']);
    const bySize = [...input.blobs].sort((a, b) => b.size - a.size);
    assert.deepEqual(
      rows.map((r) => r[0]),
      bySize.map((b) => `\`${shortDigest(b.digest)}\``),
    );
    assert.deepEqual(
      rows.map((r) => r[1]),
      bySize.map((b) => formatBytes(b.size)),
    );
    assert.deepEqual(
      rows.map((r) => r[2]),
      [
        'compressed and uploaded',
        'already in the registry',
        'known from an earlier push (not read)',
        'uploaded',
      ],
    );
    // Time and throughput only for what moved: 3 MB in 1.5 s.
    assert.deepEqual(rows[0]!.slice(3), ['1.50 s', `${formatBytes(2_000_000)}/s`]);
    assert.deepEqual(rows[1]!.slice(3), ['–', '–']);
    // The 900 B config took 0.5 s: its time shows, a rate that is only latency does not.
    assert.deepEqual(rows[3]!.slice(3), ['0.50 s', '–']);
  });

  test('a long blob table is collapsed in <details>, a short one is not', () => {
    const many = Array.from({ length: LONG_TABLE + 1 }, (_, i) => blob(`layer ${i}`, 1000 + i));
    const blocks = parseBlocks(buildSummary(result({ blobs: many })));
    const details = blocks.filter((b) => b.kind === 'details');
    assert.equal(details.length, 1);
    assert.match(details[0]!.summary, /^9 blobs, /);
    assert.equal(tablesOf(details[0]!.blocks)[0]!.rows.length, LONG_TABLE + 1);
    const few = parseBlocks(buildSummary(result({ blobs: many.slice(0, LONG_TABLE) })));
    assert.ok(!few.some((b) => b.kind === 'details'));
    assert.equal(tablesOf(few).at(-1)!.rows.length, LONG_TABLE);
  });

  test('totals: uploaded, already in the registry, mounted, each as its output counts it', () => {
    const input = result({
      blobs: [...result().blobs, blob('mounted', 700_000, { action: 'mounted', seconds: 0 })],
    });
    const markdown = buildSummary(input, { seconds: 2 });
    assert.ok(
      markdown.includes(
        `**Totals:** 5 blobs, ${formatBytes(6_200_900)}: 2 uploaded (${formatBytes(3_000_900)}), ` +
          `2 already in the registry (${formatBytes(2_500_000)}), 1 mounted (${formatBytes(700_000)}).`,
      ),
      markdown,
    );
    assert.ok(!markdown.includes('Saved'), 'no figure that no output has');
    assert.ok(markdown.includes(`Compressed ${formatBytes(7_000_000)} of uncompressed layers`), markdown);
    assert.ok(markdown.includes(`pushed in 2.00 s, ${formatBytes(1_500_450)}/s uploaded`), markdown);
    assert.ok(!buildSummary(result({ bytesCompressed: 0 })).includes('Compressed'));
  });

  test('only the outcomes that happened are counted', () => {
    const markdown = buildSummary(result({ blobs: [blob('a', 10), blob('b', 20)] }));
    assert.ok(markdown.includes(`**Totals:** 2 blobs, 30 B: 2 uploaded (30 B).`), markdown);
  });

  test('the source, and the platform of a single image; an index lists its platforms instead', () => {
    const single = parseBlocks(
      buildSummary(result({ source: 'oci:./layout', platform: { os: 'linux', architecture: 'arm64' } })),
    );
    assert.deepEqual(
      single.slice(1, 3).map((b) => (b.kind === 'paragraph' ? b.text : b.kind)),
      [`Manifest for \`linux/arm64\`, ${formatBytes(1234)}, \`${OCI_MANIFEST}\`.`, 'From `oci:./layout`.'],
    );
    const out = marked.parse(buildSummary(result({ source: 'oci:./layout' })), { gfm: true, async: false });
    assert.ok(out.includes('<p>From <code>oci:./layout</code>.</p>'), out);
  });

  test('names each outcome the push can report', () => {
    assert.equal(blobOutcome(blob('a', 1)), 'uploaded');
    assert.equal(blobOutcome(blob('a', 1, { compressed: true })), 'compressed and uploaded');
    assert.equal(blobOutcome(blob('a', 1, { action: 'skipped' })), 'already in the registry');
    assert.equal(
      blobOutcome(blob('a', 1, { action: 'skipped', fromBlobMap: true })),
      'known from an earlier push (not read)',
    );
    assert.equal(blobOutcome(blob('a', 1, { action: 'mounted' })), 'mounted from another repository');
  });

  test('one blob table per repository when pushing to several', () => {
    const other = '127.0.0.1:5001/mirror/app';
    const input = result({
      blobs: [blob('layer', 10), { ...blob('layer', 10), repository: other, action: 'skipped' }],
    });
    const markdown = buildSummary(input);
    assert.ok(markdown.includes(`#### Blobs in \`${REPO}\``));
    assert.ok(markdown.includes(`#### Blobs in \`${other}\``));
    assert.equal(tables(markdown).length, 2);
    assert.ok(!buildSummary(result()).includes('#### Blobs in'));
  });

  test('an index gets a table of its platforms', () => {
    const amd64 = { digest: digestOf('amd64'), mediaType: OCI_MANIFEST, size: 500 };
    const arm = {
      ...amd64,
      digest: digestOf('arm'),
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    };
    const input = result({
      mediaType: OCI_INDEX,
      children: [{ ...amd64, platform: { os: 'linux', architecture: 'amd64' } }, arm],
    });
    const markdown = buildSummary(input);
    assert.ok(markdown.includes('Index of 2 platforms'), markdown);
    const platformTable = tables(markdown)[0]!;
    assert.deepEqual(platformTable, [
      ['Platform', 'Manifest', 'Size'],
      ['linux/amd64', `\`${shortDigest(amd64.digest)}\``, formatBytes(500)],
      ['linux/arm/v7', `\`${shortDigest(arm.digest)}\``, formatBytes(500)],
    ]);
    assert.equal(tables(buildSummary(result())).length, 1, 'no platform table for a single manifest');
  });

  test('shows nothing but what PushResult reports', () => {
    const secret = 'hunter2-s3cret';
    const input = { ...result(), credentials: { username: 'ci', password: secret } };
    const markdown = buildSummary(input);
    const metadata = JSON.stringify(buildMetadata(input));
    assert.ok(!markdown.includes(secret) && !metadata.includes(secret));
  });

  test('short digests keep the algorithm and 12 hex digits', () => {
    assert.equal(shortDigest(ROOT), `sha256:${ROOT.slice(7, 19)}`);
  });
});

describe('the summary as GitHub renders it (GFM with raw HTML, rendered here by marked)', () => {
  const html = (markdown: string): string => marked.parse(markdown, { gfm: true, async: false });

  test('a long blob table becomes an HTML table inside <details>, after its <summary>', () => {
    const many = Array.from({ length: LONG_TABLE + 1 }, (_, i) => blob(`layer ${i}`, 1000 + i));
    const out = html(buildSummary(result({ blobs: many })));
    const details = /<details>([\s\S]*?)<\/details>/.exec(out)?.[1] ?? '';
    assert.match(details, /^\s*<summary>9 blobs, [^<]*<\/summary>/);
    assert.equal((details.match(/<tr>/g) ?? []).length, LONG_TABLE + 2, 'a header row and one row per blob');
    assert.ok(!/^\|/m.test(out), 'no table left as raw pipes');
  });

  test('the pull line is a code block holding exactly the command', () => {
    const out = html(buildSummary(result()));
    assert.ok(out.includes(`<pre><code class="language-sh">docker pull ${REPO}@${ROOT}\n</code></pre>`), out);
  });

  test('a failure renders its heading, and a registry answer stays text (no HTML from it)', () => {
    const err = new InputError('registry 127.0.0.1:5000 answered 401 to <PUT> a_b', 'check the *username*');
    const out = html(buildFailureSummary(err, [blob('config', 900)], 'oci:./layout'));
    assert.match(out, /<h3>Push failed: <code>oci:\.\/layout<\/code><\/h3>/);
    assert.ok(out.includes('answered 401 to &lt;PUT&gt; a_b'), out);
    assert.ok(!out.includes('<PUT>') && !out.includes('<em>username</em>'), out);
    assert.equal((out.match(/<table>/g) ?? []).length, 1);
  });
});

describe('the headline of a failed push names the registry and repository that failed', () => {
  const html = (markdown: string): string => marked.parse(markdown, { gfm: true, async: false });
  const refused = (status: number | undefined, message: string): RegistryError => {
    const err = new RegistryError(message, 'check the username and password', status ? { status } : {});
    err.where = '127.0.0.1:5000/demo/app';
    return err;
  };

  for (const [status, message, meaning] of [
    [401, 'uploading blob: 127.0.0.1:5000 answered 401', 'refused the credentials (401)'],
    [
      401,
      'uploading blob: 127.0.0.1:5000 answered 401; no credentials were given',
      'wants credentials (401)',
    ],
    [403, 'answered 403', 'denied access (403)'],
    [503, 'answered 503', 'failed with a server error (503)'],
    [undefined, 'connection refused', 'could not be reached or stopped answering'],
  ] as const) {
    test(`${status ?? 'no answer'}: "${meaning}", with the step that failed and the source below`, () => {
      const out = html(buildFailureSummary(refused(status, message), [], 'oci:./layout'));
      assert.ok(out.includes(`<h3>Push failed: <code>127.0.0.1:5000/demo/app</code> ${meaning}</h3>`), out);
      assert.ok(out.includes('<p>Pushing <code>oci:./layout</code>.</p>'), out);
      assert.ok(out.includes(`<strong>What failed:</strong> ${message.replaceAll(';', ';')}`), out);
    });
  }
});

describe('the summary of a failed push', () => {
  const err = new InputError('registry 127.0.0.1:5000 answered 401 to <PUT> a_b', 'check the *username*');

  test('what failed, the fix, and what went up before', () => {
    const went = [blob('config', 900), blob('layer', 3_000_000, { action: 'skipped', seconds: 0 })];
    const markdown = buildFailureSummary(err, went, 'oci:./layout');
    const blocks = parseBlocks(markdown);
    assert.deepEqual(blocks[0], { kind: 'heading', level: 3, text: 'Push failed: `oci:./layout`' });
    assert.deepEqual(
      blocks.slice(1, 3).map((b) => (b.kind === 'paragraph' ? b.text : b.kind)),
      [
        '**What failed:** registry 127.0.0.1:5000 answered 401 to &lt;PUT&gt; a\\_b',
        '**How to fix it:** check the \\*username\\*',
      ],
    );
    assert.match(
      markdown,
      /\*\*Before the failure:\*\* 1 blob uploaded \(900 B\), 1 already in the registry/,
    );
    const [table] = tables(markdown);
    assert.deepEqual(
      table!.slice(1).map((r) => r[2]),
      ['already in the registry', 'uploaded'],
    );
  });

  test('nothing went up: says so, with no table', () => {
    const markdown = buildFailureSummary(new Error('boom'), []);
    assert.deepEqual(
      parseBlocks(markdown).map((b) => b.kind),
      ['heading', 'paragraph', 'paragraph'],
    );
    assert.ok(markdown.includes('No blob had gone up before the failure.'));
  });
});

describe('the pushed repositories', () => {
  test('each repository once, pinned by digest', () => {
    assert.deepEqual(
      pinnedReferences({
        references: [`${REPO}:1.0`, `${REPO}:latest`, '127.0.0.1:5001/x@sha256:aa', 'localhost:5/a/b'],
        digest: ROOT,
      }),
      [`${REPO}@${ROOT}`, `127.0.0.1:5001/x@${ROOT}`, `localhost:5/a/b@${ROOT}`],
    );
  });
});

describe('the metadata output', () => {
  test('has the keys docker/build-push-action users read, and each tag', () => {
    const input = result();
    const metadata = JSON.parse(JSON.stringify(buildMetadata(input))) as Record<string, unknown>;
    const descriptor = { mediaType: input.mediaType, digest: input.digest, size: input.size };
    assert.deepEqual(metadata, {
      'containerimage.digest': input.digest,
      'containerimage.descriptor': descriptor,
      'image.name': input.references.join(','),
      tags: Object.fromEntries(input.references.map((r) => [r, descriptor])),
      // Two tags of one repository: one image reference, pinned by digest.
      images: [`${REPO}@${input.digest}`],
    });
  });

  test('an index lists its platforms, and only their descriptor fields', () => {
    const child = {
      digest: digestOf('arm64'),
      mediaType: OCI_MANIFEST,
      size: 700,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['x'] },
      annotations: { internal: 'not for the output' },
    };
    const plain = { digest: digestOf('attestation'), mediaType: OCI_MANIFEST, size: 300 };
    const metadata = buildMetadata(result({ mediaType: OCI_INDEX, children: [child, plain] }));
    assert.deepEqual(metadata.platforms, [
      {
        digest: child.digest,
        mediaType: child.mediaType,
        size: child.size,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      plain,
    ]);
    assert.equal(metadata['containerimage.descriptor'].mediaType, OCI_INDEX);
  });

  test('a result without children (PushResult before the field lands) has no platforms', () => {
    assert.equal('platforms' in buildMetadata(result()), false);
    assert.equal('platforms' in buildMetadata(result({ children: [] })), false);
  });

  test('platforms read like docker writes them', () => {
    assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
    assert.equal(formatPlatform({ os: 'windows', architecture: 'amd64' }), 'windows/amd64');
    assert.equal(formatPlatform(undefined), 'unknown');
  });
});

/** A clock and an interval the test moves by hand. */
function fakeTime() {
  const intervals = new Map<number, { tick: () => void; ms: number }>();
  let nextId = 1;
  const clock = { now: 0 };
  const timers: ProgressTimers = {
    setInterval: (tick, ms) => {
      intervals.set(nextId, { tick, ms });
      return nextId++;
    },
    clearInterval: (id) => intervals.delete(id as number),
  };
  /** Moves the clock on by `ms`, firing each interval as often as it falls due (at most once a call here). */
  const advance = (ms: number): void => {
    clock.now += ms;
    for (const interval of [...intervals.values()]) if (ms >= interval.ms) interval.tick();
  };
  return { clock, timers, intervals, advance };
}

function reporter(totalBytes: number, intervalSeconds?: number) {
  const time = fakeTime();
  const lines: string[] = [];
  const progress = new ProgressReporter({
    totalBytes,
    logger: { info: (line) => lines.push(line) },
    now: () => time.clock.now,
    timers: time.timers,
    ...(intervalSeconds === undefined ? {} : { intervalSeconds }),
  });
  return { progress, lines, ...time };
}

describe('progress lines', () => {
  test('a line every 5 s while uploads run: bytes done, percentage, rate', () => {
    const { progress, lines, intervals, advance } = reporter(4_000_000);
    assert.equal(intervals.size, 0, 'no timer before anything is in flight');
    const attempt = progress.begin();
    assert.deepEqual(
      [...intervals.values()].map((i) => i.ms),
      [5000],
    );
    attempt.add(1_000_000);
    advance(5000);
    attempt.add(2_000_000);
    advance(5000);
    assert.deepEqual(lines, [
      `uploading: ${formatBytes(1_000_000)} of ${formatBytes(4_000_000)} sent (25%), 0 B confirmed by the registry, ${formatBytes(200_000)}/s, 1 in flight`,
      `uploading: ${formatBytes(3_000_000)} of ${formatBytes(4_000_000)} sent (75%), 0 B confirmed by the registry, ${formatBytes(400_000)}/s, 1 in flight`,
    ]);
  });

  test('stops printing once nothing is in flight, and starts again with the next upload', () => {
    const { progress, lines, intervals, advance } = reporter(100, 2);
    const first = progress.begin();
    const second = progress.begin();
    assert.equal(intervals.size, 1, 'one timer for all uploads');
    first.add(10);
    first.done();
    assert.equal(intervals.size, 1, 'still one in flight');
    second.add(20);
    second.done();
    assert.equal(intervals.size, 0, 'timer cleared when the last upload ends');
    advance(10_000);
    assert.deepEqual(lines, []);
    progress.begin().add(6);
    advance(2000);
    // The rate counts from the new start: 6 B in 2 s, not 36 B over 12 s.
    assert.deepEqual(lines, [
      'uploading: 36 B of 100 B sent (36%), 30 B confirmed by the registry, 3 B/s, 1 in flight',
    ]);
  });

  test('a failed attempt gives its bytes back, so a retry does not count them twice', () => {
    const { progress, advance, lines } = reporter(900);
    const small = progress.begin();
    const large = progress.begin();
    small.add(300);
    large.add(400);
    large.fail();
    large.add(100); // a late callback after the end is ignored
    const retry = progress.begin();
    retry.add(600);
    advance(5000);
    assert.equal(progress.bytesDone, 900);
    // Done counts each byte once; the rate counts every byte sent, the failed 400 B too.
    assert.deepEqual(lines, [
      'uploading: 900 B of 900 B sent (100%), 0 B confirmed by the registry, 260 B/s, 2 in flight',
    ]);
    small.done();
    assert.equal(progress.bytesConfirmed, 300);
    retry.done();
    assert.equal(
      progress.summary(),
      'uploaded 900 B in 5.00 s (180 B/s); 1 failed attempt, 400 B sent again',
    );
  });

  test('the total can grow as sizes become known, and percentages never pass 100', () => {
    const { progress } = reporter(0);
    const attempt = progress.begin();
    attempt.add(50);
    assert.match(progress.line(), /of 0 B sent \(\?%\)/);
    progress.addTotal(40);
    assert.match(progress.line(), /50 B of 40 B sent \(100%\)/);
    attempt.done();
  });

  test('stop() clears a timer that abandoned uploads left running', () => {
    const { progress, intervals } = reporter(10);
    progress.begin();
    assert.equal(intervals.size, 1);
    progress.stop();
    assert.equal(intervals.size, 0);
  });

  test('everything sent is not everything stored: 100% sent, and what the registry has confirmed', () => {
    // A slow proxy: both blobs are on the wire, the registry has answered for one.
    const { progress, lines, advance } = reporter(14_500_000);
    const first = progress.begin();
    const second = progress.begin();
    first.add(4_500_000);
    second.add(10_000_000);
    first.done();
    advance(5000);
    assert.deepEqual(lines, [
      `uploading: ${formatBytes(14_500_000)} of ${formatBytes(14_500_000)} sent (100%), ` +
        `${formatBytes(4_500_000)} confirmed by the registry, ${formatBytes(2_900_000)}/s, 1 in flight`,
    ]);
    second.fail();
    assert.equal(progress.bytesConfirmed, 4_500_000, 'a failed attempt was never confirmed');
  });

  test('the final summary of a clean transfer', () => {
    assert.equal(
      formatTransferSummary({ bytes: 45_600_000, seconds: 11 }),
      `uploaded ${formatBytes(45_600_000)} in 11.0 s (${formatBytes(4_145_455)}/s)`,
    );
    assert.equal(formatTransferSummary({ bytes: 0, seconds: 0 }), 'uploaded 0 B in 0.00 s');
  });
});
