// Where the logins people run before image-push leave credentials, and in which order they are read:
//  1. docker/login-action with `scope`: a Docker config of its own under Buildx's config directory,
//     `$BUILDX_CONFIG/config/HOST[/REPOSITORY][@ACTIONS]/config.json` (BUILDX_CONFIG defaults to
//     `$DOCKER_CONFIG/buildx`, i.e. `~/.docker/buildx`), read the way Buildx picks one: a directory naming the
//     repository before one naming the registry only, more actions before fewer.
//  2. containers-auth.json(5), as podman, skopeo and buildah login (and redhat-actions/podman-login) write
//     it: `REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json` (`/run/containers/UID/auth.json`
//     without XDG_RUNTIME_DIR), then `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/...`).
//  3. The Docker config (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`), last, as that man page orders.
// In each file a key naming the repository's namespace (`quay.io/org/app`) wins over one naming the registry.
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../../errors.ts';
import {
  credentialsInFile,
  dockerConfigDir,
  dockerConfigPath,
  normaliseHost,
  type DockerConfigOptions,
  type FoundCredentials,
} from './docker-config.ts';

export type { FoundCredentials } from './docker-config.ts';

/** A repository the push reads (`pull`) or writes (`push`) on the registry whose credentials are looked up. */
export interface RepositoryAccess {
  readonly repository: string;
  readonly push: boolean;
}

/** Buildx's config tree is shallow (host, a repository path, scopes); deeper or larger trees are not walked. */
const MAX_DEPTH = 8;
const MAX_ENTRIES = 2000;

/**
 * The credentials for `registry` from the files above, or undefined when none holds any. One client serves
 * every repository of a registry, so when its repositories would get different credentials (a per-repository
 * login for one of them only), that is an input error rather than a guess.
 */
export async function findLoginCredentials(
  registry: string,
  repositories: readonly RepositoryAccess[],
  options: DockerConfigOptions = {},
): Promise<FoundCredentials | undefined> {
  const access = repositories.length > 0 ? repositories : [{ repository: undefined, push: false }];
  const found: { repository: string | undefined; push: boolean; result: FoundCredentials | undefined }[] = [];
  for (const { repository, push } of access) {
    found.push({ repository, push, result: await findFor(registry, repository, push, options) });
  }
  // A repository only read (a merge source) may go without: the registry may allow anonymous pulls.
  const decisive = found.filter((f) => f.result !== undefined || f.push);
  const first = decisive[0];
  if (!first) return undefined;
  const other = decisive.find((f) => f.result?.where !== first.result?.where);
  if (other) {
    const describe = (f: (typeof found)[number]): string =>
      `${registry}/${f.repository ?? ''} (${f.result ? f.result.where : 'no credentials'})`;
    throw new InputError(
      `${describe(first)} and ${describe(other)} would need different credentials, but one push uses one login per registry`,
      `push them in separate steps, or log in to ${registry} itself rather than to one repository`,
    );
  }
  return first.result;
}

async function findFor(
  registry: string,
  repository: string | undefined,
  push: boolean,
  options: DockerConfigOptions,
): Promise<FoundCredentials | undefined> {
  const env = options.env ?? process.env;
  for (const file of await buildxScopedConfigs(registry, repository, push, env)) {
    const found = await credentialsInFile(file, registry, undefined, options);
    if (found) return { ...found, where: `${found.where} (docker/login-action scope)` };
  }
  const primary = containersAuthFiles(env)[0];
  for (const file of [...containersAuthFiles(env), dockerConfigPath(env)]) {
    // Only REGISTRY_AUTH_FILE and the Docker config are named by the user; the per-UID default under /run
    // (root's own directory) and ~/.config may be unreadable without it meaning anything.
    const implicit = file !== dockerConfigPath(env) && !(file === primary && env.REGISTRY_AUTH_FILE);
    const found = await credentialsInFile(file, registry, repository, { ...options, implicit });
    if (found) return found;
  }
  return undefined;
}

/** Where credentials are looked for, in order, for the debug log: the Buildx tree, then each file. */
export function searchedLocations(env: NodeJS.ProcessEnv = process.env): string[] {
  return [join(buildxConfigDir(env), 'config'), ...containersAuthFiles(env), dockerConfigPath(env)];
}

/** containers-auth.json(5)'s files, in its order (the Docker config, its third, is read by the caller). */
export function containersAuthFiles(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const uid = process.getuid?.() ?? 0;
  const primary =
    env.REGISTRY_AUTH_FILE ||
    (env.XDG_RUNTIME_DIR
      ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
      : `/run/containers/${uid}/auth.json`);
  const config = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json');
  return [...new Set([primary, config])];
}

export function buildxConfigDir(env: NodeJS.ProcessEnv): string {
  return env.BUILDX_CONFIG || join(dockerConfigDir(env), 'buildx');
}

interface ScopedConfig {
  readonly file: string;
  readonly host: string;
  readonly repository: string;
  readonly actions: readonly string[];
}

/**
 * The scoped Docker configs under Buildx's config dir that apply to `repository`, best first. A directory
 * `HOST/REPO@push` applies to REPO when the push needs those actions; `HOST@push` to any repository of HOST.
 */
async function buildxScopedConfigs(
  registry: string,
  repository: string | undefined,
  push: boolean,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const base = join(buildxConfigDir(env), 'config');
  const host = normaliseHost(registry);
  const wanted = new Set(push ? ['pull', 'push'] : ['pull']);
  const configs = (await findConfigFiles(base)).map((file) => parseScopedDir(base, file));
  return configs
    .filter(
      (c) =>
        normaliseHost(c.host) === host &&
        (c.repository === '' || c.repository === repository) &&
        c.actions.every((a) => wanted.has(a)),
    )
    .sort((a, b) => b.repository.length - a.repository.length || b.actions.length - a.actions.length)
    .map((c) => c.file);
}

/** `BASE/ghcr.io/org/app@push,pull/config.json` -> host ghcr.io, repository org/app, actions push and pull. */
function parseScopedDir(base: string, file: string): ScopedConfig {
  const key = relative(base, dirname(file)).split(sep).join('/');
  const at = key.indexOf('@');
  const main = at < 0 ? key : key.slice(0, at);
  const actions =
    at < 0
      ? []
      : key
          .slice(at + 1)
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean);
  const slash = main.indexOf('/');
  return {
    file,
    host: slash < 0 ? main : main.slice(0, slash),
    repository: slash < 0 ? '' : main.slice(slash + 1),
    actions,
  };
}

/** Every `config.json` under `base` (none when it does not exist), bounded in depth and count. */
async function findConfigFiles(base: string): Promise<string[]> {
  const files: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // absent or unreadable: Buildx too skips what it cannot list
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.name === 'config.json' && dir !== base) files.push(path);
    }
  };
  await walk(base, 0);
  return files.sort();
}
