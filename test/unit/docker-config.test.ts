// Credentials from a Docker config written into a temp dir, and from the fixture credential helper
// (test/fixtures/docker-credential-imagepush-test) run for real with a PATH that only the test controls.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { describeError, InputError } from '../../src/errors.ts';
import type { Credentials } from '../../src/registry/transport/auth.ts';
import { credentialsInFile, dockerConfigCredentials } from '../../src/registry/credentials/docker-config.ts';
import { makeTempDir } from '../helpers/tools.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const HELPER = join(FIXTURES, 'docker-credential-imagepush-test');
const HUB_SERVER = 'https://index.docker.io/v1/';

let work: string;
/** Holds symlinks to the fixture helper under other names, so tests can tell which helper ran. */
let binDir: string;
let caseNumber = 0;

before(async () => {
  work = await makeTempDir('docker-config-');
  binDir = join(work, 'bin');
  await mkdir(binDir);
  for (const name of ['imagepush-store', 'imagepush-other']) {
    await symlink(HELPER, join(binDir, `docker-credential-${name}`));
  }
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface Setup {
  /** Written as config.json (a string as is, anything else as JSON); undefined writes no file. */
  readonly config?: unknown;
  /** Fixture helper answers: [helper, server URL, answer]. */
  readonly answers?: readonly (readonly [string, string, string])[];
  /** Put the config under HOME/.docker instead of DOCKER_CONFIG (which stays unset). */
  readonly viaHome?: boolean;
}

interface Case {
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: string[];
  /** The helper calls logged by the fixture: `HELPER ACTION STDIN`. */
  calls(): Promise<string[]>;
  lookup(registry: string): Promise<Credentials | undefined>;
}

/** A fresh DOCKER_CONFIG (or HOME), answers file and call log; PATH holds only the fixture dirs. */
async function setUp(setup: Setup): Promise<Case> {
  const dir = join(work, `case-${++caseNumber}`);
  const home = join(dir, 'home');
  const dockerConfig = setup.viaHome ? join(home, '.docker') : join(dir, 'docker');
  await mkdir(dockerConfig, { recursive: true });
  if (setup.config !== undefined) {
    const text = typeof setup.config === 'string' ? setup.config : JSON.stringify(setup.config);
    await writeFile(join(dockerConfig, 'config.json'), text);
  }
  const answersFile = join(dir, 'answers');
  const logFile = join(dir, 'calls.log');
  await writeFile(answersFile, (setup.answers ?? []).map((a) => `${a.join(' ')}\n`).join(''));
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    PATH: [FIXTURES, binDir].join(delimiter),
    IMAGEPUSH_TEST_CREDS_FILE: answersFile,
    IMAGEPUSH_TEST_CREDS_LOG: logFile,
    ...(setup.viaHome ? {} : { DOCKER_CONFIG: dockerConfig }),
  };
  const secrets: string[] = [];
  return {
    env,
    secrets,
    calls: async () => {
      try {
        return (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    lookup: (registry) => dockerConfigCredentials(registry, { env, onSecret: (v) => secrets.push(v) }),
  };
}

const helperAnswer = (username: string, secret: string, serverUrl = 'x'): string =>
  JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret });

describe('auths entries', () => {
  const cases: {
    name: string;
    entry: Record<string, unknown>;
    expected: Credentials | undefined;
    secrets: string[];
  }[] = [
    {
      name: 'auth: base64 of user:password',
      entry: { auth: b64('alice:pa55:with:colons') },
      expected: { username: 'alice', password: 'pa55:with:colons' },
      secrets: [b64('alice:pa55:with:colons'), 'pa55:with:colons'],
    },
    {
      name: 'username and password fields',
      entry: { username: 'bob', password: 'b0b-secret' },
      expected: { username: 'bob', password: 'b0b-secret' },
      secrets: ['b0b-secret'],
    },
    {
      name: 'auth wins over the separate fields',
      entry: { auth: b64('carol:from-auth'), username: 'ignored', password: 'ignored-secret' },
      expected: { username: 'carol', password: 'from-auth' },
      secrets: [b64('carol:from-auth'), 'ignored-secret', 'from-auth'],
    },
    {
      name: 'identitytoken alone: the username is <token>',
      entry: { identitytoken: 'refresh-token-1' },
      expected: { username: '<token>', password: '', identityToken: 'refresh-token-1' },
      secrets: ['refresh-token-1'],
    },
    {
      name: 'identitytoken with an auth (as docker login writes for ACR)',
      entry: { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-token-2' },
      expected: {
        username: '00000000-0000-0000-0000-000000000000',
        password: '',
        identityToken: 'refresh-token-2',
      },
      secrets: [b64('00000000-0000-0000-0000-000000000000:'), 'refresh-token-2'],
    },
    { name: 'an empty entry holds nothing', entry: {}, expected: undefined, secrets: [] },
  ];
  for (const { name, entry, expected, secrets } of cases) {
    test(name, async () => {
      const c = await setUp({ config: { auths: { 'ghcr.io': entry } } });
      assert.deepEqual(await c.lookup('ghcr.io'), expected);
      assert.deepEqual(c.secrets.sort(), [...secrets].sort());
    });
  }
});

describe('matching config keys to the registry', () => {
  const cases: { key: string; registry: string; matches: boolean }[] = [
    { key: 'ghcr.io', registry: 'ghcr.io', matches: true },
    { key: 'https://ghcr.io', registry: 'ghcr.io', matches: true },
    { key: 'https://ghcr.io/', registry: 'ghcr.io', matches: true },
    { key: 'http://ghcr.io/v1/', registry: 'ghcr.io', matches: true },
    { key: 'https://GHCR.io/v2/', registry: 'ghcr.io', matches: true },
    // A namespace key (containers-auth.json(5)) is for the repositories under it, not the registry as a whole.
    { key: 'ghcr.io/org', registry: 'ghcr.io', matches: false },
    { key: 'http://127.0.0.1:5000/', registry: '127.0.0.1:5000', matches: true },
    { key: '127.0.0.1:5000', registry: '127.0.0.1:5001', matches: false },
    { key: '127.0.0.1', registry: '127.0.0.1:5000', matches: false },
    { key: 'https://ghcr.io.evil', registry: 'ghcr.io', matches: false },
    { key: 'quay.io', registry: 'ghcr.io', matches: false },
    // Docker Hub: every alias names the same registry.
    ...['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io'].flatMap(
      (key) =>
        ['docker.io', 'index.docker.io', 'registry-1.docker.io'].map((registry) => ({
          key,
          registry,
          matches: true,
        })),
    ),
    { key: 'https://index.docker.io/v1/', registry: 'ghcr.io', matches: false },
  ];
  for (const { key, registry, matches } of cases) {
    test(`${key} ${matches ? 'names' : 'does not name'} ${registry}`, async () => {
      const c = await setUp({ config: { auths: { [key]: { auth: b64('user:secret') } } } });
      const found = await c.lookup(registry);
      assert.deepEqual(found, matches ? { username: 'user', password: 'secret' } : undefined);
    });
  }

  test('the key docker login writes wins over other forms, wherever it is in the file', async () => {
    for (const order of [
      ['docker.io', HUB_SERVER],
      [HUB_SERVER, 'docker.io'],
    ]) {
      const auths = Object.fromEntries(
        order.map((key) => [key, { auth: b64(`${key === HUB_SERVER ? 'hub' : 'alias'}:pw`) }]),
      );
      const c = await setUp({ config: { auths } });
      assert.equal((await c.lookup('docker.io'))?.username, 'hub', order.join(' then '));
    }
  });

  test('namespace keys: the most specific one holding the repository wins, then the registry key', async () => {
    const auths = {
      'quay.io': { auth: b64('registry:pw') },
      'quay.io/org': { auth: b64('org:pw') },
      'quay.io/org/app': { auth: b64('app:pw') },
      'https://quay.io/org/other/': { auth: b64('url-form:pw') },
    };
    const c = await setUp({ config: { auths } });
    const file = join(c.env.DOCKER_CONFIG ?? '', 'config.json');
    const user = async (repository: string | undefined): Promise<string | undefined> =>
      (await credentialsInFile(file, 'quay.io', repository, { env: c.env }))?.credentials.username;
    assert.equal(await user('org/app'), 'app');
    assert.equal(await user('org/app/sub'), 'app');
    assert.equal(await user('org/application'), 'org', 'a prefix of a path component is no namespace');
    assert.equal(await user('org/other'), 'org', 'a key with a scheme names the host only');
    assert.equal(await user('elsewhere/app'), 'registry');
    assert.equal(await user(undefined), 'registry');
    const found = await credentialsInFile(file, 'quay.io', 'org/app', { env: c.env });
    assert.equal(found?.where, `auths["quay.io/org/app"] in ${file}`);
  });

  test('an empty placeholder entry gives way to another key for the same registry', async () => {
    const c = await setUp({
      config: { auths: { 'ghcr.io': {}, 'https://ghcr.io/v1/': { username: 'u', password: 'p' } } },
    });
    assert.deepEqual(await c.lookup('ghcr.io'), { username: 'u', password: 'p' });
  });
});

describe('finding the config file', () => {
  test('no config file means no credentials', async () => {
    const c = await setUp({});
    assert.equal(await c.lookup('ghcr.io'), undefined);
  });

  test('an empty config file means no credentials', async () => {
    const c = await setUp({ config: '  \n' });
    assert.equal(await c.lookup('ghcr.io'), undefined);
  });

  test('without DOCKER_CONFIG it reads HOME/.docker/config.json', async () => {
    const c = await setUp({ viaHome: true, config: { auths: { 'ghcr.io': { auth: b64('home:pw') } } } });
    assert.equal(c.env.DOCKER_CONFIG, undefined);
    assert.deepEqual(await c.lookup('ghcr.io'), { username: 'home', password: 'pw' });
  });

  test('DOCKER_CONFIG wins over HOME', async () => {
    const c = await setUp({ config: { auths: { 'ghcr.io': { auth: b64('docker-config:pw') } } } });
    const homeDocker = join(c.env.HOME!, '.docker');
    await mkdir(homeDocker, { recursive: true });
    await writeFile(
      join(homeDocker, 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: b64('home:pw') } } }),
    );
    assert.equal((await c.lookup('ghcr.io'))?.username, 'docker-config');
  });
});

describe('credential helpers', () => {
  test('credHelpers[registry] runs that helper with the registry on stdin', async () => {
    const c = await setUp({
      config: { credHelpers: { 'ghcr.io': 'imagepush-test' } },
      answers: [['imagepush-test', 'ghcr.io', helperAnswer('helper-user', 'helper-secret', 'ghcr.io')]],
    });
    assert.deepEqual(await c.lookup('ghcr.io'), { username: 'helper-user', password: 'helper-secret' });
    assert.deepEqual(await c.calls(), ['imagepush-test get ghcr.io']);
    assert.deepEqual(c.secrets, ['helper-secret']);
  });

  test('a Username of <token> makes the Secret an identity token', async () => {
    const c = await setUp({
      config: { credsStore: 'imagepush-test' },
      answers: [['imagepush-test', 'ghcr.io', helperAnswer('<token>', 'refresh-from-helper')]],
    });
    assert.deepEqual(await c.lookup('ghcr.io'), {
      username: '<token>',
      password: '',
      identityToken: 'refresh-from-helper',
    });
    assert.deepEqual(c.secrets, ['refresh-from-helper']);
  });

  const precedence: {
    name: string;
    config: Record<string, unknown>;
    registry: string;
    calls: string[];
    username: string | undefined;
  }[] = [
    {
      name: 'credHelpers wins over credsStore and auths',
      config: {
        credHelpers: { 'https://ghcr.io': 'imagepush-test' },
        credsStore: 'imagepush-store',
        auths: { 'ghcr.io': { auth: b64('from-auths:pw') } },
      },
      registry: 'ghcr.io',
      calls: ['imagepush-test get ghcr.io'],
      username: 'from-credHelpers',
    },
    {
      name: 'credsStore wins over auths',
      config: { credsStore: 'imagepush-store', auths: { 'ghcr.io': { auth: b64('from-auths:pw') } } },
      registry: 'ghcr.io',
      calls: ['imagepush-store get ghcr.io'],
      username: 'from-credsStore',
    },
    {
      name: 'credHelpers for another registry leaves credsStore in charge',
      config: { credHelpers: { 'quay.io': 'imagepush-test' }, credsStore: 'imagepush-store' },
      registry: 'ghcr.io',
      calls: ['imagepush-store get ghcr.io'],
      username: 'from-credsStore',
    },
    {
      name: 'Docker Hub: the helper is asked for https://index.docker.io/v1/',
      config: { credHelpers: { 'index.docker.io': 'imagepush-other' } },
      registry: 'docker.io',
      calls: [`imagepush-other get ${HUB_SERVER}`],
      username: 'hub-user',
    },
    {
      name: 'a helper that knows nothing means no credentials, even with an auths entry (as in Docker)',
      config: { credsStore: 'imagepush-store', auths: { 'quay.io': { auth: b64('from-auths:pw') } } },
      registry: 'quay.io',
      calls: ['imagepush-store get quay.io'],
      username: undefined,
    },
    {
      name: 'a port is part of the server URL',
      config: { credHelpers: { '127.0.0.1:5000': 'imagepush-test' } },
      registry: '127.0.0.1:5000',
      calls: ['imagepush-test get 127.0.0.1:5000'],
      username: 'local-user',
    },
  ];
  for (const { name, config, registry, calls, username } of precedence) {
    test(name, async () => {
      const c = await setUp({
        config,
        answers: [
          ['imagepush-test', 'ghcr.io', helperAnswer('from-credHelpers', 'secret-1')],
          ['imagepush-store', 'ghcr.io', helperAnswer('from-credsStore', 'secret-2')],
          ['imagepush-other', HUB_SERVER, helperAnswer('hub-user', 'secret-3')],
          ['imagepush-test', '127.0.0.1:5000', helperAnswer('local-user', 'secret-4')],
        ],
      });
      assert.equal((await c.lookup(registry))?.username, username);
      assert.deepEqual(await c.calls(), calls);
    });
  }

  test('the helper runs with the given env, not the process environment', async () => {
    // The fixture dir is on no PATH but the one passed in.
    assert.ok(!(process.env.PATH ?? '').split(delimiter).includes(FIXTURES));
    const c = await setUp({
      config: { credsStore: 'imagepush-test' },
      answers: [['imagepush-test', 'ghcr.io', helperAnswer('u', 'p')]],
    });
    assert.deepEqual(await c.lookup('ghcr.io'), { username: 'u', password: 'p' });
  });
});

describe('errors', () => {
  const SECRET = 'never-print-me-7f3a';
  const cases: { name: string; setup: Setup; pattern: RegExp }[] = [
    {
      name: 'a helper that is not on PATH',
      setup: { config: { credHelpers: { 'ghcr.io': 'imagepush-absent' } } },
      pattern:
        /docker-credential-imagepush-absent \(credHelpers\["ghcr\.io"\] in .*config\.json\) is not on PATH\. install it/,
    },
    {
      name: 'a helper that prints something other than JSON',
      setup: {
        config: { credsStore: 'imagepush-test' },
        answers: [['imagepush-test', 'ghcr.io', `{"Username":"u","Secret":"${SECRET}"`]],
      },
      pattern:
        /docker-credential-imagepush-test get printed no credentials JSON .* for ghcr\.io\. check it with/,
    },
    {
      name: 'a helper whose JSON lacks the Secret',
      setup: {
        config: { credsStore: 'imagepush-test' },
        answers: [['imagepush-test', 'ghcr.io', JSON.stringify({ Username: SECRET })]],
      },
      pattern: /docker-credential-imagepush-test get printed no credentials JSON/,
    },
    {
      name: 'a helper that fails for another reason',
      setup: {
        config: { credsStore: 'imagepush-test' },
        answers: [['imagepush-test', 'ghcr.io', 'FAIL the keychain is locked']],
      },
      pattern: /docker-credential-imagepush-test get failed for ghcr\.io: the keychain is locked/,
    },
    {
      name: 'a config file that is not JSON',
      setup: { config: `{"auths": {"ghcr.io": {"auth": "${b64(`u:${SECRET}`)}"}}` },
      pattern: /the Docker config .*config\.json is not valid: it is not JSON\. fix or delete it/,
    },
    {
      name: 'auths that is not an object',
      setup: { config: { auths: [SECRET] } },
      pattern: /config\.json is not valid: "auths" is not an object/,
    },
    {
      name: 'credHelpers that maps to something other than a name',
      setup: { config: { credHelpers: { 'ghcr.io': 5 } } },
      pattern: /config\.json is not valid: "credHelpers" is not an object of helper names/,
    },
    {
      name: 'an auth that is not base64 of user:password',
      setup: { config: { auths: { 'ghcr.io': { auth: b64(SECRET) } } } },
      pattern: /"auth" of auths\["ghcr\.io"\] in .*config\.json is not base64 of "username:password"/,
    },
    {
      name: 'a password that is not a string',
      setup: { config: { auths: { 'ghcr.io': { username: SECRET, password: 12 } } } },
      pattern: /"password" of auths\["ghcr\.io"\] in .*config\.json is not a string/,
    },
  ];
  for (const { name, setup, pattern } of cases) {
    test(`${name}: an InputError that names the fix and no secret`, async () => {
      const c = await setUp(setup);
      await assert.rejects(c.lookup('ghcr.io'), (err: unknown) => {
        assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
        const line = describeError(err);
        assert.match(line, pattern);
        assert.ok(!line.includes('\n'), 'one line');
        assert.ok(!line.includes(SECRET) && !line.includes(b64(SECRET)), `a secret in: ${line}`);
        for (const secret of c.secrets) assert.ok(!line.includes(secret), `a secret in: ${line}`);
        return true;
      });
    });
  }
});
