// Never from HTTPS to plain HTTP: a registry served over verified HTTPS that sends the client to a plain-HTTP token
// realm, redirects an upload or a HEAD to http://, hands out an http:// Location to itself, or whose token endpoint
// redirects to http://. Proxies in front of the real registry and token service play those parts under made-up
// host names (registry.test, auth.test, plain.test), which the push resolves to loopback through its `lookup`: to
// the client they are remote hosts, which loopback would not be. Each row checks the message and, from the
// plain-HTTP listener's own record, that nothing (no credentials, no blob byte) reached it; control rows list the
// plain host in insecure-registries and show the same setup going through, and the listener recording.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { push } from '../../src/push/push.ts';
import type { Credentials } from '../../src/registry/transport/auth.ts';
import { writeOciLayout } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import {
  startFaultProxy,
  type FaultKind,
  type FaultProxy,
  type ProxyRequestInfo,
} from '../helpers/fault-proxy.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { createTestCertificates, type TlsFiles } from '../helpers/tls.ts';
import { startTokenService, type TokenService } from '../helpers/token-service.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const ALICE: Credentials = { username: 'alice', password: 'alice-secret' };
const IDENTITY: Credentials = { username: '<token>', password: '', identityToken: 'alice-refresh-token' };

/** Made-up names (and only those) resolve to loopback. */
const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (!hostname.endsWith('.test')) {
    callback(Object.assign(new Error(`test lookup: ${hostname} is not a .test name`), { code: 'ENOTFOUND' }));
  } else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

let tls: TlsFiles;
let ca: string;
let layout: string;
let tokens: TokenService;
/** The plain-HTTP listeners: in front of the token service, and of the open registry. */
let plainToken: FaultProxy;
let plainBlobs: FaultProxy;
/** HTTPS in front of the token service, for the realm that redirects. */
let authFront: FaultProxy;
let tokenRegistry: TestRegistry;
let redirectingRealmRegistry: TestRegistry;
let openRegistry: TestRegistry;
let ftpRealmRegistry: TestRegistry;
const proxies: FaultProxy[] = [];

before(async () => {
  await ensureTools(['docker-registry', 'openssl']);
  const dir = await makeTempDir('downgrades-');
  tls = await createTestCertificates(['registry.test', 'auth.test']);
  ca = await readFile(tls.caPath, 'utf8');
  layout = join(dir, 'layout');
  await writeOciLayout(layout, { layers: [{ size: 128 * 1024 }], seed: 21 });
  tokens = await startTokenService(dir, {
    users: { [ALICE.username]: ALICE.password },
    refreshTokens: { [IDENTITY.identityToken ?? '']: ALICE.username },
  });
  const tokenOrigin = new URL(tokens.realm).origin;
  plainToken = await startFaultProxy(tokenOrigin, {}, { hostname: 'plain.test' });
  authFront = await startFaultProxy(
    tokenOrigin,
    { faultFilter: () => 'redirect', redirectTo: plainToken.url },
    { tls, hostname: 'auth.test' },
  );
  const tokenAuth = { service: tokens.service, issuer: tokens.issuer, certPath: tokens.certPath };
  [tokenRegistry, redirectingRealmRegistry, openRegistry, ftpRealmRegistry] = await Promise.all([
    startRegistry({ token: { ...tokenAuth, realm: `${plainToken.url}/token` } }),
    startRegistry({ token: { ...tokenAuth, realm: `${authFront.url}/token` } }),
    startRegistry(),
    startRegistry({ token: { ...tokenAuth, realm: `ftp://${plainToken.host}/token` } }),
  ]);
  plainBlobs = await startFaultProxy(openRegistry.url, {}, { hostname: 'plain.test' });
});

after(async () => {
  await Promise.all([...proxies, plainToken, plainBlobs, authFront].map((p) => p.close()));
  await Promise.all(
    [tokenRegistry, redirectingRealmRegistry, openRegistry, ftpRealmRegistry].map((r) => r.stop()),
  );
  await tokens.stop();
  await tls.remove();
});

interface DowngradeCase {
  readonly name: string;
  readonly registry: () => TestRegistry;
  /** What the HTTPS proxy in front of the registry does to a request. */
  readonly fault?: (req: ProxyRequestInfo) => boolean | FaultKind;
  /** Where its `redirect` faults point. */
  readonly redirectTo?: () => string;
  readonly credentials?: Credentials;
  readonly insecure?: () => string[];
  /** The push fails with this; undefined: it succeeds (a control row). */
  readonly message?: RegExp;
  /** The plain-HTTP listener that must see nothing (or, in a control row, see the request). */
  readonly listener: () => FaultProxy;
  /** Push straight to this registry host instead of the HTTPS proxy. */
  readonly destination?: () => string;
}

const upload = (r: ProxyRequestInfo): boolean =>
  (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/uploads/');

const CASES: DowngradeCase[] = [
  {
    name: 'a plain-HTTP token realm on another host: Basic credentials are not sent',
    registry: () => tokenRegistry,
    credentials: ALICE,
    message:
      /^authenticating to registry\.test:\d+: the registry sends clients to the plain-HTTP token realm http:\/\/plain\.test:\d+; refused to send the credentials there in clear text\. .*insecure-registries/,
    listener: () => plainToken,
  },
  {
    name: 'a plain-HTTP token realm: an identity token is not sent either',
    registry: () => tokenRegistry,
    credentials: IDENTITY,
    message: /plain-HTTP token realm http:\/\/plain\.test:\d+; refused to send the credentials/,
    listener: () => plainToken,
  },
  {
    name: 'a token realm with another scheme (ftp://): refused, whatever insecure-registries says',
    registry: () => ftpRealmRegistry,
    credentials: ALICE,
    insecure: () => [plainToken.host],
    message:
      /^authenticating to registry\.test:\d+: the token realm "ftp:\/\/plain\.test:\d+\/token.*" is not an http\(s\) URL/,
    listener: () => plainToken,
  },
  {
    name: 'control: the realm host listed in insecure-registries gets the credentials, and the listener sees them',
    registry: () => tokenRegistry,
    credentials: ALICE,
    insecure: () => [plainToken.host],
    listener: () => plainToken,
  },
  {
    name: 'the token endpoint (HTTPS) redirects to plain HTTP: not followed',
    registry: () => redirectingRealmRegistry,
    credentials: ALICE,
    message:
      /^getting a token for .*: the client was sent from https:\/\/auth\.test:\d+ to plain-HTTP http:\/\/plain\.test:\d+; refused, nothing was sent there/,
    listener: () => plainToken,
  },
  {
    name: 'a blob upload redirected (307) from HTTPS to plain HTTP: no byte goes there',
    registry: () => openRegistry,
    fault: (r) => (upload(r) ? 'redirect' : false),
    redirectTo: () => plainBlobs.url,
    message:
      /^uploading blob sha256:[0-9a-f]{64} to down\/\d+: the client was sent from https:\/\/registry\.test:\d+ to plain-HTTP http:\/\/plain\.test:\d+; refused/,
    listener: () => plainBlobs,
  },
  {
    name: 'control: the redirect target listed in insecure-registries (host alone, no port) gets the upload',
    registry: () => openRegistry,
    fault: (r) => (upload(r) ? 'redirect' : false),
    redirectTo: () => plainBlobs.url,
    insecure: () => ['plain.test'],
    listener: () => plainBlobs,
  },
  {
    name: 'a blob HEAD redirected from HTTPS to plain HTTP: not followed',
    registry: () => openRegistry,
    fault: (r) => (r.method === 'HEAD' && r.path.includes('/blobs/') ? 'redirect' : false),
    redirectTo: () => plainBlobs.url,
    message:
      /^checking blob sha256:[0-9a-f]{64}: the client was sent from https:\/\/registry\.test:\d+ to plain-HTTP http:\/\/plain\.test:\d+; refused/,
    listener: () => plainBlobs,
  },
  {
    name: 'the registry hands out an http:// Location to itself: refused, not "check the username and password"',
    registry: () => tokenRegistry,
    credentials: ALICE,
    insecure: () => [plainToken.host],
    fault: (r) => (r.method === 'POST' && r.path.includes('/blobs/uploads/') ? 'http-location' : false),
    message:
      /^uploading blob sha256:[0-9a-f]{64} to down\/\d+: the client was sent from https:\/\/registry\.test:\d+ to plain-HTTP http:\/\/registry\.test:\d+; refused/,
    listener: () => plainBlobs,
  },
  {
    name: 'a plain-HTTP registry not listed as insecure: HTTPS only, and the message says it speaks plain HTTP',
    registry: () => openRegistry,
    // The real registry's own port, under a name that is not loopback.
    destination: () => `plain.test:${new URL(openRegistry.url).port}`,
    message:
      /^connecting: plain\.test:\d+ speaks plain HTTP, not HTTPS\. list plain\.test:\d+ in insecure-registries to use plain HTTP \(only on a network you trust\)$/,
    listener: () => plainBlobs,
  },
];

describe('no downgrade from HTTPS to plain HTTP', () => {
  let n = 0;
  for (const c of CASES) {
    test(c.name, async () => {
      const registry = c.registry();
      const front = await startFaultProxy(
        registry.url,
        { faultFilter: c.fault ?? null, redirectTo: c.redirectTo?.() ?? null },
        { tls, hostname: 'registry.test' },
      );
      proxies.push(front);
      const listener = c.listener();
      listener.clearRequests();
      await registry.clearRequests();
      const repository = `down/${++n}`;
      const pushing = push({
        source: `oci:${layout}`,
        destinations: [`${c.destination?.() ?? front.host}/${repository}:v1`],
        concurrency: 2,
        logger: recordingLogger(),
        ca,
        lookup,
        insecureRegistries: c.insecure?.() ?? [],
        dockerConfig: false,
        ...(c.credentials ? { credentials: c.credentials } : {}),
        retryPolicy: { retries: 2, maxElapsedMs: 20_000, baseDelayMs: 20, maxDelayMs: 100 },
      });
      const tagged = async (): Promise<number> =>
        (await registry.requests()).filter(
          (r) => r.method === 'PUT' && r.path === `/v2/${repository}/manifests/v1` && r.status === 201,
        ).length;
      if (c.message) {
        const line = await rejectsWithLine(pushing, c.message);
        assert.doesNotMatch(line, /username and password/);
        // Only the TLS hello of the HTTPS attempt reaches a plain-HTTP registry pushed to directly.
        assert.deepEqual(listener.requests(), [], 'no HTTP request reached the plain-HTTP listener');
        assert.equal(await tagged(), 0, 'no tag moved');
      } else {
        await pushing;
        assert.equal(await tagged(), 1, 'the tag was pushed');
        const seen = listener.requests();
        assert.ok(seen.length > 0, 'the listener recorded the requests sent to it');
        if (c.credentials) {
          assert.ok(
            seen.some((r) => r.authorization?.startsWith('Basic ')),
            'the listener records credentials when they are sent',
          );
        }
      }
      await front.close();
    });
  }
});
