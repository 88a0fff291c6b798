// A real Docker Engine for tests: Debian's dockerd on a private unix socket, with its data and exec roots (and
// the containerd it starts) in a temp dir, vfs storage and no networking setup, so nothing on the machine is
// touched. The same pattern as engine.ts (podman's service): started and stopped by the test, like the registry.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from './tools.ts';

export interface Dockerd {
  /** `unix:///.../docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** The daemon's --data-root (`image/vfs/distribution` holds what it remembers of pushes). */
  readonly dataRoot: string;
  /** The client config dir (DOCKER_CONFIG) the docker() runs use. */
  readonly clientConfig: string;
  readonly pid: number | undefined;
  /** Runs the docker CLI against this daemon, with a client config of its own (no credential helpers). */
  docker(args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }>;
  /** The daemon's log so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function startDockerd(): Promise<Dockerd> {
  // Short: the socket paths below it must fit in 108 bytes.
  const dir = await makeTempDir('dkd-');
  const socket = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  await mkdir(join(dir, 'client'));
  await writeFile(join(dir, 'daemon.json'), '{}\n');
  await writeFile(join(dir, 'client', 'config.json'), '{}\n');
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(logPath, 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--config-file',
      join(dir, 'daemon.json'),
      '--host',
      `unix://${socket}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '--storage-driver',
      'vfs',
      '--iptables=false',
      '--ip-masq=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'client') };
  const docker = (args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }> =>
    run('docker', args, { env, ...(input ? { input } : {}) });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    // vfs layers are plain directories; removing them needs no unmount.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const started = Date.now();
  for (;;) {
    if (existsSync(socket)) {
      try {
        await docker(['version', '--format', '{{.Server.Version}}']);
        break;
      } catch {
        // not answering yet
      }
    }
    if (child.exitCode !== null || Date.now() - started > START_TIMEOUT_MS) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      await stop();
      throw new Error(`dockerd did not start within ${START_TIMEOUT_MS / 1000} s: ${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    dockerHost: `unix://${socket}`,
    dataRoot: join(dir, 'data'),
    clientConfig: join(dir, 'client'),
    pid: child.pid,
    docker,
    log: () => readFile(logPath, 'utf8'),
    stop,
  };
}
