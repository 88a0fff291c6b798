import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/format.ts
function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? "B"}`;
}
function formatSeconds(seconds) {
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}
function formatRate(bytes, seconds) {
  return seconds > 0 ? `${formatBytes(Math.round(bytes / seconds))}/s` : "\u2013";
}

export {
  formatBytes,
  formatSeconds,
  formatRate
};
