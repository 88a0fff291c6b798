import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';

type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: Method;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | Readable;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects: relative `Location`s resolve against it. */
  readonly url: string;
  readonly body: Dispatcher.ResponseData['body'];
}

const MAX_REDIRECTS = 5;

export function createDispatcher(): Dispatcher {
  // Loopback uploads are bound by the registry's hashing, not by the number of sockets: a few keep-alive
  // connections per origin suffice, and the push's own limiter decides how many requests run at once.
  return new Agent({
    keepAliveTimeout: 30_000,
    connectTimeout: 30_000,
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
}

/**
 * Sends one request. Redirects are followed for bodiless requests only (a stream cannot be sent twice),
 * and the Authorization header is dropped when a redirect leaves the origin, so credentials never reach
 * object storage or another host.
 */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    const res = await request(url, { method: req.method, headers, body: req.body ?? null, dispatcher });
    const location = header(res.headers, 'location');
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode) && location !== undefined;
    if (!redirect || req.body !== undefined || hop >= MAX_REDIRECTS) {
      return { status: res.statusCode, headers: res.headers, url, body: res.body };
    }
    await res.body.dump();
    const next = new URL(location, url);
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
