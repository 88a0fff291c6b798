// Bearer tokens against a real registry configured for token auth, with the test suite's token service.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import { RegistryClient } from '../../src/registry/transport/client.ts';
import { Transport } from '../../src/registry/transport/http.ts';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { startTokenService, type TokenService } from '../helpers/token-service.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const USER = 'builder';
const PASSWORD = 'token-service-pa55';
/** What `docker login` stores as `identitytoken` for registries with OAuth2 (ACR). */
const IDENTITY_TOKEN = 'identity-token-0f3c';

let tokens: TokenService;
let registry: TestRegistry;
let layout: string;
let image: SampleImage;
const secrets: string[] = [];

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'openssl']);
  const work = await makeTempDir('auth-');
  tokens = await startTokenService(work, {
    users: { [USER]: PASSWORD },
    anonymousPull: true,
    refreshTokens: { [IDENTITY_TOKEN]: USER },
  });
  registry = await startRegistry({ token: tokens });
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, {
    layers: [{ size: 500_000 }, { size: 200_000 }, { size: 1000 }],
    seed: 11,
  });
});

after(async () => {
  await registry.stop();
  await tokens.stop();
});

describe('Bearer token auth', () => {
  test('fetches one token for the repository scope and pushes with it', async () => {
    tokens.requests.length = 0;
    const result = await push({
      source: `oci:${layout}`,
      destinations: [`${registry.host}/bearer/app:1`],
      credentials: { username: USER, password: PASSWORD },
      concurrency: 4,
      logger: silentLogger,
      onSecret: (value) => secrets.push(value),
    });
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(tokens.requests, [
      { account: USER, scopes: ['repository:bearer/app:pull,push'], service: tokens.service },
    ]);
    assert.equal(secrets.length, 2, 'the Basic credential and the token were both handed over for masking');
    const raw = await inspectRaw(`${registry.host}/bearer/app:1`, `${USER}:${PASSWORD}`);
    assert.equal(raw.length, image.manifestSize);
  });

  test('a wrong password fails at the token service with the fix in the message', async () => {
    const line = await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/bearer/app:2`],
        credentials: { username: USER, password: 'wrong-secret' },
        concurrency: 4,
        logger: silentLogger,
      }),
      /getting a token for repository:bearer\/app:pull,push: .* answered 401 .*check the username and password/,
    );
    assert.ok(!line.includes('wrong-secret'));
  });

  test('an anonymous push gets a pull-only token and fails with 401, moving no tag', async () => {
    await registry.clearRequests();
    await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/bearer/anon:1`],
        concurrency: 4,
        logger: silentLogger,
      }),
      /answered 401.*no credentials were given for .*log in with docker\/login-action/,
    );
    const manifestPuts = (await registry.requests()).filter(
      (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
    );
    assert.deepEqual(manifestPuts, []);
  });
});

describe('identity tokens', () => {
  test('an identitytoken is traded for an access token with the OAuth2 refresh-token grant', async () => {
    tokens.requests.length = 0;
    const secrets: string[] = [];
    const result = await push({
      source: `oci:${layout}`,
      destinations: [`${registry.host}/identity/app:1`],
      credentials: { username: '<token>', password: '', identityToken: IDENTITY_TOKEN },
      concurrency: 4,
      logger: silentLogger,
      onSecret: (value) => secrets.push(value),
    });
    assert.equal(result.digest, image.manifestDigest);
    assert.deepEqual(tokens.requests, [
      { account: USER, scopes: ['repository:identity/app:pull,push'], service: tokens.service },
    ]);
    assert.ok(secrets.includes(IDENTITY_TOKEN), 'the identity token is masked');
  });

  test('an identity token the service does not know fails with 401 and its fix', async () => {
    await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`${registry.host}/identity/app:2`],
        credentials: { username: '<token>', password: '', identityToken: 'expired-token' },
        concurrency: 4,
        logger: silentLogger,
      }),
      /getting a token for repository:identity\/app:pull,push: 127\.0\.0\.1:\d+ answered 401.*check the username and password/,
    );
  });
});

describe('credentials stay with their registry', () => {
  test('a URL the registry hands out on another origin gets no Authorization header', async () => {
    const seen: (string | undefined)[] = [];
    const storage = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const { port } = storage.address() as AddressInfo;
    const transport = new Transport();
    const client = new RegistryClient(registry.host, {
      credentials: { username: USER, password: PASSWORD },
      insecureRegistries: [],
      transport,
      onSecret: () => undefined,
      userAgent: 'test',
      log: silentLogger,
    });
    try {
      const scopes = ['repository:bearer/app:pull,push'];
      const own = await client.request('same origin', scopes, { method: 'GET', url: '/v2/', ok: [200] });
      await own.body.dump();
      const other = await client.request('other origin', scopes, {
        method: 'GET',
        url: `http://127.0.0.1:${port}/upload?signature=x`,
        ok: [200],
      });
      await other.body.dump();
      assert.deepEqual(seen, [undefined], 'object storage saw no credentials');
      assert.ok(tokens.requests.length > 0, 'while the registry itself was sent a token');
    } finally {
      await transport.close();
      await new Promise((resolve) => storage.close(resolve));
    }
  });
});
