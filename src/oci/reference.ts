import { InputError } from '../errors.ts';

/** A parsed image reference, normalised the way Docker does it. */
export interface ImageReference {
  /** As users write it: 'docker.io', 'ghcr.io', 'localhost:5000', '[::1]:5000'. */
  readonly registry: string;
  /** The repository path inside the registry: 'library/nginx', 'org/app'. */
  readonly repository: string;
  readonly tag: string | undefined;
  /** 'sha256:<64 hex>' */
  readonly digest: string | undefined;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_API = 'registry-1.docker.io';

// The grammar of distribution/reference (reference/regexp.go).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6 = /^\[[a-fA-F0-9:.]+\]$/;
const MAX_NAME_LENGTH = 255;

export interface ParseOptions {
  /** Registry (optionally with a namespace, 'ghcr.io/org') for references that name none. */
  readonly defaultRegistry?: string;
  /** Tag for references with neither tag nor digest; false leaves it undefined. Default 'latest'. */
  readonly defaultTag?: string | false;
}

/**
 * Parses `[registry/]repository[:tag][@digest]` with Docker's rules: the first path component is a registry
 * only if it holds a '.' or a ':' or is 'localhost'; Docker Hub names get 'library/' when they have one
 * component. Every error quotes the input and says what to change.
 */
/**
 * The `user:password` a reference pasted from a URL carries before its registry (`user:pass@host/repo:tag`,
 * with or without a scheme), or undefined. `repo@sha256:...` is a digest, not this: there the '@' comes after
 * the repository, and no '/' follows it.
 */
export function referenceCredentials(input: string): string | undefined {
  const text = input.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const at = text.indexOf('@');
  if (at <= 0) return undefined;
  const before = text.slice(0, at);
  if (before.includes('/') || !text.slice(at + 1).includes('/')) return undefined;
  return before;
}

/** `input` with the credentials it carries replaced by `***`: what may be shown of it. */
export function redactReference(input: string): string {
  const secret = referenceCredentials(input);
  return secret === undefined ? input : input.replace(`${secret}@`, '***@');
}

/** Refuses a reference that carries credentials, showing it without them. */
export function refuseCredentials(input: string, what = 'image reference'): void {
  if (referenceCredentials(input) === undefined) return;
  throw new InputError(
    `${what} "${redactReference(input.trim())}" holds credentials (user:password@ before the registry)`,
    'credentials do not belong in a reference, where logs would show them: give them as username and password (the action inputs; the CLI takes --username with IMAGE_PUSH_PASSWORD or --password-stdin), or log in first (docker login, docker/login-action); change the password if it was in a public log',
  );
}

/**
 * Front ends call this first, on every input that names a registry or an image (by input name): one that
 * carries credentials is handed to `onSecret` (the action masks it, user and password alike) and refused.
 */
export function refuseCredentialsIn(
  inputs: Readonly<Record<string, readonly string[]>>,
  onSecret: (value: string) => void = () => undefined,
): void {
  for (const [name, values] of Object.entries(inputs)) {
    for (const value of values) {
      const secret = referenceCredentials(value);
      if (secret === undefined) continue;
      onSecret(secret);
      const colon = secret.indexOf(':');
      if (colon !== -1 && colon < secret.length - 1) onSecret(secret.slice(colon + 1));
      refuseCredentials(value, name);
    }
  }
}

export function parseReference(input: string, options: ParseOptions = {}): ImageReference {
  refuseCredentials(input);
  const text = input.trim();
  const fail = (reason: string, hint?: string): never => {
    throw new InputError(`invalid image reference "${text}": ${reason}`, hint);
  };
  if (text === '') fail('it is empty', 'write it as REGISTRY/REPOSITORY:TAG, e.g. ghcr.io/org/app:1.0');
  if (/^[a-z]+:\/\//i.test(text))
    fail('a reference has no scheme', `drop it: "${text.replace(/^[a-z]+:\/\//i, '')}"`);
  if (/\s/.test(text))
    fail('it contains white space', 'separate several references with commas or new lines');

  // Split off the digest, then the tag: a ':' after the last '/' starts the tag.
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, fail);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') fail('tag "" is empty', `write a tag after the ':', or drop the ':' to push "latest"`);
    if (tag.length > 128) fail('the tag is longer than 128 characters', 'shorten it to at most 128');
    if (!TAG.test(tag)) {
      fail(`tag "${tag}" may hold only letters, digits, '_', '.' and '-', and not start with '.' or '-'`);
    }
  }
  if (rest === '')
    fail('the repository name is missing', 'write it as REPOSITORY:TAG, e.g. ghcr.io/org/app:1.0');

  let registry: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  if (slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = normaliseRegistry(first, fail);
    path = rest.slice(slash + 1);
  } else if (options.defaultRegistry) {
    const [host = '', ...namespace] = options.defaultRegistry.trim().replace(/\/+$/, '').split('/');
    registry = normaliseRegistry(host, fail);
    path = [...namespace, rest].join('/');
  } else {
    registry = DOCKER_HUB;
    path = rest;
  }

  if (path === '') fail('the repository name is missing', 'write it as REGISTRY/REPOSITORY:TAG');
  if (path.toLowerCase() !== path) {
    fail(
      'repository names must be lowercase',
      // The upper case may come from the default registry's namespace rather than from the reference.
      rest.toLowerCase() !== rest || text.includes(path)
        ? `write it as "${text.replace(rest, rest.toLowerCase())}"`
        : `write the registry namespace "${options.defaultRegistry ?? ''}" in lowercase`,
    );
  }
  for (const component of path.split('/')) {
    if (component === '')
      fail("the repository path has an empty component ('//' or a trailing '/')", "remove the extra '/'");
    if (component.includes(':')) {
      fail(`"${component}" holds a ':', but only a tag follows a ':' (or a port, after a registry host)`);
    }
    if (!PATH_COMPONENT.test(component)) {
      fail(
        `"${component}" is not a valid path component`,
        "use lowercase letters and digits, separated by '.', '_', '__' or '-'",
      );
    }
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH)
    fail(`the name is longer than ${MAX_NAME_LENGTH} characters`, 'shorten the repository path');

  if (tag === undefined && digest === undefined && options.defaultTag !== false) {
    tag = options.defaultTag ?? 'latest';
  }
  return { registry, repository: path, tag, digest };
}

function checkDigest(digest: string, fail: (reason: string, hint?: string) => never): void {
  if (digest === '')
    fail("'@' must be followed by a digest", 'write it as REPOSITORY@sha256:<64 hex digits>');
  if (!DIGEST.test(digest)) fail(`"${digest}" is not a digest`, 'write it as sha256:<64 hex digits>');
  const [algorithm, hex = ''] = digest.split(':');
  const expected = algorithm === 'sha256' ? 64 : algorithm === 'sha512' ? 128 : undefined;
  if (expected !== undefined && !new RegExp(`^[a-f0-9]{${expected}}$`).test(hex)) {
    fail(
      `a ${algorithm} digest has exactly ${expected} lowercase hex digits`,
      `write it as ${algorithm}:<${expected} lowercase hex digits>`,
    );
  }
}

function normaliseRegistry(host: string, fail: (reason: string, hint?: string) => never): string {
  let name = host;
  let port: string | undefined;
  const portMatch = /:(\d*)$/.exec(host);
  if (portMatch && !(host.startsWith('[') && !host.includes(']:'))) {
    port = portMatch[1];
    name = host.slice(0, portMatch.index);
    const n = Number(port);
    if (port === '' || !Number.isInteger(n) || n < 1 || n > 65535)
      fail(
        `port "${port ?? ''}" is not from 1 to 65535`,
        'write the registry as HOST:PORT, e.g. localhost:5000',
      );
  }
  const valid = IPV6.test(name) || name.split('.').every((label) => HOST_LABEL.test(label));
  if (!valid)
    fail(
      `"${host}" is not a valid registry host`,
      "a host name holds letters, digits, '-' and '.', e.g. ghcr.io or localhost:5000",
    );
  const lower = name.toLowerCase();
  const normalised = port === undefined ? lower : `${lower}:${port}`;
  return DOCKER_HUB_ALIASES.has(normalised) ? DOCKER_HUB : normalised;
}

/** `registry/repository[:tag][@digest]`, the canonical full form. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The host the registry API answers on: Docker Hub's differs from its name. */
export function registryApiHost(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry) ? DOCKER_HUB_API : registry;
}

/** Loopback registries may be reached over plain HTTP, as Docker and skopeo allow. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostWithoutPort(registry.toLowerCase());
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `host[:port]` without its port; IPv6 literals keep their brackets. */
function hostWithoutPort(registry: string): string {
  return registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.replace(/:\d*$/, '');
}

/**
 * Whether `registry` is listed in insecure-registries: the same `host:port`, or the host alone (an entry
 * without a port covers every port of that host, as users mean it).
 */
export function isListedInsecure(registry: string, entries: readonly string[]): boolean {
  const name = registry.toLowerCase();
  const host = hostWithoutPort(name);
  return entries.some((raw) => {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    return entry === name || (entry === hostWithoutPort(entry) && entry === host);
  });
}

/** The registry and insecure-registries inputs, normalised; `notes` say what was rewritten. */
export interface RegistrySettings {
  /** `host[:port][/namespace]`, or undefined when the input is empty. */
  readonly registry: string | undefined;
  readonly insecureRegistries: string[];
  readonly notes: string[];
}

/**
 * Reads the registry and insecure-registries inputs the way users write them: a scheme (`http://H:P`) and
 * trailing slashes are dropped with a note; a path in an insecure-registries entry, a wildcard or a bad
 * port is refused with an error that says what to write. Both front ends call this before any network call.
 */
export function parseRegistrySettings(
  registry: string | undefined,
  insecureRegistries: readonly string[],
): RegistrySettings {
  const notes: string[] = [];
  let parsedRegistry: string | undefined;
  if (registry !== undefined && registry.trim() !== '') {
    const { host, path } = splitRegistryText('registry', registry, notes);
    parsedRegistry = path ? `${host}/${path}` : host;
  }
  const insecure = insecureRegistries
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const { host, path } = splitRegistryText('insecure-registries entry', entry, notes);
      if (path) {
        throw new InputError(
          `insecure-registries entry "${entry.trim()}" holds a path`,
          `list the registry host only: "${host}"`,
        );
      }
      return host;
    });
  return { registry: parsedRegistry, insecureRegistries: insecure, notes };
}

function splitRegistryText(name: string, input: string, notes: string[]): { host: string; path: string } {
  const original = input.trim();
  let text = original;
  const fail = (reason: string, hint?: string): never => {
    throw new InputError(`${name} "${original}": ${reason}`, hint);
  };
  if (text === '*' || text.includes('*')) {
    fail('wildcards are not supported', 'list each registry as HOST or HOST:PORT');
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    const word = (scheme[1] ?? '').toLowerCase();
    if (word !== 'http' && word !== 'https') {
      fail(`"${word}://" is not a registry scheme`, 'write it as HOST or HOST:PORT, e.g. localhost:5000');
    }
    text = text.slice(scheme[0].length);
  }
  const trimmed = text.replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = normaliseRegistry(slash === -1 ? trimmed : trimmed.slice(0, slash), (reason, hint) =>
    fail(reason, hint),
  );
  const path = slash === -1 ? '' : trimmed.slice(slash + 1);
  if (scheme || trimmed !== text) {
    notes.push(
      `${name} "${original}" read as "${path ? `${host}/${path}` : host}"${scheme ? ': the scheme is chosen by the client (HTTPS; plain HTTP only for loopback and insecure-registries)' : ''}`,
    );
  }
  return { host, path };
}
