// A Docker token service (the distribution "token" auth spec) for tests: it checks Basic credentials, grants the
// scopes asked for, and signs ES256 JWTs that a real registry configured with `auth.token` verifies.
import { execFile } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TokenRequest {
  readonly account: string | undefined;
  readonly scopes: string[];
  readonly service: string | null;
}

export interface TokenService {
  /** The realm to configure in the registry. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM certificate the registry trusts (`auth.token.rootcertbundle`). */
  readonly certPath: string;
  /** Every token request so far, in order. */
  readonly requests: TokenRequest[];
  stop(): Promise<void>;
}

export interface TokenServiceOptions {
  /** username -> password; anyone else is anonymous. */
  readonly users: Readonly<Record<string, string>>;
  /** Lifetime of the tokens it issues. */
  readonly lifetimeSeconds?: number;
  /**
   * The `expires_in` it tells clients, when it should differ from the real lifetime: a token that lapses
   * sooner than announced is how a client meets a 401 in the middle of a push.
   */
  readonly advertisedLifetimeSeconds?: number;
  /** refresh_token -> username: OAuth2 identity tokens accepted by POST (`grant_type=refresh_token`). */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  /** Anonymous callers get pull access (as on public registries); otherwise nothing. */
  readonly anonymousPull?: boolean;
}

export async function startTokenService(dir: string, options: TokenServiceOptions): Promise<TokenService> {
  const keyPath = join(dir, 'token-key.pem');
  const certPath = join(dir, 'token-cert.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    '/CN=image-push test token signer',
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = pemToDer(await readFile(certPath, 'utf8'));
  const service = 'image-push-test-registry';
  const issuer = 'image-push-test-issuer';
  const lifetime = options.lifetimeSeconds ?? 300;
  const requests: TokenRequest[] = [];

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST') {
      void readForm(req).then((form) =>
        issue(res, form, options.refreshTokens?.[form.get('refresh_token') ?? ''] ?? null),
      );
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    issue(res, url.searchParams, authenticate(req.headers.authorization, options.users));
  });

  /** Grants `scope`s to `account` (undefined: anonymous; null: refused). */
  const issue = (res: ServerResponse, params: URLSearchParams, account: string | undefined | null): void => {
    if (account === null) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }),
      );
      return;
    }
    // GET repeats `scope`; the OAuth2 form joins scopes with spaces.
    const scopes = params.getAll('scope').flatMap((scope) => scope.split(' '));
    requests.push({ account, scopes, service: params.get('service') });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = splitScope(scope);
      if (!type || !name) return [];
      const allowed = (actions ?? '')
        .split(',')
        .filter((a) => (account ? true : options.anonymousPull && a === 'pull'));
      return [{ type, name, actions: allowed }];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(key, certDer, {
      iss: issuer,
      sub: account ?? '',
      aud: service,
      exp: now + lifetime,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: options.advertisedLifetimeSeconds ?? lifetime,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The account name, undefined for anonymous, null for wrong credentials. */
function authenticate(
  header: string | undefined,
  users: Readonly<Record<string, string>>,
): string | undefined | null {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return users[user] !== undefined && users[user] === password ? user : null;
}

/** `repository:a/b:pull,push`; the name may hold a port (`repository:host:5000/a:pull`). */
function splitScope(scope: string): [string | undefined, string | undefined, string | undefined] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first === -1 || last === first) return [undefined, undefined, undefined];
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1)];
}

function signJwt(key: KeyObject, certDer: Buffer, claims: object): string {
  const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
