// Credentials from one Docker-format credentials file, found the way the Docker CLI and containers/image find
// them: a credential helper named for the registry (`credHelpers`), else the default store (`credsStore`), else
// `auths`. `docker login` and docker/login-action write ~/.docker/config.json; podman, skopeo and buildah login
// write containers-auth.json(5) files of the same format, whose keys may also name a namespace
// (`quay.io/org/app`). login-files.ts decides which files are read, in which order.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { InputError } from '../../errors.ts';
import { RunCutError, runBounded, type BoundedRun } from '../../run-bounded.ts';
import { DOCKER_HUB, registryApiHost } from '../../oci/reference.ts';
import type { Credentials } from '../transport/auth.ts';

/** The key `docker login` writes Docker Hub credentials under, and the server URL helpers are asked for. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
/** What the Username of a helper's answer is when the Secret is an identity token, not a password. */
const TOKEN_USERNAME = '<token>';
/** The message of docker-credential-helpers' ErrCredentialsNotFound: "nothing stored", not a failure. */
const NOT_FOUND = /credentials not found in native keychain/i;
const HELPER_PREFIX = 'docker-credential-';
/**
 * How long a helper may take. Helpers that ask a cloud for a token (ecr-login, gcloud) take a few seconds;
 * one that waits for a keychain prompt no CI job can answer would wait forever.
 */
export const HELPER_TIMEOUT_MS = 30_000;
/** What a helper may print: credentials JSON is a few KB (an identity token included). */
export const HELPER_OUTPUT_BYTES = 1 << 20;

export interface DockerConfigOptions {
  /** Environment to read DOCKER_CONFIG, HOME and PATH from, and to run helpers with. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives every secret found, before it is returned (the action masks them). */
  readonly onSecret?: (value: string) => void;
  /** How long a credential helper may take (default HELPER_TIMEOUT_MS; tests shorten it). */
  readonly helperTimeoutMs?: number;
}

/** Credentials and where they came from (`auths["ghcr.io"] in FILE`), for the log: never the secret. */
export interface FoundCredentials {
  readonly credentials: Credentials;
  readonly where: string;
}

interface AuthEntry {
  readonly auth?: unknown;
  readonly username?: unknown;
  readonly password?: unknown;
  readonly identitytoken?: unknown;
}

interface DockerConfig {
  readonly auths: Readonly<Record<string, AuthEntry>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  readonly credsStore: string | undefined;
}

/**
 * The credentials the Docker config holds for `registry` (a host as src/oci/reference.ts normalises it:
 * `docker.io`, `ghcr.io`, `127.0.0.1:5000`), or undefined when it holds none or there is no config file.
 */
export async function dockerConfigCredentials(
  registry: string,
  options: DockerConfigOptions = {},
): Promise<Credentials | undefined> {
  const file = dockerConfigPath(options.env ?? process.env);
  return (await credentialsInFile(file, registry, undefined, options))?.credentials;
}

/**
 * The credentials `file` holds for `repository` of `registry`, or undefined when it holds none or does not
 * exist. A key naming a namespace (`quay.io/org`) applies to the repositories under it, the longest first, then
 * a key naming the registry; keys with a scheme (`https://ghcr.io/v1/`) name only the host, as both the Docker
 * CLI and containers/image read them. As in the Docker CLI, a configured helper that knows nothing means no
 * credentials: `auths` is not consulted.
 */
export async function credentialsInFile(
  file: string,
  registry: string,
  repository: string | undefined,
  options: DockerConfigOptions & {
    /**
     * A default location nobody named (e.g. `/run/containers/UID/auth.json`): one the user may not read
     * holds nothing for them, rather than failing the push.
     */
    readonly implicit?: boolean;
  } = {},
): Promise<FoundCredentials | undefined> {
  const env = options.env ?? process.env;
  const onSecret = options.onSecret ?? (() => undefined);
  const config = await readConfig(file, options.implicit ?? false);
  if (!config) return undefined;

  const host = normaliseHost(registry);
  const helperKey = findKey(Object.keys(config.credHelpers), host);
  const helper = helperKey === undefined ? config.credsStore : config.credHelpers[helperKey];
  if (helper) {
    const where = `${helperKey === undefined ? 'credsStore' : `credHelpers["${helperKey}"]`} in ${file}`;
    const serverUrl = isDockerHub(host) ? DOCKER_HUB_SERVER : host;
    const credentials = await runHelper(helper, serverUrl, {
      env,
      onSecret,
      where,
      timeoutMs: options.helperTimeoutMs ?? HELPER_TIMEOUT_MS,
    });
    return credentials && { credentials, where };
  }
  return fromAuths(config.auths, host, repository, file, onSecret);
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'config.json');
}

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/** How messages name a file: `the Docker config FILE` or `the containers auth file FILE`. */
function describeFile(file: string): string {
  return `${basename(file) === 'auth.json' ? 'the containers auth file' : 'the Docker config'} ${file}`;
}

async function readConfig(file: string, implicit: boolean): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (implicit && (code === 'EACCES' || code === 'EPERM')) return undefined;
    throw new InputError(
      `cannot read ${describeFile(file)}: ${code ?? String(err)}`,
      basename(file) === 'auth.json'
        ? 'make it readable, or point REGISTRY_AUTH_FILE at another file'
        : 'make it readable, or point DOCKER_CONFIG at another directory',
    );
  }
  // The Docker CLI accepts an empty file as an empty config.
  if (text.trim() === '') return undefined;
  const broken = (what: string): InputError =>
    new InputError(`${describeFile(file)} is not valid: ${what}`, 'fix or delete it, then log in again');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw broken('it is not JSON');
  }
  if (!isObject(raw)) throw broken('it is not a JSON object');

  const auths = raw.auths ?? {};
  if (!isObject(auths)) throw broken('"auths" is not an object');
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) throw broken(`auths["${key}"] is not an object`);
  }
  const credHelpers = raw.credHelpers ?? {};
  if (!isObject(credHelpers) || !Object.values(credHelpers).every((v) => typeof v === 'string')) {
    throw broken('"credHelpers" is not an object of helper names');
  }
  const credsStore = raw.credsStore ?? undefined;
  if (credsStore !== undefined && typeof credsStore !== 'string')
    throw broken('"credsStore" is not a string');
  return {
    auths: auths as Record<string, AuthEntry>,
    credHelpers: credHelpers as Record<string, string>,
    credsStore,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDockerHub(host: string): boolean {
  return registryApiHost(host) === registryApiHost(DOCKER_HUB);
}

/**
 * A config key or registry name as a bare lowercase host: `https://ghcr.io/v1/` -> `ghcr.io`; every Docker Hub
 * alias -> `docker.io`. The Docker CLI strips the scheme and path the same way (ConvertToHostname).
 */
export function normaliseHost(key: string): string {
  const host = (
    key
      .trim()
      .replace(/^https?:\/\//i, '')
      .split('/')[0] ?? ''
  ).toLowerCase();
  return isDockerHub(host) ? DOCKER_HUB : host;
}

/**
 * The namespace a key names (`quay.io/org/app` -> `org/app`), or undefined for a key that names a host only.
 * A key with a scheme is the Docker CLI's URL form, whose path is not a namespace (`https://index.docker.io/v1/`).
 */
function keyNamespace(key: string): string | undefined {
  const trimmed = key.trim();
  if (/^https?:\/\//i.test(trimmed)) return undefined;
  const slash = trimmed.indexOf('/');
  const namespace = slash < 0 ? '' : trimmed.slice(slash + 1).replace(/\/+$/, '');
  return namespace === '' ? undefined : namespace;
}

/** The keys that name `host` itself, best first: the exact key the Docker CLI would write, then file order. */
function matchingKeys(keys: readonly string[], host: string): string[] {
  const exact = isDockerHub(host) ? DOCKER_HUB_SERVER : host;
  const matches = keys.filter((key) => keyNamespace(key) === undefined && normaliseHost(key) === host);
  return [...matches.filter((key) => key === exact), ...matches.filter((key) => key !== exact)];
}

/** Keys naming a namespace of `host` that holds `repository`, the most specific first (containers-auth.json(5)). */
function namespaceKeys(keys: readonly string[], host: string, repository: string | undefined): string[] {
  if (repository === undefined) return [];
  const matches = keys.flatMap((key) => {
    const namespace = keyNamespace(key);
    if (namespace === undefined || normaliseHost(key) !== host) return [];
    const holds = repository === namespace || repository.startsWith(`${namespace}/`);
    return holds ? [{ key, length: namespace.length }] : [];
  });
  return matches.sort((a, b) => b.length - a.length).map((m) => m.key);
}

function findKey(keys: readonly string[], host: string): string | undefined {
  return matchingKeys(keys, host)[0];
}

function fromAuths(
  auths: Readonly<Record<string, AuthEntry>>,
  host: string,
  repository: string | undefined,
  file: string,
  onSecret: (value: string) => void,
): FoundCredentials | undefined {
  const keys = Object.keys(auths);
  // `docker login` with a credsStore leaves `{}` placeholders: skip to an entry that holds something.
  for (const key of [...namespaceKeys(keys, host, repository), ...matchingKeys(keys, host)]) {
    const where = `auths["${key}"] in ${file}`;
    const credentials = fromAuthEntry(auths[key] ?? {}, where, onSecret);
    if (credentials) return { credentials, where };
  }
  return undefined;
}

function fromAuthEntry(
  entry: AuthEntry,
  where: string,
  onSecret: (value: string) => void,
): Credentials | undefined {
  const text = (value: unknown, field: string): string => {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') {
      throw new InputError(`${field} of ${where} is not a string`, 'fix it, or log in again');
    }
    return value;
  };
  let username = text(entry.username, '"username"');
  let password = text(entry.password, '"password"');
  const auth = text(entry.auth, '"auth"');
  const identityToken = text(entry.identitytoken, '"identitytoken"');
  for (const secret of [auth, password, identityToken]) if (secret) onSecret(secret);

  // As in the Docker CLI, `auth` wins over the separate fields.
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new InputError(
        `"auth" of ${where} is not base64 of "username:password"`,
        'log in again with docker/login-action',
      );
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1).replace(/\0+$/, '');
    if (password) onSecret(password);
  }
  if (identityToken) return { username: username || TOKEN_USERNAME, password, identityToken };
  if (!username && !password) return undefined;
  return { username, password };
}

/** Runs `docker-credential-<name> get` with the server URL on stdin, as the Docker CLI does. */
async function runHelper(
  name: string,
  serverUrl: string,
  context: { env: NodeJS.ProcessEnv; onSecret: (value: string) => void; where: string; timeoutMs: number },
): Promise<Credentials | undefined> {
  const command = `${HELPER_PREFIX}${name}`;
  const check = `check it with: ${command} get <<< ${serverUrl}`;
  const path = await findOnPath(command, context.env.PATH);
  if (!path) {
    throw new InputError(
      `the Docker credential helper ${command} (${context.where}) is not on PATH`,
      `install it, or remove "${name}" from that file and log in again with docker/login-action`,
    );
  }
  let output: BoundedRun;
  try {
    // Nothing the helper prints may reach the log; what it prints is bounded, and so is its time.
    output = await runBounded(path, ['get'], {
      env: definedOnly(context.env),
      input: serverUrl,
      timeoutMs: context.timeoutMs,
      maxOutputBytes: HELPER_OUTPUT_BYTES,
    });
  } catch (err) {
    if (err instanceof RunCutError) {
      throw new InputError(
        `the Docker credential helper ${command} (${context.where}) was stopped for ${serverUrl}: ${err.message}${err.reason === 'output' ? ' (credentials are a few KB)' : ''}`,
        `${check}; fix or remove it, or give the credentials as inputs instead`,
      );
    }
    throw new InputError(
      `the Docker credential helper ${command} (${context.where}) could not run: ${(err as Error).message}`,
      check,
    );
  }
  if (output.exitCode !== 0) {
    if (output.exitCode === null) {
      throw new InputError(
        `${command} get was killed by ${output.signal ?? 'a signal'} for ${serverUrl}`,
        check,
      );
    }
    if (NOT_FOUND.test(output.stdout) || NOT_FOUND.test(output.stderr)) return undefined;
    // Helpers print their error on stdout; one line of it, never a successful answer.
    const reason = firstLine(output.stdout) || firstLine(output.stderr) || `exit code ${output.exitCode}`;
    throw new InputError(`${command} get failed for ${serverUrl}: ${reason}`, check);
  }

  let answer: unknown;
  try {
    answer = JSON.parse(output.stdout);
  } catch {
    answer = undefined;
  }
  // The output is not quoted: it may hold a secret.
  if (!isObject(answer) || typeof answer.Username !== 'string' || typeof answer.Secret !== 'string') {
    throw new InputError(
      `${command} get printed no credentials JSON ({"Username": ..., "Secret": ...}) for ${serverUrl}`,
      check,
    );
  }
  const { Username: username, Secret: secret } = answer;
  if (secret) context.onSecret(secret);
  if (!username && !secret) return undefined;
  if (username === TOKEN_USERNAME) return { username, password: '', identityToken: secret };
  return { username, password: secret };
}

async function findOnPath(command: string, pathVariable: string | undefined): Promise<string | undefined> {
  if (command.includes('/') || command.includes('\\')) return undefined;
  const names = process.platform === 'win32' ? [`${command}.exe`, command] : [command];
  // Relative PATH entries are skipped: they would run whatever the working directory holds.
  for (const dir of (pathVariable ?? '').split(delimiter).filter(isAbsolute)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        if ((await stat(candidate)).isFile()) return candidate;
      } catch {
        // not in this directory
      }
    }
  }
  return undefined;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').trim().slice(0, 200);
}
