// Small process helpers shared by the tests, the demo and the benchmarks.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Debian package that provides each command the tests may need. */
const PACKAGES: Record<string, string> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  nginx: 'nginx-light',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
  umoci: 'umoci',
  podman: 'podman',
  buildah: 'buildah',
  dockerd: 'docker.io',
  docker: 'docker.io',
};

// nginx and friends live in sbin, which a non-login root shell may not have on PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

async function onPath(command: string): Promise<boolean> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this one
    }
  }
  return false;
}

let updated: Promise<unknown> | undefined;

/**
 * Installs the Debian package of every missing command (the tests need the real tools, not mocks). Runs
 * `apt-get update` once per process, and only when something has to be installed.
 */
export async function ensureTools(names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) if (!(await onPath(name))) missing.push(name);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((name) => PACKAGES[name] ?? name))];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing command(s) ${missing.join(', ')}: install the Debian package(s) ${packages.join(' ')} ` +
        `(as root: apt-get install -y ${packages.join(' ')}, or run scripts/setup.sh)`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  updated ??= run('apt-get', ['update', '-qq'], { env });
  await updated;
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  const still: string[] = [];
  for (const name of missing) if (!(await onPath(name))) still.push(name);
  if (still.length > 0)
    throw new Error(`installed ${packages.join(' ')} but still missing: ${still.join(', ')}`);
}

export interface RunOptions {
  /** Written to the child's stdin (which is closed either way). */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion; rejects with the command line, exit code (or signal) and stderr if it fails. */
export async function run(
  cmd: string,
  args: string[],
  opts: RunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await runBuffer(cmd, args, opts);
  return { stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
}

/** Like run(), but keeps stdout's exact bytes. */
export function runBuffer(
  cmd: string,
  args: string[],
  opts: RunOptions = {},
): Promise<{ stdout: Buffer; stderr: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A child that exits without reading its stdin makes the write fail with EPIPE: the exit status tells.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input);
    child.once('error', (error) => reject(new Error(`${describe(cmd, args)}: ${error.message}`)));
    child.once('close', (code, signal) => {
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      const detail = stderr.toString('utf8').trim() || stdout.toString('utf8').trim().slice(-2000);
      reject(new Error(`${describe(cmd, args)} failed (${how}): ${detail}`));
    });
  });
}

function describe(cmd: string, args: string[]): string {
  return [cmd, ...args]
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word)))
    .join(' ');
}

/** A new empty directory under os.tmpdir(). */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
