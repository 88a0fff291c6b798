import { ImagePushError, InputError, SourceError } from '../errors.ts';
import { ManifestError } from '../oci/manifest.ts';
import { RegistryError } from '../registry/errors.ts';

/**
 * The CLI's exit codes, one per thing a script can do something about. Stable: scripts branch on them.
 * The action has no use for them (a failed step is a failed step); its error line says the same.
 */
export const EXIT = {
  /** Pushed (or --help, --version). */
  ok: 0,
  /** Anything else: a bug or an unexpected failure (the message says what). */
  failure: 1,
  /** A bad argument, option, environment variable or local file: nothing was sent. Fix the command. */
  input: 2,
  /** The registry refused the credentials (401), or they may not push there (403). Log in again. */
  auth: 3,
  /** The registry answered, but refused or failed the request (404, 409, 413, 429, 5xx after the retries). */
  refused: 4,
  /** The registry could not be reached, or went silent, and the retries gave up. Try again later. */
  network: 5,
  /** The image source is missing, unreadable or inconsistent (a bad layout, archive or layer). */
  source: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The --help and README text of the codes: one line each. */
export const EXIT_CODES_HELP = `exit codes:
  0  pushed
  1  an unexpected failure (the message says what)
  2  bad input: an argument, option, environment variable or local file; nothing was sent
  3  authentication: the registry refused the credentials (401) or they may not push there (403)
  4  the registry refused or failed a request (404, 409, 413, 429, 5xx after the retries, an immutable tag)
  5  the network gave up: the registry could not be reached or went silent, after the retries
  6  the source is broken: the image is missing, unreadable or inconsistent`;

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
  if (err instanceof ImagePushError) return EXIT.failure;
  return EXIT.failure;
}
