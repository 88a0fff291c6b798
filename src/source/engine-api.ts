import { Duplex, type Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from '../undici.ts';
import { SourceError } from '../errors.ts';
import { readBounded, readPrefix } from '../read-bounded.ts';

/** An image's inspect JSON: a few KB (labels, history); more is no answer of the Engine API. */
const INSPECT_BYTES = 16 << 20;
import { CHOOSE_ENGINE, findEngine, type EngineEndpoint } from './engine-endpoint.ts';

/** What `GET /images/{name}/json` says about an image (the fields image-push uses). */
export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags?: string[] | null;
  readonly RootFS?: { Type?: string; Layers?: string[] };
  readonly Os?: string;
  readonly Architecture?: string;
  readonly Variant?: string;
  readonly Config?: { Labels?: Record<string, string> | null } | null;
}

/** Connecting, and each answer's headers: an engine that takes longer is stuck or not there. */
const CONNECT_TIMEOUT_MS = 15_000;
const HEADERS_TIMEOUT_MS = 120_000;
/**
 * Silence in the save stream: Docker 20.10 writes a whole copy of the image before its first byte (7-10 s for
 * 1.1 GB here), so this is far above that and still ends a stuck engine.
 */
const BODY_TIMEOUT_MS = 600_000;

interface Connection {
  readonly endpoint: EngineEndpoint;
  readonly dispatcher: Dispatcher;
  readonly origin: string;
}

/**
 * A client for the Docker Engine API (Docker, or podman's compatible service) of the engine the docker CLI
 * would use (engine-endpoint.ts): a unix socket, tcp:// (TLS when DOCKER_TLS_VERIFY or the context says), or
 * ssh:// through `ssh HOST docker system dial-stdio`, as the CLI does it.
 */
export class EngineApi {
  readonly #endpoint: EngineEndpoint | undefined;
  #connection: Promise<Connection> | undefined;
  #info: Promise<{ DriverStatus?: [string, string][] | null }> | undefined;

  /** `endpoint`: the engine to use; by default the one DOCKER_HOST or the current context names. */
  constructor(endpoint?: EngineEndpoint | string) {
    this.#endpoint = typeof endpoint === 'string' ? { host: endpoint, chosenBy: 'the caller' } : endpoint;
  }

  async inspect(name: string): Promise<ImageInspect> {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/json`, name);
    const bytes = await readBounded(
      res.body,
      INSPECT_BYTES,
      () =>
        new SourceError(
          `docker-daemon:${name}: the Docker daemon sent more than 16 MiB for the image's inspect JSON`,
          'check that DOCKER_HOST names a Docker daemon',
        ),
    );
    return JSON.parse(bytes.toString('utf8')) as ImageInspect;
  }

  /**
   * Whether the engine keeps images in the containerd image store (Docker 24+ with the containerd-snapshotter
   * feature, Docker 29's default): `docker info` names the snapshotter as its driver type.
   */
  async usesContainerdStore(): Promise<boolean> {
    this.#info ??= this.#get('/info', 'info').then(
      async (res) => (await res.body.json()) as { DriverStatus?: [string, string][] | null },
    );
    const info = await this.#info;
    return (info.DriverStatus ?? []).some(
      ([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1',
    );
  }

  /** The `docker save` stream of one image: read it as it comes, never written whole to disk. */
  async save(name: string): Promise<Readable> {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/get`, name);
    return res.body;
  }

  /** Where the engine is and how it was chosen (after the first request). */
  async endpoint(): Promise<EngineEndpoint> {
    return (await this.#connect()).endpoint;
  }

  async close(): Promise<void> {
    if (!this.#connection) return;
    const connection = await this.#connection.catch(() => undefined);
    await connection?.dispatcher.close();
  }

  #connect(): Promise<Connection> {
    this.#connection ??= (async () => connect(this.#endpoint ?? (await findEngine())))();
    return this.#connection;
  }

  async #get(path: string, name: string): Promise<Dispatcher.ResponseData> {
    const { endpoint, dispatcher, origin } = await this.#connect();
    const where = `the Docker engine at ${endpoint.host} (${endpoint.chosenBy})`;
    const subject = name === 'info' ? 'docker-daemon' : `docker-daemon:${name}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${origin}${path}`, { dispatcher });
    } catch (err) {
      throw new SourceError(
        `${subject}: cannot reach ${where}: ${(err as Error).message}`,
        `is it running? ${CHOOSE_ENGINE}`,
        { cause: err },
      );
    }
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new SourceError(
        `${subject}: no such image in ${where}`,
        'build or pull it first, or check the name and tag (or the engine)',
      );
    }
    if (res.statusCode !== 200) {
      const text = (await readPrefix(res.body, 4096)).toString('utf8');
      throw new SourceError(`${subject}: ${where} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    }
    return res;
  }
}

function connect(endpoint: EngineEndpoint): Connection {
  const { host } = endpoint;
  const timeouts = { headersTimeout: HEADERS_TIMEOUT_MS, bodyTimeout: BODY_TIMEOUT_MS };
  if (host.startsWith('unix://')) {
    return {
      endpoint,
      dispatcher: new Agent({
        connect: { socketPath: host.slice('unix://'.length), timeout: CONNECT_TIMEOUT_MS },
        ...timeouts,
      }),
      origin: 'http://docker',
    };
  }
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const address = host.replace(/^\w+:\/\//, '').replace(/\/+$/, '');
    const { tls } = endpoint;
    const secure = tls !== undefined || host.startsWith('https://');
    return {
      endpoint,
      dispatcher: new Agent({
        connect: {
          timeout: CONNECT_TIMEOUT_MS,
          ...(tls
            ? {
                rejectUnauthorized: tls.verify,
                ...(tls.ca ? { ca: tls.ca } : {}),
                ...(tls.cert ? { cert: tls.cert } : {}),
                ...(tls.key ? { key: tls.key } : {}),
              }
            : {}),
        },
        ...timeouts,
      }),
      origin: `${secure ? 'https' : 'http'}://${address}`,
    };
  }
  if (host.startsWith('ssh://')) {
    return { endpoint, dispatcher: sshAgent(host, timeouts), origin: 'http://docker' };
  }
  throw new SourceError(
    `${endpoint.chosenBy} names the engine "${host}", which is not a unix://, tcp:// or ssh:// address`,
    CHOOSE_ENGINE,
  );
}

/**
 * Each connection is `ssh [-p PORT] [USER@]HOST -- docker system dial-stdio`, HTTP over its stdin and stdout, as
 * the docker CLI does it (ssh's own config, keys and agent apply; BatchMode, so it never waits for a password).
 */
function sshAgent(host: string, timeouts: { headersTimeout: number; bodyTimeout: number }): Dispatcher {
  const url = new URL(host);
  const args = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${CONNECT_TIMEOUT_MS / 1000}`];
  if (url.port) args.push('-p', url.port);
  const target = `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.hostname}`;
  args.push('--', target, 'docker', 'system', 'dial-stdio');
  return new Agent({
    ...timeouts,
    connect: (_options, callback) => {
      const { spawn } = process.getBuiltinModule('node:child_process'); // only ssh engines need it
      const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const stderr: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const socket = Duplex.from({ readable: child.stdout, writable: child.stdin });
      let settled = false;
      child.once('error', (err) => {
        if (!settled) {
          settled = true;
          callback(new Error(`ssh: ${err.message}`), null);
        }
        socket.destroy(err);
      });
      child.once('exit', (code) => {
        const text = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-2).join(' ');
        socket.destroy(code ? new Error(`ssh ${target} exited with ${code}: ${text}`) : undefined);
      });
      socket.once('close', () => child.kill());
      // The first byte of the answer proves the tunnel; until then a failing ssh is an error of the request.
      setImmediate(() => {
        if (settled) return;
        settled = true;
        callback(null, socket as unknown as import('node:net').Socket);
      });
    },
  });
}
