// Which Docker Engine to talk to, found the way the docker CLI finds it: DOCKER_HOST (with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH), else the context DOCKER_CONTEXT or the config's `currentContext` names, read from the context
// store under the Docker config directory (how Docker Desktop, colima, Rancher Desktop and OrbStack users reach
// their engine), else the default socket.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SourceError } from '../errors.ts';
import { sha256Hex } from '../oci/sha256.ts';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface EngineTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Whether the server's certificate is checked (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  readonly verify: boolean;
}

export interface EngineEndpoint {
  /** `unix:///path`, `tcp://host:port`, `ssh://[user@]host[:port]`. */
  readonly host: string;
  /** How it was chosen, for errors: "DOCKER_HOST", `context "colima" (DOCKER_CONTEXT)`, "the default socket". */
  readonly chosenBy: string;
  readonly tls?: EngineTls;
}

/** How a user picks another engine: said by every error that could not reach one. */
export const CHOOSE_ENGINE =
  'choose the engine with DOCKER_HOST (unix:///path/docker.sock, tcp://HOST:2376, ssh://USER@HOST) or `docker context use NAME`';

interface ContextMeta {
  readonly Name?: unknown;
  readonly Endpoints?: { readonly docker?: { readonly Host?: unknown; readonly SkipTLSVerify?: unknown } };
}

export async function findEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineEndpoint> {
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  if (env.DOCKER_HOST) {
    const host = env.DOCKER_HOST;
    const tlsWanted = Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS);
    if (!tlsWanted || !host.startsWith('tcp://')) return { host, chosenBy: 'DOCKER_HOST' };
    const certDir = env.DOCKER_CERT_PATH || configDir;
    return {
      host,
      chosenBy: 'DOCKER_HOST',
      tls: await readTls(certDir, Boolean(env.DOCKER_TLS_VERIFY), 'DOCKER_CERT_PATH'),
    };
  }
  let name = env.DOCKER_CONTEXT;
  let chosenBy = `context "${name ?? ''}" (DOCKER_CONTEXT)`;
  if (!name) {
    name = await currentContext(configDir);
    chosenBy = `context "${name ?? ''}" (currentContext in ${join(configDir, 'config.json')})`;
  }
  if (!name || name === 'default') return { host: DEFAULT_DOCKER_HOST, chosenBy: 'the default socket' };
  // The CLI's context store: a directory per context, named by the sha256 of the context's name.
  const id = sha256Hex(name);
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceError(
      `${chosenBy}: ${code === 'ENOENT' ? 'no such context' : `cannot read ${metaFile}: ${(err as Error).message}`}`,
      `\`docker context ls\` lists the contexts; unset DOCKER_CONTEXT or \`docker context use default\`, or ${CHOOSE_ENGINE.slice('choose '.length)}`,
      { cause: err },
    );
  }
  const docker = meta.Endpoints?.docker;
  if (typeof docker?.Host !== 'string' || docker.Host === '') {
    throw new SourceError(
      `${chosenBy}: ${metaFile} names no Docker endpoint (Endpoints.docker.Host)`,
      `recreate it with \`docker context create\`, or ${CHOOSE_ENGINE.slice('choose '.length)}`,
    );
  }
  if (!docker.Host.startsWith('tcp://')) return { host: docker.Host, chosenBy };
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const tls = await readTls(tlsDir, docker.SkipTLSVerify !== true, 'the context store');
  return tls.ca || tls.cert ? { host: docker.Host, chosenBy, tls } : { host: docker.Host, chosenBy };
}

async function currentContext(configDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(configDir, 'config.json'), 'utf8');
  } catch {
    return undefined; // no config: the default engine
  }
  try {
    const value = (JSON.parse(text) as { currentContext?: unknown } | null)?.currentContext;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // docker-config.ts reports a broken config where it matters (credentials)
  }
}

/** ca.pem, cert.pem and key.pem of a directory, as the CLI reads them; absent files are left out. */
async function readTls(dir: string, verify: boolean, what: string): Promise<EngineTls> {
  if (!isAbsolute(dir)) dir = join(process.cwd(), dir);
  const read = (file: string): Promise<Buffer | undefined> =>
    readFile(join(dir, file)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SourceError(
        `cannot read ${join(dir, file)} (${what}): ${(err as Error).message}`,
        'check the TLS files of the engine',
      );
    });
  const [ca, cert, key] = await Promise.all([read('ca.pem'), read('cert.pem'), read('key.pem')]);
  if (verify && !ca && what === 'DOCKER_CERT_PATH') {
    throw new SourceError(
      `DOCKER_TLS_VERIFY is set, but ${join(dir, 'ca.pem')} does not exist`,
      'point DOCKER_CERT_PATH at the directory with ca.pem, cert.pem and key.pem',
    );
  }
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify };
}
