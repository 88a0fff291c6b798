import { InputError, SourceError } from '../errors.ts';
import { ManifestError } from '../oci/manifest.ts';
import { RegistryError } from '../registry/transport/errors.ts';

/**
 * The CLI's exit codes, one per thing a script can do something about. Stable: scripts branch on them.
 * The action has no use for them (a failed step is a failed step); its error line says the same.
 */
export const EXIT = {
  /** Pushed (or --help, --version). */
  ok: 0,
  /** Anything else (the message says what). */
  failure: 1,
  /** A bad argument, option, environment variable, or a path missing or of the wrong kind: nothing was sent. */
  input: 2,
  /** The registry refused the credentials (401), or they may not push there (403). Log in again. */
  auth: 3,
  /** The registry answered, but refused or failed the request (404, 409, 413, 429, 5xx after the retries). */
  refused: 4,
  /** The registry could not be reached (or its TLS failed), or went silent, and the retries gave up. */
  network: 5,
  /** The image source's content is unreadable or inconsistent (a bad layout, archive, manifest or layer). */
  source: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The --help and README text of the codes: one line each. */
export const EXIT_CODES_HELP = `exit codes:
  0  pushed (or --help, --version)
  1  any other failure (the message says what)
  2  bad input: an argument, option, environment variable, or a path that is missing or of the wrong kind;
     nothing was sent
  3  authentication: the registry refused the credentials (401) or they may not push there (403)
  4  the registry refused or failed a request (404, 409, 413, 429, 5xx after the retries), or a tag that
     --no-overwrite or the registry's immutable tags keep
  5  the network gave up: the registry could not be reached, its TLS failed, or it went silent, after the retries
  6  the source is broken: its content is unreadable or inconsistent (layout, archive, manifest, config, layer)`;

/** The code of a failure: by what the user can do about it, read from the error's type and status. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof InputError) return EXIT.input;
  if (err instanceof SourceError || err instanceof ManifestError) return EXIT.source;
  if (err instanceof RegistryError) {
    if (err.status === 401) return EXIT.auth;
    // 403 is "may not push here", except a registry's rate limit (GHCR's secondary limit answers 403).
    if (err.status === 403) return /rate.?limit/i.test(err.message) ? EXIT.refused : EXIT.auth;
    if (err.status !== undefined) return EXIT.refused;
    return err.network ? EXIT.network : EXIT.refused;
  }
  return EXIT.failure;
}
