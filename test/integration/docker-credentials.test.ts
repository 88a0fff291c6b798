// Pushes to a real registry that wants a password, with credentials found in a Docker config: from an `auths`
// entry, and from the fixture credential helper (test/fixtures/docker-credential-imagepush-test).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push } from '../../src/push/push.ts';
import type { Credentials } from '../../src/registry/transport/auth.ts';
import { dockerConfigCredentials } from '../../src/registry/credentials/docker-config.ts';
import { writeOciLayout, type SampleImage } from '../../scripts/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const USER = 'ci-bot';
const PASSWORD = 'docker-config-pa55';

let registry: TestRegistry;
let work: string;
let layout: string;
let image: SampleImage;
let caseNumber = 0;

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'htpasswd']);
  registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
  work = await makeTempDir('docker-credentials-');
  layout = join(work, 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 200_000 }, { size: 2000 }], seed: 21 });
});

after(async () => {
  await registry.stop();
});

/** A Docker config dir holding `config`, and the env that points at it and at the fixture helper. */
async function dockerEnv(
  config: object,
  helperAnswer?: { username: string; secret: string },
): Promise<{ env: NodeJS.ProcessEnv; callLog: string }> {
  const dir = join(work, `config-${++caseNumber}`);
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const answers = join(dir, 'answers');
  const answer = helperAnswer && {
    ServerURL: registry.host,
    Username: helperAnswer.username,
    Secret: helperAnswer.secret,
  };
  await writeFile(answers, answer ? `imagepush-test ${registry.host} ${JSON.stringify(answer)}\n` : '');
  const callLog = join(dir, 'calls.log');
  const env = {
    DOCKER_CONFIG: dir,
    HOME: dir,
    PATH: FIXTURES,
    IMAGEPUSH_TEST_CREDS_FILE: answers,
    IMAGEPUSH_TEST_CREDS_LOG: callLog,
  };
  return { env, callLog };
}

async function pushWith(credentials: Credentials | undefined, repository: string): Promise<string> {
  const result = await push({
    source: `oci:${layout}`,
    destinations: [`${registry.host}/${repository}:1`],
    credentials,
    concurrency: 4,
    logger: silentLogger,
  });
  return result.digest;
}

describe('pushing with credentials from the Docker config', () => {
  test('an auths entry, keyed by URL as docker login may write it', async () => {
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const { env } = await dockerEnv({ auths: { [`https://${registry.host}/v1/`]: { auth } } });
    const secrets: string[] = [];
    const credentials = await dockerConfigCredentials(registry.host, {
      env,
      onSecret: (v) => secrets.push(v),
    });
    assert.deepEqual(credentials, { username: USER, password: PASSWORD });
    assert.ok(secrets.includes(PASSWORD) && secrets.includes(auth), 'both secrets handed over for masking');

    assert.equal(await pushWith(credentials, 'from-auths/app'), image.manifestDigest);
    const raw = await inspectRaw(`${registry.host}/from-auths/app:1`, `${USER}:${PASSWORD}`);
    assert.equal(raw.length, image.manifestSize);
  });

  test('a credential helper named in credHelpers', async () => {
    const { env, callLog } = await dockerEnv(
      { credHelpers: { [registry.host]: 'imagepush-test' } },
      { username: USER, secret: PASSWORD },
    );
    const secrets: string[] = [];
    const credentials = await dockerConfigCredentials(registry.host, {
      env,
      onSecret: (v) => secrets.push(v),
    });
    assert.deepEqual(credentials, { username: USER, password: PASSWORD });
    assert.deepEqual(secrets, [PASSWORD]);
    assert.equal(await readFile(callLog, 'utf8'), `imagepush-test get ${registry.host}\n`);

    assert.equal(await pushWith(credentials, 'from-helper/app'), image.manifestDigest);
    const raw = await inspectRaw(`${registry.host}/from-helper/app:1`, `${USER}:${PASSWORD}`);
    assert.equal(raw.length, image.manifestSize);
  });

  test('a wrong password from the helper fails with 401, without the password, and moves no tag', async () => {
    const wrong = 'helper-wrong-pa55';
    const { env } = await dockerEnv({ credsStore: 'imagepush-test' }, { username: USER, secret: wrong });
    const credentials = await dockerConfigCredentials(registry.host, { env });
    assert.deepEqual(credentials, { username: USER, password: wrong });

    await registry.clearRequests();
    const line = await rejectsWithLine(
      pushWith(credentials, 'wrong/app'),
      /answered 401.*check the username and password/,
    );
    assert.ok(!line.includes(wrong), line);
    assert.ok(!line.includes(Buffer.from(`${USER}:${wrong}`).toString('base64')), line);
    const statuses = (await registry.requests()).map((r) => r.status);
    assert.ok(statuses.includes(401), 'the registry refused the credentials');
    assert.deepEqual(await listTags(`${registry.host}/wrong/app`, `${USER}:${PASSWORD}`), []);
  });
});
