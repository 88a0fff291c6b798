import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { isLoopbackRegistry, registryApiHost } from '../reference.ts';
import { Authenticator, type Credentials } from './auth.ts';
import { networkError, responseError } from './errors.ts';
import { header, send, type HttpResponse, type Method } from './http.ts';

export interface RegistryClientOptions {
  readonly credentials: Credentials | undefined;
  /** Registries that may be reached over plain HTTP (loopback always may). */
  readonly insecureRegistries: readonly string[];
  readonly dispatcher: Dispatcher;
  /** Receives every credential and token before it is used, so the front end can mask it in logs. */
  readonly onSecret: (value: string) => void;
  readonly userAgent: string;
}

export interface ClientRequest {
  readonly method: Method;
  /** A path below the registry's root (`/v2/...`), or an absolute URL the registry handed out. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A factory, so that the request can be sent again after a 401 with a fresh token. */
  readonly body?: () => Promise<Buffer | Readable>;
  /** Statuses that count as success; anything else throws a RegistryError. */
  readonly ok: readonly number[];
}

/** The repository scope a push needs; a token for it also allows the HEADs and mounts into it. */
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

/**
 * Talks to one registry: resolves URLs, authenticates (retrying once after a 401 with a fresh token) and
 * turns failures into RegistryErrors. Blob and manifest operations are built on `request`.
 */
export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  /** True when no credentials were given: a 401 then means "log in", not "wrong password". */
  get anonymous(): boolean {
    return this.#anonymous;
  }
  readonly #auth: Authenticator;
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string;
  readonly #anonymous: boolean;

  constructor(registry: string, options: RegistryClientOptions) {
    this.registry = registry;
    const plainHttp = isLoopbackRegistry(registry) || options.insecureRegistries.includes(registry);
    this.baseUrl = `${plainHttp ? 'http' : 'https'}://${registryApiHost(registry)}`;
    this.#dispatcher = options.dispatcher;
    this.#userAgent = options.userAgent;
    this.#anonymous = options.credentials === undefined;
    this.#auth = new Authenticator({
      registry,
      baseUrl: this.baseUrl,
      credentials: options.credentials,
      dispatcher: options.dispatcher,
      onSecret: options.onSecret,
    });
  }

  /** Sends a request needing `scopes`; `what` names the operation in errors ("uploading blob sha256:..."). */
  async request(what: string, scopes: readonly string[], req: ClientRequest): Promise<HttpResponse> {
    const url = new URL(req.url, this.baseUrl).href;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.#auth.authorization(scopes);
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
        await res.body.dump();
        this.#auth.invalidate(scopes, header(res.headers, 'www-authenticate'));
        continue;
      }
      if (!req.ok.includes(res.status)) {
        const text = req.method === 'HEAD' ? '' : await res.body.text().catch(() => '');
        if (req.method === 'HEAD') await res.body.dump();
        throw responseError(what, this.registry, res.status, text, this.#anonymous);
      }
      return res;
    }
  }
}
