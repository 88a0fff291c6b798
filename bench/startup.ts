// Start-up scenarios: what a run costs before and around its requests.
// - startup-input-error: the action (dist/index.js, as GitHub runs it) failing on an input error, against the
//   floor: a bundle that imports only @actions/core and fails on the same error, built here by esbuild into a
//   temp dir so that both are measured in the same run. Also the action with the compile cache disabled: what
//   the first run on a fresh runner pays.
// - startup-warm-push: a warm push (the registry holds every blob) through the action against the same push
//   through the CLI, into one registry that both keep warm.
// The tools alternate (A B, B A, ...); cells are medians, ratios the median of the pair-by-pair ratios.
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { requireBanner } from '../scripts/build-plugins.ts';
import { startRegistry } from '../test/helpers/registry.ts';
import { makeTempDir } from '../test/helpers/tools.ts';
import { lastLines } from './measure.ts';

const root = join(import.meta.dirname, '..');
const action = join(root, 'dist/index.js');
const cli = join(root, 'dist/cli.js');

/** The action's first input check, word for word: the floor must fail on the very same line. */
const INPUT_ERROR =
  'neither image nor merge is set. set image to push an image, or merge to combine pushed digests into one index';

export const FLOOR_TOOL = 'core-floor';
export const ACTION_TOOL = 'action';
export const ACTION_COLD_TOOL = 'action, no compile cache';
export const CLI_TOOL = 'cli';

export interface StartupRun {
  readonly ok: boolean;
  /** Seconds, spawn to exit. */
  readonly wall: number;
  /** User + system seconds (GNU time). */
  readonly cpu: number;
  readonly error?: string;
}

export interface StartupResult {
  readonly name: string;
  readonly measures: string;
  /** The tool measured, and the one it is measured against. */
  readonly subject: string;
  readonly baseline: string;
  /** The target: subject / baseline at most this. */
  readonly limit: number;
  readonly runs: Record<string, StartupRun[]>;
  /** subject / baseline wall, pair by pair; and for the other tools, against the same baseline. */
  ratios: Record<string, number[]>;
  error?: string;
}

interface StartupTool {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The run did what it should: the expected exit code and output. */
  check(code: number | null, stdout: string): string | undefined;
}

async function timed(tool: StartupTool, scratch: string): Promise<StartupRun> {
  const timeFile = join(scratch, 'time.txt');
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, process.execPath, ...tool.args], {
        env: tool.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-8000)));
      child.once('close', (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    },
  );
  const wall = (performance.now() - started) / 1000;
  const [user = NaN, sys = NaN] = (await readFile(timeFile, 'utf8').catch(() => ''))
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  const problem = tool.check(code, stdout);
  return {
    ok: problem === undefined,
    wall,
    cpu: user + sys,
    ...(problem ? { error: `${problem}: ${lastLines(stderr || stdout)}` } : {}),
  };
}

/** `pairs` rounds of every tool, the order flipping each round; ratios against `baseline`, pair by pair. */
async function rounds(
  result: StartupResult,
  tools: readonly StartupTool[],
  pairs: number,
  scratch: string,
  log: (line: string) => void,
): Promise<void> {
  for (const tool of tools) result.runs[tool.name] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const run = await timed(tool, scratch);
      result.runs[tool.name]!.push(run);
      if (!run.ok) log(`  ${result.name} [${pair + 1}/${pairs}] ${tool.name}: FAILED ${run.error ?? ''}`);
    }
  }
  const base = result.runs[result.baseline] ?? [];
  for (const tool of tools) {
    if (tool.name === result.baseline) continue;
    result.ratios[tool.name] = (result.runs[tool.name] ?? []).flatMap((run, i) =>
      run.ok && base[i]?.ok ? [run.wall / base[i].wall] : [],
    );
  }
}

/** The floor: @actions/core and the same input error, bundled the way scripts/build.ts bundles the action. */
async function buildFloor(dir: string): Promise<string> {
  const outfile = join(dir, 'floor.mjs');
  await build({
    stdin: {
      contents: [
        "import * as core from '@actions/core';",
        "const image = core.getInput('image');",
        "const merge = core.getInput('merge');",
        `if (!image && !merge) core.setFailed(${JSON.stringify(INPUT_ERROR)});`,
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'floor.ts',
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    logLevel: 'warning',
    banner: { js: requireBanner },
  });
  return outfile;
}

/** What a runner sets, but no INPUT_* at all, so the first check fails (the action then writes its summary). */
function bareEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
}

const failsOnInput = (code: number | null, stdout: string): string | undefined =>
  code === 1 && stdout.includes(`::error::${INPUT_ERROR}`) ? undefined : `exit ${code}, not the input error`;

export async function startupInputError(pairs: number, log: (line: string) => void): Promise<StartupResult> {
  const result: StartupResult = {
    name: 'startup-input-error',
    measures:
      "the action (dist/index.js) failing on an input error (no image, no merge), against a bundle that imports only @actions/core and fails on the same line (built by esbuild in this run); also the action with NODE_DISABLE_COMPILE_CACHE=1 (a runner's first run).",
    subject: ACTION_TOOL,
    baseline: FLOOR_TOOL,
    limit: 1.25,
    runs: {},
    ratios: {},
  };
  const dir = await makeTempDir('bench-startup-');
  try {
    const floor = await buildFloor(dir);
    const env = bareEnv(dir);
    await writeFile(join(dir, 'output'), '');
    await writeFile(join(dir, 'summary.md'), '');
    const tools: StartupTool[] = [
      { name: FLOOR_TOOL, args: [floor], env, check: failsOnInput },
      { name: ACTION_TOOL, args: [action], env, check: failsOnInput },
      {
        name: ACTION_COLD_TOOL,
        args: [action],
        env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
        check: failsOnInput,
      },
    ];
    // One unmeasured run each: the compile cache is written by the first run, as on a runner's second step.
    for (const tool of tools) await timed(tool, dir);
    await rounds(result, tools, pairs, dir, log);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

export async function startupWarmPush(
  pairs: number,
  source: string,
  log: (line: string) => void,
): Promise<StartupResult> {
  const result: StartupResult = {
    name: 'startup-warm-push',
    measures:
      'a warm push (the registry holds every blob) of the same OCI layout through the action (dist/index.js with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) and through the CLI (dist/cli.js push --quiet), into one registry.',
    subject: ACTION_TOOL,
    baseline: CLI_TOOL,
    limit: 1.3,
    runs: {},
    ratios: {},
  };
  const dir = await makeTempDir('bench-startup-');
  const registry = await startRegistry();
  try {
    const destination = `${registry.host}/bench/app:1`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: join(dir, 'cache'),
      DOCKER_CONFIG: join(dir, 'no-docker-config'),
    };
    const actionEnv: NodeJS.ProcessEnv = {
      ...env,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
      INPUT_IMAGE: source,
      INPUT_TAGS: destination,
    };
    await writeFile(join(dir, 'output'), '');
    await writeFile(join(dir, 'summary.md'), '');
    const pushed = (code: number | null): string | undefined => (code === 0 ? undefined : `exit ${code}`);
    const tools: StartupTool[] = [
      { name: ACTION_TOOL, args: [action], env: actionEnv, check: pushed },
      {
        name: CLI_TOOL,
        args: [cli, 'push', '--quiet', '--blob-map', join(dir, 'blob-map.json'), source, destination],
        env,
        check: pushed,
      },
    ];
    // The first push fills the registry; one more of each warms the compile caches.
    for (const tool of [...tools].reverse()) {
      const run = await timed(tool, dir);
      if (!run.ok) throw new Error(`warm-up push by ${tool.name} failed: ${run.error ?? ''}`);
    }
    await rounds(result, tools, pairs, dir, log);
  } finally {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
