// Requests over Node's own HTTP client (node:http, node:https), for registries reached without a proxy. It loads
// in ~4 ms and parses with Node's native llhttp, where undici took ~40 ms to load and ~15 ms to start its WASM
// parser on the first request: most of a re-run's time. undici stays for proxies (registry/http.ts).
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders, Method, ResponseBody } from './http.ts';

export interface PoolRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: Method;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string | Readable | null;
  readonly headersTimeout?: number;
  readonly bodyTimeout?: number;
  readonly signal?: AbortSignal;
}

export interface PoolResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: ResponseBody;
}

/** What registry/http.ts sends through: this pool, or undici's agents (for a proxy). */
export interface RequestPool {
  request(options: PoolRequest): Promise<PoolResponse>;
  close(): Promise<void>;
}

export interface NodePoolOptions {
  readonly rejectUnauthorized: boolean;
  readonly ca?: readonly string[] | undefined;
  readonly lookup?: LookupFunction | undefined;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly keepAliveTimeout: number;
}

/** An error with one of the codes the retry and error code read (undici's names, kept for one vocabulary). */
function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Keep-alive connections per scheme, as undici's Agent kept them per origin. */
export class NodePool implements RequestPool {
  readonly #options: NodePoolOptions;
  #http: HttpAgent | undefined;
  #https: HttpAgent | undefined;

  constructor(options: NodePoolOptions) {
    this.#options = options;
  }

  #agent(secure: boolean): HttpAgent {
    const o = this.#options;
    const common = {
      keepAlive: true,
      keepAliveMsecs: 1000,
      // Sockets idle longer than this are closed (the registry's own keep-alive is usually longer).
      timeout: o.keepAliveTimeout,
      scheduling: 'lifo' as const,
      ...(o.lookup ? { lookup: o.lookup } : {}),
    };
    if (!secure) {
      return (this.#http ??= new (process.getBuiltinModule('node:http').Agent)(common));
    }
    return (this.#https ??= new (process.getBuiltinModule('node:https').Agent)({
      ...common,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.ca ? { ca: [...o.ca] } : {}),
    }));
  }

  request(options: PoolRequest): Promise<PoolResponse> {
    const url = new URL(options.origin);
    const secure = url.protocol === 'https:';
    const mod = process.getBuiltinModule(secure ? 'node:https' : 'node:http');
    const o = this.#options;
    const headersTimeout = options.headersTimeout ?? o.headersTimeout;
    const bodyTimeout = options.bodyTimeout ?? o.bodyTimeout;
    const { signal } = options;
    return new Promise<PoolResponse>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number, error: () => Error): void => {
        clearTimeout(timer);
        if (ms > 0) timer = setTimeout(() => req.destroy(error()), ms);
      };
      const fail = (err: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      const onAbort = (): void => {
        req.destroy(signal?.reason as Error);
      };
      const req: ClientRequest = mod.request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (secure ? 443 : 80),
        path: options.path,
        method: options.method,
        headers: options.headers,
        agent: this.#agent(secure),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('error', fail);
      req.once('socket', (socket) => {
        // Connecting: bounded by the connect timeout; then silence until the answer by the headers timeout.
        if (socket.connecting) {
          arm(o.connectTimeout, () =>
            coded(`connect timed out after ${o.connectTimeout} ms`, 'UND_ERR_CONNECT_TIMEOUT'),
          );
          socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        }
      });
      req.once('finish', () =>
        arm(headersTimeout, () => coded('no answer headers in time', 'UND_ERR_HEADERS_TIMEOUT')),
      );
      req.once('response', (res: IncomingMessage) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settled = true;
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: wrapBody(res, bodyTimeout, signal),
        });
      });
      const body = options.body;
      if (body === null) {
        req.end();
      } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
        req.end(body);
      } else {
        // A failing source (a read error, a digest that does not match) fails the request with its own error.
        body.once('error', (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }

  close(): Promise<void> {
    this.#http?.destroy();
    this.#https?.destroy();
    return Promise.resolve();
  }
}

/** The answer's body with what the callers read: text, json, arrayBuffer, dump; silence cut after `ms`. */
function wrapBody(res: IncomingMessage, ms: number, signal: AbortSignal | undefined): ResponseBody {
  const socket = res.socket;
  if (ms > 0) {
    const onTimeout = (): void => {
      res.destroy(coded('the answer stopped in the middle', 'UND_ERR_BODY_TIMEOUT'));
    };
    socket.setTimeout(ms, onTimeout);
    // Once the body is read the socket goes back to the pool: its idle timeout is the agent's again.
    res.once('close', () => socket.setTimeout(0, onTimeout));
  }
  const onAbort = (): void => {
    res.destroy(signal?.reason as Error);
  };
  if (signal) {
    signal.addEventListener('abort', onAbort, { once: true });
    res.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  // A connection cut mid-body: the reader gets an error, not a short body taken for the whole.
  res.once('aborted', () => {
    if (!res.complete)
      res.destroy(coded('the connection closed before the answer was complete', 'UND_ERR_SOCKET'));
  });
  const collect = async (): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return Object.assign(res, {
    text: async () => (await collect()).toString('utf8'),
    json: async () => JSON.parse((await collect()).toString('utf8')) as unknown,
    arrayBuffer: async () => {
      const bytes = await collect();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    dump: async () => {
      if (res.complete || res.destroyed) return;
      // A small rest is read so that the connection can be reused; a large one is not worth it.
      let read = 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          read += chunk.length;
          if (read > 128 * 1024) {
            res.destroy();
            return;
          }
        }
      } catch {
        // a body that fails while being thrown away is no one's concern
      }
    },
  });
}
