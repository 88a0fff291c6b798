// Starts the real CNCF distribution registry (Debian's docker-registry, 2.8) on a free loopback port, one process
// per test file, and reads back the requests it served from its own access log.
//
// distribution writes two logs: logrus lines on stderr (`msg="response completed" http.request.method=PUT
// http.request.uri=... http.response.status=201`), and an Apache combined-format access log on stdout
// (`127.0.0.1 - - [date] "PUT /v2/a/manifests/1 HTTP/1.1" 201 0 "" "agent"`). Only the access log has a line for
// every request: the logrus one skips requests refused by auth (401) and paths outside /v2/ (404). So requests()
// parses the access log.
//
// With `tls` (a certificate and key, e.g. from createTestCertificates() in tls.ts) the registry serves HTTPS only
// (distribution's `http.tls`) and `url` starts with https://; clients must trust the CA that signed the certificate.
// htpasswd works with and without TLS (distribution 2.8 only recommends TLS for it).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { onFreePort, sleep, startServerProcess } from './server-process.ts';
import { makeTempDir, run } from './tools.ts';

export interface RegistryRequest {
  readonly method: string;
  /** The request URI as logged: path and query string. */
  readonly path: string;
  readonly status: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with the `tls` option. */
  readonly url: string;
  /** The registry's temp dir: config.yml, registry.log, data/ (the storage root). */
  readonly dir: string;
  readonly pid: number;
  /** Every request the registry logged since start or the last clearRequests(), in order. */
  requests(): Promise<RegistryRequest[]>;
  /** Forgets the requests so far: the next requests() starts empty. */
  clearRequests(): Promise<void>;
  /** The last `chars` characters of the registry's log (for failure messages). */
  logTail(chars?: number): Promise<string>;
  /** Kills the process (SIGTERM, then SIGKILL) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  readonly htpasswd?: { username: string; password: string };
  readonly token?: { realm: string; service: string; issuer: string; certPath: string };
  /** Serve HTTPS with this PEM certificate and key. */
  readonly tls?: { certPath: string; keyPath: string };
}

const START_TIMEOUT_MS = 15_000;

// `127.0.0.1 - - [25/Nov/2026:05:53:49 +0000] "HEAD /v2/a/blobs/sha256:... HTTP/1.1" 404 157 "" "curl/7.88.1"`
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await makeTempDir('registry-');
  try {
    return await onFreePort((port) => launch(dir, port, options));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

const yamlString = (value: string): string => JSON.stringify(value);

async function writeConfig(dir: string, port: number, options: RegistryOptions): Promise<string> {
  let auth = '';
  if (options.htpasswd) {
    const { username, password } = options.htpasswd;
    const { stdout } = await run('htpasswd', ['-Bbn', username, password]);
    const file = join(dir, 'htpasswd');
    await writeFile(file, stdout);
    auth = `auth:\n  htpasswd:\n    realm: ${yamlString('test-registry')}\n    path: ${yamlString(file)}\n`;
  } else if (options.token) {
    const t = options.token;
    auth =
      `auth:\n  token:\n    realm: ${yamlString(t.realm)}\n    service: ${yamlString(t.service)}\n` +
      `    issuer: ${yamlString(t.issuer)}\n    rootcertbundle: ${yamlString(t.certPath)}\n`;
  }
  const tls = options.tls
    ? `  tls:\n    certificate: ${yamlString(options.tls.certPath)}\n    key: ${yamlString(options.tls.keyPath)}\n`
    : '';
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${yamlString(join(dir, 'data'))}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: test-registry-secret
${tls}${auth}`,
  );
  return config;
}

async function launch(dir: string, port: number, options: RegistryOptions): Promise<TestRegistry> {
  const config = await writeConfig(dir, port, options);
  const logPath = join(dir, 'registry.log');
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ready = options.htpasswd || options.token ? [200, 401] : [200];
  const server = await startServerProcess({
    name: `docker-registry on 127.0.0.1:${port}`,
    command: 'docker-registry',
    args: ['serve', config],
    dir,
    logPath,
    portInUse: /address already in use/,
    ready: async () => ready.includes(await probe(`${url}/v2/`)),
    startTimeoutMs: START_TIMEOUT_MS,
  });

  const readRequests = async (): Promise<RegistryRequest[]> => {
    // distribution writes the access line just after it sends the response, so a client can see its answer
    // before the line is in the file: read until the log stops growing.
    let text = await readFile(logPath, 'utf8');
    for (let i = 0; i < 40; i++) {
      await sleep(25);
      const again = await readFile(logPath, 'utf8');
      if (again.length === text.length) break;
      text = again;
    }
    const requests: RegistryRequest[] = [];
    for (const line of text.split('\n')) {
      const m = ACCESS_LINE.exec(line);
      if (m) requests.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
    }
    return requests;
  };
  let seen = (await readRequests()).length; // the readiness probes

  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    pid: server.pid,
    requests: async () => (await readRequests()).slice(seen),
    clearRequests: async () => {
      seen = (await readRequests()).length;
    },
    logTail: (chars) => server.logTail(chars),
    stop: () => server.stop(),
  };
}

/** The status of a GET; over https without verifying the certificate (it only tells that the registry is up). */
async function probe(url: string): Promise<number> {
  if (url.startsWith('http:')) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status;
  }
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}
