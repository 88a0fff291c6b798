// `npm run bench`: image-push against skopeo copy, and against the raw floor (parallel curl), in one run.
// Every scenario alternates the two tools (A B, B A, ...) on a fresh registry per run and reports medians and
// the ours/skopeo ratio pair by pair, so that a noisy 2-core machine cancels out instead of skewing one side.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { writeOciLayout, type SampleImage, type SampleLayerSpec } from '../scripts/sample-image.ts';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.ts';
import { skopeoVersion } from '../test/helpers/skopeo.ts';
import { ensureTools, run } from '../test/helpers/tools.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist/cli.js');
const MB = 1 << 20;

const { values: flags } = parseArgs({
  options: {
    pairs: { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
    small: { type: 'boolean', default: false },
  },
});
const PAIRS = Math.max(3, Number(flags.pairs));

interface Measurement {
  ok: boolean;
  wall: number;
  cpu: number;
  rssMB: number;
  requests: number;
  receivedMB: number;
  error?: string;
}

interface Tool {
  readonly name: string;
  command(source: string, destination: string, scenario: Scenario): [string, string[]];
}

const ours: Tool = {
  name: 'image-push',
  command: (source, destination, scenario) => [
    process.execPath,
    [
      cli,
      'push',
      '--quiet',
      ...(scenario.blobMap ? ['--blob-map', scenario.blobMap] : ['--no-blob-map']),
      source,
      destination,
    ],
  ],
};
const skopeo: Tool = {
  name: 'skopeo',
  command: (source, destination) => [
    'skopeo',
    ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', source, `docker://${destination}`],
  ],
};

interface Scenario {
  readonly name: string;
  readonly image: string;
  /** Registry state before the measured push: empty, or holding the image (pushed by image-push). */
  readonly setup: 'fresh' | 'warm';
  /** image-push's blob map file: written by the warm-up push and read by the measured one. */
  readonly blobMap?: string;
}

/** Runs one command under GNU time: wall, CPU and peak RSS of the whole process tree's main process. */
async function measure(cmd: string, args: string[], registry: TestRegistry): Promise<Measurement> {
  await registry.clearRequests();
  const before = await dirBytes(join(registry.dir, 'data'));
  const timeFile = join(registry.dir, 'time.txt');
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => {
      if (status !== 0) lastError = stderr.trim().split('\n').slice(-2).join(' ');
      resolve(status ?? 1);
    });
  });
  const wall = (performance.now() - started) / 1000;
  const [user = 0, sys = 0, rssKB = 0] = (await readFile(timeFile, 'utf8'))
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  const requests = (await registry.requests()).length;
  const receivedMB = ((await dirBytes(join(registry.dir, 'data'))) - before) / MB;
  return {
    ok: code === 0,
    wall,
    cpu: user + sys,
    rssMB: rssKB / 1024,
    requests,
    receivedMB,
    ...(code === 0 ? {} : { error: lastError }),
  };
}
let lastError = '';

async function dirBytes(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function clearSkopeoCache(): Promise<void> {
  await rm('/var/lib/containers/cache/blob-info-cache-v1.boltdb', { force: true });
}

async function runScenario(scenario: Scenario, tools: [Tool, Tool]): Promise<Record<string, Measurement[]>> {
  const results: Record<string, Measurement[]> = { [tools[0].name]: [], [tools[1].name]: [] };
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? tools : ([tools[1], tools[0]] as const);
    for (const tool of order) {
      const registry = await startRegistry();
      try {
        const destination = `${registry.host}/bench/app:1`;
        if (scenario.blobMap) await rm(scenario.blobMap, { force: true });
        if (scenario.setup === 'warm') {
          const map = scenario.blobMap ? ['--blob-map', scenario.blobMap] : ['--no-blob-map'];
          await execFileAsync(process.execPath, [
            cli,
            'push',
            '--quiet',
            ...map,
            scenario.image,
            destination,
          ]);
        }
        await clearSkopeoCache();
        const [cmd, args] = tool.command(scenario.image, destination, scenario);
        const m = await measure(cmd, args, registry);
        results[tool.name]!.push(m);
        process.stderr.write(
          `  ${scenario.name} ${tool.name}: ${m.ok ? `${m.wall.toFixed(2)} s, cpu ${m.cpu.toFixed(2)} s, rss ${m.rssMB.toFixed(0)} MB, ${m.requests} requests` : `FAILED ${m.error ?? ''}`}\n`,
        );
      } finally {
        await registry.stop();
      }
    }
  }
  return results;
}

/** The simplest parallel raw client: one curl per blob, POST then PUT with the whole body. */
async function rawFloor(layout: string, image: SampleImage): Promise<Measurement> {
  const registry = await startRegistry();
  try {
    const blobs = [image.configDigest, ...image.layers.map((l) => l.digest)];
    const script = blobs
      .map((digest) => {
        const file = join(layout, 'blobs/sha256', digest.slice(7));
        const base = `http://${registry.host}`;
        return `(loc=$(curl -sSf -X POST -o /dev/null -D - ${base}/v2/bench/app/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); case "$loc" in http*) ;; *) loc="${base}$loc";; esac; curl -sSf -X PUT -H 'content-type: application/octet-stream' --data-binary @${file} "$loc&digest=${digest}" -o /dev/null) &`;
      })
      .join('\n');
    return await measure('bash', ['-c', `${script}\nwait`], registry);
  } finally {
    await registry.stop();
  }
}

async function sha256Throughput(
  layout: string,
  image: SampleImage,
): Promise<{ node: number; sha256sum: number }> {
  const files = image.layers.map((l) => join(layout, 'blobs/sha256', l.digest.slice(7)));
  const bytes = image.layers.reduce((n, l) => n + l.size, 0);
  let started = performance.now();
  for (const file of files) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file, { highWaterMark: MB })) hash.update(chunk as Buffer);
    hash.digest();
  }
  const node = bytes / MB / ((performance.now() - started) / 1000);
  started = performance.now();
  await run('sha256sum', files);
  const sum = bytes / MB / ((performance.now() - started) / 1000);
  return { node, sha256sum: sum };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function imageFor(
  name: string,
  layers: SampleLayerSpec[],
  seed: number,
): Promise<{ dir: string; image: SampleImage }> {
  const dir = join(root, '.tmp/bench', name);
  const meta = join(dir, 'sample.json');
  if (existsSync(meta)) return { dir, image: JSON.parse(await readFile(meta, 'utf8')) as SampleImage };
  process.stderr.write(`generating ${name}...\n`);
  await rm(dir, { recursive: true, force: true });
  const image = await writeOciLayout(dir, { layers, seed, tag: 'bench' });
  await writeFile(meta, JSON.stringify(image));
  return { dir, image };
}

/** A classic `docker save` tarball (written by skopeo) with uncompressed layers. */
async function dockerArchiveFor(
  name: string,
  layers: SampleLayerSpec[],
  seed: number,
): Promise<{ file: string; bytes: number; layers: number }> {
  const file = join(root, '.tmp/bench', `${name}.tar`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${name}...\n`);
    const dir = `${file}.layout`;
    await rm(dir, { recursive: true, force: true });
    await writeOciLayout(dir, { layers, seed, tag: 'bench', compression: 'none' });
    await run('skopeo', [
      '--insecure-policy',
      'copy',
      '-q',
      `oci:${dir}:bench`,
      `docker-archive:${file}:bench/app:1`,
    ]);
    await rm(dir, { recursive: true, force: true });
  }
  return { file, bytes: (await stat(file)).size, layers: layers.length };
}

async function main(): Promise<void> {
  await ensureTools(['docker-registry', 'skopeo']);
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build');
  const scale = flags.small ? 0.1 : 1;
  const big = await imageFor(
    flags.small ? 'five-layers-small' : 'five-layers',
    [300, 120, 60, 8, 1].map((mb) => ({ size: Math.round(mb * MB * scale) })),
    101,
  );
  const archive = await dockerArchiveFor(
    flags.small ? 'docker-archive-small' : 'docker-archive',
    [600, 250, 150, 30, 5, 0.001].map((mb) => ({ size: Math.round(mb * MB * scale) })),
    303,
  );
  const many = await imageFor(
    'fifty-layers',
    Array.from({ length: 50 }, (_, i) => ({ size: (i % 10) * 200_000 + 50_000 })),
    202,
  );
  const blobMB = (image: SampleImage): number => image.totalBlobBytes / MB;

  const scenarios: Scenario[] = [
    { name: 'oci-cold', image: `oci:${big.dir}:bench`, setup: 'fresh' },
    { name: 'oci-warm', image: `oci:${big.dir}:bench`, setup: 'warm' },
    { name: 'oci-50-layers-cold', image: `oci:${many.dir}:bench`, setup: 'fresh' },
    { name: 'docker-archive-cold', image: `docker-archive:${archive.file}`, setup: 'fresh' },
    {
      name: 'docker-archive-warm-blob-map',
      image: `docker-archive:${archive.file}`,
      setup: 'warm',
      blobMap: join(root, '.tmp/bench/blob-map.json'),
    },
    { name: 'docker-archive-warm-no-map', image: `docker-archive:${archive.file}`, setup: 'warm' },
  ].filter((s) => !flags.only || flags.only.split(',').includes(s.name)) as Scenario[];

  const rows: string[] = [];
  const json: Record<string, unknown> = {
    date: new Date().toISOString(),
    cores: cpus().length,
    node: process.version,
    skopeo: await skopeoVersion(),
    registry: (await run('docker-registry', ['--version'])).stdout.trim(),
    pairs: PAIRS,
    images: {
      'five-layers': { blobMB: blobMB(big.image) },
      'fifty-layers': { blobMB: blobMB(many.image) },
      'docker-archive': { uncompressedMB: archive.bytes / MB, layers: archive.layers },
    },
    scenarios: {},
  };
  for (const scenario of scenarios) {
    const results = await runScenario(scenario, [ours, skopeo]);
    const a = results[ours.name]!;
    const b = results[skopeo.name]!;
    const ratios = a
      .map((m, i) => (m.ok && b[i]?.ok ? m.wall / b[i].wall : NaN))
      .filter((r) => !Number.isNaN(r));
    const cell = (ms: Measurement[], pick: (m: Measurement) => number, digits = 2): string => {
      const ok = ms.filter((m) => m.ok);
      return ok.length === ms.length
        ? median(ok.map(pick)).toFixed(digits)
        : `failed ${ms.length - ok.length}/${ms.length}`;
    };
    rows.push(
      `| ${scenario.name} | ${cell(a, (m) => m.wall)} | ${cell(b, (m) => m.wall)} | ${ratios.length ? median(ratios).toFixed(2) : 'n/a'} | ` +
        `${cell(a, (m) => m.cpu)} / ${cell(b, (m) => m.cpu)} | ${cell(a, (m) => m.rssMB, 0)} / ${cell(b, (m) => m.rssMB, 0)} | ` +
        `${cell(a, (m) => m.requests, 0)} / ${cell(b, (m) => m.requests, 0)} | ${cell(a, (m) => m.receivedMB, 1)} / ${cell(b, (m) => m.receivedMB, 1)} |`,
    );
    (json.scenarios as Record<string, unknown>)[scenario.name] = { ...results, ratios };
  }

  const floorRuns: Measurement[] = [];
  const oursCold = (json.scenarios as Record<string, Record<string, Measurement[]>>)['oci-cold']?.[ours.name];
  for (let i = 0; i < PAIRS; i++) floorRuns.push(await rawFloor(big.dir, big.image));
  const floor = median(floorRuns.map((m) => m.wall));
  const hashing = await sha256Throughput(big.dir, big.image);
  json.floor = { curlParallelWall: floorRuns, sha256MBps: hashing };

  const lines = [
    '# Benchmark results',
    '',
    `${json.date as string}; ${cpus().length} cores; Node ${process.version}; ${json.skopeo as string}; ${json.registry as string}.`,
    `Each cell is the median of ${PAIRS} runs; the tools alternate (A B, B A, ...) and every run gets a fresh registry on loopback.`,
    `Images: five-layers = 5 gzip layers, ${blobMB(big.image).toFixed(0)} MB of blobs; fifty-layers = 50 small layers, ${blobMB(many.image).toFixed(1)} MB; ` +
      `docker-archive = ${archive.layers} uncompressed layers, ${(archive.bytes / MB).toFixed(0)} MB (written by skopeo, classic docker save format).`,
    'warm = the registry already holds the image; blob-map = image-push may use the map its warm-up push wrote; skopeo never has its blob-info cache.',
    '',
    '| scenario | image-push s | skopeo s | ratio (median of pairs) | CPU s (ours / skopeo) | peak RSS MB | registry requests | MB received |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '| physical floor (same run) | figure |',
    '|---|---|',
    `| all five-layers blobs by parallel curl (POST + PUT), median wall | ${floor.toFixed(2)} s |`,
    ...(oursCold
      ? [`| image-push oci-cold / curl floor | ${(median(oursCold.map((m) => m.wall)) / floor).toFixed(2)} |`]
      : []),
    `| sha256 in Node / sha256sum | ${hashing.node.toFixed(0)} / ${hashing.sha256sum.toFixed(0)} MB/s |`,
    '',
  ];
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/latest.md'), lines.join('\n'));
  await writeFile(join(root, 'bench/results/latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
