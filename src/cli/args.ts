// The command line into one Request (the same type action/inputs.ts fills) and how to print the result.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../errors.ts';
import { parseRegistrySettings } from '../oci/reference.ts';
import { credentialPair, parseTuning } from '../options.ts';
import { namedTags } from '../engine/targets.ts';
import type { Request } from '../run/request.ts';

/** How much the CLI logs on stderr: errors only, the usual lines, or those and the library's debug lines. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** What the CLI does with the result: its own I/O, which the action does not share. */
export interface CliOutput {
  readonly json: boolean;
  readonly digestFile: string | undefined;
  /** The blob map's file (`--blob-map`); undefined for the default place. */
  readonly blobMapFile: string | undefined;
  readonly verbosity: Verbosity;
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly request: Request; readonly output: CliOutput };

/** Where the CLI reads what is not an argument: the environment, and standard input for --password-stdin. */
export interface CliInput {
  readonly env: NodeJS.ProcessEnv;
  readStdin(): string;
}

const processInput: CliInput = { env: process.env, readStdin: () => readFileSync(0, 'utf8') };

/** Parses and checks the whole command line before anything is read or sent. */
export function readArgs(argv: readonly string[], input: CliInput = processInput): CliCommand {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) return { kind: 'version' };
  // No arguments at all: a newcomer's first try, so the usage rather than an error.
  if (values.help || argv.length === 0) return { kind: 'help' };
  const [command, ...rest] = positionals;
  const merging = command === 'merge';
  const source = merging ? undefined : rest[0];
  const destinations = merging ? rest : rest.slice(1);
  if ((command !== 'push' && !merging) || (!merging && !source) || destinations.length === 0) {
    throw new InputError(
      `expected "push SOURCE DESTINATION..." or "merge DESTINATION... --source REF..." but got "${positionals.join(' ')}"`,
      'see --help',
    );
  }
  if (merging && values.source.length === 0) {
    throw new InputError('merge needs at least one --source REF', 'name the pushed digests to combine');
  }
  const verbose = values.verbose || values.debug;
  if (values.quiet && verbose) {
    throw new InputError('--quiet and --verbose (or --debug) together', 'pick one');
  }
  const tuning = parseTuning({
    concurrency: values.concurrency,
    compression: values.compression,
    compressionLevel: values['compression-level'],
    chunkSize: values['chunk-size'],
    retries: values.retries,
    retryTimeout: values['retry-timeout'],
    caFile: values['ca-file'],
    platforms: values.platform,
  });
  const { credentials, sourceCredentials } = credentialFlags(values, input);
  const registries = parseRegistrySettings(values.registry, values['insecure-registry']);
  const pushByDigest = values['push-by-digest'];
  const request: Request = {
    job: merging
      ? { kind: 'merge', sources: values.source }
      : {
          kind: 'push',
          source: source ?? '',
          pushByDigest,
          verify: values.verify,
          reuseFrom: values['reuse-from'],
          overwrite: !values['no-overwrite'],
        },
    destinations,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    tuning,
    blobMap: !values['no-blob-map'],
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(destinations, registries.registry) : [],
  };
  return {
    kind: 'run',
    request,
    output: {
      json: values.json,
      digestFile: values['digest-file'],
      blobMapFile: values['blob-map'],
      verbosity: values.quiet ? 'quiet' : verbose ? 'verbose' : 'normal',
    },
  };
}

type Values = ReturnType<typeof parse>['values'];

/** The two username/password pairs, by the rule both front ends share, in the CLI's words. */
function credentialFlags(
  values: Values,
  input: CliInput,
): Pick<Request, 'credentials' | 'sourceCredentials'> {
  const stdin = values['password-stdin'];
  const password = stdin ? input.readStdin().replace(/\r?\n$/, '') : input.env.IMAGE_PUSH_PASSWORD;
  const credentials = credentialPair(values.username, password, {
    noPassword: ['--username needs a password', 'pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD'],
    noUsername: [
      `a password was given (${stdin ? '--password-stdin' : 'IMAGE_PUSH_PASSWORD'}) but no --username`,
      'add --username USER, or give no password to use the Docker config',
    ],
  });
  const sourcePassword = values['source-password'] ?? input.env.IMAGE_PUSH_SOURCE_PASSWORD;
  const sourceCredentials = credentialPair(values['source-username'], sourcePassword, {
    noPassword: [
      '--source-username needs a password',
      'set IMAGE_PUSH_SOURCE_PASSWORD (or pass --source-password)',
    ],
    noUsername: [
      'a source password was given (IMAGE_PUSH_SOURCE_PASSWORD or --source-password) but no --source-username',
      'add --source-username USER, or give no source password to use the Docker config',
    ],
  });
  return { credentials, sourceCredentials };
}

/** node:util's parseArgs, its errors (unknown option, missing value) as input errors that point at --help. */
function parseCommandLine(argv: readonly string[]): ReturnType<typeof parse> {
  try {
    return parse(argv);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw err;
    // Node's text goes on to explain `--`; its first sentence names the option.
    throw new InputError((err as Error).message.split('. ')[0] ?? code, 'see --help for the options');
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'source-username': { type: 'string' },
      'source-password': { type: 'string' },
      concurrency: { type: 'string', default: '' },
      compression: { type: 'string', default: '' },
      'compression-level': { type: 'string', default: '' },
      'push-by-digest': { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      platform: { type: 'string', multiple: true, default: [] },
      'reuse-from': { type: 'string', multiple: true, default: [] },
      'no-overwrite': { type: 'boolean', default: false },
      source: { type: 'string', multiple: true, default: [] },
      'chunk-size': { type: 'string', default: '' },
      retries: { type: 'string', default: '' },
      'retry-timeout': { type: 'string', default: '' },
      'ca-file': { type: 'string' },
      'blob-map': { type: 'string' },
      'no-blob-map': { type: 'boolean', default: false },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      'digest-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      verbose: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
}

/** --push-by-digest moves no tag: say so for each destination that names one, instead of dropping it. */
function droppedTags(destinations: readonly string[], registry: string | undefined): string[] {
  const tagged = namedTags(destinations, registry);
  if (tagged.length === 0) return [];
  return [
    `--push-by-digest moves no tag, so ${tagged.join(', ')} ${tagged.length === 1 ? 'is' : 'are'} pushed by ` +
      'digest only; name the repository alone, or drop --push-by-digest',
  ];
}
