// Starts the real CNCF distribution registry (Debian's docker-registry) on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, run } from './tools.ts';

export interface RegistryRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  readonly dir: string;
  /** Every request the registry logged since start or the last clearRequests(), in order. */
  requests(): Promise<RegistryRequest[]>;
  clearRequests(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  readonly htpasswd?: { username: string; password: string };
  readonly token?: { realm: string; service: string; issuer: string; certPath: string };
}

// The access log's Apache-style lines: `"PUT /v2/a/manifests/1 HTTP/1.1" 201`.
const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await makeTempDir('registry-');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(dir, port, options);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('address already in use')) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function launch(dir: string, port: number, options: RegistryOptions): Promise<TestRegistry> {
  let auth = '';
  if (options.htpasswd) {
    const { stdout } = await run('htpasswd', ['-Bbn', options.htpasswd.username, options.htpasswd.password]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    auth = `auth:\n  htpasswd:\n    realm: test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (options.token) {
    const t = options.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certPath}\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
${auth}`,
  );
  const logPath = join(dir, 'registry.log');
  const fd = openSync(logPath, 'w');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const state = { exited: false };
  child.on('exit', () => (state.exited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (state.exited)
      throw new Error(`docker-registry exited: ${(await readFile(logPath, 'utf8')).slice(-2000)}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(
        `docker-registry did not answer within 15 s: ${(await readFile(logPath, 'utf8')).slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let skip = 0;
  const readAll = async (): Promise<RegistryRequest[]> => {
    // The registry writes its line after the response; wait until the log stops growing.
    let text = await readFile(logPath, 'utf8');
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const again = await readFile(logPath, 'utf8');
      if (again.length === text.length) break;
      text = again;
    }
    return text.split('\n').flatMap((line) => {
      const m = ACCESS_LINE.exec(line);
      return m ? [{ method: m[1]!, path: m[2]!, status: Number(m[3]) }] : [];
    });
  };
  skip = (await readAll()).length; // the readiness probes
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    requests: async () => (await readAll()).slice(skip),
    clearRequests: async () => {
      skip = (await readAll()).length;
    },
    stop: async () => {
      if (!state.exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
