// skopeo: the independent client that checks what image-push pushed. It never sees the caller's credentials.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from './tools.ts';

let isolated: Promise<NodeJS.ProcessEnv> | undefined;

/** An environment with an empty auth file and Docker config, so no stored login leaks into a test. */
function skopeoEnv(): Promise<NodeJS.ProcessEnv> {
  isolated ??= (async () => {
    const dir = await makeTempDir('skopeo-auth-');
    await writeFile(join(dir, 'auth.json'), '{}');
    await mkdir(join(dir, 'docker'));
    return { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), DOCKER_CONFIG: join(dir, 'docker') };
  })();
  return isolated;
}

async function skopeo(args: string[]): Promise<string> {
  return (await run('skopeo', ['--insecure-policy', ...args], { env: await skopeoEnv() })).stdout;
}

function credsArgs(flag: string, creds: string | undefined): string[] {
  return creds ? [`${flag}=${creds}`] : [];
}

export async function inspectRaw(ref: string, creds?: string): Promise<Buffer> {
  const env = await skopeoEnv();
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      [
        '--insecure-policy',
        'inspect',
        '--raw',
        '--tls-verify=false',
        ...credsArgs('--creds', creds),
        `docker://${ref}`,
      ],
      { env, encoding: 'buffer', maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`skopeo inspect ${ref}: ${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

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
    // distribution answers 404 for the tag list of a repository that has no tags yet.
    if (
      /name unknown|NAME_UNKNOWN|repository name not known|status code from registry 404/i.test(String(err))
    )
      return [];
    throw err;
  }
}

export async function skopeoCopy(src: string, dest: string, extraArgs: string[] = []): Promise<void> {
  await skopeo(['copy', ...extraArgs, src, dest]);
}

export async function skopeoVersion(): Promise<string> {
  return (await skopeo(['--version'])).trim();
}

/** The sorted `sha256:...` names of every blob in an OCI layout. */
export async function ociLayoutBlobDigests(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs/sha256'))).map((hex) => `sha256:${hex}`).sort();
}
