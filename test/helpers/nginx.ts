// Debian's nginx (package nginx-light) as a reverse proxy in front of a test registry, the way registries are
// often deployed, to meet the real thing's limits: `client_max_body_size` answers 413 to a body above it.
//
// One process per call (`daemon off; master_process off;`), listening on a free 127.0.0.1 port, started with
// `-p dir -c dir/nginx.conf -e dir/error.log`, so its config, pid file, logs and temp paths all stay in its temp
// dir. Bodies stream to the registry as they arrive (`proxy_request_buffering off`), over HTTP/1.1, and the Host
// header is passed on so the registry's Location headers point back at nginx.
//
//   const nginx = await startNginx({ upstream: registry.url, clientMaxBodySize: '50m' });
//   ... requests to nginx.url ...
//   await nginx.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './tools.ts';

export interface NginxOptions {
  /** `http://127.0.0.1:PORT` of the registry. */
  readonly upstream: string;
  /** nginx syntax: '50m', '1k', '0' (no limit). Default '1m', nginx's own default. */
  readonly clientMaxBodySize?: string;
}

export interface TestNginx {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly pid: number;
  /** The temp dir: nginx.conf, error.log, access.log, *_temp/. */
  readonly dir: string;
  /** The last `chars` characters of the error log (for failure messages). */
  logTail(chars?: number): Promise<string>;
  /** Stops nginx (SIGTERM, then SIGKILL) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const NGINX = '/usr/sbin/nginx';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export async function startNginx(options: NginxOptions): Promise<TestNginx> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:')
    throw new Error(`nginx: upstream must be http://, got ${options.upstream}`);
  const dir = await makeTempDir('nginx-');
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, await freePort(), upstream, options.clientMaxBodySize ?? '1m');
      } catch (err) {
        // Another process may take the port between freePort() and nginx's bind: try another one.
        if (attempt >= 5 || !(err instanceof PortInUseError)) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

class PortInUseError extends Error {}

function config(dir: string, port: number, upstream: URL, maxBodySize: string): string {
  if (!/^\d+[kKmMgG]?$/.test(maxBodySize)) throw new Error(`nginx: bad client_max_body_size ${maxBodySize}`);
  const path = (name: string): string => JSON.stringify(join(dir, name));
  return `daemon off;
master_process off;
pid ${path('nginx.pid')};
error_log ${path('error.log')} info;
events {
  worker_connections 256;
}
http {
  access_log ${path('access.log')};
  client_body_temp_path ${path('client_body_temp')};
  proxy_temp_path ${path('proxy_temp')};
  fastcgi_temp_path ${path('fastcgi_temp')};
  uwsgi_temp_path ${path('uwsgi_temp')};
  scgi_temp_path ${path('scgi_temp')};

  upstream registry {
    server ${upstream.host};
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size ${maxBodySize};
    location / {
      proxy_pass http://registry;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 900s;
      proxy_send_timeout 900s;
    }
  }
}
`;
}

async function launch(dir: string, port: number, upstream: URL, maxBodySize: string): Promise<TestNginx> {
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  await writeFile(confPath, config(dir, port, upstream, maxBodySize));
  await writeFile(errorLog, ''); // a new file per attempt: the port-in-use check reads only this attempt's lines
  const outFd = openSync(join(dir, 'stderr.log'), 'w');
  let child: ChildProcess;
  try {
    // -e: nginx opens its error log before it reads the config; keep even that one out of /var/log.
    child = spawn(NGINX, ['-p', dir, '-c', confPath, '-e', errorLog], { stdio: ['ignore', outFd, outFd] });
  } finally {
    closeSync(outFd);
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // spawn failure (ENOENT): no 'exit' follows
  });
  const state: { running: boolean; spawnError?: Error } = { running: true };
  child.once('error', (err) => (state.spawnError = err));
  void exited.then(() => (state.running = false));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const logTail = async (chars = 3000): Promise<string> => {
    const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8').catch(() => '');
    return ((await read('stderr.log')) + (await read('error.log'))).slice(-chars);
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (state.running) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!state.running) {
      await exited;
      const log = await logTail();
      process.removeListener('exit', killOnExit);
      if (/Address already in use/.test(log)) throw new PortInUseError(`port ${port} in use`);
      throw new Error(
        `nginx exited during start-up (${state.spawnError?.message ?? `exit code ${child.exitCode}`}); log:\n${log}`,
      );
    }
    // Listening is enough: the registry behind it may answer anything (or be down, for a test that wants 502).
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      const log = await logTail();
      await stop();
      throw new Error(
        `nginx on 127.0.0.1:${port} did not listen within ${START_TIMEOUT_MS / 1000} s; log:\n${log}`,
      );
    }
    await sleep(25);
  }

  return { url, host: `127.0.0.1:${port}`, pid: child.pid!, dir, logTail, stop };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}
