// The one way image-push runs another program (a Docker credential helper): with a deadline and a bound on
// what it may print. A helper that never exits, or prints without end, is killed (its whole process group,
// so a child it started cannot keep the pipes open) and the caller hears which of the two it was.

export interface BoundedRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BoundedRunOptions {
  readonly env: Record<string, string>;
  readonly input?: Buffer | string;
  /** The program is killed after this long. */
  readonly timeoutMs: number;
  /** And once stdout and stderr together pass this many bytes. */
  readonly maxOutputBytes: number;
}

/** Why a run was cut: it took too long, or printed too much. */
export class RunCutError extends Error {
  readonly reason: 'timeout' | 'output';

  constructor(reason: 'timeout' | 'output', message: string) {
    super(message);
    this.name = 'RunCutError';
    this.reason = reason;
  }
}

/**
 * Runs `path` with `args`, `input` on its stdin, within `timeoutMs` and `maxOutputBytes`; past either it is
 * killed and a {@link RunCutError} is thrown. A program that cannot start rejects with spawn's error.
 */
export function runBounded(
  path: string,
  args: readonly string[],
  options: BoundedRunOptions,
): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    // Its own process group (detached), so that killing it also kills what it started.
    // Loaded here, not at start-up: most pushes run no helper, and node:child_process costs every run ~1.5 ms.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(path, args, { env: options.env, stdio: 'pipe', detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already, or groups are not supported
      }
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
    };
    const cut = (reason: 'timeout' | 'output', message: string): void => {
      kill();
      finish(() => reject(new RunCutError(reason, message)));
    };
    const timer = setTimeout(
      () => cut('timeout', `it did not finish within ${options.timeoutMs / 1000} s`),
      options.timeoutMs,
    );
    const collect =
      (into: Buffer[]) =>
      (chunk: Buffer): void => {
        if (settled) return;
        bytes += chunk.length;
        if (bytes > options.maxOutputBytes) {
          cut('output', `it printed more than ${options.maxOutputBytes} bytes`);
          return;
        }
        into.push(chunk);
      };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.once('error', (error) => finish(() => reject(error)));
    // 'close' waits for the pipes, which a grandchild may hold open: the exit of the program itself is the end,
    // once what it printed so far has been read.
    child.once('exit', (code, signal) => {
      const done = (): void =>
        finish(() =>
          resolve({
            exitCode: code,
            signal,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          }),
        );
      let open = 2;
      const closed = (): void => {
        if (--open === 0) done();
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream.readableEnded || stream.destroyed) closed();
        else stream.once('close', closed);
      }
    });
    child.stdin.on('error', () => undefined); // a helper that exits without reading its input
    child.stdin.end(options.input ?? '');
  });
}
