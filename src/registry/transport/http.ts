import type { Readable } from 'node:stream';
import type { LookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from '../../undici.ts';

export type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: Method;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | Readable;
  /** Silence allowed before the answer's headers (after the last byte of the body went out). */
  readonly headersTimeout?: number;
  /** Silence allowed between two bytes of the answer's body. */
  readonly bodyTimeout?: number;
  readonly signal?: AbortSignal;
  /** Called before a redirect is followed; throws to refuse it (an HTTPS -> HTTP downgrade). */
  readonly checkRedirect?: (from: URL, to: URL) => void;
}

/**
 * How long a registry may stay silent. These are silence timeouts (undici's: time between bytes), not
 * bounds on a transfer's size: a 1 GB upload that keeps moving never times out. After the last byte of an
 * upload the registry hashes and stores the blob before it answers, so uploads get longer, growing with size.
 */
export interface Timeouts {
  readonly connectMs: number;
  /** A request without a body (or a small one): until the answer's headers. */
  readonly headersMs: number;
  /** Between two bytes of an answer's body. */
  readonly bodyMs: number;
  /** A whole answer's body: registries answer with JSON and manifests, never more than a few MB. */
  readonly bodyTotalMs: number;
  /** An upload: from its last byte to the answer, plus `uploadPerGiBMs` per GiB sent. */
  readonly uploadMs: number;
  readonly uploadPerGiBMs: number;
  /** A "still waiting" line every this long while a registry is silent. */
  readonly noticeMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 30_000,
  headersMs: 30_000,
  bodyMs: 60_000,
  bodyTotalMs: 120_000,
  uploadMs: 120_000,
  uploadPerGiBMs: 120_000,
  noticeMs: 15_000,
};

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects: relative `Location`s resolve against it. */
  readonly url: string;
  readonly body: Dispatcher.ResponseData['body'];
  /** Still a redirect after MAX_REDIRECTS were followed: a loop, most likely. */
  readonly redirectsExhausted?: boolean;
}

/** More redirects than this for one request is a loop. */
export const MAX_REDIRECTS = 5;

export interface TransportOptions {
  /** Extra CA certificates (PEM) trusted besides the system's, for registries with a private CA. */
  readonly ca?: string | undefined;
  /** The environment to read `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from. */
  readonly env?: NodeJS.ProcessEnv;
  readonly connectTimeoutMs?: number;
  /** Resolves host names (tests map made-up names to loopback); default: the system's resolver. */
  readonly lookup?: LookupFunction;
}

/**
 * The connection pools of one push: one that verifies certificates, and (only if an insecure registry is
 * used) one that does not. Both go through the proxy the environment names, if any.
 */
export class Transport {
  readonly #options: TransportOptions;
  #verified: Dispatcher | undefined;
  #unverified: Dispatcher | undefined;

  constructor(options: TransportOptions = {}) {
    this.#options = options;
  }

  dispatcher(verify = true): Dispatcher {
    if (verify) return (this.#verified ??= this.#create(true));
    return (this.#unverified ??= this.#create(false));
  }

  async close(): Promise<void> {
    await Promise.all([this.#verified?.close(), this.#unverified?.close()]);
  }

  #create(verify: boolean): Dispatcher {
    const tls = {
      rejectUnauthorized: verify,
      ...(this.#options.lookup ? { lookup: this.#options.lookup } : {}),
      // node:tls is loaded only for an extra CA (undici loads it on the first TLS connection anyway).
      ...(this.#options.ca
        ? { ca: [...process.getBuiltinModule('node:tls').rootCertificates, this.#options.ca] }
        : {}),
    };
    // Loopback uploads are bound by the registry's hashing, not by the number of sockets: a few keep-alive
    // connections per origin suffice, and the push's own limiter decides how many requests run at once.
    // Each request sets its own headers and body timeouts (see Timeouts); these are the fallbacks.
    const timeouts = {
      keepAliveTimeout: 30_000,
      connectTimeout: this.#options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs,
      headersTimeout: DEFAULT_TIMEOUTS.headersMs,
      bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
    };
    const env = this.#options.env ?? process.env;
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
    if (proxied) {
      return new EnvHttpProxyAgent({
        ...timeouts,
        httpProxy: env.HTTP_PROXY ?? env.http_proxy,
        httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy,
        noProxy: env.NO_PROXY ?? env.no_proxy,
        connect: tls,
        requestTls: tls,
      });
    }
    return new Agent({ ...timeouts, connect: tls });
  }
}

/**
 * Sends one request. Redirects are followed for bodiless requests only (a stream cannot be sent twice),
 * and the Authorization header is dropped when a redirect leaves the origin, so credentials never reach
 * object storage or another host; `checkRedirect` may refuse one.
 */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...req.headers };
  const options = {
    ...(req.headersTimeout !== undefined ? { headersTimeout: req.headersTimeout } : {}),
    ...(req.bodyTimeout !== undefined ? { bodyTimeout: req.bodyTimeout } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  };
  for (let hop = 0; ; hop++) {
    // undici takes a connection back into its pool a turn of the event loop after the answer on it ended: a
    // request sent at once finds every connection busy and opens another (each a TCP and TLS handshake; a
    // re-run's two requests had a connection each). One turn lets the next request reuse it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const res = await request(url, {
      method: req.method,
      headers,
      body: req.body ?? null,
      dispatcher,
      // undici closes the connection after every HEAD, for servers that send a body with it; registries do not,
      // and a push sends a HEAD per blob: each would cost a new connection (a TCP and TLS handshake).
      ...(req.method === 'HEAD' ? { reset: false } : {}),
      ...options,
    });
    const location = header(res.headers, 'location');
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode) && location !== undefined;
    if (!redirect || req.body !== undefined || hop >= MAX_REDIRECTS) {
      const exhausted = redirect && req.body === undefined;
      return {
        status: res.statusCode,
        headers: res.headers,
        url,
        body: res.body,
        redirectsExhausted: exhausted,
      };
    }
    await res.body.dump();
    const next = new URL(location, url);
    req.checkRedirect?.(new URL(url), next);
    if (next.origin !== new URL(url).origin) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    url = next.href;
  }
}

/** One header's value, joined when a server repeats it. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). Undefined when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]{3}/i.test(text)) return undefined; // Date.parse reads "-5" as the year -5
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
