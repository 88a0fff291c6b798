/**
 * Errors a user can act on. The message says what is wrong (quoting the input), the hint how to fix it;
 * front ends print both on one line. Anything that is not an ImagePushError is a bug or an unexpected failure.
 */
export class ImagePushError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImagePushError';
    this.hint = hint;
  }
}

/** Bad input: caught before any network call. */
export class InputError extends ImagePushError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'InputError';
  }
}

/** The image source is unreadable or inconsistent (missing file, digest mismatch, bad JSON). */
export class SourceError extends ImagePushError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = 'SourceError';
  }
}

/**
 * One line for a log or `core.setFailed`: the message, then the hint. Line breaks (from a quoted response
 * body or a Node error) are folded, so a failure is always exactly one line.
 */
export function describeError(err: unknown): string {
  let line: string;
  if (err instanceof ImagePushError) line = err.hint ? `${err.message}. ${err.hint}` : err.message;
  else if (err instanceof Error) line = err.message;
  else line = String(err);
  return line.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
