// The Docker Engines of the daemon-* scenarios, each on a private socket (test/helpers/dockerd.ts), started once per
// bench run: Debian's dockerd 20.10 and Docker 26 with the classic store load the docker archives; Docker 26 with
// the containerd image store pulls them (pushed as gzip by image-push to a seed registry first), so its store holds
// compressed blobs as after a pull or a BuildKit build. Every docker command here has the push deadline, so a stuck
// daemon ends the run instead of hanging it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startDockerd, type DockerdKind } from '../test/helpers/dockerd.ts';
import { startRegistry } from '../test/helpers/registry.ts';
import { ensureTools } from '../test/helpers/tools.ts';
import { log, seconds } from './images.ts';
import { runCommand, type Command } from './measure.ts';

/** The peer's name in the daemon-* scenarios. */
export const DOCKER = 'docker push';
/** The stream every daemon-reading tool waits for: `docker save` of the image, to /dev/null. */
export const DOCKER_SAVE = 'docker save';

export interface BenchEngine {
  /** DOCKER_HOST and DOCKER_CONFIG of this daemon, for image-push and the docker CLI. */
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number | undefined;
  /** `docker ARGS` against this daemon, as a Command for measure(). */
  command(args: readonly string[]): Command;
  /** `docker ARGS`, run to completion within the deadline. */
  docker(args: readonly string[]): Promise<void>;
  /**
   * Forgets what the daemon pushed (its distribution metadata: which layer went to which registry under which
   * digest), as a fresh runner's daemon knows nothing of the registry. The containerd store keeps no such
   * memory (it knows each layer's compressed digest), so there it does nothing.
   */
  forgetPushes(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts dockerd of `kind` and gives it each archive under its tag (`bench/app:v1` ...); the archives are tagged
 * bench/app:1. `cli` is image-push's CLI, which seeds the containerd store through a registry.
 */
export async function startBenchEngine(
  archives: readonly { readonly file: string; readonly tag: string }[],
  timeoutMs: number,
  kind: DockerdKind = 'docker-20',
  cli = '',
): Promise<BenchEngine> {
  log(`starting dockerd (${kind}) and loading the images...`);
  const started = performance.now();
  await ensureTools(['dockerd', 'docker', 'docker-registry']);
  const daemon = await startDockerd({ kind });
  const env = daemon.env;
  const command = (args: readonly string[]): Command => ({ cmd: 'docker', args, env });
  const docker = (args: readonly string[]): Promise<void> => runCommand(command(args), timeoutMs);
  try {
    if (kind === 'docker-26-containerd') {
      const seed = await startRegistry();
      try {
        for (const { file, tag } of archives) {
          const name = `${seed.host}/seed/${tag.replace(/[^a-z0-9]/g, '-')}:1`;
          await runCommand(
            {
              cmd: process.execPath,
              args: [cli, 'push', '--quiet', '--no-blob-map', `docker-archive:${file}`, name],
            },
            timeoutMs,
          );
          await docker(['pull', '-q', name]);
          await docker(['tag', name, tag]);
          await docker(['rmi', name]);
        }
      } finally {
        await seed.stop();
      }
    } else {
      for (const { file, tag } of archives) {
        await docker(['load', '-q', '-i', file]);
        await docker(['tag', 'bench/app:1', tag]);
      }
    }
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  log(`dockerd (${kind}) ready in ${seconds(started)} s`);
  return {
    env,
    pid: daemon.pid,
    command,
    docker,
    // vfs keeps it under image/vfs/distribution; the daemon reads it on every push, so removing it takes effect.
    forgetPushes: () => rm(join(daemon.dataRoot, 'image/vfs/distribution'), { recursive: true, force: true }),
    stop: () => daemon.stop(),
  };
}
