import type { Dispatcher } from 'undici';
import { parseChallenges, type Challenge } from './challenge.ts';
import { networkError, RegistryError, responseError } from './errors.ts';
import { header, send } from './http.ts';

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
  readonly #baseUrl: string;
  readonly #credentials: Credentials | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #onSecret: (value: string) => void;
  #challenge: Promise<Challenge | undefined> | undefined;
  readonly #tokens = new Map<string, Promise<CachedToken>>();

  constructor(options: {
    registry: string;
    baseUrl: string;
    credentials: Credentials | undefined;
    dispatcher: Dispatcher;
    onSecret: (value: string) => void;
  }) {
    this.#registry = options.registry;
    this.#baseUrl = options.baseUrl;
    this.#credentials = options.credentials;
    this.#dispatcher = options.dispatcher;
    this.#onSecret = options.onSecret;
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
    let res;
    try {
      res = await send(this.#dispatcher, { method: 'GET', url: `${this.#baseUrl}/v2/` });
    } catch (err) {
      throw networkError('connecting', this.#registry, err);
    }
    const text = await res.body.text();
    if (res.status === 401) {
      const challenge = pickChallenge(parseChallenges(header(res.headers, 'www-authenticate')));
      if (!challenge) {
        throw new RegistryError(
          `connecting: ${this.#registry} answered 401 without a Basic or Bearer challenge`,
          'this registry needs an authentication scheme image-push does not speak',
          401,
        );
      }
      return challenge;
    }
    if (res.status >= 200 && res.status < 300) return undefined;
    if (res.status === 404) {
      throw new RegistryError(
        `connecting: ${this.#baseUrl}/v2/ answered 404`,
        `${this.#registry} does not look like an OCI registry; check the host name`,
        404,
      );
    }
    throw responseError('connecting', this.#registry, res.status, text);
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
        undefined,
      );
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);

    const basic = this.#basic();
    const what = `getting a token for ${scopes.join(' ')}`;
    let res;
    try {
      res = await send(this.#dispatcher, {
        method: 'GET',
        url: url.href,
        headers: basic ? { authorization: basic } : {},
      });
    } catch (err) {
      throw networkError(what, url.host, err);
    }
    const text = await res.body.text();
    if (res.status !== 200) throw responseError(what, url.host, res.status, text);
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
