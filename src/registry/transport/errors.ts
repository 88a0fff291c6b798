import { ImagePushError } from '../../errors.ts';
import { header, parseRetryAfter, type IncomingHttpHeaders } from './http.ts';

interface ErrorBody {
  errors?: { code?: unknown; message?: unknown; detail?: unknown }[];
}

export interface RegistryErrorOptions {
  /** The HTTP status the registry answered; none when it could not be reached or answered nothing. */
  readonly status?: number | undefined;
  /** Error codes from the registry's JSON body (`BLOB_UNKNOWN`, `DENIED`, ...). */
  readonly codes?: readonly string[];
  /** How long the registry asked us to wait (`Retry-After` on 429/503), in milliseconds. */
  readonly retryAfterMs?: number | undefined;
  /** The registry could not be reached or went silent: no answer to go by (not a refusal). */
  readonly network?: boolean;
  readonly cause?: unknown;
}

/** A registry answered with an error status, or could not be reached. */
export class RegistryError extends ImagePushError {
  readonly status: number | undefined;
  readonly codes: readonly string[];
  readonly retryAfterMs: number | undefined;
  readonly network: boolean;

  constructor(message: string, hint?: string, options: RegistryErrorOptions = {}) {
    super(message, hint, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.status = options.status;
    this.codes = options.codes ?? [];
    this.retryAfterMs = options.retryAfterMs;
    this.network = options.network ?? false;
  }
}

/** The distribution spec's error body, tolerating registries that send HTML or nothing. */
function parseErrorBody(text: string): { codes: string[]; summary: string } {
  try {
    const body = JSON.parse(text) as ErrorBody;
    const errors = Array.isArray(body.errors) ? body.errors : [];
    const str = (value: unknown): string => (typeof value === 'string' ? value : '');
    const codes = errors.map((e) => str(e.code) || 'UNKNOWN');
    const summary = errors.map((e, i) => `${codes[i] ?? 'UNKNOWN'}: ${str(e.message)}`.trim()).join('; ');
    if (summary) return { codes, summary };
  } catch {
    // not JSON: fall through to a trimmed excerpt
  }
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return { codes: [], summary: excerpt };
}

/** Turns an error response into an error that says what failed and what to do about it. */
export function responseError(
  what: string,
  registry: string,
  status: number,
  bodyText: string,
  anonymous = false,
  headers?: IncomingHttpHeaders,
): RegistryError {
  const retryAfterMs = parseRetryAfter(headers ? header(headers, 'retry-after') : undefined);
  const err = statusError(what, registry, status, bodyText, anonymous);
  if (retryAfterMs === undefined) return err;
  return new RegistryError(err.message, err.hint, { status, codes: err.codes, retryAfterMs });
}

function statusError(
  what: string,
  registry: string,
  status: number,
  bodyText: string,
  anonymous: boolean,
): RegistryError {
  const { codes, summary } = parseErrorBody(bodyText);
  // An HTML page where a registry speaks JSON: a web server, a captive portal, or the wrong port.
  if (/^\s*<(!doctype|html|head|body)/i.test(bodyText) && ![401, 403, 413, 429].includes(status)) {
    return new RegistryError(
      `${what}: ${registry} answered ${status} with an HTML page`,
      `${registry} does not look like an OCI registry; check the host name and port`,
      { status },
    );
  }
  const detail = summary ? ` (${summary})` : '';
  const message = `${what}: ${registry} answered ${status}${detail}`;
  switch (status) {
    case 401:
      return new RegistryError(
        message,
        anonymous
          ? `no credentials were given for ${registry}: set username and password, or log in with docker/login-action first`
          : `check the username and password (or token) for ${registry}`,
        { status, codes },
      );
    case 403:
      return new RegistryError(
        message,
        /rate.?limit/i.test(summary)
          ? 'the registry is rate-limiting this client (GHCR counts upload sessions); lower concurrency or try later'
          : `the credentials are valid but may not push here; for ghcr.io give the job "permissions: packages: write"`,
        { status, codes },
      );
    case 404:
      return new RegistryError(
        message,
        codes.includes('NAME_UNKNOWN')
          ? 'the repository does not exist; some registries (Amazon ECR) need it created before the first push'
          : undefined,
        { status, codes },
      );
    case 413:
      return new RegistryError(message, 'a proxy in front of the registry limits request bodies', {
        status,
        codes,
      });
    case 429:
      return new RegistryError(message, 'the registry is rate-limiting this client; try again later', {
        status,
        codes,
      });
    default:
      return new RegistryError(message, undefined, { status, codes });
  }
}

/** undici's codes for a server that took the connection but went silent (no headers, or a stalled body). */
const SILENCE_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Connection-level failures, with the usual causes spelled out. `silentMs` is how long a silent server was
 * waited for: then the connection was made, and the message says "no answer", not "cannot reach".
 */
export function networkError(what: string, registry: string, err: unknown, silentMs?: number): RegistryError {
  const code = (err as { code?: string }).code ?? '';
  const text = (err as Error).message;
  if (SILENCE_CODES.has(code)) {
    const after = silentMs === undefined ? '' : ` after ${formatSeconds(silentMs)}`;
    return new RegistryError(
      `${what}: no answer from ${registry}${after} (${code === 'UND_ERR_BODY_TIMEOUT' ? 'it stopped in the middle of its answer' : 'the connection was made, but no answer came'})`,
      'the registry or a proxy in front of it is stuck or overloaded; try again later',
      { cause: err, network: true },
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(text)) {
    // A TLS hello answered in plain HTTP: OpenSSL's own words would only puzzle.
    return new RegistryError(
      `${what}: ${registry} speaks plain HTTP, not HTTPS`,
      `list ${registry} in insecure-registries to use plain HTTP (only on a network you trust)`,
      { cause: err, network: true },
    );
  }
  // A connection that was made and then broke is not one that could not be made; a TLS handshake the
  // server cut is a connection that was not made.
  const handshake = /before secure TLS connection/i.test(text);
  const verb = BROKEN_CODES.has(code) && !handshake ? 'lost the connection to' : 'cannot reach';
  const message = `${what}: ${verb} ${registry}: ${text}${code && !text.includes(code) ? ` (${code})` : ''}`;
  let hint: string | undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') hint = 'check the registry host name';
  else if (code === 'ECONNREFUSED') hint = 'is the registry running, and on this port?';
  else if (handshake) {
    hint = `the server hung up on the TLS handshake: if ${registry} speaks plain HTTP, list it in insecure-registries (only on a network you trust)`;
  } else if (code.startsWith('HPE_') || /does not match the HTTP/i.test(text)) {
    hint = `${registry} does not speak HTTP; check the host name and port`;
  } else if (/certificate|SSL|TLS|CERT_/i.test(`${code} ${text}`)) {
    hint =
      'the TLS certificate is not trusted: give its CA with the ca-file input (or NODE_EXTRA_CA_CERTS), or list the registry in insecure-registries to skip verification';
  }
  return new RegistryError(message, hint, { cause: err, network: true });
}

/** "45 s", "2.5 s": for messages about waits. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
