// Bearer tokens against a real registry configured for token auth, with the test suite's token service.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { startTokenService, type TokenService } from '../helpers/token-service.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const USER = 'builder';
const PASSWORD = 'token-service-pa55';

let tokens: TokenService;
let registry: TestRegistry;
let layout: string;
let image: SampleImage;
const secrets: string[] = [];

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'openssl']);
  const work = await makeTempDir('auth-');
  tokens = await startTokenService(work, { users: { [USER]: PASSWORD }, anonymousPull: true });
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
