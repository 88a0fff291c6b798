// `npm run bench`: image-push against skopeo copy (or `docker push` from a Docker Engine) and against the raw
// floor (parallel curl), in one run; then a scaling table (cold pushes of ~100 MB, 1 GB and 4 GB). Every scenario
// alternates the tools (A B, B A, ...) on a fresh registry per run and reports medians and the image-push / peer
// ratio pair by pair, so that a noisy 2-core machine cancels out instead of skewing one side. Results are rewritten
// after every scenario, so a failure or an interrupt keeps what was measured. See bench/README.md.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { DEFAULT_COMPRESSION_LEVEL } from '../src/compress/layer-compressor.ts';
import { bundlePlugins, requireBanner } from '../scripts/build-plugins.ts';
import { parseSize } from '../test/helpers/sample-image.ts';
import { startActionsCacheServer, type ActionsCacheServer } from '../test/helpers/actions-cache-server.ts';
import { startRegistry } from '../test/helpers/registry.ts';
import { isolatedSkopeoEnv, skopeoVersion } from '../test/helpers/skopeo.ts';
import { ensureTools, makeTempDir, run } from '../test/helpers/tools.ts';
import {
  benchDir,
  dockerArchive,
  freeBytes,
  isGenerated,
  layersForBlobBytes,
  log,
  ociImage,
  seconds,
  type DockerArchive,
  type OciImage,
} from './images.ts';
import {
  killRunning,
  lastLines,
  MB,
  measure,
  runCommand,
  startTarget,
  type Command,
  type Measurement,
  withLiveDir,
} from './measure.ts';
import { startupInputError, startupWarmPush } from './startup.ts';
import { DOCKER, DOCKER_SAVE, startBenchEngine, type BenchEngine } from './daemon.ts';
import type { DockerdKind } from '../test/helpers/dockerd.ts';
import {
  evaluateTargets,
  FLOOR,
  UNDICI_FLOOR,
  OURS,
  pairRatiosOf,
  renderMarkdown,
  SKOPEO,
  type Report,
  type ScalingResult,
  type ScenarioResult,
} from './report.ts';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist/cli.js');
const action = join(root, 'dist/index.js');
const GB = 1 << 30;

const usage = `usage: npm run bench -- [options]
  --pairs N              runs of each tool per scenario, alternating (default 3, at least 3)
  --only A,B             only these scenarios (names below; 'scaling' for the scaling table)
  --small                images about 10x smaller (quick check; results go to .tmp/bench/results)
  --scaling              the scaling table (alone, unless --only names scenarios too)
  --no-scaling           everything but the scaling table
  --scaling-sizes LIST   blob sizes of the scaling images (default 100M,1G,4G; with --small 10M,30M,100M)
  --scaling-skopeo       skopeo too in the scaling table
  --out DIR              where latest.md/json go (default bench/results for a full run, else .tmp/bench/results)
  --timeout SECONDS      per push (default 1800)
  --startup-pairs N      rounds of the start-up scenarios (default 15)`;

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    pairs: { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
    small: { type: 'boolean', default: false },
    scaling: { type: 'boolean' },
    'scaling-sizes': { type: 'string' },
    'scaling-skopeo': { type: 'boolean', default: false },
    out: { type: 'string' },
    timeout: { type: 'string', default: '1800' },
    'startup-pairs': { type: 'string', default: '15' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const PAIRS = Math.max(3, Number(flags.pairs) || 3);
const STARTUP_PAIRS = Math.max(3, Number(flags['startup-pairs']) || 15);
const STARTUP_SCENARIOS = ['startup-input-error', 'startup-warm-push'];
const TIMEOUT_MS = Number(flags.timeout) * 1000;
const SCALE = flags.small ? 0.1 : 1;

// ---------------------------------------------------------------------------------------------------------------
// Tools

/** One measured run's private state: skopeo's HOME and caches, image-push's blob map. */
interface RunContext {
  readonly dir: string;
  readonly skopeoEnv: NodeJS.ProcessEnv;
  /** image-push's blob map file, or undefined for --no-blob-map. */
  readonly blobMap: string | undefined;
}

interface Tool {
  readonly name: string;
  push(source: string, destination: string, context: RunContext): Command;
}

const ours: Tool = {
  name: OURS,
  push: (source, destination, { blobMap }) => ({
    cmd: process.execPath,
    args: [
      cli,
      'push',
      '--quiet',
      ...(blobMap ? ['--blob-map', blobMap] : ['--no-blob-map']),
      source,
      destination,
    ],
  }),
};

const skopeo: Tool = {
  name: SKOPEO,
  push: (source, destination, { skopeoEnv }) => ({
    cmd: 'skopeo',
    args: [
      '--insecure-policy',
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      // The bench registries speak plain HTTP on loopback.
      ...(source.startsWith('docker://') ? ['--src-tls-verify=false'] : []),
      source,
      `docker://${destination}`,
    ],
    env: skopeoEnv,
  }),
};

/** The same tool with `flags` inserted right after its subcommand. */
function withFlags(tool: Tool, subcommand: string, flags: readonly string[]): Tool {
  return {
    name: tool.name,
    push: (source, destination, context) => {
      const command = tool.push(source, destination, context);
      const at = command.args.indexOf(subcommand) + 1;
      return { ...command, args: [...command.args.slice(0, at), ...flags, ...command.args.slice(at)] };
    },
  };
}

/** A destination `HOST/REPO:TAG` as the curl floors use it: the registry's base URL and the repository. */
function uploadTarget(destination: string): { base: string; repo: string } {
  const host = destination.slice(0, destination.indexOf('/'));
  return { base: `http://${host}`, repo: destination.slice(host.length + 1, destination.lastIndexOf(':')) };
}

/** The simplest parallel raw client: one curl per blob, POST then PUT with the whole body, all at once. */
function curlFloor(oci: OciImage): Tool {
  return {
    name: FLOOR,
    push: (_source, destination) => {
      const { base, repo } = uploadTarget(destination);
      const blobs = [oci.image.configDigest, ...oci.image.layers.map((l) => l.digest)];
      const script = blobs
        .map((digest) => {
          const file = join(oci.dir, 'blobs/sha256', digest.slice(7));
          return `(loc=$(curl -sSf -X POST -o /dev/null -D - ${base}/v2/${repo}/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); case "$loc" in http*) ;; *) loc="${base}$loc";; esac; curl -sSf -X PUT -H 'content-type: application/octet-stream' --data-binary @${file} "$loc&digest=${digest}" -o /dev/null) &`;
        })
        .join('\n');
      return { cmd: 'bash', args: ['-c', `${script}\nwait`] };
    },
  };
}

/**
 * The floor of a registry-to-registry copy: per blob, curl GETs it from the source registry and pipes it into a
 * curl PUT (one POST + PUT, the length known), all blobs at once. What the two registries allow, with no client
 * work beyond moving bytes.
 */
function curlCopyFloor(oci: OciImage, sourceHost: string, sourceRepository: string): Tool {
  return {
    name: FLOOR,
    push: (_source, destination) => {
      const { base, repo } = uploadTarget(destination);
      const blobs = [
        { digest: oci.image.configDigest, size: oci.image.configSize },
        ...oci.image.layers.map((l) => ({ digest: l.digest, size: l.size })),
      ];
      const script = blobs
        .map(({ digest, size }) => {
          const get = `curl -sSf http://${sourceHost}/v2/${sourceRepository}/blobs/${digest}`;
          // -T - with the length given and no chunked encoding: the same single PUT a client sends.
          const put = `curl -sSf -X PUT -H 'Transfer-Encoding:' -H 'content-type: application/octet-stream' -H 'content-length: ${size}' -T - "$loc&digest=${digest}" -o /dev/null`;
          return `(loc=$(curl -sSf -X POST -o /dev/null -D - ${base}/v2/${repo}/blobs/uploads/ | tr -d '\r' | sed -n 's/^[Ll]ocation: //p'); case "$loc" in http*) ;; *) loc="${base}$loc";; esac; ${get} | ${put}) &`;
        })
        .join('\n');
      return { cmd: 'bash', args: ['-c', `set -o pipefail\n${script}\nwait`] };
    },
  };
}

/**
 * The floor of a re-run (oci-warm) in Node: bench/warm-floor.mjs reads the layout's manifest, checks its digest and
 * sends the two requests a re-run cannot avoid (GET /v2/, GET of the tag). What any Node tool pays at least.
 */
function nodeWarmFloor(oci: OciImage): Tool {
  return {
    name: FLOOR,
    push: (_source, destination) => ({
      cmd: process.execPath,
      args: [join(import.meta.dirname, 'warm-floor.mjs'), oci.dir, destination],
    }),
  };
}

/**
 * The same floor on image-push's HTTP client (bench/warm-floor-undici.ts, bundled here as dist/ is bundled, behind
 * a compile-cache entry as dist/cli.js): what the two requests cost on undici rather than node:http.
 */
async function undiciWarmFloor(oci: OciImage): Promise<Tool> {
  const dir = await makeTempDir('bench-undici-floor-');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await build({
    entryPoints: [join(import.meta.dirname, 'warm-floor-undici.ts')],
    outfile: join(dir, 'body.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    plugins: bundlePlugins,
    banner: { js: requireBanner },
    logLevel: 'warning',
  });
  const entry = join(dir, 'floor.mjs');
  await writeFile(
    entry,
    "import { enableCompileCache } from 'node:module';\nenableCompileCache();\nawait import('./body.mjs');\n",
  );
  return {
    name: UNDICI_FLOOR,
    push: (_source, destination) => ({ cmd: process.execPath, args: [entry, oci.dir, destination] }),
  };
}

/** skopeo in a world of its own: see isolatedSkopeoEnv; its blob-info cache starts empty in every run. */
const skopeoEnv = isolatedSkopeoEnv;

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  readonly name: string;
  /** One line: what the scenario measures (in the results and the README). */
  readonly measures: string;
  /** The image (generated on first use), and a line about it for the results. */
  source(): Promise<ImageSource>;
  /**
   * What the registry holds before the measured push to bench/app: nothing; the image, pushed there by
   * image-push; the image in another repository (bench/base), pushed there by the measured tool itself; or
   * (`base`) the image in bench/base, pushed there by image-push from `seed`, for a copy within the registry.
   */
  readonly setup: 'fresh' | 'warm' | 'other-repo' | 'base';
  /** Runs before the measured push, after `setup` (e.g. the previous version pushed there by a peer). */
  readonly prepare?: (host: string, context: RunContext) => Promise<void>;
  /** Runs after the measured push (whatever its outcome): stops what `prepare` started. */
  readonly teardown?: () => Promise<void>;
  /** The tools compared, when not image-push and skopeo (image-push first). */
  readonly tools?: () => Promise<readonly Tool[]>;
  /** The tool image-push is compared with, when not skopeo. */
  readonly peer?: string;
  /** image-push keeps a blob map from its warm-up push to the measured one. */
  readonly blobMap?: boolean;
  /** nginx with this client_max_body_size in front of the registry. */
  readonly bodyLimit?: string;
  /** Add the parallel-curl floor as a third tool. */
  readonly floor?: boolean;
  /** The tools include `docker save` of the image: image-push's ratio to it is recorded too. */
  readonly saveFloor?: boolean;
  /** Both tools compress to zstd (image-push `--compression zstd`, skopeo `--dest-compress-format zstd`). */
  readonly zstd?: boolean;
}

interface ImageSource {
  /** What the tools are given; `{target}` stands for the measured run's registry (a copy within it). */
  readonly source: string;
  /** For setup `base`: what image-push pushes into bench/base first. */
  readonly seed?: string;
  /** Stops what the source needs (a source registry) once the scenario is done. */
  readonly stop?: () => Promise<void>;
  readonly oci?: OciImage;
  /** The floor tool of a scenario with `floor` (default: parallel curl uploads of `oci`'s blobs). */
  readonly floorTool?: Tool;
  /** More tools for the rotation (after the floor). */
  readonly extraTools?: readonly Tool[];
  readonly describe: readonly [name: string, text: string];
}

const memo = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
};

let generationEnv: Promise<NodeJS.ProcessEnv> | undefined;
const genSkopeoEnv = (): Promise<NodeJS.ProcessEnv> =>
  (generationEnv ??= (async () => {
    const dir = await makeTempDir('bench-skopeo-');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return skopeoEnv(dir);
  })());

const sizes = (mbs: number[]): { size: number }[] => mbs.map((mb) => ({ size: Math.round(mb * MB * SCALE) }));
const suffix = flags.small ? '-small' : '';
const fiveLayers = memo(() => ociImage(`five-layers${suffix}`, sizes([300, 120, 60, 8, 1]), 101));
const fiftyLayers = memo(() =>
  ociImage(
    'fifty-layers',
    Array.from({ length: 50 }, (_, i) => ({ size: (i % 10) * 200_000 + 50_000 })),
    202,
  ),
);
const archive = memo(async () =>
  dockerArchive(`docker-archive${suffix}`, sizes([600, 250, 150, 30, 5, 0.001]), 303, await genSkopeoEnv()),
);
// A layer above 50 MB of gzip: five-layers' first one (~126 MB), or at --small one of its own (~65 MB).
const overLimit = memo(() =>
  flags.small ? ociImage('body-limit-small', [{ size: 160 * MB }, { size: 4 * MB }], 404) : fiveLayers(),
);

// The copy scenarios' image: ~1 GB of blobs in six gzip layers (the sample content gzips to ~41%).
const gigabyte = memo(() => ociImage(`copy-1g${suffix}`, sizes([1000, 700, 400, 200, 80, 20]), 606));

const mb = (bytes: number): string => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
const oci = (image: () => Promise<OciImage>) => async (): Promise<ImageSource> => {
  const img = await image();
  const sizes = img.image.layers.map((l) => l.size);
  return {
    source: img.source,
    oci: img,
    describe: [
      img.name,
      `OCI layout, ${sizes.length} gzip layers, ${mb(img.image.totalBlobBytes)} MB of blobs ` +
        `(largest layer ${mb(Math.max(...sizes))} MB)`,
    ],
  };
};
const describeCopy = (img: OciImage, where: string): ImageSource['describe'] => [
  img.name,
  `OCI layout, ${img.image.layers.length} gzip layers, ${mb(img.image.totalBlobBytes)} MB of blobs, ${where}`,
];

/** The copy image in a registry of its own (pushed there once by image-push), kept for the scenario's runs. */
const inSourceRegistry = async (): Promise<ImageSource> => {
  const img = await gigabyte();
  const registry = await startRegistry();
  try {
    await runCommand(ours.push(img.source, `${registry.host}/bench/src:1`, NO_CONTEXT), TIMEOUT_MS);
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return {
    source: `docker://${registry.host}/bench/src:1`,
    floorTool: curlCopyFloor(img, registry.host, 'bench/src'),
    describe: describeCopy(img, 'copied from a second local registry'),
    stop: () => registry.stop(),
  };
};

/** The copy image in bench/base of the measured run's own registry (pushed there by image-push first). */
const inTargetRegistry = async (): Promise<ImageSource> => {
  const img = await gigabyte();
  return {
    source: 'docker://{target}/bench/base:1',
    seed: img.source,
    describe: describeCopy(img, 'copied within one registry'),
  };
};

/** For unmeasured image-push runs outside any run's directory: no blob map, no skopeo. */
const NO_CONTEXT: RunContext = { dir: '', skopeoEnv: {}, blobMap: undefined };

// The same archive plus one new top layer (the layer seeds depend on the image seed and the index only, so the
// first six layers are byte-identical): the next version of an image whose previous one is in the registry.
const archiveV2 = memo(async () =>
  dockerArchive(
    `docker-archive-v2${suffix}`,
    sizes([600, 250, 150, 30, 5, 0.001, 20]),
    303,
    await genSkopeoEnv(),
  ),
);

/** The previous version under `latest`, pushed by skopeo with a blob-info cache of its own (not the run's). */
async function previousBySkopeo(host: string, context: RunContext): Promise<void> {
  const v1 = await archive();
  const push = skopeo.push(v1.source, `${host}/bench/app:latest`, context);
  await runCommand({ ...push, env: await skopeoEnv(join(context.dir, 'skopeo-setup')) }, TIMEOUT_MS);
}

const engines = new Map<DockerdKind, Promise<BenchEngine>>();
const enginePids = new Set<number>();
/** A Docker Engine of the daemon-* scenarios, holding both versions: bench/app:v1 and bench/app:v2. */
const dockerEngine = (kind: DockerdKind = 'docker-20'): Promise<BenchEngine> => {
  let engine = engines.get(kind);
  if (!engine) {
    engine = (async () => {
      const [v1, v2] = await Promise.all([archive(), archiveV2()]);
      const started = await startBenchEngine(
        [
          { file: v1.file, tag: 'bench/app:v1' },
          { file: v2.file, tag: 'bench/app:v2' },
        ],
        TIMEOUT_MS,
        kind,
        cli,
      );
      if (started.pid) enginePids.add(started.pid);
      return started;
    })();
    engines.set(kind, engine);
  }
  return engine;
};

/**
 * The previous version (v1) pushed by `docker push` under `latest`, then v2 tagged for the measured
 * `docker push`; the daemon forgets what it pushed, as a fresh runner's daemon knows nothing of the registry.
 */
const previousByDockerPush =
  (kind: DockerdKind = 'docker-20') =>
  async (host: string): Promise<void> => {
    const daemon = await dockerEngine(kind);
    await daemon.docker(['tag', 'bench/app:v1', `${host}/bench/app:latest`]);
    await daemon.docker(['push', '-q', `${host}/bench/app:latest`]);
    await daemon.docker(['tag', 'bench/app:v2', `${host}/bench/app:1`]);
    await daemon.forgetPushes();
  };

/** The same image (v1) pushed by `docker push` to the measured tag already, then forgotten by the daemon. */
const samePushedByDockerPush =
  (kind: DockerdKind) =>
  async (host: string): Promise<void> => {
    const daemon = await dockerEngine(kind);
    await daemon.docker(['tag', 'bench/app:v1', `${host}/bench/app:1`]);
    await daemon.docker(['push', '-q', `${host}/bench/app:1`]);
    await daemon.forgetPushes();
  };

/** A cold push from the daemon: nothing in the registry, nothing in the daemon's push memory. */
const coldDaemon =
  (kind: DockerdKind = 'docker-20') =>
  async (host: string): Promise<void> => {
    const daemon = await dockerEngine(kind);
    await daemon.docker(['tag', 'bench/app:v1', `${host}/bench/app:1`]);
    await daemon.forgetPushes();
  };

/**
 * image-push from docker-daemon: against `docker push`, both talking to the bench's dockerd; with `save`, also
 * `docker save` of the same image to /dev/null (the stream image-push reads, on its own).
 */
const daemonTools =
  (kind: DockerdKind = 'docker-20', save?: string) =>
  async (): Promise<readonly Tool[]> => {
    const daemon = await dockerEngine(kind);
    return [
      {
        name: OURS,
        push: (source, destination, context) => ({
          ...ours.push(source, destination, context),
          env: daemon.env,
        }),
      },
      { name: DOCKER, push: (_source, destination) => daemon.command(['push', '-q', destination]) },
      ...(save
        ? [
            {
              name: DOCKER_SAVE,
              push: (): Command => ({
                cmd: 'sh',
                args: ['-c', `docker save ${save} > /dev/null`],
                env: daemon.env,
              }),
            },
          ]
        : []),
    ];
  };

const daemonSource =
  (tag: string, text: string, kind: DockerdKind = 'docker-20') =>
  async (): Promise<ImageSource> => {
    await dockerEngine(kind);
    return {
      source: `docker-daemon:${tag}`,
      describe: [`daemon ${tag}${kind === 'docker-20' ? '' : ` (${kind})`}`, text],
    };
  };

const dockerSource = async (): Promise<ImageSource> => {
  const a: DockerArchive = await archive();
  return {
    source: a.source,
    describe: [
      a.name,
      `docker save tarball (written by skopeo), ${a.layers} uncompressed layers, ${mb(a.bytes)} MB`,
    ],
  };
};

// ---------------------------------------------------------------------------------------------------------------
// The action with its blob map in the Actions cache (cache: true, the real @actions/cache client) against the
// same action with cache: false, both talking to a local cache service that answers each request after a
// runner's distance (CACHE_DELAY_MS). Each run is a fresh runner: an empty RUNNER_TEMP, a new run id.

const CACHE_DELAY_MS = 50;
const CACHE_OFF = 'cache: false';
/** The cache service of the run in progress: started by its prepare step, stopped by its teardown. */
let cacheService: ActionsCacheServer | undefined;

function actionEnv(
  source: string,
  destination: string,
  context: RunContext,
  cache: boolean,
  run: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: context.dir,
    XDG_CACHE_HOME: join(context.dir, 'xdg-cache'),
    DOCKER_CONFIG: join(context.dir, 'no-docker-config'),
    RUNNER_TEMP: join(context.dir, 'runner-temp'),
    GITHUB_RUN_ID: run,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'push',
    ...cacheService?.env,
    INPUT_IMAGE: source,
    INPUT_TAGS: destination,
    INPUT_CACHE: String(cache),
  };
}

const cachedAction = (name: string, cache: boolean): Tool => ({
  name,
  push: (source, destination, context) => ({
    cmd: process.execPath,
    args: [action],
    env: actionEnv(source, destination, context, cache, '2'),
  }),
});

/**
 * The cache service, then the previous run of the workflow: the action with cache: true pushes `image` to
 * `repository:tag` and saves its map; then the runner is wiped (RUNNER_TEMP emptied), as the next run's is.
 */
const previousRun =
  (image: () => Promise<{ source: string }>, where: string) =>
  async (host: string, context: RunContext): Promise<void> => {
    cacheService = await startActionsCacheServer({ delayMs: CACHE_DELAY_MS });
    const { source } = await image();
    await mkdir(join(context.dir, 'runner-temp'), { recursive: true });
    await runCommand(
      {
        cmd: process.execPath,
        args: [action],
        env: actionEnv(source, `${host}/${where}`, context, true, '1'),
      },
      TIMEOUT_MS,
    );
    if (!cacheService.entries.some((e) => e.finalized))
      throw new Error('the previous run saved no cache entry');
    await rm(join(context.dir, 'runner-temp'), { recursive: true, force: true });
    await mkdir(join(context.dir, 'runner-temp'), { recursive: true });
  };

const stopCacheService = async (): Promise<void> => {
  await cacheService?.stop();
  cacheService = undefined;
};

const cacheScenario = (
  name: string,
  measures: string,
  source: Scenario['source'],
  image: () => Promise<{ source: string }>,
  where: string,
): Scenario => ({
  name,
  measures,
  source,
  setup: 'fresh',
  prepare: previousRun(image, where),
  teardown: stopCacheService,
  tools: () => Promise.resolve([cachedAction(OURS, true), cachedAction(CACHE_OFF, false)]),
  peer: CACHE_OFF,
});

const scenarios: Scenario[] = [
  {
    name: 'oci-cold',
    measures:
      'five-layers OCI layout into an empty registry; the parallel-curl floor runs in the same rotation (A B C, C B A, ...).',
    source: oci(fiveLayers),
    setup: 'fresh',
    floor: true,
  },
  {
    name: 'oci-warm',
    measures:
      'the same push again: the registry already holds the image (pushed by image-push); no blob to send. The ' +
      "floor is a 30-line Node script that checks the manifest's digest and sends the two requests a re-run needs " +
      "(bench/warm-floor.mjs): Node start-up plus two requests. The undici floor is that script on image-push's " +
      'HTTP client (bench/warm-floor-undici.ts, bundled in the run as dist/ is).',
    source: async () => {
      const image = await oci(fiveLayers)();
      if (!image.oci) return image;
      return {
        ...image,
        floorTool: nodeWarmFloor(image.oci),
        extraTools: [await undiciWarmFloor(image.oci)],
      };
    },
    setup: 'warm',
    floor: true,
  },
  {
    name: 'oci-50-layers-cold',
    measures: '50 small layers into an empty registry: per-blob overhead and concurrency.',
    source: oci(fiftyLayers),
    setup: 'fresh',
  },
  {
    name: 'docker-archive-cold',
    measures:
      '`docker save` tarball with uncompressed layers into an empty registry: both tools gzip every layer.',
    source: dockerSource,
    setup: 'fresh',
  },
  {
    name: 'docker-archive-cold-zstd',
    measures:
      'the same archive, both tools compressing to zstd (image-push `--compression zstd`, skopeo ' +
      '`--dest-compress-format zstd`).',
    source: dockerSource,
    setup: 'fresh',
    zstd: true,
  },
  {
    name: 'docker-archive-warm-blob-map',
    measures:
      'the archive again after image-push pushed it, image-push with the blob map of that push (knows the ' +
      'compressed digests: no compression); skopeo without anything it can reuse (its own gzip differs).',
    source: dockerSource,
    setup: 'warm',
    blobMap: true,
  },
  {
    name: 'docker-archive-warm-no-map',
    measures: 'the same without the blob map: image-push has to compress again to learn the digests.',
    source: dockerSource,
    setup: 'warm',
  },
  {
    name: 'docker-archive-changed-top-layer',
    measures:
      'the next version of the archive (the same six layers plus a new 20 MB top layer) into a registry that ' +
      'holds the previous one under latest (pushed by skopeo), no blob map, no skopeo cache: image-push reads ' +
      "the registry's manifest and compresses only the new layer; skopeo compresses every layer.",
    source: async () => {
      const a = await archiveV2();
      return {
        source: a.source,
        describe: [
          a.name,
          `docker-archive plus one ${mb(sizes([20])[0]!.size)} MB top layer, ${a.layers} uncompressed layers, ${mb(a.bytes)} MB`,
        ],
      };
    },
    setup: 'fresh',
    prepare: previousBySkopeo,
  },
  {
    name: 'daemon-changed-top-layer',
    measures:
      'the same two versions in a real Docker Engine (dockerd, vfs): the previous one pushed by docker push, ' +
      "then the daemon's push memory wiped (a fresh runner); image-push from docker-daemon: against docker push.",
    source: daemonSource('bench/app:v2', 'docker-archive-v2 loaded into dockerd'),
    setup: 'fresh',
    prepare: previousByDockerPush(),
    tools: daemonTools(),
    peer: DOCKER,
  },
  {
    name: 'daemon-cold',
    measures:
      'the archive (v1) from the same Docker Engine into an empty registry, the push memory of the daemon ' +
      'wiped: image-push from docker-daemon: against docker push, both compressing every layer.',
    source: daemonSource('bench/app:v1', 'docker-archive loaded into dockerd'),
    setup: 'fresh',
    prepare: coldDaemon(),
    tools: daemonTools(),
    peer: DOCKER,
  },
  {
    name: 'daemon26-containerd-cold',
    measures:
      'the archive (v1) in Docker 26 with the containerd image store (pulled there, so the store holds gzip ' +
      'blobs), into an empty registry: image-push from docker-daemon: (stored blobs sent as they are, the ' +
      "same manifest) against docker push, and docker save's own stream to /dev/null.",
    source: daemonSource(
      'bench/app:v1',
      'docker-archive pulled into the containerd store',
      'docker-26-containerd',
    ),
    setup: 'fresh',
    prepare: coldDaemon('docker-26-containerd'),
    tools: daemonTools('docker-26-containerd', 'bench/app:v1'),
    peer: DOCKER,
    saveFloor: true,
  },
  {
    name: 'daemon26-containerd-warm',
    measures:
      'v1 from the containerd store again, to the tag that holds it (pushed there by docker push): a re-run. ' +
      'The image ID is the digest a push sends: image-push reads the tree back from the registry, no docker save.',
    source: daemonSource(
      'bench/app:v1',
      'docker-archive pulled into the containerd store',
      'docker-26-containerd',
    ),
    setup: 'fresh',
    prepare: samePushedByDockerPush('docker-26-containerd'),
    tools: daemonTools('docker-26-containerd'),
    peer: DOCKER,
  },
  {
    name: 'daemon26-containerd-changed-top-layer',
    measures:
      'v2 (v1 plus a new top layer) from the containerd store into a registry holding v1 (pushed by docker ' +
      'push): docker push HEADs the known layers; image-push must still read the whole save stream.',
    source: daemonSource(
      'bench/app:v2',
      'docker-archive-v2 pulled into the containerd store',
      'docker-26-containerd',
    ),
    setup: 'fresh',
    prepare: previousByDockerPush('docker-26-containerd'),
    tools: daemonTools('docker-26-containerd'),
    peer: DOCKER,
  },
  {
    name: 'daemon26-classic-cold',
    measures:
      'the archive (v1) in Docker 26 with the classic store (vfs; its save is an OCI layout of uncompressed ' +
      'layers) into an empty registry, push memory wiped: image-push against docker push, both compressing.',
    source: daemonSource('bench/app:v1', 'docker-archive loaded into Docker 26 (classic store)', 'docker-26'),
    setup: 'fresh',
    prepare: coldDaemon('docker-26'),
    tools: daemonTools('docker-26'),
    peer: DOCKER,
  },
  {
    name: 'daemon26-classic-changed-top-layer',
    measures:
      'v2 from Docker 26 (classic store) into a registry holding v1 (pushed by docker push), push memory wiped ' +
      '(a fresh runner): image-push against docker push.',
    source: daemonSource(
      'bench/app:v2',
      'docker-archive-v2 loaded into Docker 26 (classic store)',
      'docker-26',
    ),
    setup: 'fresh',
    prepare: previousByDockerPush('docker-26'),
    tools: daemonTools('docker-26'),
    peer: DOCKER,
  },
  {
    name: 'mount',
    measures:
      'five-layers into a new repository (bench/app) of a registry that has its blobs in another one ' +
      '(bench/base), pushed there by the same tool just before: image-push with the blob map of that push, ' +
      'skopeo with its blob-info cache from that push. Both should mount (POST ?mount=&from=) and send ~0 bytes.',
    source: oci(fiveLayers),
    setup: 'other-repo',
    blobMap: true,
  },
  {
    name: 'copy-registry',
    measures:
      'copy of a ~1 GB image (six layers) from a second local registry (docker://) into an empty one: ' +
      'blobs streamed from registry to registry, digests kept; the floor (parallel curl GET | PUT of the ' +
      'same blobs) runs in the same rotation.',
    source: inSourceRegistry,
    setup: 'fresh',
    floor: true,
  },
  {
    name: 'copy-same-registry',
    measures:
      'copy of the same image from bench/base to bench/app of one registry (docker://): image-push mounts ' +
      'every blob (no blob body sent or received); skopeo does what its empty blob-info cache allows.',
    source: inTargetRegistry,
    setup: 'base',
  },
  cacheScenario(
    'action-cache-noop',
    `a re-run of the action: the docker archive to the tag that holds it already; cache: true (the map restored from, and saved to, a cache service ${CACHE_DELAY_MS} ms away) against cache: false.`,
    dockerSource,
    archive,
    'bench/app:1',
  ),
  cacheScenario(
    'action-cache-changed-top-layer',
    'the next version (one new top layer) through the action, the previous one under latest (pushed by the ' +
      'previous run, with cache: true); cache: true against cache: false.',
    async () => ({
      source: (await archiveV2()).source,
      describe: ['docker-archive-v2', 'docker-archive plus one top layer'],
    }),
    archive,
    'bench/app:latest',
  ),
  cacheScenario(
    'action-cache-new-repository',
    'five-layers through the action into a new repository (bench/app) of a registry whose bench/base got it ' +
      'in the previous run (cache: true): with the map the blobs are mounted, without it uploaded.',
    oci(fiveLayers),
    fiveLayers,
    'bench/base:1',
  ),
  {
    name: 'body-limit-50m',
    measures:
      'cold push through nginx with client_max_body_size 50m, of an image with a layer over 50 MB: skopeo ' +
      'is expected to fail with 413; image-push to switch to chunked upload after the 413.',
    source: oci(overLimit),
    setup: 'fresh',
    bodyLimit: '50m',
  },
];

async function runOnce(
  scenario: Pick<Scenario, 'setup' | 'blobMap' | 'bodyLimit' | 'prepare' | 'teardown'>,
  from: Pick<ImageSource, 'source' | 'seed'>,
  tool: Tool,
): Promise<Measurement> {
  const dir = await makeTempDir('bench-run-');
  return withLiveDir(dir, async () => {
    try {
      const context: RunContext = {
        dir,
        skopeoEnv: await skopeoEnv(join(dir, 'skopeo')),
        blobMap: scenario.blobMap ? join(dir, 'blob-map.json') : undefined,
      };
      const target = await startTarget(scenario.bodyLimit);
      try {
        const destination = `${target.host}/bench/app:1`;
        const source = from.source.replace('{target}', target.host);
        try {
          if (scenario.setup === 'base')
            await runCommand(
              ours.push(from.seed ?? source, `${target.host}/bench/base:1`, context),
              TIMEOUT_MS,
            );
          else if (scenario.setup === 'warm')
            await runCommand(ours.push(source, destination, context), TIMEOUT_MS);
          else if (scenario.setup === 'other-repo')
            await runCommand(tool.push(source, `${target.host}/bench/base:1`, context), TIMEOUT_MS);
          await scenario.prepare?.(target.host, context);
        } catch (err) {
          return failedSetup(err);
        }
        return await measure(tool.push(source, destination, context), target, dir, TIMEOUT_MS);
      } finally {
        await scenario.teardown?.();
        await target.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

function failedSetup(err: unknown): Measurement {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    wall: NaN,
    cpu: NaN,
    rssMB: NaN,
    requests: NaN,
    statuses: {},
    receivedMB: NaN,
    storedMB: NaN,
    failure: 'warm-up push failed',
    error: lastLines(message),
  };
}

function describe(m: Measurement): string {
  if (Number.isNaN(m.wall)) return `FAILED (${m.failure ?? '?'}): ${m.error ?? ''}`;
  const figures =
    `${m.wall.toFixed(2)} s, cpu ${m.cpu.toFixed(2)} s, rss ${m.rssMB.toFixed(0)} MB, ${m.requests} requests, ` +
    `${m.receivedMB.toFixed(1)} MB received`;
  return m.ok ? figures : `FAILED (${m.failure ?? '?'}) after ${figures}: ${m.error ?? ''}`;
}

/** PAIRS rounds into `runs`; the order of the tools flips every round (A B, B A, ...). */
async function runRounds(
  label: string,
  scenario: Pick<Scenario, 'setup' | 'blobMap' | 'bodyLimit' | 'prepare' | 'teardown'>,
  source: Pick<ImageSource, 'source' | 'seed'>,
  tools: readonly Tool[],
  runs: Record<string, Measurement[]>,
  onRun: () => Promise<void>,
): Promise<void> {
  for (const tool of tools) runs[tool.name] ??= [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const m = await runOnce(scenario, source, tool);
      runs[tool.name]!.push(m);
      log(`  ${label} [${pair + 1}/${PAIRS}] ${tool.name}: ${describe(m)}`);
      await onRun();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput of the local machine: sha256 (what every push does) and gzip at image-push's default level for
// uncompressed layers, for reference

async function throughput(): Promise<NonNullable<Report['throughput']>> {
  const img = await fiveLayers();
  const files = img.image.layers.map((l) => join(img.dir, 'blobs/sha256', l.digest.slice(7)));
  const bytes = img.image.layers.reduce((n, l) => n + l.size, 0);
  let started = performance.now();
  for (const file of files) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file, { highWaterMark: MB })) hash.update(chunk as Buffer);
    hash.digest();
  }
  const sha256NodeMBps = bytes / MB / ((performance.now() - started) / 1000);
  started = performance.now();
  await run('sha256sum', files);
  const sha256sumMBps = bytes / MB / ((performance.now() - started) / 1000);

  // The docker archive: plain tars of sample content, what image-push compresses. At most 256 MB of it.
  const tar = (await archive()).file;
  const limit = 256 * MB;
  let input = 0;
  started = performance.now();
  await pipeline(
    createReadStream(tar, { end: limit - 1, highWaterMark: MB }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        input += chunk.length;
        yield chunk;
      }
    },
    createGzip({ level: DEFAULT_COMPRESSION_LEVEL, memLevel: 9 }),
    new Writable({ write: (_chunk, _encoding, callback) => callback() }),
  );
  const gzipMBps = input / MB / ((performance.now() - started) / 1000);
  return { sha256NodeMBps, sha256sumMBps, gzipMBps, gzipInputMB: input / MB };
}

// ---------------------------------------------------------------------------------------------------------------
// Scaling

function scalingSizes(): number[] {
  const text = flags['scaling-sizes'] ?? (flags.small ? '10M,30M,100M' : '100M,1G,4G');
  return text.split(',').map((s) => parseSize(s));
}

const sizeName = (bytes: number): string =>
  bytes >= GB ? `${+(bytes / GB).toFixed(1)}G` : `${+(bytes / MB).toFixed(1)}M`;

async function scalingSize(
  bytes: number,
  tools: readonly Tool[],
  onRun: () => Promise<void>,
  result: ScalingResult,
): Promise<void> {
  const layers = 4;
  const spec = layersForBlobBytes(bytes, layers);
  const name = `scaling-${result.name}`;
  const seed = 500 + Math.round(bytes / MB);
  // The image, then one registry copy per run, on the same disk as .tmp: about 3.75x the image, i.e. 15 GB free
  // for 4 GB. Once the image exists, the registry copy and a margin.
  const free = await freeBytes(benchDir);
  const generated = await isGenerated(name, spec, seed);
  const need = generated ? 1.5 * bytes + GB : Math.max(GB, 3.75 * bytes);
  if (free < need) {
    result.skipped = `${(free / GB).toFixed(1)} GB free on the disk of .tmp/bench, needs ${(need / GB).toFixed(1)} GB`;
    return;
  }
  const img = await ociImage(name, spec, seed);
  result.blobMB = img.image.totalBlobBytes / MB;
  await runRounds(`scaling ${result.name}`, { setup: 'fresh' }, img, tools, result.runs, onRun);
}

// ---------------------------------------------------------------------------------------------------------------

const errorText = (err: unknown): string => lastLines(err instanceof Error ? err.message : String(err));

async function main(): Promise<void> {
  if (flags.help) {
    const names = [
      ...scenarios.map((s) => `  ${s.name}: ${s.measures}`),
      '  startup-input-error: the action failing on an input error, against a bundle of @actions/core alone',
      '  startup-warm-push: a warm push through the action, against the same push through the CLI',
    ].join('\n');
    process.stdout.write(`${usage}\n\nscenarios:\n${names}\n`);
    return;
  }
  await ensureTools(['docker-registry', 'skopeo', 'nginx']);
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build');
  const only = flags.only ? flags.only.split(',').map((s) => s.trim()) : [];
  const unknown = only.filter(
    (n) => n !== 'scaling' && !STARTUP_SCENARIOS.includes(n) && !scenarios.some((s) => s.name === n),
  );
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; see --help`);
  const selected = scenarios.filter((s) => (only.length ? only.includes(s.name) : flags.scaling !== true));
  const withScaling = flags.scaling ?? (only.length ? only.includes('scaling') : true);
  const startup = STARTUP_SCENARIOS.filter((n) => (only.length ? only.includes(n) : flags.scaling !== true));
  const full = !flags.small && only.length === 0 && flags.scaling === undefined && !flags['scaling-sizes'];
  const out = flags.out ?? (full ? join(root, 'bench/results') : join(benchDir, 'results'));

  const report: Report = {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    skopeo: await skopeoVersion(),
    registry: (await run('docker-registry', ['--version'])).stdout.trim(),
    nginx: (await run('/usr/sbin/nginx', ['-v'])).stderr.trim(),
    pairs: PAIRS,
    small: flags.small,
    images: {},
    scenarios: [],
    ...(withScaling ? { scaling: [] } : {}),
    ...(startup.length ? { startup: [] } : {}),
  };
  const save = async (): Promise<void> => {
    report.targets = evaluateTargets(report);
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'latest.md'), renderMarkdown(report));
    await writeFile(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  };
  const benchStarted = performance.now();
  log(
    `bench: ${PAIRS} pairs; scenarios: ${selected.map((s) => s.name).join(', ') || 'none'}; scaling: ${
      withScaling ? scalingSizes().map(sizeName).join(', ') : 'no'
    }; results in ${out}`,
  );

  if (selected.length) {
    try {
      log(`throughput: sha256 and gzip -${DEFAULT_COMPRESSION_LEVEL} on this machine...`);
      report.throughput = await throughput();
      const t = report.throughput;
      log(
        `  sha256 ${t.sha256NodeMBps.toFixed(0)} MB/s (Node), ${t.sha256sumMBps.toFixed(0)} MB/s (sha256sum); ` +
          `gzip -${DEFAULT_COMPRESSION_LEVEL} ${t.gzipMBps.toFixed(1)} MB/s`,
      );
    } catch (err) {
      log(`  throughput failed: ${errorText(err)}`);
    }
    await save();
  }

  for (const [i, scenario] of selected.entries()) {
    log(`[${i + 1}/${selected.length}] ${scenario.name}: ${scenario.measures}`);
    const started = performance.now();
    const result: ScenarioResult = {
      name: scenario.name,
      measures: scenario.measures,
      runs: {},
      ratios: [],
      ...(scenario.peer ? { peer: scenario.peer } : {}),
    };
    report.scenarios.push(result);
    const update = async (): Promise<void> => {
      result.ratios = pairRatiosOf(result.runs[OURS], result.runs[scenario.peer ?? SKOPEO]);
      if (scenario.floor) result.floorRatios = pairRatiosOf(result.runs[OURS], result.runs[FLOOR]);
      if (scenario.saveFloor) result.saveRatios = pairRatiosOf(result.runs[OURS], result.runs[DOCKER_SAVE]);
      await save();
    };
    let stopSource: (() => Promise<void>) | undefined;
    try {
      const from = await scenario.source();
      const { oci: img, describe: about } = from;
      stopSource = from.stop;
      report.images[about[0]] = about[1];
      if (scenario.bodyLimit) {
        const limit = parseSize(scenario.bodyLimit);
        const largest = Math.max(...(img?.image.layers ?? []).map((l) => l.size));
        if (!(largest > limit)) throw new Error(`no layer above ${scenario.bodyLimit} in ${about[0]}`);
      }
      const tools = scenario.tools
        ? await scenario.tools()
        : scenario.zstd
          ? [
              withFlags(ours, 'push', ['--compression', 'zstd']),
              withFlags(skopeo, 'copy', ['--dest-compress-format', 'zstd']),
            ]
          : [
              ours,
              skopeo,
              ...(scenario.floor ? [from.floorTool ?? (img ? curlFloor(img) : undefined)] : []),
              ...(from.extraTools ?? []),
            ].filter((tool): tool is Tool => tool !== undefined);
      await runRounds(scenario.name, scenario, from, tools, result.runs, update);
    } catch (err) {
      result.error = errorText(err);
      log(`  ${scenario.name}: error: ${result.error}`);
    } finally {
      await stopSource?.();
    }
    await update();
    log(`  ${scenario.name} done in ${seconds(started)} s`);
  }

  // dockerd's vfs copies (a full tree per layer, GBs for the full run) go before the scaling images need the disk.
  for (const engine of engines.values()) await (await engine.catch(() => undefined))?.stop();
  engines.clear();
  enginePids.clear();

  for (const name of startup) {
    log(`[${name}] ${STARTUP_PAIRS} rounds`);
    const started = performance.now();
    try {
      const result =
        name === 'startup-input-error'
          ? await startupInputError(STARTUP_PAIRS, log)
          : await startupWarmPush(STARTUP_PAIRS, (await fiveLayers()).source, log);
      report.startup!.push(result);
    } catch (err) {
      report.startup!.push({
        name,
        measures: '',
        subject: '',
        baseline: '',
        limit: NaN,
        runs: {},
        ratios: {},
        error: errorText(err),
      });
      log(`  ${name}: error: ${errorText(err)}`);
    }
    await save();
    log(`  ${name} done in ${seconds(started)} s`);
  }

  if (report.scaling) {
    const tools = flags['scaling-skopeo'] ? [ours, skopeo] : [ours];
    for (const bytes of scalingSizes()) {
      const result: ScalingResult = { name: sizeName(bytes), blobMB: bytes / MB, layers: 4, runs: {} };
      report.scaling.push(result);
      log(
        `[scaling ${result.name}] cold push of ~${result.name} of blobs by ${tools.map((t) => t.name).join(', ')}`,
      );
      const started = performance.now();
      try {
        await scalingSize(bytes, tools, save, result);
        if (result.skipped) log(`  skipped: ${result.skipped}`);
      } catch (err) {
        result.error = errorText(err);
        log(`  scaling ${result.name}: error: ${result.error}`);
      }
      await save();
      log(`  scaling ${result.name} done in ${seconds(started)} s`);
    }
  }

  await save();
  log(`bench done in ${seconds(benchStarted)} s; wrote ${join(out, 'latest.md')} and latest.json`);
  process.stdout.write(renderMarkdown(report));
}

process.once('SIGINT', () => {
  killRunning();
  try {
    for (const pid of enginePids) process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  process.exit(130);
});
await main();
