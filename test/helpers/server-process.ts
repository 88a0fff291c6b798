// What the test servers started as child processes (docker-registry, nginx) share: a free loopback port, a child
// whose output goes to a log file, a wait until it is ready, and a stop that ends only that child, by its PID.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';

const STOP_TIMEOUT_MS = 5_000;

export class PortInUseError extends Error {}

export interface ServerProcess {
  readonly pid: number;
  /** The last `chars` characters of the logs. */
  logTail(chars?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after a while; removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The temp dir the server lives in: removed by stop(). */
  readonly dir: string;
  /** Where the child's stdout and stderr go. */
  readonly logPath: string;
  /** Other log files the server writes, for logTail(). */
  readonly extraLogs?: readonly string[];
  /** How the log says the port was taken. */
  readonly portInUse: RegExp;
  /** Resolves true once the server answers. */
  ready(): Promise<boolean>;
  readonly startTimeoutMs: number;
}

/**
 * Spawns the server and waits until `ready()`; if the process dies first, throws (a PortInUseError when its log
 * says the port was taken, so the caller can try another port). A crash of the test process kills it too.
 */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const logFd = openSync(options.logPath, 'w');
  let child;
  try {
    // The child writes the log file directly, so nothing is lost if this process is busy.
    child = spawn(options.command, options.args, { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // spawn failure (ENOENT): no 'exit' follows
  });
  const state: { running: boolean; spawnError?: Error } = { running: true };
  child.once('error', (err) => (state.spawnError = err));
  void exited.then(() => (state.running = false));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const logTail = async (chars = 3000): Promise<string> => {
    const read = (path: string): Promise<string> => readFile(path, 'utf8').catch(() => '');
    const logs = await Promise.all([options.logPath, ...(options.extraLogs ?? [])].map(read));
    return logs.join('').slice(-chars);
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (state.running) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(options.dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    if (!state.running) {
      await exited;
      const log = await logTail();
      process.removeListener('exit', killOnExit);
      if (options.portInUse.test(log)) throw new PortInUseError(`${options.name}: port in use`);
      throw new Error(
        `${options.name} exited during start-up (${state.spawnError?.message ?? `exit code ${child.exitCode}`}); log:\n${log}`,
      );
    }
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      const log = await logTail();
      await stop();
      throw new Error(
        `${options.name} was not ready within ${options.startTimeoutMs / 1000} s; log:\n${log}`,
      );
    }
    await sleep(25);
  }
  return { pid: child.pid!, logTail, stop };
}

/** Runs `launch` on a free port, and again on another one if something took the port in between. */
export async function onFreePort<T>(launch: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort());
    } catch (err) {
      if (attempt >= 5 || !(err instanceof PortInUseError)) throw err;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}
