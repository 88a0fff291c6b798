// Number formats shared by the log lines, the progress lines and the job summary.

/** Decimal units, as registries and `docker images` show sizes: `1.3 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

/** `4.1 MB/s`, or a dash when no time passed. */
export function formatRate(bytes: number, seconds: number): string {
  return seconds > 0 ? `${formatBytes(Math.round(bytes / seconds))}/s` : '–';
}
