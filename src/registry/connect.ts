import type { LookupFunction } from 'node:net';
import type { Logger } from '../log.ts';
import { VERSION } from '../version.ts';
import { dockerConfigCredentials } from './credentials/docker-config.ts';
import type { Credentials } from './transport/auth.ts';
import { RegistryClient } from './transport/client.ts';
import { Deadline } from './transport/deadline.ts';
import { Transport, type Timeouts } from './transport/http.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport/retry-policy.ts';

/** How to reach registries: one connection pool, one deadline, credentials per registry. */
export interface ConnectOptions {
  /** Explicit credentials for the source registry (`docker://` sources) only; else as for destinations. */
  readonly sourceCredentials?: Credentials | undefined;
  /**
   * Look up credentials for the other registries in the Docker config (`docker login`, docker/login-action)
   * and its credential helpers. Default true; the environment it reads is `dockerConfigEnv`.
   */
  readonly dockerConfig?: boolean;
  readonly dockerConfigEnv?: NodeJS.ProcessEnv;
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

/** The clients of one run, one per registry, over one connection pool. */
export interface Connections {
  /** The client for a registry, made once (a destination's, or a merge source's). */
  clientFor(registry: string): Promise<RegistryClient>;
  /**
   * The client a `docker://` source reads through: with `sourceCredentials` when given (a client of its
   * own, which never writes), else the same as clientFor.
   */
  sourceClientFor(registry: string): Promise<RegistryClient>;
  close(): Promise<void>;
}

/**
 * Prepares the clients of a run; `explicit` says which registry the explicit credentials are for (they
 * must reach no other). Makes no network call: each client is made when first asked for.
 */
export function connect(
  options: ConnectOptions,
  explicit: (registry: string) => Credentials | undefined,
): Connections {
  const transport = new Transport({
    ca: options.ca,
    ...(options.timeouts?.connectMs !== undefined ? { connectTimeoutMs: options.timeouts.connectMs } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  // One bound for the whole push, shared by every registry (see Deadline).
  const deadline = new Deadline((options.retryPolicy ?? DEFAULT_RETRY_POLICY).maxElapsedMs);
  const clients = new Map<string, Promise<RegistryClient>>();
  const onSecret = options.onSecret ?? (() => undefined);

  const createClient = async (
    registry: string,
    given: Credentials | undefined = explicit(registry),
  ): Promise<RegistryClient> => {
    let credentials = given;
    if (!credentials && options.dockerConfig !== false) {
      credentials = await dockerConfigCredentials(registry, {
        ...(options.dockerConfigEnv ? { env: options.dockerConfigEnv } : {}),
        onSecret,
      });
      if (credentials) options.logger.debug(`using credentials for ${registry} from the Docker config`);
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
  const clientFor = (registry: string): Promise<RegistryClient> => {
    let client = clients.get(registry);
    if (!client) {
      client = createClient(registry);
      clients.set(registry, client);
    }
    return client;
  };

  let sourceClient: { registry: string; client: Promise<RegistryClient> } | undefined;
  const sourceClientFor = (registry: string): Promise<RegistryClient> => {
    const given = options.sourceCredentials;
    // A source names one registry: the source credentials are for the first one asked for, and no other.
    if (!given || (sourceClient && sourceClient.registry !== registry)) return clientFor(registry);
    sourceClient ??= { registry, client: createClient(registry, given) };
    return sourceClient.client;
  };

  return {
    clientFor,
    sourceClientFor,
    close: () => {
      deadline.close();
      return transport.close();
    },
  };
}
