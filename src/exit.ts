/**
 * A backstop for the front ends, armed once the work is over (pushed or failed): by then nothing should keep
 * the process alive, and every known cause is fixed at its root. Should a new one slip in (a handle left open),
 * the process still ends, with its exit code, and says why instead of hanging a CI job until its timeout.
 */
export function exitWhenIdle(ms = 5000): void {
  setTimeout(() => {
    const busy = process.getActiveResourcesInfo().filter((name) => name !== 'Timeout');
    process.stderr.write(
      `image-push: still running ${ms / 1000}s after the push ended (${busy.join(', ') || 'nothing listed'}); exiting (please report this)\n`,
    );
    process.exit(process.exitCode ?? 0);
  }, ms).unref();
}
