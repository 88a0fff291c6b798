// Small process helpers shared by the tests, the demo and the benchmarks.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const PACKAGES: Record<string, string> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  nginx: 'nginx-light',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
  umoci: 'umoci',
  podman: 'podman',
  buildah: 'buildah',
};

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the Debian packages of any missing command (the tests need real tools, not mocks). */
export async function ensureTools(commands: string[]): Promise<void> {
  const missing = commands.filter((command) => !onPath(command));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}: run scripts/setup.sh (it installs them with apt-get)`);
  }
  const packages = missing.map((command) => PACKAGES[command] ?? command);
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export async function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(cmd, args, { maxBuffer: 64 << 20, ...opts });
  } catch (err) {
    const failed = err as { code?: number; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${failed.code}): ${failed.stderr?.trim() ?? ''}`);
  }
}

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
