// A real Docker Engine for tests: a dockerd on a private unix socket, with its data and exec roots (and the
// containerd it starts) in a temp dir, no networking setup, so nothing on the machine is touched. Three kinds:
// Debian's Docker 20.10 (vfs), and Debian trixie's Docker 26 unpacked by scripts/fetch-engines.sh, either with the
// classic store (vfs) or with the containerd image store (`features.containerd-snapshotter`, native snapshotter).
// Podman's Docker API is engine.ts. Started and stopped (by PID) by the test, like the registry.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { makeTempDir, run } from './tools.ts';

export type DockerdKind = 'docker-20' | 'docker-26' | 'docker-26-containerd';

export interface DockerdOptions {
  readonly kind?: DockerdKind;
  /** Extra dockerd arguments (e.g. a TLS tcp:// listener besides the unix socket). */
  readonly extraArgs?: readonly string[];
}

export interface Dockerd {
  readonly kind: DockerdKind;
  /** `unix:///.../docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** The socket's path. */
  readonly socket: string;
  /** The daemon's --data-root (`image/vfs/distribution` holds what it remembers of pushes). */
  readonly dataRoot: string;
  /** The client config dir (DOCKER_CONFIG) the docker() runs use. */
  readonly clientConfig: string;
  /** DOCKER_HOST, DOCKER_CONFIG and PATH for a child that talks to this daemon. */
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number | undefined;
  /** Runs the docker CLI against this daemon, with a client config of its own (no credential helpers). */
  docker(args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }>;
  /** The daemon's log so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** Where scripts/fetch-engines.sh unpacks trixie's docker.io and containerd. */
export const TRIXIE_ROOT = resolve(import.meta.dirname, '../../.tmp/engines/trixie/root');

/** Whether the Docker 26 binaries are unpacked (scripts/setup.sh does it); tests skip their cells otherwise. */
export function hasDocker26(): boolean {
  return (
    existsSync(join(TRIXIE_ROOT, 'usr/sbin/dockerd')) && existsSync(join(TRIXIE_ROOT, 'usr/bin/containerd'))
  );
}

export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd> {
  const kind = options.kind ?? 'docker-20';
  const modern = kind !== 'docker-20';
  if (modern && !hasDocker26()) throw new Error('Docker 26 is not unpacked: run scripts/fetch-engines.sh');
  // Short: the socket paths below it must fit in 108 bytes.
  const dir = await makeTempDir('dkd-');
  const socket = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  await mkdir(join(dir, 'client'));
  const daemonJson = kind === 'docker-26-containerd' ? { features: { 'containerd-snapshotter': true } } : {};
  await writeFile(join(dir, 'daemon.json'), `${JSON.stringify(daemonJson)}\n`);
  await writeFile(join(dir, 'client', 'config.json'), '{}\n');
  // Docker 26's containerd and shims come first on PATH; runc stays the system's (trixie's needs a newer libc).
  const path = modern
    ? [join(TRIXIE_ROOT, 'usr/bin'), process.env.PATH ?? '', '/usr/sbin', '/sbin'].join(delimiter)
    : `${process.env.PATH ?? ''}${delimiter}/usr/sbin${delimiter}/sbin`;
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      modern ? join(TRIXIE_ROOT, 'usr/sbin/dockerd') : 'dockerd',
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
        kind === 'docker-26-containerd' ? 'native' : 'vfs',
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        '--bridge=none',
        ...(options.extraArgs ?? []),
      ],
      { stdio: ['ignore', fd, fd], env: { ...process.env, PATH: path } },
    );
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const env = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: join(dir, 'client'),
    PATH: path,
  };
  const docker = (args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }> =>
    run('docker', args, { env, ...(input ? { input } : {}) });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      // vfs layers and native snapshots are plain directories; removing them needs no unmount.
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    })());
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
      throw new Error(
        `dockerd (${kind}) did not start within ${START_TIMEOUT_MS / 1000} s: ${log.slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    kind,
    dockerHost: `unix://${socket}`,
    socket,
    dataRoot: join(dir, 'data'),
    clientConfig: join(dir, 'client'),
    env,
    pid: child.pid,
    docker,
    log: () => readFile(logPath, 'utf8'),
    stop,
  };
}
