import { InputError } from './errors.ts';

/** Registry requests at once, by default; a few more than a browser opens per host. */
export const DEFAULT_CONCURRENCY = 4;

/**
 * The one rule for a concurrency, whoever gives it (an input, a flag, a library caller): a whole number from 1
 * to 64. `text` is what the user wrote, quoted in the error.
 */
export function checkConcurrency(value: number, text = String(value)): number {
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new InputError(
      `concurrency "${text}" is not a whole number from 1 to 64`,
      `leave it empty for ${DEFAULT_CONCURRENCY}`,
    );
  }
  return value;
}

/** Runs a task when a slot is free: every registry request of a push goes through one. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Runs at most `concurrency` tasks at a time; the rest wait in order. One limiter is shared by every request
 * of a push, so HEADs, uploads and manifests together never exceed the configured concurrency.
 */
export function createLimiter(concurrency: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    if (active >= concurrency) return;
    const start = waiting.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
