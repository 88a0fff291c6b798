import { InputError } from '../errors.ts';
import { checkConcurrency, createLimiter, type Limit } from '../limit.ts';
import { keepYoungGenerationSmall } from '../memory.ts';
import { registryApiHost } from '../oci/reference.ts';
import { connect, type ConnectOptions, type Connections } from '../registry/connect.ts';
import type { Credentials } from '../registry/transport/auth.ts';
import type { RegistryClient } from '../registry/transport/client.ts';
import { parseTargets, type RepositoryTarget } from './targets.ts';

/** How to reach the destinations: shared by every kind of push (an image, a merge of digests). */
export interface ConnectionOptions extends ConnectOptions {
  /** Destination references; those naming no registry get `registry`. */
  readonly destinations: readonly string[];
  readonly registry?: string | undefined;
  /** Explicit credentials, for `registry` (or the only registry the destinations name). */
  readonly credentials?: Credentials | undefined;
  /** How many registry requests may run at once. */
  readonly concurrency: number;
}

/** One destination repository and the client for its registry. */
export interface Target extends RepositoryTarget {
  readonly client: RegistryClient;
}

/**
 * The destinations of one push with their clients, one connection pool and one request limiter. Its
 * clientFor also serves registries that are not destinations (a merge's sources).
 */
export interface PushSession extends Connections {
  readonly targets: readonly Target[];
  /** Every registry request of the push goes through this, so together they never exceed the concurrency. */
  readonly limit: Limit;
}

/** Parses the destinations (before any network call) and prepares one client per registry. */
export async function openSession(options: ConnectionOptions): Promise<PushSession> {
  checkConcurrency(options.concurrency); // the front ends parsed it; a library caller may not have
  keepYoungGenerationSmall(); // a push's requests would otherwise grow it to 128 MB (see memory.ts)
  const parsed = parseTargets(options.destinations, options.registry);
  const connections = connect(options, credentialScope(parsed, options), parsed);
  const targets = await Promise.all(
    parsed.map(async (target) => ({ ...target, client: await connections.clientFor(target.registry) })),
  );
  return { ...connections, targets, limit: createLimiter(options.concurrency) };
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
