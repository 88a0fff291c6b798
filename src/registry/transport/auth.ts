import { parseChallenges, type Challenge } from './challenge.ts';
import { RegistryError, responseError } from './errors.ts';
import { header, type HttpRequest, type HttpResponse } from './http.ts';
import { discoverOrigin, type OriginPolicy } from './origin.ts';

/** One HTTP exchange with `host`, with the client's timeouts, deadline and error wording. */
export type Transmit = (what: string, host: string, req: HttpRequest) => Promise<HttpResponse>;

/** Runs `fn`, retrying it as the client's retry policy allows. */
export type Retrying = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /**
   * An OAuth2 refresh token (`identitytoken` in the Docker config, written by `docker login` to ACR and
   * others): exchanged at the token realm with `grant_type=refresh_token` instead of sending the password.
   */
  readonly identityToken?: string;
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** Tokens are renewed this long before they expire, so a request never carries one that lapses in flight. */
const EXPIRY_MARGIN_MS = 10_000;
/** What the distribution token spec says to assume when a token service names no lifetime. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Knows how one registry wants to be authenticated and hands out `Authorization` values for sets of
 * scopes: Basic credentials, or Bearer tokens fetched from the challenge's realm and cached per scope set.
 * The scheme is learnt once, from the registry's answer to `GET /v2/`.
 */
export class Authenticator {
  readonly #registry: string;
  readonly #origins: OriginPolicy;
  #baseUrl: string;
  readonly #credentials: Credentials | undefined;
  readonly #transmit: Transmit;
  readonly #onSecret: (value: string) => void;
  readonly #retrying: Retrying;
  #challenge: Promise<Challenge | undefined> | undefined;
  readonly #tokens = new Map<string, Promise<CachedToken>>();

  constructor(options: {
    registry: string;
    /** The schemes to try, and where plain HTTP may go. */
    origins: OriginPolicy;
    credentials: Credentials | undefined;
    transmit: Transmit;
    onSecret: (value: string) => void;
    retrying: Retrying;
  }) {
    this.#registry = options.registry;
    this.#origins = options.origins;
    this.#baseUrl = options.origins.candidates[0] ?? '';
    this.#credentials = options.credentials;
    this.#transmit = options.transmit;
    this.#onSecret = options.onSecret;
    this.#retrying = options.retrying;
  }

  /** The registry's base URL, once `GET /v2/` has told which scheme it speaks. */
  async baseUrl(): Promise<string> {
    await (this.#challenge ??= this.#ping());
    return this.#baseUrl;
  }

  /** The `Authorization` header for a request that needs `scopes`, or undefined for anonymous access. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    this.#challenge ??= this.#ping();
    const challenge = await this.#challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') return this.#basic();
    const key = [...scopes].sort().join(' ');
    let token = this.#tokens.get(key);
    if (token) {
      const cached = await token.catch(() => undefined);
      if (!cached || cached.expiresAt <= Date.now()) token = undefined;
    }
    if (!token) {
      token = this.#fetchToken(challenge, scopes);
      this.#tokens.set(key, token);
      token.catch(() => this.#tokens.delete(key));
    }
    return `Bearer ${(await token).value}`;
  }

  /**
   * Called when a request was answered 401: forgets the token for these scopes and takes the registry's new
   * challenge, so the next `authorization()` fetches a fresh token (expired tokens, scope changes).
   */
  invalidate(scopes: readonly string[], wwwAuthenticate: string | undefined): void {
    this.#tokens.delete([...scopes].sort().join(' '));
    const challenge = pickChallenge(parseChallenges(wwwAuthenticate));
    if (challenge) this.#challenge = Promise.resolve(challenge);
  }

  async #ping(): Promise<Challenge | undefined> {
    const { res, text } = await this.#retrying('connecting', () => this.#pingOrigins());
    if (res.status === 401) {
      const challenge = pickChallenge(parseChallenges(header(res.headers, 'www-authenticate')));
      if (!challenge) {
        throw new RegistryError(
          `connecting: ${this.#registry} answered 401 without a Basic or Bearer challenge`,
          'this registry needs an authentication scheme image-push does not speak',
          { status: 401 },
        );
      }
      return challenge;
    }
    if (res.status >= 200 && res.status < 300) return undefined;
    if (res.status === 404) {
      throw new RegistryError(
        `connecting: ${this.#baseUrl}/v2/ answered 404`,
        `${this.#registry} does not look like an OCI registry; check the host name`,
        { status: 404 },
      );
    }
    throw responseError('connecting', this.#registry, res.status, text);
  }

  /** `GET /v2/` until an origin answers in a protocol it speaks; 429 and 5xx are worth a retry. */
  async #pingOrigins(): Promise<{ res: HttpResponse; text: string }> {
    const { origin, res, text } = await discoverOrigin(this.#origins, (req) =>
      this.#transmit('connecting', this.#registry, req),
    );
    this.#baseUrl = origin;
    if (res.status === 429 || res.status >= 500) {
      throw responseError('connecting', this.#registry, res.status, text, false, res.headers);
    }
    return { res, text };
  }

  /** The token spec's GET: Basic credentials (if any) for the scopes in the query. */
  #tokenRequest(url: URL): HttpRequest {
    const basic = this.#basic();
    return { method: 'GET', url: url.href, headers: basic ? { authorization: basic } : {} };
  }

  /** The OAuth2 form (docker/distribution's token spec): trade the identity token for an access token. */
  #refreshTokenRequest(url: URL, identityToken: string): HttpRequest {
    this.#onSecret(identityToken);
    const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: 'image-push' });
    form.set('refresh_token', identityToken);
    const service = url.searchParams.get('service');
    if (service) form.set('service', service);
    const scopes = url.searchParams.getAll('scope');
    if (scopes.length) form.set('scope', scopes.join(' '));
    const realm = new URL(url.href);
    realm.search = '';
    return {
      method: 'POST',
      url: realm.href,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    };
  }

  /**
   * The token realm is the registry's to name, and may be another host (Docker Hub, GHCR do that), but
   * the credentials sent there must not travel in clear text: a plain-HTTP realm is refused unless its host
   * is loopback or listed as insecure, as is any scheme but http(s).
   */
  #checkRealm(url: URL): void {
    const what = `authenticating to ${this.#registry}`;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError(
        `${what}: the token realm "${url.href}" is not an http(s) URL`,
        'the registry is misconfigured (auth.token.realm); ask its operator',
      );
    }
    // Anonymous token requests carry no secret: only credentials are kept off plain HTTP.
    if (this.#credentials && url.protocol === 'http:' && !this.#origins.plainHttpAllowed(url.host)) {
      throw new RegistryError(
        `${what}: the registry sends clients to the plain-HTTP token realm ${url.origin}; refused to send the credentials there in clear text`,
        `the registry should name an https:// realm; list ${url.host} in insecure-registries only if that network is trusted`,
      );
    }
  }

  #basic(): string | undefined {
    if (!this.#credentials) return undefined;
    const value = Buffer.from(`${this.#credentials.username}:${this.#credentials.password}`).toString(
      'base64',
    );
    this.#onSecret(value);
    return `Basic ${value}`;
  }

  async #fetchToken(challenge: Challenge, scopes: readonly string[]): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) {
      throw new RegistryError(
        `authenticating: ${this.#registry} sent a Bearer challenge without a realm`,
        undefined,
      );
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(
        `authenticating: ${this.#registry} sent an invalid token realm "${realm}"`,
        'the realm must be an absolute https:// URL (auth.token.realm); ask the registry operator',
      );
    }
    this.#checkRealm(url);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);

    const what = `getting a token for ${scopes.join(' ')}`;
    const identityToken = this.#credentials?.identityToken;
    const text = await this.#retrying(what, async () => {
      const res = await this.#transmit(
        what,
        url.host,
        identityToken ? this.#refreshTokenRequest(url, identityToken) : this.#tokenRequest(url),
      );
      const text = await res.body.text();
      if (res.status !== 200) throw responseError(what, url.host, res.status, text, false, res.headers);
      return text;
    });
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RegistryError(
        `${what}: the token service at ${url.host} answered with something that is not JSON`,
        undefined,
      );
    }
    const value = body.token ?? body.access_token;
    if (!value) throw new RegistryError(`${what}: the token service at ${url.host} sent no token`, undefined);
    this.#onSecret(value);
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const lifetime = Math.max(seconds * 1000 - EXPIRY_MARGIN_MS, (seconds * 1000) / 2);
    return { value, expiresAt: Date.now() + lifetime };
  }
}

/** Bearer is preferred: it is what registries mean when they offer both. */
function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
