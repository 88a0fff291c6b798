// The engines of the test matrix behind one shape: Docker 20.10 (classic store), Docker 26 (classic store),
// Docker 26 with the containerd image store (dockerd.ts), and Podman's Docker API (engine.ts). Each runs on a
// private socket; the docker CLI talks to all four.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasDocker26, startDockerd, type DockerdKind } from './dockerd.ts';
import { startEngine } from './engine.ts';
import { makeTempDir, run } from './tools.ts';

export type CellKind = DockerdKind | 'podman';

export const CELLS: readonly CellKind[] = ['docker-20', 'docker-26', 'docker-26-containerd', 'podman'];

export interface Cell {
  readonly kind: CellKind;
  readonly dockerHost: string;
  /** DOCKER_HOST and a private DOCKER_CONFIG for the docker CLI. */
  readonly env: NodeJS.ProcessEnv;
  docker(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Builds a Dockerfile of COPY lines from `files` (BuildKit where the engine has it). */
  build(name: string, files: Record<string, string | Buffer>): Promise<void>;
  /** Pulls from the (plain HTTP, loopback) test registry. */
  pull(reference: string): Promise<void>;
  /** The image ID and the diffIDs the engine lists. */
  inspect(name: string): Promise<{ id: string; layers: string[] }>;
  stop(): Promise<void>;
}

/** Why a cell cannot run here, or undefined when it can. */
export function cellSkip(kind: CellKind): string | undefined {
  if ((kind === 'docker-26' || kind === 'docker-26-containerd') && !hasDocker26())
    return 'Docker 26 is not unpacked (scripts/fetch-engines.sh)';
  return undefined;
}

/**
 * The Debian docker CLI (20.10) builds with BuildKit on its own (newer CLIs want the buildx plugin, which the
 * machine may not have); any docker CLI does the rest.
 */
const BUILD_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export async function startCell(kind: CellKind): Promise<Cell> {
  let dockerHost: string;
  let stop: () => Promise<void>;
  let extraEnv: NodeJS.ProcessEnv = {};
  let podman: ((args: string[]) => Promise<unknown>) | undefined;
  if (kind === 'podman') {
    const engine = await startEngine();
    dockerHost = engine.dockerHost;
    stop = () => engine.stop();
    podman = (args) => engine.podman(args);
  } else {
    const daemon = await startDockerd({ kind });
    dockerHost = daemon.dockerHost;
    stop = () => daemon.stop();
    extraEnv = { PATH: daemon.env.PATH };
  }
  const config = await makeTempDir('cell-cli-');
  await writeFile(join(config, 'config.json'), '{}\n');
  const env = { ...process.env, ...extraEnv, DOCKER_HOST: dockerHost, DOCKER_CONFIG: config };
  const docker = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run('docker', args, { env });
  return {
    kind,
    dockerHost,
    env,
    docker,
    async build(name, files) {
      const context = await makeTempDir('cell-build-');
      const lines = ['FROM scratch'];
      for (const [path, content] of Object.entries(files)) {
        await mkdir(join(context, 'src', path, '..'), { recursive: true });
        await writeFile(join(context, 'src', path), content);
        lines.push(`COPY src/${path} /${path}`);
      }
      await writeFile(join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
      await run(BUILD_CLI, ['build', '-q', '-t', name, context], {
        env: { ...env, DOCKER_BUILDKIT: kind === 'podman' ? '0' : '1' },
      });
    },
    async pull(reference) {
      // Docker treats loopback registries as insecure on its own; podman is told.
      if (podman) await podman(['pull', '-q', '--tls-verify=false', reference]);
      else await docker(['pull', '-q', reference]);
    },
    async inspect(name) {
      const { stdout } = await docker(['image', 'inspect', name]);
      const [info] = JSON.parse(stdout) as { Id: string; RootFS?: { Layers?: string[] } }[];
      return { id: info?.Id ?? '', layers: info?.RootFS?.Layers ?? [] };
    },
    stop,
  };
}
