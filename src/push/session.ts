import type { LookupFunction } from 'node:net';
import { InputError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { registryApiHost } from '../oci/reference.ts';
import type { Credentials } from '../registry/auth.ts';
import { RegistryClient } from '../registry/client.ts';
import { findLoginCredentials, type RepositoryAccess } from '../registry/login-files.ts';
import { Deadline } from '../registry/deadline.ts';
import { Transport, type Timeouts } from '../registry/http.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../registry/retry-policy.ts';
import { VERSION } from '../version.ts';
import { createLimiter } from '../limit.ts';
import { parseTargets, type RepositoryTarget } from './targets.ts';

/** How to reach the destinations: shared by every kind of push (an image, a merge of digests). */
export interface ConnectionOptions {
  /** Destination references; those naming no registry get `registry`. */
  readonly destinations: readonly string[];
  readonly registry?: string | undefined;
  /** Explicit credentials, for `registry` (or the only registry the destinations name). */
  readonly credentials?: Credentials | undefined;
  /** Explicit credentials for the source registry (`docker://` sources) only; else as for destinations. */
  readonly sourceCredentials?: Credentials | undefined;
  /**
   * Look up credentials for the other registries where logins leave them (login-files.ts: docker/login-action's
   * scoped Buildx configs, podman/skopeo/buildah's auth.json, the Docker config and its credential helpers).
   * Default true; the environment it reads is `dockerConfigEnv`.
   */
  readonly dockerConfig?: boolean;
  readonly dockerConfigEnv?: NodeJS.ProcessEnv;
  /** How many registry requests may run at once. */
  readonly concurrency: number;
  readonly insecureRegistries?: readonly string[];
  /** PEM certificates to trust besides the system's (a registry with a private CA). */
  readonly ca?: string | undefined;
  /** Its `maxElapsedMs` (retry-timeout) also bounds the whole push: it fails after that long without progress. */
  readonly retryPolicy?: RetryPolicy | undefined;
  /** How long a registry may stay silent (internal: tests shorten them). */
  readonly timeouts?: Partial<Timeouts> | undefined;
  /** Resolves registry host names (internal: tests map made-up names to loopback). */
  readonly lookup?: LookupFunction | undefined;
  readonly logger: Logger;
  /** Receives each secret (password, token) before use; the action masks them. */
  readonly onSecret?: (value: string) => void;
}

/** One destination repository and the client for its registry. */
export interface Target extends RepositoryTarget {
  readonly client: RegistryClient;
}

/** The destinations of one push with their clients, one connection pool and one request limiter. */
export interface PushSession {
  readonly targets: readonly Target[];
  /** Every registry request of the push goes through this, so together they never exceed the concurrency. */
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * A client for a registry that is not a destination (a merge's sources). `repository` is what it reads
   * first: for a registry that is no destination, its credentials are looked up for that repository.
   */
  clientFor(registry: string, repository?: string): Promise<RegistryClient>;
  /**
   * The client a `docker://` source reads through: with `sourceCredentials` when given (a client of its
   * own, which never writes), else the same as clientFor.
   */
  sourceClientFor(registry: string, repository?: string): Promise<RegistryClient>;
  close(): Promise<void>;
}

/** Parses the destinations (before any network call) and prepares one client per registry. */
export async function openSession(options: ConnectionOptions): Promise<PushSession> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new InputError(
      `concurrency "${String(options.concurrency)}" is not a whole number from 1 to 64`,
      'leave it empty for the default',
    );
  }
  const parsed = parseTargets(options.destinations, options.registry);
  const explicit = credentialScope(parsed, options);
  const transport = new Transport({
    ca: options.ca,
    ...(options.timeouts?.connectMs !== undefined ? { connectTimeoutMs: options.timeouts.connectMs } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  // One bound for the whole push, shared by every registry (see Deadline).
  const deadline = new Deadline((options.retryPolicy ?? DEFAULT_RETRY_POLICY).maxElapsedMs);
  const clients = new Map<string, Promise<RegistryClient>>();
  const onSecret = maskOnce(options.onSecret);

  const createClient = async (
    registry: string,
    given: Credentials | undefined,
    repository: string | undefined,
  ): Promise<RegistryClient> => {
    let credentials = given;
    if (!credentials && options.dockerConfig !== false) {
      // Every destination repository on this registry shares the client: the login must suit them all.
      const access: RepositoryAccess[] = parsed
        .filter((t) => t.registry === registry)
        .map((t) => ({ repository: t.repository, push: true }));
      if (access.length === 0 && repository !== undefined) access.push({ repository, push: false });
      const found = await findLoginCredentials(registry, access, {
        ...(options.dockerConfigEnv ? { env: options.dockerConfigEnv } : {}),
        onSecret,
      });
      // Which file answered: a stale login elsewhere is then easy to spot.
      if (found) options.logger.info(`credentials for ${registry}: ${found.where}`);
      credentials = found?.credentials;
    }
    return new RegistryClient(registry, {
      credentials,
      insecureRegistries: options.insecureRegistries ?? [],
      transport,
      onSecret,
      userAgent: `image-push/${VERSION}`,
      log: options.logger,
      retryPolicy: options.retryPolicy,
      deadline,
      timeouts: options.timeouts,
    });
  };
  const clientFor = (registry: string, repository?: string): Promise<RegistryClient> => {
    let client = clients.get(registry);
    if (!client) {
      client = createClient(registry, explicit(registry), repository);
      clients.set(registry, client);
    }
    return client;
  };

  let sourceClient: { registry: string; client: Promise<RegistryClient> } | undefined;
  const sourceClientFor = (registry: string, repository?: string): Promise<RegistryClient> => {
    const given = options.sourceCredentials;
    // A source names one registry: the source credentials are for the first one asked for, and no other.
    if (!given || (sourceClient && sourceClient.registry !== registry))
      return clientFor(registry, repository);
    sourceClient ??= { registry, client: createClient(registry, given, repository) };
    return sourceClient.client;
  };

  const targets = await Promise.all(
    parsed.map(async (target) => ({ ...target, client: await clientFor(target.registry) })),
  );
  return {
    targets,
    limit: createLimiter(options.concurrency),
    clientFor,
    sourceClientFor,
    close: () => {
      deadline.close();
      return transport.close();
    },
  };
}

/**
 * Each secret reaches `onSecret` once: the action masks what it is given, and one mask per value is enough
 * (the Basic value is computed for every request).
 */
function maskOnce(onSecret: ((value: string) => void) | undefined): (value: string) => void {
  const seen = new Set<string>();
  return (value) => {
    if (!onSecret || seen.has(value)) return;
    seen.add(value);
    onSecret(value);
  };
}

/**
 * Credentials go only to the registry they are for: the `registry` input's, or the only registry the
 * destinations name. Sending them anywhere else would leak them.
 */
function credentialScope(
  targets: readonly RepositoryTarget[],
  options: ConnectionOptions,
): (registry: string) => Credentials | undefined {
  if (!options.credentials) return () => undefined;
  if (options.registry) {
    const host = registryApiHost(options.registry.split('/')[0]?.toLowerCase() ?? '');
    return (registry) => (registryApiHost(registry) === host ? options.credentials : undefined);
  }
  const registries = [...new Set(targets.map((t) => t.registry))];
  const scoped = registries.length === 1 ? registries[0] : undefined;
  if (!scoped) {
    throw new InputError(
      `a username and password were given, but the destinations name ${registries.length} registries (${registries.join(', ')})`,
      'set the registry input to the one they are for, and log in to the others with docker/login-action',
    );
  }
  return (registry) => (registry === scoped ? options.credentials : undefined);
}
