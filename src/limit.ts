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
