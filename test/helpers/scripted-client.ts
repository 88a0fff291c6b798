// A RegistryClient for a scripted server (test/helpers/scripted-server.ts): quick retries, a recording logger,
// and the secrets it was told to mask, so tests can check where credentials went.
import type { Credentials } from '../../src/registry/transport/auth.ts';
import { RegistryClient } from '../../src/registry/transport/client.ts';
import { Transport } from '../../src/registry/transport/http.ts';
import type { RetryPolicy } from '../../src/registry/transport/retry-policy.ts';
import { recordingLogger, type RecordingLogger } from './log.ts';

/** Retries without waiting, so a scripted failure costs no time. */
export const QUICK_RETRIES: RetryPolicy = { retries: 3, maxElapsedMs: 10_000, baseDelayMs: 1, maxDelayMs: 5 };

export interface ScriptedClient {
  readonly client: RegistryClient;
  readonly log: RecordingLogger;
  /** Every value the client asked to be masked (credentials, tokens). */
  readonly secrets: string[];
  close(): Promise<void>;
}

export function scriptedClient(
  registry: string,
  options: { credentials?: Credentials; retryPolicy?: RetryPolicy } = {},
): ScriptedClient {
  const transport = new Transport({ env: {} });
  const log = recordingLogger();
  const secrets: string[] = [];
  const client = new RegistryClient(registry, {
    credentials: options.credentials,
    insecureRegistries: [],
    transport,
    onSecret: (value) => secrets.push(value),
    userAgent: 'image-push-test',
    log,
    retryPolicy: options.retryPolicy ?? QUICK_RETRIES,
  });
  let closed: Promise<void> | undefined;
  return { client, log, secrets, close: () => (closed ??= transport.close()) };
}

/** The `Authorization` value of Basic credentials. */
export function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
