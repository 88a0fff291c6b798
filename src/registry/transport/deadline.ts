import { setMaxListeners } from 'node:events';
import { formatSeconds, RegistryError } from './errors.ts';

/**
 * The push-wide bound that `retry-timeout` sets: the push fails once it has waited on the network that long
 * without progress. Progress (an answer from a registry, bytes of an upload going out, a new operation after
 * local work) moves the bound along, so a healthy push of a large image is never cut, while a silent or
 * failing registry ends the push at most `limitMs` after its last sign of life, whatever the retries and
 * timeouts of single requests add up to. One per push, shared by every RegistryClient; `signal` aborts
 * whatever is in flight when it passes.
 */
export class Deadline {
  readonly limitMs: number;
  /** The input that sets the limit, named in the error. */
  readonly input: string;
  #last = Date.now();
  #lastFailure: Error | undefined;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  /** Requests in flight: the bound only passes while the push waits on the network. */
  #waiting = 0;

  constructor(limitMs: number, input = 'retry-timeout') {
    this.limitMs = limitMs;
    this.input = input;
    // Every request in flight listens to the signal: as many as the push's concurrency, more than Node's 10.
    setMaxListeners(0, this.#controller.signal);
  }

  /** A failure about to be retried: named in the error if the bound passes before the next try. */
  failed(err: unknown): void {
    if (err instanceof Error) this.#lastFailure = err;
  }

  /** A sign of life: the bound moves to `limitMs` from now. Nothing moves it once it has passed. */
  touch(): void {
    if (!this.#controller.signal.aborted) this.#last = Date.now();
  }

  remaining(): number {
    return this.#last + this.limitMs - Date.now();
  }

  get expired(): boolean {
    return this.remaining() <= 0 || this.#controller.signal.aborted;
  }

  /** Aborted once the bound passes while a request is in flight; undici then cancels them all. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Runs `fn` as a network wait: the bound may pass, and abort it, meanwhile. */
  async waiting<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#waiting++ === 0) this.#arm();
    try {
      return await fn();
    } finally {
      if (--this.#waiting === 0) clearTimeout(this.#timer);
    }
  }

  /** The failure that ends the push: what went wrong last, and that retry-timeout ran out. */
  error(last: unknown, what?: string): DeadlineError {
    if (last instanceof DeadlineError) return last;
    const failure = last instanceof Error ? last : this.#lastFailure;
    const before = failure ? failure.message : (what ?? 'pushing');
    return new DeadlineError(
      `${before}; gave up after ${formatSeconds(this.limitMs)} without progress (${this.input})`,
      `raise ${this.input} if the registry is only slow`,
    );
  }

  /** Stops the timer (the push is over). */
  close(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        if (this.#waiting === 0) return;
        if (this.remaining() > 0) this.#arm();
        else this.#controller.abort(new DeadlinePassed(this.limitMs, this.input));
      },
      Math.max(this.remaining(), 0) + 5,
    );
    this.#timer.unref();
  }
}

/**
 * The push ran out of time. Carries neither status nor cause, so nothing retries it: the message already
 * holds the last failure.
 */
export class DeadlineError extends RegistryError {
  constructor(message: string, hint: string) {
    super(message, hint, { network: true });
    this.name = 'DeadlineError';
  }
}

/** The reason a request was aborted: the client turns it into `Deadline.error` with what it was doing. */
class DeadlinePassed extends Error {
  constructor(limitMs: number, input: string) {
    super(`no progress for ${formatSeconds(limitMs)} (${input})`);
    this.name = 'DeadlinePassed';
  }
}
