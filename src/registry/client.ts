import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.ts';
import { isLoopbackRegistry, registryApiHost } from '../oci/reference.ts';
import { Authenticator, type Credentials } from './auth.ts';
import { networkError, responseError } from './errors.ts';
import { header, send, type HttpResponse, type Method, type Transport } from './http.ts';
import { DEFAULT_RETRY_POLICY, RetryBudget, type RetryPolicy } from './retry.ts';

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
}

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
  /** Largest request body known to get through (learnt from a 413), so later blobs go in chunks that fit. */
  bodyLimit: number | undefined;
  readonly #auth: Authenticator;
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string;
  readonly #anonymous: boolean;
  readonly #policy: RetryPolicy;

  constructor(registry: string, options: RegistryClientOptions) {
    this.registry = registry;
    const insecure = options.insecureRegistries.includes(registry);
    const host = registryApiHost(registry);
    // HTTPS everywhere, but for loopback (plain HTTP first, the usual local registry, then HTTPS if the port
    // speaks TLS) and insecure registries (HTTPS first, then plain HTTP).
    const origins = isLoopbackRegistry(registry)
      ? [`http://${host}`, `https://${host}`]
      : insecure
        ? [`https://${host}`, `http://${host}`]
        : [`https://${host}`];
    this.#dispatcher = options.transport.dispatcher(!insecure);
    this.#userAgent = options.userAgent;
    this.#anonymous = options.credentials === undefined;
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.log = options.log;
    this.bodyLimit = undefined;
    this.#auth = new Authenticator({
      registry,
      origins,
      credentials: options.credentials,
      dispatcher: this.#dispatcher,
      onSecret: options.onSecret,
      retrying: (what, fn) => this.retrying(what, fn),
    });
  }

  retryBudget(what: string): RetryBudget {
    return new RetryBudget(this.#policy, this.log, what);
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
    if (req.once) return this.#send(what, scopes, req);
    return this.retrying(what, () => this.#send(what, scopes, req));
  }

  async #send(what: string, scopes: readonly string[], req: ClientRequest): Promise<HttpResponse> {
    const base = await this.#auth.baseUrl();
    const url = new URL(req.url, base).href;
    // An upload URL on another origin (object storage) must never see the registry's credentials.
    const sameOrigin = new URL(url).origin === new URL(base).origin;
    for (let attempt = 0; ; attempt++) {
      const authorization = sameOrigin ? await this.#auth.authorization(scopes) : undefined;
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...req.headers };
      if (authorization) headers.authorization = authorization;
      const body = req.body ? await req.body() : undefined;
      let res: HttpResponse;
      try {
        res = await send(this.#dispatcher, { method: req.method, url, headers, ...(body ? { body } : {}) });
      } catch (err) {
        throw networkError(what, this.registry, err);
      }
      if (res.status === 401 && attempt === 0) {
        this.#auth.invalidate(scopes, header(res.headers, 'www-authenticate'));
        if (!req.once) {
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
