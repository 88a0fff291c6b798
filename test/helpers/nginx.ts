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
import { rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { onFreePort, startServerProcess } from './server-process.ts';
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

export async function startNginx(options: NginxOptions): Promise<TestNginx> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:')
    throw new Error(`nginx: upstream must be http://, got ${options.upstream}`);
  const dir = await makeTempDir('nginx-');
  try {
    return await onFreePort((port) => launch(dir, port, upstream, options.clientMaxBodySize ?? '1m'));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

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
  const server = await startServerProcess({
    name: `nginx on 127.0.0.1:${port}`,
    command: NGINX,
    // -e: nginx opens its error log before it reads the config; keep even that one out of /var/log.
    args: ['-p', dir, '-c', confPath, '-e', errorLog],
    dir,
    logPath: join(dir, 'stderr.log'),
    extraLogs: [errorLog],
    portInUse: /Address already in use/,
    // Listening is enough: the registry behind it may answer anything (or be down, for a test that wants 502).
    ready: () => accepts(port),
    startTimeoutMs: START_TIMEOUT_MS,
  });
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, dir, ...server };
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
