// Credentials where other logins leave them, written by the real login commands against a real registry that
// wants a password: `docker login` into the Buildx config directory docker/login-action uses for its `scope`
// input (login-action runs exactly `docker login` with DOCKER_CONFIG pointed there), and `skopeo login` /
// `podman login` / `buildah login` into containers-auth.json(5) files. Each push is then checked with skopeo.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { push } from '../../src/push/push.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir, run } from '../helpers/tools.ts';

const USER = 'login-bot';
const PASSWORD = 'login-files-pa55';
const CREDS = `${USER}:${PASSWORD}`;

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;
let caseNumber = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd', 'podman', 'buildah', 'docker']);
  registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
  work = await makeTempDir('login-files-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 50_000 }], seed: 18 });
});

after(async () => {
  await registry.stop();
});

/** A HOME of its own, and nothing else a login could have left: what a fresh runner has. */
async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = join(work, `case-${++caseNumber}`);
  await mkdir(join(dir, 'home'), { recursive: true });
  await mkdir(join(dir, 'run'), { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    // Never the daemon: the CLI then logs in on its own (what it does when no daemon answers).
    DOCKER_HOST: `unix://${join(dir, 'no-daemon.sock')}`,
  };
}

/** `docker login` as docker/login-action runs it for `scope`: DOCKER_CONFIG is the scope's directory. */
async function dockerLogin(env: NodeJS.ProcessEnv, configDir: string, password = PASSWORD): Promise<void> {
  await run('docker', ['login', '--username', USER, '--password-stdin', registry.host], {
    env: { ...env, DOCKER_CONFIG: configDir },
    input: password,
  });
}

async function containersLogin(
  tool: 'skopeo' | 'podman' | 'buildah',
  env: NodeJS.ProcessEnv,
  target: string,
): Promise<void> {
  await run(tool, ['login', '--tls-verify=false', '--username', USER, '--password-stdin', target], {
    env,
    input: PASSWORD,
  });
}

async function pushTo(repository: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const logger = recordingLogger();
  const result = await push({
    source: `oci:${layout}`,
    destinations: [`${registry.host}/${repository}:1`],
    concurrency: 2,
    logger,
    dockerConfigEnv: env,
  });
  assert.equal(result.digest, image.manifestDigest);
  const raw = await inspectRaw(`${registry.host}/${repository}:1`, CREDS);
  assert.equal(raw.length, image.manifestSize);
  return logger.lines;
}

function credentialLine(lines: readonly string[]): string {
  const line = lines.find((l) => l.startsWith(`info: credentials for ${registry.host}:`));
  assert.ok(line, `no line says where the credentials came from:\n${lines.join('\n')}`);
  assert.ok(!line.includes(PASSWORD), line);
  return line;
}

/** A wrong password under `key` in a Docker-format file, as a stale login would leave it. */
async function writeStale(file: string, key: string): Promise<void> {
  const auth = Buffer.from(`${USER}:stale-pa55`).toString('base64');
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ auths: { [key]: { auth } } }));
}

describe('docker/login-action with scope (a Docker config under the Buildx config directory)', () => {
  test('a repository scope with @push: used for that repository, not for another', async () => {
    const env = await freshEnv();
    const scopeDir = join(env.HOME ?? '', '.docker', 'buildx', 'config', registry.host, 'demo', 'app@push');
    await dockerLogin(env, scopeDir);
    // What login-action's docker login left there (the fact the lookup relies on).
    const written = JSON.parse(await readFile(join(scopeDir, 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(written.auths), [registry.host]);

    const line = credentialLine(await pushTo('demo/app', env));
    assert.match(line, /demo\/app@push\/config\.json \(docker\/login-action scope\)$/);

    await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/other/app:1`],
        concurrency: 2,
        logger: recordingLogger(),
        dockerConfigEnv: env,
      }),
      /401/,
    );
  });

  test('BUILDX_CONFIG moves it; a registry-wide scope (`@push`) applies to every repository', async () => {
    const env = await freshEnv();
    const buildx = join(env.HOME ?? '', 'buildx-elsewhere');
    env.BUILDX_CONFIG = buildx;
    await dockerLogin(env, join(buildx, 'config', `${registry.host}@push`));
    // The global Docker config holds a stale login: the scoped one wins, as Buildx would use it.
    await writeStale(join(env.HOME ?? '', '.docker', 'config.json'), registry.host);
    assert.match(
      credentialLine(await pushTo('any/app', env)),
      /buildx-elsewhere\/config\/.*@push\/config\.json/,
    );
  });
});

describe('containers-auth.json(5): podman, skopeo and buildah login', () => {
  test('skopeo login writes $XDG_RUNTIME_DIR/containers/auth.json; its per-repository key wins over the registry key', async () => {
    const env = await freshEnv();
    await containersLogin('skopeo', env, `${registry.host}/team/app`);
    const file = join(env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json');
    const written = JSON.parse(await readFile(file, 'utf8')) as { auths: Record<string, unknown> };
    assert.deepEqual(Object.keys(written.auths), [`${registry.host}/team/app`]);
    // A stale registry-wide entry in the same file: the repository's own key is the more specific one.
    written.auths[registry.host] = { auth: Buffer.from(`${USER}:stale-pa55`).toString('base64') };
    await writeFile(file, JSON.stringify(written));

    const line = credentialLine(await pushTo('team/app', env));
    assert.ok(line.endsWith(`auths["${registry.host}/team/app"] in ${file}`), line);
    // Another repository gets the registry-wide (stale) entry and the registry says no.
    await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/team-other/app:1`],
        concurrency: 2,
        logger: recordingLogger(),
        dockerConfigEnv: env,
      }),
      /401/,
    );
  });

  test('podman login to REGISTRY_AUTH_FILE: read first, before XDG_RUNTIME_DIR and the Docker config', async () => {
    const env = await freshEnv();
    env.REGISTRY_AUTH_FILE = join(env.HOME ?? '', 'auth-override.json');
    await containersLogin('podman', env, registry.host);
    await writeStale(join(env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json'), registry.host);
    await writeStale(join(env.HOME ?? '', '.docker', 'config.json'), registry.host);
    const line = credentialLine(await pushTo('podman/app', env));
    assert.ok(line.endsWith(`auths["${registry.host}"] in ${env.REGISTRY_AUTH_FILE}`), line);
  });

  test('buildah login (a buildah build-and-push workflow) writes $XDG_RUNTIME_DIR/containers/auth.json: read, the Docker config not', async () => {
    const env = await freshEnv();
    await containersLogin('buildah', env, registry.host);
    const file = join(env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json');
    const written = JSON.parse(await readFile(file, 'utf8')) as { auths: Record<string, unknown> };
    assert.deepEqual(Object.keys(written.auths), [registry.host]);
    // A stale docker login for the same registry: the containers file is read first.
    await writeStale(join(env.HOME ?? '', '.docker', 'config.json'), registry.host);
    const line = credentialLine(await pushTo('buildah/app', env));
    assert.ok(line.endsWith(`auths["${registry.host}"] in ${file}`), line);
  });

  test('~/.config/containers/auth.json when the primary file holds nothing for the registry', async () => {
    const env = await freshEnv();
    env.XDG_CONFIG_HOME = join(env.HOME ?? '', 'cfg');
    // skopeo login --authfile writes the file a login with XDG_CONFIG_HOME's path would use.
    const file = join(env.XDG_CONFIG_HOME, 'containers', 'auth.json');
    await mkdir(join(file, '..'), { recursive: true });
    await run(
      'skopeo',
      ['login', '--tls-verify=false', '--authfile', file, '-u', USER, '--password-stdin', registry.host],
      { env, input: PASSWORD },
    );
    await writeStale(join(env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json'), 'elsewhere.example:5000');
    const line = credentialLine(await pushTo('config-home/app', env));
    assert.ok(line.endsWith(`in ${file}`), line);
  });

  test('two destination repositories that would need different logins: one clear input error', async () => {
    const env = await freshEnv();
    await containersLogin('skopeo', env, `${registry.host}/one/app`);
    const line = await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/one/app:1`, `${registry.host}/two/app:1`],
        concurrency: 2,
        logger: recordingLogger(),
        dockerConfigEnv: env,
      }),
      /one\/app \(auths.*\) and .*two\/app \(no credentials\) would need different credentials.*separate steps/,
    );
    assert.ok(!line.includes(PASSWORD), line);
  });
});
