// A Logger that keeps every line, so tests can assert what a push printed (retries, warnings) and that no
// secret is among it.
import type { Logger } from '../../src/log.ts';

export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    group: (name, fn) => {
      lines.push(`group: ${name}`);
      return fn();
    },
  };
}
