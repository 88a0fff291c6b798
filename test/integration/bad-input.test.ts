// Every bad input a user can hand image-push, one row each. Every row must fail with exactly one line that names
// the bad input and says how to fix it, and must move no tag: each row pushes (or would push) to the sentinel tag
// `keep` and to a tag of its own in the same repository, so a push that wrongly went through would move `keep` off
// the sentinel digest or create the row's tag. Rows aimed at a fake registry also check that it never saw a
// manifest PUT. Most rows drive the library's push(); the argument rows run the CLI (`node src/cli/index.ts`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { sha256Digest } from '../../src/oci/digest.ts';
import { describeError } from '../../src/errors.ts';
import type { Logger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import { networkError } from '../../src/registry/transport/errors.ts';
import { writeOciArchive, writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const CLI = join(import.meta.dirname, '../../src/cli/index.ts');
const REPO = 'bad/app';
const KEEP = 'keep';
const USER = 'pusher';
const SECRET = 'Sup3r-s3cret-pa55-wörd';
const WRONG = 'wrong-Gue55-pa55';
const SECRETS = [SECRET, WRONG, basic(USER, SECRET), basic(USER, WRONG)];
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** The anonymous registry most rows push to. */
let open: TestRegistry;
/** The htpasswd registry of the 401 rows. */
let locked: TestRegistry;
let work: string;
/** What `keep` points at in both registries, before and (it must be) after every row. */
let sentinelDigest: string;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd', 'openssl']);
  [open, locked, work] = await Promise.all([
    startRegistry(),
    startRegistry({ htpasswd: { username: USER, password: SECRET } }),
    makeTempDir('bad-input-'),
  ]);
  const dir = join(work, 'sentinel');
  const sentinel = await writeOciLayout(dir, { layers: [{ size: 3000 }], seed: 1, tag: 'v1' });
  sentinelDigest = sentinel.manifestDigest;
  const credentials = { username: USER, password: SECRET };
  for (const [registry, creds] of [
    [open, undefined],
    [locked, credentials],
  ] as const) {
    const result = await push({
      source: `oci:${dir}`,
      destinations: [`${registry.host}/${REPO}:${KEEP}`],
      credentials: creds,
      concurrency: 4,
      logger: captureLogger([]),
    });
    assert.equal(result.digest, sentinelDigest);
  }
});

after(async () => {
  await Promise.all([open.stop(), locked.stop()]);
  await rm(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// The table's machinery

/** How a row failed: the one line the user sees, and everything printed or logged on the way. */
interface Failure {
  readonly line: string;
  readonly output: string;
}

interface Case {
  /** Runs the bad input; resolves with how it failed (it asserts that it did). */
  readonly attempt: () => Promise<Failure>;
  /** Must match the one line: it names the input and states the fix. */
  readonly expect: RegExp;
  /** Registries whose sentinel tag must be unchanged and where the row's tag must not exist. */
  readonly unmoved?: readonly TestRegistry[];
  /** A fake registry that must never have received a manifest. */
  readonly fake?: FakeRegistry;
}

interface Row {
  readonly name: string;
  /** Set when the message is not yet what it should be: the reason, and what must change. */
  readonly todo?: string;
  readonly setup: (row: RowContext) => Promise<Case>;
}

let rowCount = 0;
/** Rows in the table (the secrets tests make row contexts too). */
let tableRows = 0;

/** Per row: a tag, a directory and a seed of its own, so no row can see another's blobs or tags. */
class RowContext {
  readonly tag: string;
  readonly dir: string;
  readonly seed: number;

  constructor() {
    rowCount++;
    this.tag = `row-${String(rowCount).padStart(2, '0')}`;
    this.dir = join(work, this.tag);
    this.seed = 1000 + rowCount;
  }

  /** The sentinel's tag and the row's own: a push that wrongly succeeds moves the one and creates the other. */
  destinations(registry: TestRegistry = open): string[] {
    return [`${registry.host}/${REPO}:${KEEP}`, `${registry.host}/${REPO}:${this.tag}`];
  }

  /** A small image of the row's own (so a digest no other row has), as an OCI layout. */
  async layout(name = 'layout', seed = this.seed, tag = 'v1'): Promise<{ dir: string; image: SampleImage }> {
    const dir = join(this.dir, name);
    const image = await writeOciLayout(dir, { layers: [{ size: 4000 }, { size: 1500 }], seed, tag });
    return { dir, image };
  }

  /** The row's image as an OCI archive (a plain tar of a layout). */
  async archive(): Promise<string> {
    const file = join(this.dir, 'image.tar');
    await writeOciArchive(file, { layers: [{ size: 4000 }], seed: this.seed });
    return file;
  }

  /** A path under the row's directory (created). */
  async file(name: string, content: string | Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    await writeFile(path, content);
    return path;
  }
}

/** A case that pushes with the library to the row's two tags on the open registry (unless told otherwise). */
function pushCase(
  expect: RegExp,
  options: Pick<PushOptions, 'source' | 'destinations'> & Partial<PushOptions>,
  extra: Omit<Case, 'attempt' | 'expect'> = {},
): Case {
  return { expect, unmoved: [open], ...extra, attempt: () => pushFails(options) };
}

/** Runs push() with a logger that keeps every line (debug included); it must reject. */
async function pushFails(
  options: Pick<PushOptions, 'source' | 'destinations'> & Partial<PushOptions>,
): Promise<Failure> {
  const lines: string[] = [];
  const outcome = await push({ concurrency: 4, logger: captureLogger(lines), ...options }).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if ('result' in outcome) assert.fail(`the push succeeded (${outcome.result.digest}) but must fail`);
  const line = describeError(outcome.error);
  return { line, output: [...lines, line, ...errorChain(outcome.error)].join('\n') };
}

/** Every message and stack in an error's cause chain: none may hold a secret either. */
function errorChain(err: unknown): string[] {
  const texts: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    texts.push(e.message, e.stack ?? '');
  }
  return texts;
}

function captureLogger(lines: string[]): Logger {
  return {
    info: (message) => lines.push(message),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    group: (name, fn) => {
      lines.push(name);
      return fn();
    },
  };
}

/**
 * A case that runs the CLI, which must exit with `options.code` (default 2, an input error) with nothing on
 * stdout and its error as the last stderr line.
 */
function cliCase(
  expect: RegExp,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; unmoved?: readonly TestRegistry[]; code?: number } = {},
): Case {
  return {
    expect,
    unmoved: options.unmoved ?? [open],
    attempt: async () => {
      const { code, stdout, stderr } = await runCli(args, options.env);
      assert.equal(code, options.code ?? 2, `exit code; stderr: ${stderr}`);
      assert.equal(stdout, '', 'nothing on stdout');
      const lines = stderr.split('\n');
      assert.equal(lines.pop(), '', 'stderr ends with a newline');
      if (args.includes('--quiet')) assert.equal(lines.length, 1, `one line on stderr: ${stderr}`);
      const last = lines.at(-1) ?? '';
      assert.match(last, /^image-push: /);
      return { line: last.slice('image-push: '.length), output: stdout + stderr };
    },
  };
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A clean environment: no IMAGE_PUSH_PASSWORD or HOME of the caller's leaks in.
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: join(work, 'home'), XDG_CACHE_HOME: join(work, 'cache'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** A case that calls a function (no push), which must throw. */
function callCase(expect: RegExp, fn: () => Promise<unknown>): Case {
  return {
    expect,
    unmoved: [],
    attempt: async () => {
      const outcome = await fn().then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (outcome.ok) assert.fail('it did not fail');
      const line = describeError(outcome.error);
      return { line, output: [line, ...errorChain(outcome.error)].join('\n') };
    },
  };
}

function basic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** The digest a tag of REPO points at, from a plain HEAD; undefined when the tag does not exist. */
async function tagDigest(registry: TestRegistry, tag: string): Promise<string | undefined> {
  const headers: Record<string, string> = { accept: MANIFEST_TYPES };
  if (registry === locked) headers.authorization = `Basic ${basic(USER, SECRET)}`;
  const res = await fetch(`${registry.url}/v2/${REPO}/manifests/${tag}`, { method: 'HEAD', headers });
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, `HEAD ${REPO}:${tag} on ${registry.host}`);
  return res.headers.get('docker-content-digest') ?? assert.fail('no Docker-Content-Digest');
}

async function assertNothingMoved(registries: readonly TestRegistry[], tag: string): Promise<void> {
  for (const registry of registries) {
    assert.equal(await tagDigest(registry, KEEP), sentinelDigest, `${KEEP} still on the sentinel`);
    assert.equal(await tagDigest(registry, tag), undefined, `no tag ${tag} in ${registry.host}/${REPO}`);
  }
}

function runRows(rows: readonly Row[]): void {
  tableRows += rows.length;
  for (const row of rows) {
    test(row.name, { timeout: 30_000, ...(row.todo ? { todo: row.todo } : {}) }, async () => {
      const context = new RowContext();
      const bad = await row.setup(context);
      try {
        const { line, output } = await bad.attempt();
        assert.match(line, bad.expect);
        assert.doesNotMatch(line, /[\r\n]/, 'a single line');
        for (const secret of SECRETS)
          assert.ok(!output.includes(secret), 'no password or credential printed');
        await assertNothingMoved(bad.unmoved ?? [], context.tag);
        if (bad.fake) {
          const puts = bad.fake.requests.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
          assert.deepEqual(puts, [], 'the fake registry received no manifest');
        }
      } finally {
        await bad.fake?.close();
      }
    });
  }
}

/** Escapes text for a RegExp. */
function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function re(...parts: string[]): RegExp {
  return new RegExp(parts.join(''));
}

const DIGEST = 'sha256:[a-f0-9]{64}';

// ---------------------------------------------------------------------------------------------------------------
// Bad files

/** Flips one byte in the middle of a file: same size, other content. */
async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const middle = bytes.length >> 1;
  bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
  await writeFile(path, bytes);
}

function blobFile(layout: string, digest: string): string {
  return join(layout, 'blobs/sha256', digest.slice('sha256:'.length));
}

async function editIndex(layout: string, edit: (index: { manifests: Record<string, unknown>[] }) => void) {
  const path = join(layout, 'index.json');
  const index = JSON.parse(await readFile(path, 'utf8')) as { manifests: Record<string, unknown>[] };
  edit(index);
  await writeFile(path, JSON.stringify(index));
}

/**
 * A classic `docker save` tarball (manifest.json, `<config>.json`, `<diffID>/layer.tar`) holding one image per
 * entry, made from sample layouts with uncompressed layers. `damage` may alter a layer's bytes after the config
 * recorded their diffID.
 */
async function writeDockerArchive(
  file: string,
  images: readonly { seed: number; repoTag: string }[],
  damage: (layer: Buffer) => void = () => undefined,
): Promise<{ diffIds: string[] }> {
  const entries: { name: string; bytes: Buffer }[] = [];
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const diffIds: string[] = [];
  for (const [i, { seed, repoTag }] of images.entries()) {
    const dir = `${file}.layout-${i}`;
    const image = await writeOciLayout(dir, { layers: [{ size: 3000 }], seed, compression: 'none' });
    const config = `${image.configDigest.slice(7)}.json`;
    entries.push({ name: config, bytes: await readFile(blobFile(dir, image.configDigest)) });
    const layers: string[] = [];
    for (const layer of image.layers) {
      const bytes = await readFile(blobFile(dir, layer.digest));
      damage(bytes);
      const name = `${layer.diffId.slice(7)}/layer.tar`;
      entries.push({ name, bytes });
      layers.push(name);
      diffIds.push(layer.diffId);
    }
    manifest.push({ Config: config, RepoTags: [repoTag], Layers: layers });
    await rm(dir, { recursive: true, force: true });
  }
  entries.push({ name: 'manifest.json', bytes: Buffer.from(JSON.stringify(manifest)) });
  const tar = pack();
  const written = pipeline(tar as unknown as Readable, createWriteStream(file));
  for (const { name, bytes } of entries) tar.entry({ name, size: bytes.length, mtime: new Date(0) }, bytes);
  tar.finalize();
  await written;
  return { diffIds };
}

// ---------------------------------------------------------------------------------------------------------------
// Fake registries: loopback servers that answer deterministically (no 5xx, nothing a client would retry)

interface FakeRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly requests: { method: string; url: string }[];
  close(): Promise<void>;
}

/** Tracks a server's sockets so close() never waits on a keep-alive connection. */
function listen(server: Server): Promise<FakeRegistry & { requests: { method: string; url: string }[] }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        host: `127.0.0.1:${port}`,
        requests: [],
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

type Answer = { status: number; headers?: Record<string, string>; body?: string };

/** An HTTP server that answers every request with `answer(method, path)` once the request body is read. */
async function startFake(answer: (method: string, path: string) => Answer): Promise<FakeRegistry> {
  const requests: { method: string; url: string }[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    req.once('end', () => {
      const { status, headers = {}, body = '' } = answer(req.method ?? '', req.url ?? '');
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  const fake = await listen(server);
  return { ...fake, requests };
}

const HTML = '<html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>';

/**
 * Answers GET /v2/ with an HTML page, and anything else (another request, a TLS handshake) at once with bytes
 * that are neither HTTP nor TLS, then hangs up.
 */
async function startJunkServer(): Promise<FakeRegistry> {
  const requests: { method: string; url: string }[] = [];
  const server = createNetServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      const [method = '', url = ''] = chunk.toString('latin1').split(' ');
      requests.push({ method, url });
      socket.end(
        method === 'GET' && url === '/v2/'
          ? `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${HTML.length}\r\nconnection: close\r\n\r\n${HTML}`
          : '\x00\x01\x02 this is not HTTP \xff\xfe\r\n\r\n',
      );
    });
    socket.on('error', () => undefined);
  });
  const fake = await listen(server);
  return { ...fake, requests };
}

/** An HTTPS server whose certificate no client trusts (a throwaway CA's) that answers /v2/ with 200. */
async function startTlsServer(dir: string): Promise<FakeRegistry> {
  await mkdir(dir, { recursive: true });
  const certs = await createTestCertificates();
  const [keyPath, certPath] = [certs.keyPath, certs.certPath];
  const requests: { method: string; url: string }[] = [];
  const server = createHttpsServer(
    { key: await readFile(keyPath), cert: await readFile(certPath) },
    (req: IncomingMessage, res: ServerResponse) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      req.resume();
      res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('{}');
    },
  );
  const fake = await listen(server);
  return { ...fake, requests };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  const fake = await listen(server);
  await fake.close();
  return Number(fake.host.split(':')[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// The rows

describe('bad destinations', () => {
  const badDestination = (
    name: string,
    destination: (row: RowContext) => string,
    expect: (d: string) => RegExp,
  ) =>
    ({
      name,
      setup: async (row) => {
        const { dir } = await row.layout();
        const bad = destination(row);
        return pushCase(expect(bad), { source: `oci:${dir}`, destinations: [...row.destinations(), bad] });
      },
    }) satisfies Row;
  const quoted = (d: string, reason: string): RegExp => re(`^invalid image reference "${esc(d)}": `, reason);

  runRows([
    badDestination(
      'an uppercase repository',
      (row) => `${open.host}/Bad/App:${row.tag}`,
      (d) => quoted(d, `repository names must be lowercase\\. write it as "${esc(d.toLowerCase())}"`),
    ),
    badDestination(
      'an empty tag',
      () => `${open.host}/${REPO}:`,
      (d) => quoted(d, `tag "" is empty\\. write a tag after the ':', or drop the ':'`),
    ),
    badDestination(
      'a digest that is too short',
      () => `${open.host}/${REPO}@sha256:abc123`,
      (d) => quoted(d, `"sha256:abc123" is not a digest\\. write it as sha256:<64 hex digits>`),
    ),
    badDestination(
      'a digest in upper-case hex',
      () => `${open.host}/${REPO}@sha256:${'AB'.repeat(32)}`,
      (d) =>
        quoted(d, 'a sha256 digest has exactly 64 lowercase hex digits\\. write it as sha256:<64 lowercase'),
    ),
    badDestination(
      'white space inside',
      (row) => `${open.host}/${REPO}:${row.tag} extra`,
      (d) => quoted(d, 'it contains white space\\. separate several references with commas or new lines'),
    ),
    badDestination(
      'a tag alone (":tag")',
      (row) => `:${row.tag}`,
      (d) => quoted(d, 'the repository name is missing\\. write it as REPOSITORY:TAG'),
    ),
    badDestination(
      'a tag of 129 characters',
      () => `${open.host}/${REPO}:${'t'.repeat(129)}`,
      (d) => quoted(d, 'the tag is longer than 128 characters\\. shorten it to at most 128'),
    ),
    badDestination(
      'a tag starting with a dot',
      () => `${open.host}/${REPO}:.hidden`,
      (d) => quoted(d, `tag ".hidden" may hold only letters, digits, '_', '\\.' and '-', and not start with`),
    ),
    badDestination(
      'an http:// prefix',
      (row) => `http://${open.host}/${REPO}:${row.tag}`,
      (d) => quoted(d, `a reference has no scheme\\. drop it: "${esc(d.slice('http://'.length))}"`),
    ),
    badDestination(
      'a port out of range',
      (row) => `127.0.0.1:99999/${REPO}:${row.tag}`,
      (d) => quoted(d, 'port "99999" is not from 1 to 65535\\. write the registry as HOST:PORT'),
    ),
    badDestination(
      'an empty path component',
      (row) => `${open.host}/bad//app:${row.tag}`,
      (d) => quoted(d, `the repository path has an empty component .*\\. remove the extra '/'`),
    ),
    {
      name: 'no destination at all',
      setup: async (row) => {
        const { dir } = await row.layout();
        return pushCase(/^no destination given\. name at least one tag/, {
          source: `oci:${dir}`,
          destinations: [],
        });
      },
    },
    {
      name: 'a destination pinned to another digest',
      setup: async (row) => {
        const { dir, image } = await row.layout();
        const other = `sha256:${'0'.repeat(64)}`;
        return pushCase(
          re(
            `destination ${esc(open.host)}/bad/pinned@${other} pins a digest, but the image's manifest is `,
            `${image.manifestDigest}\\. drop the digest from the destination`,
          ),
          { source: `oci:${dir}`, destinations: [...row.destinations(), `${open.host}/bad/pinned@${other}`] },
        );
      },
    },
    {
      name: 'credentials with destinations on two registries',
      setup: async (row) => {
        const { dir } = await row.layout();
        return pushCase(
          re(
            `a username and password were given, but the destinations name 2 registries `,
            `\\(${esc(open.host)}, ${esc(locked.host)}\\)\\. set the registry input to the one they are for`,
          ),
          {
            source: `oci:${dir}`,
            destinations: [...row.destinations(open), ...row.destinations(locked)],
            credentials: { username: USER, password: SECRET },
          },
          { unmoved: [open, locked] },
        );
      },
    },
  ]);
});

describe('bad sources', () => {
  /** A row whose source is the row's layout after `spoil`, which returns the expected line. */
  const spoiled = (
    name: string,
    spoil: (layout: string, image: SampleImage, source: string) => Promise<RegExp>,
  ): Row => ({
    name,
    setup: async (row) => {
      const { dir, image } = await row.layout();
      const source = `oci:${dir}`;
      const expect = await spoil(dir, image, source);
      return pushCase(expect, { source, destinations: row.destinations() });
    },
  });

  runRows([
    {
      name: 'an unknown transport',
      setup: async (row) => {
        const { dir } = await row.layout();
        const source = `oci-layout:${dir}`;
        return pushCase(
          re(
            `^image "${esc(source)}": unknown transport "oci-layout", and not an image name either\\. `,
            'write the source as oci:\\.\\.\\., oci-archive:\\.\\.\\., docker-archive:\\.\\.\\.',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a transport with no path',
      setup: (row) =>
        Promise.resolve(
          pushCase(/^image "oci-archive:": no path after "oci-archive:"\. name the file or directory/, {
            source: 'oci-archive:',
            destinations: row.destinations(),
          }),
        ),
    },
    {
      name: 'a path that does not exist',
      setup: (row) => {
        const path = join(row.dir, 'absent');
        return Promise.resolve(
          pushCase(re(`path "${esc(path)}" does not exist\\. check the path`), {
            source: `oci:${path}`,
            destinations: row.destinations(),
          }),
        );
      },
    },
    {
      name: 'a tar file where oci: needs a directory',
      setup: async (row) => {
        const file = await row.archive();
        return pushCase(
          re(
            `"${esc(file)}" is a file, but oci: reads an OCI layout directory\\. `,
            `for a tar file write oci-archive:${esc(file)}`,
          ),
          { source: `oci:${file}`, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a directory where oci-archive: needs a tar file',
      setup: async (row) => {
        const { dir } = await row.layout();
        return pushCase(
          re(
            `"${esc(dir)}" is a directory, but oci-archive: reads a tar file\\. `,
            `for an OCI layout directory write oci:${esc(dir)}`,
          ),
          { source: `oci-archive:${dir}`, destinations: row.destinations() },
        );
      },
    },
    spoiled('a layout without index.json', async (dir, _image, source) => {
      await rm(join(dir, 'index.json'));
      return re(
        `^${esc(source)}: not an OCI image layout \\(it has no index\\.json file\\)\\. `,
        'export the image with `skopeo copy \\.\\.\\. oci:DIR:TAG`',
      );
    }),
    spoiled('an unsupported oci-layout version', async (dir, _image, source) => {
      await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '2.0.0' }));
      return re(
        `^${esc(source)}: unsupported imageLayoutVersion "2\\.0\\.0" in oci-layout\\. `,
        'image-push reads layouts of version "1\\.0\\.0"; export the image again',
      );
    }),
    spoiled('an index.json that is not JSON', async (dir, _image, source) => {
      await writeFile(join(dir, 'index.json'), '{"schemaVersion": 2, "manifests": [');
      return re(`^${esc(source)}: index\\.json is not valid JSON\\. the layout is corrupt; export it again`);
    }),
    spoiled('an index.json that is JSON null', async (dir, _image, source) => {
      await writeFile(join(dir, 'index.json'), 'null');
      return re(
        `^${esc(source)}: index\\.json has no "manifests" list\\. the layout is corrupt; export it again`,
      );
    }),
    spoiled('an index naming a manifest the layout lacks', async (dir, image, source) => {
      await rm(blobFile(dir, image.manifestDigest));
      return re(
        `^${esc(source)}: manifest ${image.manifestDigest} \\(index\\.json\\) is missing from the layout\\. `,
        'the layout is incomplete; export the image again',
      );
    }),
    spoiled('an index entry with a digest that is not sha256', async (dir, _image, source) => {
      await editIndex(dir, (index) => {
        index.manifests[0]!.digest = 'md5:0123456789abcdef0123456789abcdef';
      });
      return re(
        `^${esc(source)}: index\\.json has digest "md5:0123456789abcdef0123456789abcdef", which is not a sha256 `,
        'digest\\. image-push reads sha256 content only',
      );
    }),
    spoiled('a manifest whose bytes do not match the index', async (dir, image, source) => {
      await flipByte(blobFile(dir, image.manifestDigest));
      return re(
        `^${esc(source)}: manifest ${image.manifestDigest} does not match its digest or size \\(found ${DIGEST}, `,
        `${image.manifestSize} bytes\\)\\. the layout is corrupt; export the image again`,
      );
    }),
    spoiled('a manifest that is not JSON (under its right digest)', async (dir, _image, source) => {
      const junk = Buffer.from('this is not a manifest');
      const digest = sha256Digest(junk);
      await writeFile(blobFile(dir, digest), junk);
      await editIndex(dir, (index) => {
        Object.assign(index.manifests[0]!, { digest, size: junk.length });
      });
      return re(
        `^${esc(source)}: manifest ${digest} is not valid JSON\\. the image is corrupt; export it again`,
      );
    }),
    spoiled('a manifest referencing a blob the layout lacks', async (dir, image, source) => {
      const layer = image.layers[0]!.digest;
      await rm(blobFile(dir, layer));
      return re(
        `^${esc(source)}: blob ${layer} is missing from the source and from ${esc(open.host)}/${REPO}\\. `,
        'the source is incomplete; export the whole image again',
      );
    }),
    spoiled(
      'a blob whose bytes do not match its digest (same size, one byte flipped)',
      async (dir, image) => {
        const layer = image.layers[0]!;
        await flipByte(blobFile(dir, layer.digest));
        // Named by its digest: the message comes from the upload, which knows no source name (see the report).
        return re(
          `blob ${layer.digest} in the source does not match its descriptor \\(read ${layer.size} bytes hashing to `,
          `${DIGEST}\\)\\. the source is corrupt; export the image again`,
        );
      },
    ),
    spoiled('a truncated blob', async (dir, image, source) => {
      const layer = image.layers[0]!;
      await truncate(blobFile(dir, layer.digest), 1000);
      return re(
        `^${esc(source)}: blob ${layer.digest} \\(layers\\[0\\] of ${image.manifestDigest}\\) is 1000 bytes but `,
        `its descriptor says ${layer.size}\\. the layout is corrupt or was truncated; export the image again`,
      );
    }),
    {
      name: 'a layout of two images and no name',
      setup: async (row) => {
        const first = await row.layout('two', row.seed, 'one');
        const firstIndex = await readFile(join(first.dir, 'index.json'), 'utf8');
        await row.layout('two', row.seed + 500, 'two'); // the same directory: its index.json now names only "two"
        await editIndex(first.dir, (index) => {
          index.manifests.unshift(
            ...(JSON.parse(firstIndex) as { manifests: Record<string, unknown>[] }).manifests,
          );
        });
        const source = `oci:${first.dir}`;
        return pushCase(
          re(
            `^${esc(source)}: the layout holds 2 images \\(names: one, two\\)\\. name one after the path, as oci:PATH:NAME`,
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a name the layout does not have',
      setup: async (row) => {
        const { dir } = await row.layout();
        const source = `oci:${dir}:nope`;
        return pushCase(
          re(
            `^${esc(source)}: no image named "nope" in the layout \\(names: v1\\)\\. name one of the listed images`,
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a truncated oci-archive',
      setup: async (row) => {
        const file = await row.archive();
        await truncate(file, 3000);
        const source = `oci-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: cannot read the archive: truncated tar: .*\\. `,
            'the file is cut short; copy or export it again',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a gzip-compressed oci-archive',
      setup: async (row) => {
        const tar = await row.archive();
        const file = await row.file('image.tar.gz', gzipSync(await readFile(tar)));
        const source = `oci-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: cannot read the archive: it is gzip-compressed, not a plain tar\\. `,
            'pass an uncompressed tar of an OCI layout, .*gunzip it first',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'an oci-archive that is not a tar at all',
      setup: async (row) => {
        const file = await row.file('junk.tar', Buffer.alloc(4096, 'not a tar '));
        const source = `oci-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: cannot read the archive: not a tar file, or corrupt: bad header checksum at byte 0\\. `,
            'pass an uncompressed tar of an OCI layout',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a truncated docker-archive',
      setup: async (row) => {
        const file = join(row.dir, 'saved.tar');
        await mkdir(row.dir, { recursive: true });
        await writeDockerArchive(file, [{ seed: row.seed, repoTag: 'example/one:v1' }]);
        await truncate(file, 2500);
        const source = `docker-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: cannot read the archive: truncated tar: .*\\. `,
            'the file is cut short; save the image again',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a docker-archive that is not a tar at all',
      setup: async (row) => {
        const file = await row.file('junk.tar', randomBytes(4096));
        const source = `docker-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: cannot read the archive: not a tar file, or corrupt: bad header checksum at byte 0\\. `,
            'pass an uncompressed tarball written by `docker save`',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a docker-archive of two images and no reference',
      setup: async (row) => {
        const file = join(row.dir, 'two.tar');
        await mkdir(row.dir, { recursive: true });
        await writeDockerArchive(file, [
          { seed: row.seed, repoTag: 'example/one:v1' },
          { seed: row.seed + 500, repoTag: 'example/two:v2' },
        ]);
        const source = `docker-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: the archive holds 2 images \\(example/one:v1, example/two:v2\\)\\. `,
            `name one, as docker-archive:PATH:example/one:v1`,
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a docker-archive reference the archive lacks',
      setup: async (row) => {
        const file = join(row.dir, 'two.tar');
        await mkdir(row.dir, { recursive: true });
        await writeDockerArchive(file, [
          { seed: row.seed, repoTag: 'example/one:v1' },
          { seed: row.seed + 500, repoTag: 'example/two:v2' },
        ]);
        const source = `docker-archive:${file}:example/three:v3`;
        return pushCase(
          re(
            `^${esc(source)}: no image tagged "example/three:v3" in the archive `,
            '\\(tags: example/one:v1, example/two:v2\\)\\. name one of the listed tags',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a docker-archive layer that does not match the config’s diff_ids',
      setup: async (row) => {
        const file = join(row.dir, 'damaged.tar');
        await mkdir(row.dir, { recursive: true });
        const { diffIds } = await writeDockerArchive(
          file,
          [{ seed: row.seed, repoTag: 'example/one:v1' }],
          (layer) => {
            const middle = layer.length >> 1;
            layer[middle] = (layer[middle] ?? 0) ^ 0xff;
          },
        );
        const source = `docker-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: layer ${diffIds[0]!} hashes to ${DIGEST} uncompressed\\. `,
            'the image is corrupt; save it again',
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'an OCI archive given as docker-archive:',
      setup: async (row) => {
        const file = await row.archive();
        const source = `docker-archive:${file}`;
        return pushCase(
          re(
            `^${esc(source)}: no manifest\\.json in the archive\\. `,
            `it is an OCI archive: write oci-archive:${esc(file)}`,
          ),
          { source, destinations: row.destinations() },
        );
      },
    },
    {
      name: 'a docker-archive whose manifest.json is not JSON',
      setup: async (row) => {
        const file = join(row.dir, 'bad-manifest.tar');
        await mkdir(row.dir, { recursive: true });
        const tar = pack();
        const written = pipeline(tar as unknown as Readable, createWriteStream(file));
        tar.entry({ name: 'manifest.json' }, '[{"Config": ');
        tar.finalize();
        await written;
        const source = `docker-archive:${file}`;
        return pushCase(
          re(`^${esc(source)}: manifest\\.json is not valid JSON\\. the archive is corrupt; save it again`),
          { source, destinations: row.destinations() },
        );
      },
    },
  ]);
});

describe('bad options (the CLI, and push() itself)', () => {
  /** A CLI run that would push the row's image to its two tags if the bad argument were let through. */
  const cliRow = (name: string, extra: string[], expect: RegExp, env?: NodeJS.ProcessEnv): Row => ({
    name,
    setup: async (row) => {
      const { dir } = await row.layout();
      const args = ['push', `oci:${dir}`, ...row.destinations(), '--no-blob-map', '--quiet', ...extra];
      return cliCase(expect, args, env ? { env } : {});
    },
  });

  runRows([
    cliRow(
      '--concurrency 0',
      ['--concurrency', '0'],
      /^concurrency "0" is not a whole number from 1 to 64\. leave it empty for 4/,
    ),
    cliRow(
      '--concurrency that is not a number',
      ['--concurrency', 'many'],
      /^concurrency "many" is not a whole number from 1 to 64\. leave it empty for 4/,
    ),
    cliRow(
      '--compression-level 10',
      ['--compression-level', '10'],
      /^compression-level "10" is not a gzip level from 1 to 9\. leave it empty for 2/,
    ),
    cliRow(
      '--username without a password',
      ['--username', USER],
      /^--username needs a password\. pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD/,
    ),
    cliRow('an unknown option', ['--tag', 'v2'], /^Unknown option '--tag'\. see --help for the options$/),
    cliRow(
      'an option without its value',
      ['--concurrency'],
      /^Option '--concurrency <value>' argument missing\. see --help for the options$/,
    ),
    {
      name: 'no destination on the command line',
      setup: async (row) => {
        const { dir } = await row.layout();
        return cliCase(
          re(
            `^expected "push SOURCE DESTINATION\\.\\.\\." or "merge DESTINATION\\.\\.\\. --source REF\\.\\.\\." but got "push oci:${esc(dir)}"\\. see --help`,
          ),
          ['push', `oci:${dir}`, '--quiet'],
        );
      },
    },
    {
      name: 'push() with concurrency 0',
      setup: async (row) => {
        const { dir } = await row.layout();
        return {
          expect: /concurrency "?0"? is not a whole number from 1 to 64/,
          unmoved: [open],
          attempt: () =>
            Promise.race([
              pushFails({ source: `oci:${dir}`, destinations: row.destinations(), concurrency: 0 }),
              new Promise<never>((_, reject) =>
                setTimeout(
                  () => reject(new Error('push() neither failed nor finished within 1.5 s')),
                  1500,
                ).unref(),
              ),
            ]),
        };
      },
    },
  ]);
});

describe('bad registries', () => {
  /** The row's image, pushed to the row's two tags on the open registry and to `target` as well. */
  const alsoTo = async (row: RowContext, target: string) => {
    const { dir } = await row.layout();
    return { source: `oci:${dir}`, destinations: [...row.destinations(), target] };
  };

  runRows([
    {
      name: '401: a wrong password (htpasswd registry)',
      setup: async (row) => {
        const { dir } = await row.layout();
        return pushCase(
          re(
            `${esc(locked.host)} answered 401\\. check the username and password \\(or token\\) for ${esc(locked.host)}`,
          ),
          {
            source: `oci:${dir}`,
            destinations: row.destinations(locked),
            credentials: { username: USER, password: WRONG },
          },
          { unmoved: [locked] },
        );
      },
    },
    {
      name: '401: no credentials for a registry that needs them',
      setup: async (row) => {
        const { dir } = await row.layout();
        return pushCase(
          re(
            `${esc(locked.host)} answered 401\\. no credentials were given for ${esc(locked.host)}: `,
            'set username and password, or log in with docker/login-action first',
          ),
          { source: `oci:${dir}`, destinations: row.destinations(locked) },
          { unmoved: [locked] },
        );
      },
    },
    {
      name: '401 from the CLI with a wrong IMAGE_PUSH_PASSWORD (debug log on): the password is never printed',
      setup: async (row) => {
        const { dir } = await row.layout();
        return cliCase(
          re(`${esc(locked.host)} answered 401\\. check the username and password`),
          ['push', `oci:${dir}`, ...row.destinations(locked), '--no-blob-map', '--username', USER],
          { env: { IMAGE_PUSH_PASSWORD: WRONG, IMAGE_PUSH_DEBUG: '1' }, unmoved: [locked], code: 3 },
        );
      },
    },
    {
      name: '403 DENIED to the upload (a registry that lets us look but not push)',
      setup: async (row) => {
        const fake = await startFake((method, path) => {
          if (path === '/v2/') return { status: 200, body: '{}' };
          if (method === 'POST' && path.includes('/blobs/uploads/')) {
            return {
              status: 403,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
              }),
            };
          }
          return { status: 404, body: '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}' };
        });
        return pushCase(
          re(
            `uploading blob ${DIGEST} to x/y: ${esc(fake.host)} answered 403 `,
            '\\(DENIED: requested access to the resource is denied\\)\\. ',
            'the credentials are valid but may not push here',
          ),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'a server answering HTML 200 to everything',
      setup: async (row) => {
        const fake = await startFake(() => ({
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: HTML,
        }));
        return pushCase(
          re(`${esc(fake.host)} .*(does not look like|is not) an OCI registry.*check the host name and port`),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'a server answering HTML to /v2/ and bytes that are not HTTP elsewhere',
      setup: async (row) => {
        const fake = await startJunkServer();
        return pushCase(
          re(`cannot reach ${esc(fake.host)}: .*not (speak )?HTTP.*check the host name and port`),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'a server answering 404 to /v2/',
      setup: async (row) => {
        const fake = await startFake(() => ({
          status: 404,
          headers: { 'content-type': 'text/plain' },
          body: 'nope',
        }));
        return pushCase(
          re(
            `connecting: http://${esc(fake.host)}/v2/ answered 404\\. `,
            `${esc(fake.host)} does not look like an OCI registry; check the host name`,
          ),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'a server answering 401 without a challenge',
      setup: async (row) => {
        const fake = await startFake(() => ({ status: 401, body: '' }));
        return pushCase(
          re(
            `connecting: ${esc(fake.host)} answered 401 without a Basic or Bearer challenge\\. `,
            'this registry needs an authentication scheme image-push does not speak',
          ),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'a port with nothing listening (connection refused)',
      setup: async (row) => {
        const host = `127.0.0.1:${await closedPort()}`;
        return pushCase(
          re(`cannot reach ${esc(host)}: .*ECONNREFUSED.*\\. is the registry running, and on this port\\?`),
          await alsoTo(row, `${host}/x/y:1`),
        );
      },
    },
    {
      name: 'TLS: a push to an HTTPS loopback registry whose certificate no one trusts',
      setup: async (row) => {
        const fake = await startTlsServer(join(row.dir, 'tls'));
        return pushCase(
          re(
            `^connecting: cannot reach ${esc(fake.host)}: (self[- ]signed certificate|unable to verify the first certificate).*\\. `,
            'the TLS certificate is not trusted.*NODE_EXTRA_CA_CERTS',
          ),
          await alsoTo(row, `${fake.host}/x/y:1`),
          { fake },
        );
      },
    },
    {
      name: 'an unknown host (networkError with a real ENOTFOUND shape; no DNS lookup is made)',
      setup: () =>
        Promise.resolve(
          callCase(
            /^connecting: cannot reach registry\.invalid: getaddrinfo ENOTFOUND registry\.invalid\. check the registry host name$/,
            () => {
              const err = Object.assign(new Error('getaddrinfo ENOTFOUND registry.invalid'), {
                code: 'ENOTFOUND',
                syscall: 'getaddrinfo',
                hostname: 'registry.invalid',
              });
              return Promise.reject(networkError('connecting', 'registry.invalid', err));
            },
          ),
        ),
    },
  ]);
});

describe('secrets', () => {
  test('a push with a secret password logs neither it nor the Basic credential, even at debug level', async () => {
    const { dir } = await new RowContext().layout();
    const lines: string[] = [];
    const masked: string[] = [];
    const result = await push({
      source: `oci:${dir}`,
      destinations: [`${locked.host}/ok/app:1`],
      credentials: { username: USER, password: SECRET },
      concurrency: 4,
      logger: captureLogger(lines),
      onSecret: (value) => masked.push(value),
    });
    assert.ok(lines.length > 0, 'something was logged');
    assert.ok(masked.includes(basic(USER, SECRET)), 'the Basic credential was handed over for masking');
    const logged = [...lines, JSON.stringify(result)].join('\n');
    for (const secret of SECRETS) assert.ok(!logged.includes(secret), 'no password or credential logged');
  });

  test('the CLI with IMAGE_PUSH_PASSWORD and the debug log prints no secret either', async () => {
    const { dir } = await new RowContext().layout();
    const { code, stdout, stderr } = await runCli(
      ['push', `oci:${dir}`, `${locked.host}/ok/cli:1`, '--no-blob-map', '--username', USER],
      { IMAGE_PUSH_PASSWORD: SECRET, IMAGE_PUSH_DEBUG: '1' },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^sha256:[a-f0-9]{64}\n$/);
    for (const secret of SECRETS) assert.ok(!(stdout + stderr).includes(secret), 'no password printed');
  });
});

test('after every row, the destination repositories hold the sentinel tag and nothing else', async () => {
  assert.deepEqual(await listTags(`${open.host}/${REPO}`), [KEEP]);
  assert.deepEqual(await listTags(`${locked.host}/${REPO}`, `${USER}:${SECRET}`), [KEEP]);
  assert.ok(tableRows >= 30, `${tableRows} rows`);
});
