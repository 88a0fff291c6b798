// The Docker Engine of the daemon-* scenarios: Debian's dockerd on a private socket (test/helpers/dockerd.ts),
// started once per bench run and loaded with both versions of the docker archive. Every docker command here has
// the push deadline, so a stuck daemon ends the run instead of hanging it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startDockerd } from '../test/helpers/dockerd.ts';
import { ensureTools } from '../test/helpers/tools.ts';
import { log, seconds } from './images.ts';
import { runCommand, type Command } from './measure.ts';

/** The peer's name in the daemon-* scenarios. */
export const DOCKER = 'docker push';

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
   * digest), as a fresh runner's daemon knows nothing of the registry.
   */
  forgetPushes(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts dockerd and loads each archive under its tag (`bench/app:v1` ...); the archives are tagged bench/app:1. */
export async function startBenchEngine(
  archives: readonly { readonly file: string; readonly tag: string }[],
  timeoutMs: number,
): Promise<BenchEngine> {
  log('starting dockerd and loading the images (vfs storage: a copy per layer)...');
  const started = performance.now();
  await ensureTools(['dockerd', 'docker']);
  const daemon = await startDockerd();
  const env = { ...process.env, DOCKER_HOST: daemon.dockerHost, DOCKER_CONFIG: daemon.clientConfig };
  const command = (args: readonly string[]): Command => ({ cmd: 'docker', args, env });
  const docker = (args: readonly string[]): Promise<void> => runCommand(command(args), timeoutMs);
  try {
    for (const { file, tag } of archives) {
      await docker(['load', '-q', '-i', file]);
      await docker(['tag', 'bench/app:1', tag]);
    }
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  log(`dockerd ready in ${seconds(started)} s`);
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
