// GitHub's Actions cache service (v2) on loopback, as @actions/cache's client speaks to it: the cache service's
// Twirp calls (GetCacheEntryDownloadURL, CreateCacheEntry, FinalizeCacheEntryUpload; JSON with proto field names)
// and the blob storage behind the signed URLs it hands out (a single-shot Azure Blob PUT from the storage SDK on
// save, a plain GET on restore, since the URL is not on Azure's domain). Every answer waits `delayMs`, a
// runner's distance to the service, so that a bench sees what the round trips cost.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

export interface CacheEntry {
  readonly key: string;
  readonly version: string;
  readonly id: number;
  bytes: Buffer | undefined;
  finalized: boolean;
}

export interface ActionsCacheServer {
  /** The value of ACTIONS_RESULTS_URL (with its trailing slash, as the runner sets it). */
  readonly url: string;
  /** The environment that points @actions/cache at this server. */
  readonly env: Readonly<Record<string, string>>;
  /** Every request so far, in order: `METHOD path` (Twirp method names, `PUT blob`, `GET blob`). */
  readonly requests: string[];
  readonly entries: readonly CacheEntry[];
  stop(): Promise<void>;
}

export interface ActionsCacheServerOptions {
  /** Added before every answer (the runner's distance to the service); default 0. */
  readonly delayMs?: number;
}

export async function startActionsCacheServer(
  options: ActionsCacheServerOptions = {},
): Promise<ActionsCacheServer> {
  const token = randomBytes(16).toString('hex');
  const signature = randomBytes(16).toString('hex');
  const entries: CacheEntry[] = [];
  const requests: string[] = [];
  let base = '';

  const blobUrl = (entry: CacheEntry): string =>
    `${base}/devstoreaccount1/actions-cache/${entry.id}?sig=${signature}`;

  const twirp = (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    const key = typeof body.key === 'string' ? body.key : '';
    const version = typeof body.version === 'string' ? body.version : '';
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const ready = entries.filter((e) => e.finalized && e.version === version).reverse(); // newest first
        const restoreKeys = Array.isArray(body.restore_keys) ? (body.restore_keys as string[]) : [];
        const hit =
          ready.find((e) => e.key === key) ??
          restoreKeys
            .map((prefix) => ready.find((e) => e.key.startsWith(prefix)))
            .find((e) => e !== undefined);
        return hit ? { ok: true, signed_download_url: blobUrl(hit), matched_key: hit.key } : { ok: false };
      }
      case 'CreateCacheEntry': {
        if (entries.some((e) => e.key === key && e.version === version))
          return { ok: false, message: `cache entry ${key} already exists` };
        const entry: CacheEntry = {
          key,
          version,
          id: entries.length + 1,
          bytes: undefined,
          finalized: false,
        };
        entries.push(entry);
        return { ok: true, signed_upload_url: blobUrl(entry) };
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = entries.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry?.bytes || String(entry.bytes.length) !== String(body.size_bytes))
          return { ok: false, message: `no complete upload for ${key}` };
        entry.finalized = true;
        return { ok: true, entry_id: String(entry.id) };
      }
      default:
        throw new Error(`unknown method ${method}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', base);
    await sleep(options.delayMs ?? 0);
    if (url.pathname.startsWith(SERVICE) && req.method === 'POST') {
      const method = url.pathname.slice(SERVICE.length);
      requests.push(`POST ${method}`);
      if (req.headers.authorization !== `Bearer ${token}`) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"code":"unauthenticated","msg":"bad token"}');
        return;
      }
      let answer;
      try {
        answer = twirp(method, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'malformed', msg: (err as Error).message }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    const match = /^\/devstoreaccount1\/actions-cache\/(\d+)$/.exec(url.pathname);
    const entry = match ? entries.find((e) => e.id === Number(match[1])) : undefined;
    if (!entry || url.searchParams.get('sig') !== signature) {
      requests.push(`${req.method ?? '?'} ${url.pathname}`);
      res.writeHead(403).end();
      return;
    }
    const headers = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2024-11-04',
      date: new Date().toUTCString(),
    };
    if (req.method === 'PUT') {
      requests.push('PUT blob');
      // The storage SDK sends a file under its single-shot limit (128 MiB here) as one BlockBlob PUT.
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob' || url.searchParams.has('comp') || entry.finalized) {
        res.writeHead(400, headers).end();
        return;
      }
      entry.bytes = body;
      res.writeHead(201, {
        ...headers,
        etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
        'last-modified': new Date().toUTCString(),
        'x-ms-request-server-encrypted': 'true',
      });
      res.end();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      requests.push(`${req.method} blob`);
      if (!entry.finalized || !entry.bytes) {
        res.writeHead(404, headers).end();
        return;
      }
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/octet-stream',
        'content-length': String(entry.bytes.length),
        'x-ms-blob-type': 'BlockBlob',
      });
      res.end(req.method === 'GET' ? entry.bytes : undefined);
      return;
    }
    requests.push(`${req.method ?? '?'} blob`);
    res.writeHead(405, headers).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    env: {
      ACTIONS_RESULTS_URL: `${base}/`,
      ACTIONS_RUNTIME_TOKEN: token,
      ACTIONS_CACHE_SERVICE_V2: 'true',
    },
    requests,
    entries,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
