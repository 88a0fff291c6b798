// How one push is measured. GNU time gives wall, CPU and peak RSS of the client; the access log of the server
// the client talks to (the registry, or nginx in front of it) gives the requests and their statuses; the
// registry's /proc/PID/io `rchar` gives the bytes it read (request bodies off its sockets, plus a few bytes of
// metadata files), so a blob uploaded again into a registry that already stores it still counts; the growth of
// its data dir gives the bytes it stored.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginx, type TestNginx } from '../test/helpers/nginx.ts';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.ts';

export const MB = 1 << 20;

export interface Command {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface Measurement {
  ok: boolean;
  /** Seconds. */
  wall: number;
  /** User + system seconds of the client and its children. */
  cpu: number;
  rssMB: number;
  /** Requests the client's server logged (nginx's when it is in front), whatever their status. */
  requests: number;
  /** Count of responses by status code. */
  statuses: Record<string, number>;
  /** What the registry read during the run: request bodies, even of blobs it already had. */
  receivedMB: number;
  /** Growth of the registry's storage. */
  storedMB: number;
  /** Short reason of a failure, for the table: an HTTP status (`413`), `timeout` or `exit N`. */
  failure?: string;
  /** The last lines of the client's stderr when it failed. */
  error?: string;
}

/** Where a run pushes to: a fresh registry, optionally behind nginx with a body size limit. */
export interface Target {
  /** `127.0.0.1:PORT` that clients push to. */
  readonly host: string;
  readonly registry: TestRegistry;
  /** Starts counting requests from now. */
  mark(): Promise<void>;
  /** The statuses of the requests since mark(), in order. */
  statuses(): Promise<number[]>;
  stop(): Promise<void>;
}

// Apache combined format, written by both distribution and nginx:
// `127.0.0.1 - - [25/Nov/2026:05:53:49 +0000] "HEAD /v2/a/blobs/sha256:... HTTP/1.1" 404 157 "" "curl/7.88.1"`
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;

/** Temp dirs in use, removed if the benchmark exits in the middle of a run (an interrupt skips `finally`). */
const liveDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

/** Keeps `dir` in liveDirs while `use` runs. */
export async function withLiveDir<T>(dir: string, use: () => Promise<T>): Promise<T> {
  liveDirs.add(dir);
  try {
    return await use();
  } finally {
    liveDirs.delete(dir);
  }
}

export async function startTarget(bodyLimit?: string): Promise<Target> {
  const registry = await startRegistry();
  liveDirs.add(registry.dir);
  if (bodyLimit === undefined) {
    return {
      host: registry.host,
      registry,
      mark: () => registry.clearRequests(),
      statuses: async () => (await registry.requests()).map((r) => r.status),
      stop: async () => {
        await registry.stop();
        liveDirs.delete(registry.dir);
      },
    };
  }
  let nginx: TestNginx;
  try {
    nginx = await startNginx({ upstream: registry.url, clientMaxBodySize: bodyLimit });
  } catch (err) {
    await registry.stop();
    liveDirs.delete(registry.dir);
    throw err;
  }
  liveDirs.add(nginx.dir);
  const log = join(nginx.dir, 'access.log');
  const lines = async (): Promise<string[]> => {
    // nginx writes the line as it finishes the request, just after the client has its answer: wait until stable.
    let text = await readFile(log, 'utf8').catch(() => '');
    for (let i = 0; i < 20; i++) {
      await sleep(25);
      const again = await readFile(log, 'utf8').catch(() => '');
      if (again.length === text.length) break;
      text = again;
    }
    return text.split('\n').filter((line) => ACCESS_LINE.test(line));
  };
  let seen = 0;
  return {
    host: nginx.host,
    registry,
    mark: async () => {
      seen = (await lines()).length;
    },
    statuses: async () => (await lines()).slice(seen).map((line) => Number(ACCESS_LINE.exec(line)![3])),
    stop: async () => {
      await nginx.stop();
      await registry.stop();
      liveDirs.delete(nginx.dir);
      liveDirs.delete(registry.dir);
    },
  };
}

/** Process groups of the commands running now, killed if the benchmark is interrupted. */
const running = new Set<number>();

export function killRunning(): void {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

interface Outcome {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command in its own process group (so that a timeout kills the whole tree) and keeps its stderr's tail. */
function spawnCommand(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<Outcome>((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, detached: true });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-16_000)));
    child.once('error', (err) => (stderr += err.message));
    child.once('close', (code) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve({ code, stderr, timedOut });
    });
  });
}

/** Runs a command that is not measured (a warm-up push); throws with its stderr if it fails. */
export async function runCommand(command: Command, timeoutMs: number): Promise<void> {
  const outcome = await spawnCommand(command.cmd, command.args, command.env ?? process.env, timeoutMs);
  if (outcome.code !== 0 || outcome.timedOut)
    throw new Error(`${failureReason(outcome)}: ${lastLines(outcome.stderr)}`);
}

/** Runs one command under GNU time against `target`; a failure is recorded, never thrown. */
export async function measure(
  command: Command,
  target: Target,
  scratch: string,
  timeoutMs: number,
): Promise<Measurement> {
  await target.mark();
  const dataDir = join(target.registry.dir, 'data');
  const storedBefore = await dirBytes(dataDir);
  const readBefore = await readBytes(target.registry.pid);
  const timeFile = join(scratch, 'time.txt');
  const started = performance.now();
  const outcome = await spawnCommand(
    '/usr/bin/time',
    ['-f', '%U %S %M', '-o', timeFile, command.cmd, ...command.args],
    command.env ?? process.env,
    timeoutMs,
  );
  const wall = (performance.now() - started) / 1000;
  // A failed command makes time write `Command exited with non-zero status N` first: the figures are last.
  const [user = 0, sys = 0, rssKB = 0] = (await readFile(timeFile, 'utf8').catch(() => ''))
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  const statuses: Record<string, number> = {};
  const all = await target.statuses();
  for (const status of all) statuses[status] = (statuses[status] ?? 0) + 1;
  const ok = outcome.code === 0 && !outcome.timedOut;
  return {
    ok,
    wall,
    cpu: user + sys,
    rssMB: rssKB / 1024,
    requests: all.length,
    statuses,
    receivedMB: ((await readBytes(target.registry.pid)) - readBefore) / MB,
    storedMB: ((await dirBytes(dataDir)) - storedBefore) / MB,
    ...(ok ? {} : { failure: failureReason(outcome), error: lastLines(outcome.stderr) }),
  };
}

/** `413` when the client's error names an HTTP status, else `timeout` or `exit N`. */
function failureReason(outcome: Outcome): string {
  if (outcome.timedOut) return 'timeout';
  const status =
    /(?:status(?: code)?|HTTP(?:\/[\d.]+)?)\D{0,20}?\b([45]\d\d)\b/i.exec(outcome.stderr) ??
    /\b([45]\d\d)\b/.exec(outcome.stderr);
  return status ? status[1]! : `exit ${outcome.code ?? 'signal'}`;
}

const repoRoot = join(import.meta.dirname, '..');

/** The end of an error output, without this machine's paths (results files are committed). */
export function lastLines(text: string): string {
  return text
    .trim()
    .split('\n')
    .slice(-3)
    .join(' ')
    .replaceAll(repoRoot, '.')
    .replaceAll(tmpdir(), '$TMPDIR')
    .slice(-1000);
}

/** Bytes the process has read through read(2) and friends: sockets included. */
async function readBytes(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? NaN);
}

async function dirBytes(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
