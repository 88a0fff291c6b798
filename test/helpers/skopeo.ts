// skopeo: the independent client that checks what image-push pushed. It never sees the caller's credentials or
// registry configuration (see isolatedSkopeoEnv), and runs with --insecure-policy (no policy.json needed).
import { rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run, runBuffer } from './tools.ts';

/**
 * An environment in which skopeo sees nothing of the machine's configuration: an empty auth file, Docker config
 * and registries.conf, a HOME of its own, and its blob-info cache (which blobs it saw where: what lets it mount)
 * under `dir`. As root, skopeo would use /var/lib/containers/cache whatever HOME says; _CONTAINERS_ROOTLESS_UID
 * makes it take the per-user path.
 */
export async function isolatedSkopeoEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  await mkdir(join(dir, 'docker'), { recursive: true });
  await mkdir(join(dir, 'home'), { recursive: true });
  await writeFile(join(dir, 'auth.json'), '{}');
  await writeFile(join(dir, 'registries.conf'), '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    DOCKER_CONFIG: join(dir, 'docker'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
  };
  delete env.XDG_CONFIG_HOME;
  if (process.geteuid?.() === 0) env._CONTAINERS_ROOTLESS_UID = '1000';
  return env;
}

let isolated: Promise<NodeJS.ProcessEnv> | undefined;

/** One isolated environment for every skopeo call of the test process. */
function skopeoEnv(): Promise<NodeJS.ProcessEnv> {
  isolated ??= (async () => {
    const dir = await makeTempDir('skopeo-env-');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return isolatedSkopeoEnv(dir);
  })();
  return isolated;
}

async function skopeo(args: string[]): Promise<string> {
  return (await run('skopeo', ['--insecure-policy', ...args], { env: await skopeoEnv() })).stdout;
}

function credsArgs(flag: string, creds: string | undefined): string[] {
  return creds ? [`${flag}=${creds}`] : [];
}

/** The exact manifest (or index) bytes the registry serves for `ref` (`host/repo:tag` or `host/repo@digest`). */
export async function inspectRaw(ref: string, creds?: string): Promise<Buffer> {
  const args = [
    '--insecure-policy',
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...credsArgs('--creds', creds),
  ];
  const { stdout } = await runBuffer('skopeo', [...args, `docker://${ref}`], { env: await skopeoEnv() });
  return stdout;
}

/** Pulls `ref` into the OCI layout `dir` (created if needed); `all` copies every image of an index. */
export async function copyToOciLayout(
  ref: string,
  dir: string,
  options: { all?: boolean; creds?: string } = {},
): Promise<void> {
  await skopeo([
    'copy',
    '--src-tls-verify=false',
    ...(options.all ? ['--all'] : []),
    ...credsArgs('--src-creds', options.creds),
    `docker://${ref}`,
    `oci:${dir}`,
  ]);
}

/** The tags of `host/repo`; [] when the registry does not know the repository. */
export async function listTags(repoRef: string, creds?: string): Promise<string[]> {
  try {
    const out = await skopeo([
      'list-tags',
      '--tls-verify=false',
      ...credsArgs('--creds', creds),
      `docker://${repoRef}`,
    ]);
    return (JSON.parse(out) as { Tags: string[] | null }).Tags ?? [];
  } catch (err) {
    // distribution answers 404 NAME_UNKNOWN for the tag list of a repository it has never seen; skopeo 1.9 reports
    // it as `fetching tags list: invalid status code from registry 404 (Not Found)`.
    if (
      /NAME_UNKNOWN|name unknown|repository name not known|status code from registry 404/i.test(String(err))
    )
      return [];
    throw err;
  }
}

/**
 * `skopeo copy [extraArgs] src dest` with any transports. Pass the TLS flags yourself: for a docker:// destination on
 * the test registry, `--dest-tls-verify=false` (and `--src-tls-verify=false` for a docker:// source).
 */
export async function skopeoCopy(src: string, dest: string, extraArgs: string[] = []): Promise<void> {
  await skopeo(['copy', ...extraArgs, src, dest]);
}

/** e.g. `skopeo version 1.9.3` */
export async function skopeoVersion(): Promise<string> {
  return (await skopeo(['--version'])).trim();
}

/** The sorted `sha256:...` names of every blob in an OCI layout. */
export async function ociLayoutBlobDigests(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs/sha256'))).map((hex) => `sha256:${hex}`).sort();
}
