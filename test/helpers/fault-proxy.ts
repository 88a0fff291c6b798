// An HTTP/1.1 reverse proxy, in this process, that sits in front of a real registry and injects the faults a real
// registry never produces: connection resets (before forwarding, or in the middle of a request body), 500/503,
// 429 with Retry-After, stalled or lost responses, and 413 for bodies above a size limit.
//
// Untouched requests are forwarded as they are: bodies stream both ways, every end-to-end header is kept (Host
// too, so the registry builds its Location headers for the proxy). Only `Location` headers that still point at
// the upstream are rewritten to the proxy, so clients keep going through it.
//
// Which requests get a fault: those `faultFilter` lets through (all when there is none), each with probability
// `failureRate`, the kind drawn among `kinds`; a seeded PRNG (mulberry32) makes both draws, so the same seed and
// the same order of requests give the same faults. `faultFilter` may also name a kind to force it on a request.
// Requests above `maxBodyBytes` get 413 before any of this (and take no draw).
//
//   const proxy = await startFaultProxy(registry.url, { failureRate: 0.3, seed: 7, kinds: ['reset', 'status'] });
//   ... push through proxy.host ...
//   proxy.requests()  // [{ index, method, path, status, requestBytes, fault, forwarded }, ...]
//   await proxy.close();
import {
  Agent,
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export type FaultKind =
  | 'reset'
  | 'status'
  | '429'
  | 'stall'
  | 'redirect'
  | 'cut-response'
  | 'silent'
  | 'drip'
  | 'http-location'
  | 'oversize'
  | 'ignore-range'
  | 'wrong-range';

export const ALL_FAULT_KINDS: readonly FaultKind[] = ['reset', 'status', '429', 'stall'];

/** What faultFilter sees of a request. */
export interface ProxyRequestInfo {
  /** 1 for the first request the proxy received, then 2, 3... (every request counts, faulted or not). */
  readonly index: number;
  readonly method: string;
  /** Path and query string, as the client sent them. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface FaultOptions {
  /** Probability (0..1) that a request the filter lets through gets a fault. Default 0. */
  readonly failureRate: number;
  /** Seed of the PRNG. Default 1. Giving it to setFaults() restarts the sequence. */
  readonly seed: number;
  /** The kinds a random fault is drawn from. Default all four. */
  readonly kinds: readonly FaultKind[];
  /**
   * `reset`: null (default) destroys the client's connection before anything is forwarded. A number N forwards the
   * request and at most N bytes of its body (never the whole body, so the upstream sees a broken request), then
   * resets both connections. A request without a body is reset before forwarding either way.
   */
  readonly resetAfterBytes: number | null;
  /** `status`: the statuses drawn from. Default [500, 503]. */
  readonly statuses: readonly number[];
  /**
   * `status` and `429`: 'drain' (default) reads the whole request body, then answers on a connection that stays
   * usable; 'destroy' answers at once with `Connection: close` and destroys the connection after the answer.
   */
  readonly statusBody: 'drain' | 'destroy';
  /** `429`: Retry-After as delta seconds (default) or as an HTTP-date that many seconds ahead. */
  readonly retryAfter: 'seconds' | 'http-date';
  /** `429`: the delay Retry-After asks for. Default 1. */
  readonly retryAfterSeconds: number;
  /** `stall`: how long after the request arrived the response is held back. Default 1000. */
  readonly stallMs: number;
  /**
   * `stall`: after the wait, 'forward' (default) sends the upstream's response; 'reset' drops it and resets the
   * client's connection: the upstream did the work but the client never hears of it.
   */
  readonly stallThen: 'forward' | 'reset';
  /** Bodies above this many bytes (Content-Length, or counted when chunked) get 413 and are not forwarded. */
  readonly maxBodyBytes: number | null;
  /**
   * Which requests faults may hit: true lets the random draw decide, false spares the request, a kind forces
   * that fault (no draw). No filter: every request may be hit.
   */
  readonly faultFilter: ((request: ProxyRequestInfo) => boolean | FaultKind) | null;
  /**
   * `redirect` (only when a filter forces it): answer 307 with a Location on this origin (`http://host:port`),
   * same path and query, as registries that hand uploads to object storage do. Not in ALL_FAULT_KINDS.
   */
  readonly redirectTo: string | null;
  /**
   * `cut-response` (only when a filter forces it): forward the request, send the upstream's status, headers
   * and this many bytes of its body, then reset the connection: a download cut in the middle. Default 65536.
   */
  readonly cutResponseAfterBytes: number;
  /**
   * `drip` (only when a filter forces it): the upstream's answer goes out one byte every `dripMs`, from its
   * first byte ('headers') or after its headers ('body'), as a server that is alive but barely answers.
   * `silent` (idem): the request is read and never answered; the connection stays open.
   * `http-location` (idem): forwarded without X-Forwarded-Proto, so behind `tls` the registry builds its
   * Location headers as http:// to itself, as a registry behind a TLS proxy that is not told so does.
   */
  readonly dripMs: number;
  readonly dripFrom: 'headers' | 'body';
  /**
   * `cut-response`: 'reset' (default) resets the connection after the bytes; 'close' answers with
   * `Connection: close` and ends the connection cleanly (a FIN) after them, as a server or proxy that gives
   * up on a response does: the body is short of its Content-Length.
   */
  readonly cutResponseHow: 'reset' | 'close';
  /**
   * `oversize` (only when a filter forces it): the request is not forwarded; the answer is `oversizeStatus`
   * with `oversizeBytes` bytes of JSON-looking filler, sent as fast as the client reads, with a
   * Content-Length when `oversizeLength` (else chunked: the size is only known at the end). The bytes the
   * client took are counted in `responseBytes`.
   */
  readonly oversizeBytes: number;
  readonly oversizeStatus: number;
  readonly oversizeLength: boolean;
  readonly oversizeContentType: string;
  /**
   * `ignore-range` (only when a filter forces it): forwarded without its Range header, so the registry
   * answers 200 with the whole body. `wrong-range`: forwarded with `Range: bytes=<wrongRangeStart>-`.
   */
  readonly wrongRangeStart: number;
}

export interface ProxyListenOptions {
  /** Serve HTTPS with this PEM certificate and key (the upstream stays plain HTTP). */
  readonly tls?: { certPath: string; keyPath: string };
  /** The host name the proxy's URL names (resolved by the test's lookup): default 127.0.0.1. */
  readonly hostname?: string;
}

/** One request as the proxy handled it. */
export interface ProxyRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  /** The status sent to the client; null if it got none (reset). */
  readonly status: number | null;
  /** Request body bytes the proxy read from the client. */
  readonly requestBytes: number;
  /** The injected fault, 'too-large' for a 413 from maxBodyBytes, null when forwarded untouched. */
  readonly fault: FaultKind | 'too-large' | null;
  /** Whether the request (all of it, or up to a reset) reached the upstream. */
  readonly forwarded: boolean;
  /** Why the proxy could not do its part (e.g. the upstream refused the connection: 502). */
  readonly error: string | null;
  /** The Authorization header the client sent, if any: what a listener would have seen in clear text. */
  readonly authorization: string | null;
  /** Response body bytes sent to the client (counted for `oversize` only). */
  readonly responseBytes: number;
}

/** Running counts since start (clearRequests() does not reset them). */
export interface ProxyStats {
  requests: number;
  forwarded: number;
  tooLarge: number;
  faults: Record<FaultKind, number>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` (https:// with `tls`; the `hostname` given instead of 127.0.0.1) */
  readonly url: string;
  /** `127.0.0.1:PORT` (or `hostname:PORT`) */
  readonly host: string;
  readonly stats: Readonly<ProxyStats>;
  /** Every request since start or the last clearRequests(), in the order they arrived. */
  requests(): ProxyRequest[];
  clearRequests(): void;
  /** Changes some fault options from now on. */
  setFaults(partial: Partial<FaultOptions>): void;
  /** Stops listening, cuts every open connection (both sides). Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULTS: FaultOptions = {
  failureRate: 0,
  seed: 1,
  kinds: ALL_FAULT_KINDS,
  resetAfterBytes: null,
  statuses: [500, 503],
  statusBody: 'drain',
  retryAfter: 'seconds',
  retryAfterSeconds: 1,
  stallMs: 1000,
  stallThen: 'forward',
  maxBodyBytes: null,
  faultFilter: null,
  redirectTo: null,
  cutResponseAfterBytes: 65_536,
  dripMs: 1000,
  dripFrom: 'headers',
  cutResponseHow: 'reset',
  oversizeBytes: 500 << 20,
  oversizeStatus: 200,
  oversizeLength: false,
  oversizeContentType: 'application/vnd.oci.image.manifest.v1+json',
  wrongRangeStart: 0,
};

// Per connection, not end to end: Node frames both sides itself. The proxy answers Expect: 100-continue itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

const TOO_LARGE_HTML =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>fault-proxy</center>\r\n</body>\r\n</html>\r\n';

/** A small, seedable PRNG: floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  index: number;
  method: string;
  path: string;
  status: number | null;
  requestBytes: number;
  fault: FaultKind | 'too-large' | null;
  forwarded: boolean;
  error: string | null;
  authorization: string | null;
  responseBytes: number;
}

export async function startFaultProxy(
  upstream: string,
  options: Partial<FaultOptions> = {},
  listen: ProxyListenOptions = {},
): Promise<FaultProxy> {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new Error(`fault proxy: upstream must be http://, got ${upstream}`);
  const upstreamPort = Number(target.port || 80);

  let faults: FaultOptions = { ...DEFAULTS, ...options };
  let random = mulberry32(faults.seed);
  let log: Entry[] = [];
  let received = 0;
  const stats: ProxyStats = {
    requests: 0,
    forwarded: 0,
    tooLarge: 0,
    faults: {
      reset: 0,
      status: 0,
      '429': 0,
      stall: 0,
      redirect: 0,
      'cut-response': 0,
      silent: 0,
      drip: 0,
      'http-location': 0,
      oversize: 0,
      'ignore-range': 0,
      'wrong-range': 0,
    },
  };
  const agent = new Agent({ keepAlive: true });
  const inFlight = new Set<ClientRequest>();
  let proxyOrigin = '';

  const server = listen.tls
    ? createHttpsServer({
        cert: await readFile(listen.tls.certPath),
        key: await readFile(listen.tls.keyPath),
      })
    : createServer();
  const timers = new Set<NodeJS.Timeout>();
  // Uploads and stalls may take long; the proxy must not cut them on its own.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, false);
  });
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, true);
  });

  function handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const entry: Entry = {
      index: ++received,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: null,
      requestBytes: 0,
      fault: null,
      forwarded: false,
      error: null,
      authorization: req.headers.authorization ?? null,
      responseBytes: 0,
    };
    log.push(entry);
    stats.requests++;
    req.on('error', () => undefined); // a client that goes away mid-body; the close handlers below clean up
    res.on('error', () => undefined);
    route(req, res, entry, expectsContinue).catch((err: unknown) => fail(res, entry, err));
  }

  /** The proxy's own failure: 502 if nothing was sent yet, else cut the connection. */
  function fail(res: ServerResponse, entry: Entry, err: unknown): void {
    entry.error ??= err instanceof Error ? err.message : String(err);
    if (!res.headersSent && !res.destroyed) {
      entry.status = 502;
      res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`fault proxy: ${entry.error}\n`);
    } else {
      res.destroy();
    }
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    entry: Entry,
    expectsContinue: boolean,
  ): Promise<void> {
    const declared = req.headers['content-length'];
    const length = declared === undefined ? null : Number(declared);
    const chunked = length === null && req.headers['transfer-encoding'] !== undefined;
    let body: Readable = req;

    if (faults.maxBodyBytes !== null) {
      const max = faults.maxBodyBytes;
      if (length !== null && length > max) {
        tooLarge(req, res, entry, expectsContinue);
        return;
      }
      if (expectsContinue) res.writeContinue();
      if (chunked) {
        // The size is only known at the end: hold the body (up to the limit) so a refused one is never forwarded.
        const held = await holdBody(req, entry, max);
        if (held === null) {
          tooLarge(req, res, entry, false);
          return;
        }
        body = Readable.from(held);
      }
    } else if (expectsContinue) {
      res.writeContinue();
    }

    const fault = pickFault({
      index: entry.index,
      method: entry.method,
      path: entry.path,
      headers: req.headers,
    });
    entry.fault = fault;
    if (fault) stats.faults[fault]++;
    switch (fault) {
      case null:
        forward(req, body, res, entry, { length });
        return;
      case 'http-location':
        forward(req, body, res, entry, { length, plainProto: true });
        return;
      case 'silent':
        // Read the request, answer nothing; the connection stays open until the client gives up.
        drain(body, entry, () => undefined);
        return;
      case 'drip':
        forward(req, body, res, entry, { length, drip: true });
        return;
      case 'status': {
        const status = faults.statuses[Math.floor(random() * faults.statuses.length)] ?? 500;
        const code = status === 503 ? 'UNAVAILABLE' : 'UNKNOWN';
        answer(body, res, entry, status, {}, registryError(code, `injected ${status}`));
        return;
      }
      case '429': {
        const seconds = faults.retryAfterSeconds;
        const retryAfter =
          faults.retryAfter === 'seconds'
            ? String(seconds)
            : new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toUTCString();
        answer(
          body,
          res,
          entry,
          429,
          { 'retry-after': retryAfter },
          registryError('TOOMANYREQUESTS', 'slow down'),
        );
        return;
      }
      case 'reset': {
        const hasBody = (length !== null && length > 0) || chunked;
        if (faults.resetAfterBytes === null || !hasBody) {
          reset(res);
          return;
        }
        // Never the whole body: with a known length stop one byte short, else never send the last chunk.
        const cut = length === null ? faults.resetAfterBytes : Math.min(faults.resetAfterBytes, length - 1);
        forward(req, body, res, entry, { length, cutAfter: cut });
        return;
      }
      case 'redirect': {
        const location = `${faults.redirectTo ?? proxyOrigin}${entry.path}`;
        answer(body, res, entry, 307, { location }, '');
        return;
      }
      case 'cut-response':
        forward(req, body, res, entry, { length, cutResponseAfter: faults.cutResponseAfterBytes });
        return;
      case 'oversize':
        drain(body, entry, () => oversize(res, entry));
        return;
      case 'ignore-range':
        forward(req, body, res, entry, { length, range: null });
        return;
      case 'wrong-range':
        forward(req, body, res, entry, { length, range: `bytes=${faults.wrongRangeStart}-` });
        return;
      case 'stall':
        forward(req, body, res, entry, {
          length,
          stall: { until: Date.now() + faults.stallMs, then: faults.stallThen },
        });
        return;
    }
  }

  function pickFault(info: ProxyRequestInfo): FaultKind | null {
    const aimed = faults.faultFilter ? faults.faultFilter(info) : true;
    if (typeof aimed === 'string') return aimed;
    if (!aimed || faults.failureRate <= 0 || faults.kinds.length === 0) return null;
    if (random() >= faults.failureRate) return null;
    return faults.kinds[Math.floor(random() * faults.kinds.length)] ?? null;
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse, entry: Entry, expectsContinue: boolean): void {
    entry.fault = 'too-large';
    stats.tooLarge++;
    entry.status = 413;
    const headers: OutgoingHttpHeaders = {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(TOO_LARGE_HTML),
    };
    // Without 100 Continue the client does not send the body: close rather than wait for one on this connection.
    if (expectsContinue) headers.connection = 'close';
    res.writeHead(413, headers);
    res.end(TOO_LARGE_HTML);
    // Else read and drop the rest of the body, so the client can finish sending and read the answer
    // (closing under a client that is still sending makes its kernel drop the answer on the reset).
    if (!expectsContinue) drain(req, entry, () => undefined);
  }

  function answer(
    body: Readable,
    res: ServerResponse,
    entry: Entry,
    status: number,
    headers: OutgoingHttpHeaders,
    text: string,
  ): void {
    const send = (close: boolean): void => {
      if (res.destroyed) return;
      entry.status = status;
      res.writeHead(status, {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...(close ? { connection: 'close' } : {}),
      });
      res.end(text);
    };
    if (faults.statusBody === 'drain') {
      drain(body, entry, () => send(false));
    } else {
      send(true);
      res.once('finish', () => res.socket?.destroy());
    }
  }

  function forward(
    req: IncomingMessage,
    body: Readable,
    res: ServerResponse,
    entry: Entry,
    how: {
      length: number | null;
      cutAfter?: number;
      cutResponseAfter?: number;
      stall?: { until: number; then: 'forward' | 'reset' };
      drip?: boolean;
      plainProto?: boolean;
      /** Replaces the Range header (null drops it). */
      range?: string | null;
    },
  ): void {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    if (how.range === null) delete headers.range;
    else if (how.range !== undefined) headers.range = how.range;
    // Behind TLS, tell the registry so (distribution builds its Location headers from this).
    if (listen.tls && !how.plainProto) headers['x-forwarded-proto'] = 'https';
    const upstreamReq = httpRequest({
      host: target.hostname,
      port: upstreamPort,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    inFlight.add(upstreamReq);
    entry.forwarded = true;
    stats.forwarded++;
    let cut = false;
    let done = false;
    const finish = (): void => {
      done = true;
      inFlight.delete(upstreamReq);
    };

    // The client went away (or was reset) before its answer was complete: stop the upstream side too.
    res.once('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
      finish();
    });

    const cutBoth = (): void => {
      cut = true;
      reset(res);
      upstreamReq.destroy();
      body.destroy();
    };

    body.on('data', (chunk: Buffer) => {
      if (cut) return;
      let piece = chunk;
      const limit = how.cutAfter;
      if (limit !== undefined && entry.requestBytes + piece.length >= limit) {
        piece = piece.subarray(0, limit - entry.requestBytes);
        entry.requestBytes += piece.length;
        cut = true;
        body.pause();
        // Wait until those bytes are handed to the kernel, so the upstream surely receives them before the cut.
        upstreamReq.write(piece, () => cutBoth());
        return;
      }
      entry.requestBytes += piece.length;
      if (!upstreamReq.write(piece)) body.pause();
    });
    upstreamReq.on('drain', () => {
      if (!cut) body.resume();
    });
    body.once('end', () => {
      if (cut) return;
      if (how.cutAfter !== undefined) {
        // A chunked body shorter than the cut: the upstream has it all but the terminating chunk.
        cutBoth();
        return;
      }
      upstreamReq.end();
    });

    upstreamReq.on('error', (err) => {
      finish();
      if (cut || res.destroyed) return;
      fail(res, entry, err);
    });

    upstreamReq.on('response', (upstreamRes) => {
      upstreamRes.on('error', () => res.destroy());
      if (cut) {
        upstreamRes.resume();
        return;
      }
      const deliver = (): void => {
        if (res.destroyed || done) {
          upstreamRes.resume();
          return;
        }
        if (how.drip) {
          dripResponse(upstreamRes, res, entry);
          return;
        }
        if (how.stall?.then === 'reset') {
          // Read the upstream's answer to the end (the work is done there), then lose it.
          upstreamRes.resume();
          upstreamRes.once('end', () => reset(res));
          return;
        }
        entry.status = upstreamRes.statusCode ?? 502;
        const cutAt = how.cutResponseAfter;
        // A server that means to close says so (Connection: close); the client then takes the end of the
        // connection as the end of the answer, and finds it short of its Content-Length.
        const closing =
          cutAt !== undefined && faults.cutResponseHow === 'close' ? { connection: 'close' } : {};
        res.writeHead(entry.status, upstreamRes.statusMessage, {
          ...responseHeaders(upstreamRes),
          ...closing,
        });
        if (cutAt === undefined) {
          upstreamRes.pipe(res);
          return;
        }
        let sent = 0;
        upstreamRes.on('data', (chunk: Buffer) => {
          if (sent >= cutAt) return;
          const piece = chunk.subarray(0, cutAt - sent);
          sent += piece.length;
          // Once the last allowed byte is handed to the kernel, the connection goes.
          if (sent >= cutAt) res.write(piece, () => cutResponse(res));
          else res.write(piece);
        });
        upstreamRes.once('end', () => {
          if (sent < cutAt) cutResponse(res); // a body shorter than the cut still never ends cleanly
        });
      };
      const wait = how.stall ? how.stall.until - Date.now() : 0;
      if (wait > 0) setTimeout(deliver, wait);
      else deliver();
    });
  }

  /** The upstream's whole answer, then out to the client's socket one byte every dripMs. */
  function dripResponse(upstreamRes: IncomingMessage, res: ServerResponse, entry: Entry): void {
    const chunks: Buffer[] = [];
    upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
    upstreamRes.once('end', () => {
      const socket = res.socket;
      if (!socket || socket.destroyed) return;
      const body = Buffer.concat(chunks);
      entry.status = upstreamRes.statusCode ?? 502;
      const head = [`HTTP/1.1 ${entry.status} ${upstreamRes.statusMessage ?? ''}`];
      for (const [name, value] of Object.entries(responseHeaders(upstreamRes))) {
        if (name === 'content-length' || value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) head.push(`${name}: ${String(v)}`);
      }
      head.push(`content-length: ${body.length}`, 'connection: close', '', '');
      const headBytes = Buffer.from(head.join('\r\n'));
      let bytes = Buffer.concat([headBytes, body]);
      if (faults.dripFrom === 'body') {
        socket.write(headBytes);
        bytes = body;
      }
      let i = 0;
      const next = (): void => {
        if (socket.destroyed) return;
        if (i >= bytes.length) {
          socket.end();
          return;
        }
        socket.write(bytes.subarray(i, i + 1));
        i++;
        const timer = setTimeout(() => {
          timers.delete(timer);
          next();
        }, faults.dripMs);
        timers.add(timer);
      };
      next();
    });
  }

  function responseHeaders(upstreamRes: IncomingMessage): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upstreamRes.headers)) {
      if (HOP_BY_HOP.has(name) || value === undefined) continue;
      headers[name] = name === 'location' && typeof value === 'string' ? toProxy(value) : value;
    }
    return headers;
  }

  /** An absolute URL on the upstream, moved to the proxy; anything else unchanged. */
  function toProxy(location: string): string {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return location; // relative: already resolves against the proxy
    }
    if (url.protocol !== 'http:' || Number(url.port || 80) !== upstreamPort) return location;
    if (!['127.0.0.1', 'localhost', '[::1]', target.hostname].includes(url.hostname)) return location;
    return proxyOrigin + location.slice(url.origin.length);
  }

  /** The end of a `cut-response`: a reset, or a clean close with the body short of its length. */
  function cutResponse(res: ServerResponse): void {
    if (faults.cutResponseHow === 'reset') {
      reset(res);
      return;
    }
    const socket = res.socket;
    if (socket && !socket.destroyed) socket.end();
    else res.destroy();
  }

  /** `oversize`: filler as fast as the client takes it, until `oversizeBytes` or the client goes away. */
  function oversize(res: ServerResponse, entry: Entry): void {
    const total = faults.oversizeBytes;
    entry.status = faults.oversizeStatus;
    res.writeHead(faults.oversizeStatus, {
      'content-type': faults.oversizeContentType,
      ...(faults.oversizeLength ? { 'content-length': total } : {}),
    });
    const head = Buffer.from('{"schemaVersion":2,"pad":"');
    const filler = Buffer.alloc(1 << 16, 0x61);
    let stopped = false;
    res.once('close', () => (stopped = true));
    const pump = (): void => {
      while (!stopped && entry.responseBytes < total) {
        const first = entry.responseBytes === 0;
        const chunk = (first ? head : filler).subarray(0, total - entry.responseBytes);
        entry.responseBytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!stopped) res.end();
    };
    pump();
  }

  function reset(res: ServerResponse): void {
    const socket = res.socket;
    if (socket && !socket.destroyed) socket.resetAndDestroy();
    else res.destroy();
  }

  /** Reads the body to its end, counting it, then calls `then` (not if the client goes away). */
  function drain(body: Readable, entry: Entry, then: () => void): void {
    body.on('data', (chunk: Buffer) => (entry.requestBytes += chunk.length));
    body.once('end', then);
    body.resume();
  }

  /** The whole body if it is at most `max` bytes; null (and the rest left to drain) if it is larger. */
  function holdBody(req: IncomingMessage, entry: Entry, max: number): Promise<Buffer[] | null> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer): void => {
        entry.requestBytes += chunk.length;
        if (entry.requestBytes > max) {
          req.off('data', onData);
          req.off('end', onEnd);
          resolve(null);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => resolve(chunks);
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', reject);
      req.once('close', () => {
        if (!req.complete) reject(new Error('the client closed the connection mid-body'));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostname = listen.hostname ?? '127.0.0.1';
  proxyOrigin = `${listen.tls ? 'https' : 'http'}://${hostname}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: proxyOrigin,
    host: `${hostname}:${port}`,
    stats,
    requests: () => log.map((entry) => ({ ...entry })),
    clearRequests: () => {
      log = [];
    },
    setFaults: (partial) => {
      faults = { ...faults, ...partial };
      if (partial.seed !== undefined) random = mulberry32(partial.seed);
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const timer of timers) clearTimeout(timer);
        for (const req of inFlight) req.destroy();
        agent.destroy();
      })),
  };
}

function registryError(code: string, message: string): string {
  return `${JSON.stringify({ errors: [{ code, message, detail: null }] })}\n`;
}
