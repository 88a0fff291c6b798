import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Logger } from '../../log.ts';
import { Authenticator, type Credentials } from './auth.ts';
import { BodyLimit } from './body-limit.ts';
import { Deadline } from './deadline.ts';
import { formatSeconds, networkError, RegistryError, responseError } from './errors.ts';
import {
  DEFAULT_TIMEOUTS,
  header,
  send,
  type HttpRequest,
  type HttpResponse,
  type Method,
  type Timeouts,
  type Transport,
} from './http.ts';
import { OriginPolicy } from './origin.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';
import { RetryBudget } from './retry.ts';

export interface RegistryClientOptions {
  readonly credentials: Credentials | undefined;
  /** Registries that may be reached over plain HTTP or with unverified TLS (loopback may use HTTP). */
  readonly insecureRegistries: readonly string[];
  readonly transport: Transport;
  /** Receives every credential and token before it is used, so the front end can mask it in logs. */
  readonly onSecret: (value: string) => void;
  readonly userAgent: string;
  readonly log: Logger;
  readonly retryPolicy?: RetryPolicy | undefined;
  /** The push-wide bound (retry-timeout); one of its own, from `retryPolicy`, when not given. */
  readonly deadline?: Deadline | undefined;
  /** How long the registry may stay silent; DEFAULT_TIMEOUTS for what is not given. */
  readonly timeouts?: Partial<Timeouts> | undefined;
}

export interface ClientRequest {
  readonly method: Method;
  /** A path below the registry's root (`/v2/...`), or an absolute URL the registry handed out. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A factory, so that the request can be sent again after a 401 or a failure. */
  readonly body?: () => Promise<Buffer | Readable>;
  /** Statuses that count as success; anything else throws a RegistryError. */
  readonly ok: readonly number[];
  /**
   * One attempt only: no retry, and a 401 is thrown (after the stale token is dropped) rather than resent.
   * For bodies that cannot be produced twice; the caller decides how to carry on.
   */
  readonly once?: boolean;
  /**
   * Clean-up after a failure (cancelling an upload session): one short try that ignores the push's
   * deadline, which may be what just passed.
   */
  readonly cleanup?: boolean;
}

/** Answers that are no sign of progress. */
const RETRY_LATER = new Set([408, 429, 500, 502, 503, 504]);

/** How long a clean-up request may take. */
const CLEANUP_TIMEOUT_MS = 5_000;

/** The repository scope a push needs; a token for it also allows the HEADs and mounts into it. */
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

/**
 * Talks to one registry: resolves URLs, authenticates (resending once after a 401 with a fresh token),
 * retries what failed for a passing reason (resets, 5xx, 429 after its Retry-After) and turns failures into
 * RegistryErrors. Blob and manifest operations are built on `request`.
 */
export class RegistryClient {
  readonly registry: string;
  /** True when no credentials were given: a 401 then means "log in", not "wrong password". */
  get anonymous(): boolean {
    return this.#anonymous;
  }
  readonly log: Logger;
  /** What uploads learnt about the largest body that gets through to this registry. */
  readonly bodyLimit = new BodyLimit();
  readonly deadline: Deadline;
  readonly origins: OriginPolicy;
  readonly #auth: Authenticator;
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string;
  readonly #anonymous: boolean;
  readonly #policy: RetryPolicy;
  readonly #timeouts: Timeouts;

  constructor(registry: string, options: RegistryClientOptions) {
    this.registry = registry;
    this.origins = new OriginPolicy(registry, options.insecureRegistries);
    this.#dispatcher = options.transport.dispatcher(!this.origins.insecure);
    this.#userAgent = options.userAgent;
    this.#anonymous = options.credentials === undefined;
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.deadline = options.deadline ?? new Deadline(this.#policy.maxElapsedMs);
    this.log = options.log;
    this.#auth = new Authenticator({
      registry,
      origins: this.origins,
      credentials: options.credentials,
      transmit: (what, host, req) => this.transmit(what, host, req),
      onSecret: options.onSecret,
      retrying: (what, fn) => this.retrying(what, fn),
    });
  }

  retryBudget(what: string): RetryBudget {
    return new RetryBudget(this.#policy, this.log, what, this.deadline);
  }

  /** Runs `fn` again after failures worth retrying, within this client's retry budget. */
  async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const budget = this.retryBudget(what);
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        await budget.next(err);
      }
    }
  }

  /** Sends a request needing `scopes`; `what` names the operation in errors ("uploading blob sha256:..."). */
  async request(what: string, scopes: readonly string[], req: ClientRequest): Promise<HttpResponse> {
    // New work after local work (compressing a large layer) is no stall: only time spent on the network
    // without progress counts against retry-timeout. Retries inside the operation do not move the bound.
    if (!req.cleanup) this.deadline.touch();
    if (req.once || req.cleanup) return this.#send(what, scopes, req);
    return this.retrying(what, () => this.#send(what, scopes, req));
  }

  /**
   * One HTTP exchange with `host` (this registry, its token realm, object storage): the timeouts that fit
   * it, the push's deadline, a "still waiting" line while the server is silent, no HTTPS -> HTTP redirect,
   * and failures as RegistryErrors that say whether the server was unreachable or silent.
   */
  async transmit(
    what: string,
    host: string,
    req: HttpRequest,
    options: { cleanup?: boolean } = {},
  ): Promise<HttpResponse> {
    const t = this.#timeouts;
    const length = Number(req.headers?.['content-length'] ?? 0);
    const upload = req.body !== undefined && length > 0;
    const headersTimeout = options.cleanup
      ? CLEANUP_TIMEOUT_MS
      : upload
        ? t.uploadMs + Math.round((length / 2 ** 30) * t.uploadPerGiBMs)
        : t.headersMs;
    const signal = options.cleanup ? AbortSignal.timeout(CLEANUP_TIMEOUT_MS) : this.deadline.signal;
    if (!options.cleanup && this.deadline.expired) {
      throw this.deadline.error(undefined, `${what}: ${host}`);
    }
    const started = Date.now();
    const notice = this.#noticeWhileSilent(host, req.body);
    try {
      const exchange = (): Promise<HttpResponse> =>
        send(this.#dispatcher, {
          ...req,
          headersTimeout,
          bodyTimeout: options.cleanup ? CLEANUP_TIMEOUT_MS : t.bodyMs,
          signal,
          checkRedirect: (from, to) => this.origins.checkMove(what, from, to),
        });
      const res = options.cleanup ? await exchange() : await this.deadline.waiting(exchange);
      // An answer is progress, but for those that say "try again" (a registry stuck in 503s is not moving).
      if (!RETRY_LATER.has(res.status)) this.deadline.touch();
      this.#capBody(what, host, res, options.cleanup ? CLEANUP_TIMEOUT_MS : t.bodyTotalMs);
      return res;
    } catch (err) {
      if (err instanceof RegistryError) throw err; // a refused redirect
      if (signal.aborted && !options.cleanup) {
        // Cut by the deadline: this request's silence, unless it had only just started (then the failure
        // that was being retried says more).
        const waited = Date.now() - started;
        const silent = `${what}: no answer from ${host} after ${formatSeconds(waited)}`;
        throw waited >= 1000
          ? this.deadline.error(new RegistryError(silent, undefined, { network: true }))
          : this.deadline.error(undefined, silent);
      }
      const code = (err as { code?: unknown }).code;
      const silentMs = code === 'UND_ERR_BODY_TIMEOUT' ? t.bodyMs : headersTimeout;
      throw networkError(what, host, err, silentMs);
    } finally {
      notice();
    }
  }

  /**
   * A server that trickles its answer (a byte every few seconds) never trips the silence timeout: the body
   * must be complete within `ms`, or it is cut with an error that says so (and may be retried).
   */
  #capBody(what: string, host: string, res: HttpResponse, ms: number): void {
    const timer = setTimeout(() => {
      const slow = Object.assign(new Error('answer not complete'), { code: 'UND_ERR_BODY_TIMEOUT' });
      res.body.destroy(
        new RegistryError(
          `${what}: ${host} answers too slowly (its answer was not complete after ${formatSeconds(ms)})`,
          'the registry or a proxy in front of it is overloaded; try again later',
          { cause: slow, network: true },
        ),
      );
    }, ms);
    timer.unref();
    res.body.once('close', () => clearTimeout(timer));
  }

  /**
   * Logs "still waiting" every `noticeMs` until the answer comes; for a request with a streamed body, from
   * its last byte on (sending a large body is not silence). Returns the function that stops it.
   */
  #noticeWhileSilent(host: string, body: HttpRequest['body']): () => void {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const start = (): void => {
      if (stopped) return;
      const since = Date.now();
      timer = setInterval(() => {
        const seconds = Math.round((Date.now() - since) / 1000);
        this.log.info(`still waiting for ${host} (${seconds} s without an answer)`);
      }, this.#timeouts.noticeMs);
      timer.unref();
    };
    if (body && typeof body === 'object' && 'once' in body) body.once('end', start);
    else start();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  async #send(what: string, scopes: readonly string[], req: ClientRequest): Promise<HttpResponse> {
    const base = new URL(await this.#auth.baseUrl());
    const target = new URL(req.url, base);
    // A Location the registry handed out must not lead from HTTPS to plain HTTP (nor to itself over HTTP).
    this.origins.checkMove(what, base, target);
    const url = target.href;
    // An upload URL on another origin (object storage) must never see the registry's credentials.
    const sameOrigin = target.origin === base.origin;
    for (let attempt = 0; ; attempt++) {
      const authorization = sameOrigin ? await this.#auth.authorization(scopes) : undefined;
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...req.headers };
      if (authorization) headers.authorization = authorization;
      const body = req.body ? await req.body() : undefined;
      const res = await this.transmit(
        what,
        sameOrigin ? this.registry : target.host,
        { method: req.method, url, headers, ...(body ? { body } : {}) },
        { cleanup: req.cleanup === true },
      );
      if (res.status === 401 && attempt === 0) {
        this.#auth.invalidate(scopes, header(res.headers, 'www-authenticate'));
        if (!req.once && !req.cleanup) {
          await res.body.dump();
          continue;
        }
      }
      if (!req.ok.includes(res.status)) {
        const text = req.method === 'HEAD' ? '' : await res.body.text().catch(() => '');
        if (req.method === 'HEAD') await res.body.dump();
        throw responseError(what, this.registry, res.status, text, this.#anonymous, res.headers);
      }
      return res;
    }
  }
}
