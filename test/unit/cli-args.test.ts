// cli/args.ts: the command line into the same Request the action's inputs make, by the same rules; and the
// exit code each kind of failure gets.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { readSettings } from '../../src/action/inputs.ts';
import { readArgs, type CliCommand, type CliInput } from '../../src/cli/args.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from '../../src/cli/exit-codes.ts';
import { usage } from '../../src/cli/usage.ts';
import { InputError, SourceError } from '../../src/errors.ts';
import { ManifestError } from '../../src/oci/manifest.ts';
import { DeadlineError } from '../../src/registry/transport/deadline.ts';
import { networkError, responseError, RegistryError } from '../../src/registry/transport/errors.ts';
import type { Request } from '../../src/run/request.ts';

const noInput: CliInput = { env: {}, readStdin: () => assert.fail('stdin was read') };

function request(argv: string[], input: CliInput = noInput): Request {
  const command: CliCommand = readArgs(argv, input);
  if (command.kind !== 'run') throw new Error(`${command.kind}, not a run`);
  return command.request;
}

function fails(argv: string[], message: RegExp, input: CliInput = noInput): void {
  assert.throws(
    () => readArgs(argv, input),
    (err: unknown) => err instanceof InputError && message.test(err.message) && Boolean(err.hint),
  );
}

const ACTION_INPUTS = ['image', 'merge', 'tags', 'username', 'password', 'concurrency', 'platforms', 'cache'];
afterEach(() => {
  for (const name of ACTION_INPUTS) Reflect.deleteProperty(process.env, `INPUT_${name.toUpperCase()}`);
});

describe('readArgs', () => {
  test('--help, no arguments and --version', () => {
    assert.deepEqual(readArgs([]), { kind: 'help' });
    assert.deepEqual(readArgs(['push', '-h']), { kind: 'help' });
    assert.deepEqual(readArgs(['-v']), { kind: 'version' });
  });

  test('the same request as the action makes of the same settings', () => {
    Object.assign(process.env, {
      INPUT_IMAGE: 'oci:./layout',
      INPUT_TAGS: 'ghcr.io/org/app:1\nghcr.io/org/app:latest',
      INPUT_USERNAME: 'bot',
      INPUT_PASSWORD: 'pw',
      INPUT_CONCURRENCY: '8',
      INPUT_PLATFORMS: 'linux/amd64',
      INPUT_CACHE: 'false',
    });
    const fromAction = readSettings();
    const fromCli = request(
      [
        'push',
        'oci:./layout',
        'ghcr.io/org/app:1',
        'ghcr.io/org/app:latest',
        '--username',
        'bot',
        '--concurrency',
        '8',
        '--platform',
        'linux/amd64',
        '--no-blob-map',
      ],
      { env: { IMAGE_PUSH_PASSWORD: 'pw' }, readStdin: () => assert.fail('stdin was read') },
    );
    assert.deepEqual(fromCli, fromAction);
  });

  test('merge: the --source references, no image', () => {
    const r = request([
      'merge',
      'ghcr.io/org/app:1',
      '--source',
      'ghcr.io/org/app@sha256:aa',
      '--source',
      'b',
    ]);
    assert.deepEqual(r.job, { kind: 'merge', sources: ['ghcr.io/org/app@sha256:aa', 'b'] });
    assert.deepEqual(r.destinations, ['ghcr.io/org/app:1']);
  });

  test("the password rule is the action's: both or neither, either way round", () => {
    const withPassword: CliInput = { env: { IMAGE_PUSH_PASSWORD: 'pw' }, readStdin: () => 'piped\n' };
    assert.deepEqual(request(['push', 'a', 'b', '--username', 'u'], withPassword).credentials, {
      username: 'u',
      password: 'pw',
    });
    assert.deepEqual(
      request(['push', 'a', 'b', '--username', 'u', '--password-stdin'], withPassword).credentials,
      {
        username: 'u',
        password: 'piped',
      },
    );
    fails(['push', 'a', 'b', '--username', 'u'], /^--username needs a password$/);
    fails(
      ['push', 'a', 'b'],
      /^a password was given \(IMAGE_PUSH_PASSWORD\) but no --username$/,
      withPassword,
    );
    fails(
      ['push', 'a', 'b', '--password-stdin'],
      /^a password was given \(--password-stdin\) but no --username$/,
      withPassword,
    );
    fails(['push', 'a', 'b', '--source-username', 'u'], /^--source-username needs a password$/);
    fails(['push', 'a', 'b'], /but no --source-username$/, {
      env: { IMAGE_PUSH_SOURCE_PASSWORD: 'x' },
      readStdin: () => '',
    });
    process.env.INPUT_IMAGE = 'a';
    process.env.INPUT_TAGS = 'b';
    process.env.INPUT_PASSWORD = 'pw';
    assert.throws(() => readSettings(), /password is set but username is empty/);
  });

  test('-q, --verbose, --debug; -q with either is refused', () => {
    const verbosity = (argv: string[]): string => {
      const command = readArgs(['push', 'a', 'b', ...argv]);
      return command.kind === 'run' ? command.output.verbosity : command.kind;
    };
    assert.equal(verbosity([]), 'normal');
    assert.equal(verbosity(['-q']), 'quiet');
    assert.equal(verbosity(['--quiet']), 'quiet');
    assert.equal(verbosity(['--verbose']), 'verbose');
    assert.equal(verbosity(['--debug']), 'verbose');
    fails(['push', 'a', 'b', '-q', '--debug'], /^--quiet and --verbose \(or --debug\) together$/);
  });

  test('bad command lines are input errors that point at --help', () => {
    fails(['push', 'a'], /^expected "push SOURCE DESTINATION\.\.\."/);
    fails(['merge', 'a'], /^merge needs at least one --source REF$/);
    fails(['push', 'a', 'b', '--tag', 'x'], /^Unknown option '--tag'$/);
    fails(['push', 'a', 'b', '--concurrency', '65'], /^concurrency "65" is not a whole number from 1 to 64$/);
  });
});

describe('exit codes', () => {
  const status = (code: number, body = ''): RegistryError =>
    responseError('pushing', 'r.example', code, body);
  const rows: [string, unknown, number][] = [
    ['an input error', new InputError('x', 'y'), EXIT.input],
    ['a broken source', new SourceError('x'), EXIT.source],
    ['a manifest that does not parse', new ManifestError('x', 'json'), EXIT.source],
    ['401', status(401), EXIT.auth],
    ['403 denied', status(403, '{"errors":[{"code":"DENIED","message":"denied"}]}'), EXIT.auth],
    ['403 rate limit', status(403, 'secondary rate limit'), EXIT.refused],
    ['404', status(404), EXIT.refused],
    ['429', status(429), EXIT.refused],
    ['503', status(503), EXIT.refused],
    [
      'a refused connection',
      networkError('pushing', 'r', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
      EXIT.network,
    ],
    [
      'a silent server',
      networkError('pushing', 'r', Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
      EXIT.network,
    ],
    ['no progress until the deadline', new DeadlineError('no progress for 30 s', 'try later'), EXIT.network],
    [
      'a registry error without a status (a tag kept)',
      new RegistryError('holds another image'),
      EXIT.refused,
    ],
    ['anything else', new Error('bug'), EXIT.failure],
    ['a thrown string', 'odd', EXIT.failure],
  ];
  for (const [name, err, code] of rows) test(`${name}: ${code}`, () => assert.equal(exitCodeFor(err), code));

  test("the README's table has the codes and meanings of --help", async () => {
    const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
    const table = [...readme.matchAll(/^\| (\d) +\| (.+?) +\|$/gm)].map((m) => [
      Number(m[1]),
      m[2]!.replaceAll('`', ''),
    ]);
    const help = [...EXIT_CODES_HELP.replace(/\n {5}/g, ' ').matchAll(/^ {2}(\d) {2}(.+)$/gm)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    assert.deepEqual(table, help);
    assert.deepEqual(
      table.map(([code]) => code),
      Object.values(EXIT),
    );
  });

  test('--help documents every code, -q, --verbose/--debug and IMAGE_PUSH_DEBUG', () => {
    const help = usage();
    assert.ok(help.endsWith(EXIT_CODES_HELP));
    for (const code of Object.values(EXIT)) assert.match(EXIT_CODES_HELP, new RegExp(`^  ${code}  `, 'm'));
    assert.match(help, /-q, --quiet/);
    assert.match(help, /--verbose, --debug .*\n.*\n.*IMAGE_PUSH_DEBUG/);
  });
});
