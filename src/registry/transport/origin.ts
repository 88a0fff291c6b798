import { isListedInsecure, isLoopbackRegistry, registryApiHost } from '../../oci/reference.ts';
import { RegistryError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http.ts';

/**
 * Which schemes a registry may be spoken to in, and which hosts may get plain HTTP at all. HTTPS everywhere,
 * but for loopback (plain HTTP first, the usual local registry, then HTTPS if the port speaks TLS) and the
 * registries listed as insecure (HTTPS first, then plain HTTP).
 */
export class OriginPolicy {
  readonly registry: string;
  /** Listed in insecure-registries: plain HTTP and unverified TLS are allowed. */
  readonly insecure: boolean;
  /** Base URLs to try, in order. */
  readonly candidates: readonly string[];
  readonly #insecureRegistries: readonly string[];

  constructor(registry: string, insecureRegistries: readonly string[]) {
    this.registry = registry;
    this.#insecureRegistries = insecureRegistries;
    this.insecure = isListedInsecure(registry, insecureRegistries);
    const host = registryApiHost(registry);
    this.candidates = isLoopbackRegistry(registry)
      ? [`http://${host}`, `https://${host}`]
      : this.insecure
        ? [`https://${host}`, `http://${host}`]
        : [`https://${host}`];
  }

  /** Whether `host` (`name[:port]`, any host, not only this registry) may be spoken to in plain HTTP. */
  plainHttpAllowed(host: string): boolean {
    return isLoopbackRegistry(host) || isListedInsecure(host, this.#insecureRegistries);
  }

  /**
   * Throws unless a request may go from `from` to `to` (a redirect, an upload Location): never to plain
   * HTTP but on a host that may get it (loopback, insecure-registries), never to a scheme other than these.
   */
  checkMove(what: string, from: URL | undefined, to: URL): void {
    if (to.protocol !== 'https:' && to.protocol !== 'http:') {
      throw new RegistryError(
        `${what}: ${this.registry} sent the client to "${to.href}", which is not an http(s) URL`,
        'the registry or a proxy in front of it is misconfigured; ask its operator',
      );
    }
    if (to.protocol === 'http:' && !this.plainHttpAllowed(to.host)) {
      throw new RegistryError(
        `${what}: the client was sent from ${from ? from.origin : this.registry} to plain-HTTP ${to.origin}; refused, nothing was sent there`,
        `plain HTTP would expose the data and credentials; fix the registry's URL settings, or list ${to.host} in insecure-registries if that network is trusted`,
      );
    }
  }
}

/** `GET /v2/` on one origin; the client supplies it, with its timeouts and error wording. */
export type Ping = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * Finds the scheme the registry speaks: `GET /v2/` on each candidate origin until one answers over a
 * protocol it speaks (a registry on loopback, or listed as insecure, may speak TLS or plain HTTP).
 */
export async function discoverOrigin(
  policy: OriginPolicy,
  ping: Ping,
): Promise<{ origin: string; res: HttpResponse; text: string }> {
  for (let i = 0; ; i++) {
    const origin = policy.candidates[i] ?? '';
    const another = i + 1 < policy.candidates.length;
    let res: HttpResponse;
    try {
      res = await ping({ method: 'GET', url: `${origin}/v2/` });
    } catch (err) {
      if (another && speaksOtherProtocol(err)) continue;
      throw err;
    }
    const text = await res.body.text();
    // Plain HTTP to a TLS port: Go and nginx answer 400 and say so ("an HTTP request to an HTTPS server").
    if (another && origin.startsWith('http:') && res.status === 400 && /https/i.test(text)) continue;
    return { origin, res, text };
  }
}

/** Errors that mean "this port speaks another protocol": a TLS hello answered in plain HTTP, or a reset. */
function speaksOtherProtocol(err: unknown): boolean {
  const cause = err instanceof RegistryError && err.cause !== undefined ? err.cause : err;
  const code = (cause as { code?: unknown }).code;
  return (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    code === 'EPROTO' ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET' // plain HTTP to a TLS port that hangs up
  );
}
