import { ImagePushError } from '../errors.ts';
import { header, parseRetryAfter, type IncomingHttpHeaders } from './http.ts';

interface ErrorBody {
  errors?: { code?: unknown; message?: unknown; detail?: unknown }[];
}

/** A registry answered with an error status, or could not be reached. */
export class RegistryError extends ImagePushError {
  readonly status: number | undefined;
  /** Error codes from the registry's JSON body (`BLOB_UNKNOWN`, `DENIED`, ...). */
  readonly codes: readonly string[];
  /** How long the registry asked us to wait (`Retry-After` on 429/503), in milliseconds. */
  retryAfterMs: number | undefined;

  constructor(
    message: string,
    hint: string | undefined,
    status?: number,
    codes: readonly string[] = [],
    cause?: unknown,
  ) {
    super(message, hint, cause === undefined ? undefined : { cause });
    this.name = 'RegistryError';
    this.status = status;
    this.codes = codes;
    this.retryAfterMs = undefined;
  }
}

/** The distribution spec's error body, tolerating registries that send HTML or nothing. */
export function parseErrorBody(text: string): { codes: string[]; summary: string } {
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
  const err = statusError(what, registry, status, bodyText, anonymous);
  err.retryAfterMs = parseRetryAfter(headers ? header(headers, 'retry-after') : undefined);
  return err;
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
      status,
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
        status,
        codes,
      );
    case 403:
      return new RegistryError(
        message,
        /rate.?limit/i.test(summary)
          ? 'the registry is rate-limiting this client (GHCR counts upload sessions); lower concurrency or try later'
          : `the credentials are valid but may not push here; for ghcr.io give the job "permissions: packages: write"`,
        status,
        codes,
      );
    case 404:
      return new RegistryError(
        message,
        codes.includes('NAME_UNKNOWN')
          ? 'the repository does not exist; some registries (Amazon ECR) need it created before the first push'
          : undefined,
        status,
        codes,
      );
    case 413:
      return new RegistryError(
        message,
        'a proxy in front of the registry limits request bodies',
        status,
        codes,
      );
    case 429:
      return new RegistryError(
        message,
        'the registry is rate-limiting this client; try again later',
        status,
        codes,
      );
    default:
      return new RegistryError(message, undefined, status, codes);
  }
}

/** Connection-level failures, with the usual causes spelled out. */
export function networkError(what: string, registry: string, err: unknown): RegistryError {
  const code = (err as { code?: string }).code ?? '';
  const message = `${what}: cannot reach ${registry}: ${(err as Error).message}${code && !(err as Error).message.includes(code) ? ` (${code})` : ''}`;
  let hint: string | undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') hint = 'check the registry host name';
  else if (code === 'ECONNREFUSED') hint = 'is the registry running, and on this port?';
  else if (code.startsWith('HPE_') || /does not match the HTTP/i.test((err as Error).message)) {
    hint = `${registry} does not speak HTTP; check the host name and port`;
  } else if (/certificate|SSL|TLS|CERT_/i.test(`${code} ${(err as Error).message}`)) {
    hint =
      'the TLS certificate is not trusted: give its CA with the ca-file input (or NODE_EXTRA_CA_CERTS), or list the registry in insecure-registries to skip verification';
  }
  return new RegistryError(message, hint, undefined, [], err);
}
