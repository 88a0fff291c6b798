// A real Docker Engine API for tests: podman's compatible service on a unix socket, with images built by buildah,
// both on a storage root of their own so that nothing on the machine is touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from './tools.ts';

export interface Engine {
  /** `unix:///.../docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** Builds `name` from scratch, one layer per entry: each maps file paths to contents. */
  build(name: string, layers: Record<string, string | Buffer>[]): Promise<void>;
  /** Runs the podman CLI on this engine's storage. */
  podman(args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function startEngine(): Promise<Engine> {
  const dir = await makeTempDir('engine-');
  const storage = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs'];
  const socket = join(dir, 'docker.sock');
  const child: ChildProcess = spawn(
    'podman',
    [...storage, 'system', 'service', '--time=0', `unix://${socket}`],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; !existsSync(socket); i++) {
    if (i > 200) {
      child.kill();
      throw new Error('podman system service did not create its socket within 10 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const buildah = (args: string[]): Promise<{ stdout: string }> => run('buildah', [...storage, ...args]);
  return {
    dockerHost: `unix://${socket}`,
    podman: (args) => run('podman', [...storage, ...args]),
    async build(name, layers) {
      let base = 'scratch';
      for (const [i, files] of layers.entries()) {
        const context = join(dir, `context-${name.replace(/\W/g, '_')}-${i}`);
        for (const [path, content] of Object.entries(files)) {
          await mkdir(join(context, path, '..'), { recursive: true });
          await writeFile(join(context, path), content);
        }
        const container = (await buildah(['from', base])).stdout.trim();
        await buildah(['copy', container, `${context}/.`, '/']);
        const image = i === layers.length - 1 ? name : `${name}-layer-${i}`;
        await buildah(['commit', '--timestamp', '0', '-q', container, image]);
        await buildah(['rm', container]);
        base = image;
      }
    },
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
      await run('podman', [...storage, 'system', 'reset', '--force']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
