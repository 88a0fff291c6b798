// Runs the bundled front ends as a user and a runner do: dist/cli.js with arguments, dist/index.js with INPUT_*
// variables and a GITHUB_OUTPUT file. A run that does not end within `killAfterMs` is killed and reported as such
// (a hang is a finding, not a stuck test).
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
export const CLI_BUNDLE = join(root, 'dist/cli.js');
export const ACTION_BUNDLE = join(root, 'dist/index.js');

export interface BundleRun {
  readonly code: number | null;
  readonly ms: number;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The action's outputs (GITHUB_OUTPUT), empty for the CLI. */
  readonly outputs: Record<string, string>;
}

export interface BundleOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user id (root tests run unprivileged cases as nobody). */
  readonly uid?: number;
  readonly gid?: number;
  readonly killAfterMs?: number;
  readonly cwd?: string;
  /** The Node binary that runs the bundle (default: the one running the tests, Node 24). */
  readonly node?: string;
}

function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: BundleOptions,
): Promise<BundleRun> {
  return runChild(options.node ?? process.execPath, [script, ...args], env, options);
}

/** An installed `image-push` or the single executable, run as a shell would, on a clean machine's environment. */
export function runProgram(
  program: string,
  args: string[],
  work: string,
  options: BundleOptions = {},
): Promise<BundleRun> {
  return runChild(program, args, { ...baseEnv(work), ...options.env }, options);
}

function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: BundleOptions,
): Promise<BundleRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.killAfterMs ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        ms: performance.now() - started,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        outputs: {},
      });
    });
  });
}

/** Environment of a clean machine: no Docker config, no proxy, PATH only. */
export function baseEnv(work: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DOCKER_CONFIG: join(work, 'no-docker-config'),
    XDG_CACHE_HOME: join(work, 'cache'),
    HOME: work,
  };
}

export function runCliBundle(args: string[], work: string, options: BundleOptions = {}): Promise<BundleRun> {
  return runNode(CLI_BUNDLE, args, { ...baseEnv(work), ...options.env }, options);
}

export async function runActionBundle(
  inputs: Record<string, string>,
  work: string,
  options: BundleOptions = {},
): Promise<BundleRun> {
  const outputFile = join(work, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(outputFile, '');
  await chmod(outputFile, 0o666); // writable by an unprivileged run too
  const env: NodeJS.ProcessEnv = { ...baseEnv(work), GITHUB_OUTPUT: outputFile, ...options.env };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const run = await runNode(ACTION_BUNDLE, [], env, options);
  return { ...run, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) if (match[1]) outputs[match[1]] = match[3] ?? '';
  return outputs;
}
