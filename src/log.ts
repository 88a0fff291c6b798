/**
 * The library logs through this interface so it never depends on the Actions runtime; the action passes one
 * backed by @actions/core, the CLI one backed by stderr.
 */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group where the front end has them. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_name, fn) => fn(),
};

/**
 * A message made safe to print as one log line on a CI runner, where a line that starts with `::` (or holds
 * `##[`) is a workflow command: messages quote what users, files and registries wrote, and a newline followed
 * by `::warning::` (or `::add-mask::`, `::stop-commands::`) must print as text. Line breaks are escaped as
 * `\n`; a leading `::` becomes `\::`.
 */
export function safeLine(message: string): string {
  return message
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, (br) => (br === '\r' ? '\\r' : '\\n'))
    .replace(/^(\s*)::/, '$1\\::')
    .replaceAll('##[', '#\\#[');
}
