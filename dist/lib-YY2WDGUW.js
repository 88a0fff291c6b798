import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  formatBytes
} from "./lib-LDHBL6VY.js";

// src/files.ts
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
function fileKind(stats) {
  if (stats.isFile()) return "a file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}
var UnreadableFileError = class extends Error {
  path;
  reason;
  constructor(path, reason) {
    super(`${path} is ${reason}`);
    this.name = "UnreadableFileError";
    this.path = path;
    this.reason = reason;
  }
};
var READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
function check(path, stats, limit) {
  if (!stats.isFile()) throw new UnreadableFileError(path, `${fileKind(stats)}, not a regular file`);
  if (stats.size > limit)
    throw new UnreadableFileError(
      path,
      `${formatBytes(stats.size)}, more than the ${formatBytes(limit)} read into memory`
    );
}
async function readRegularFile(path, limit) {
  const handle = await open(path, READ_FLAGS);
  try {
    check(path, await handle.stat(), limit);
    const chunks = [];
    let total = 0;
    for (; ; ) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit)
        throw new UnreadableFileError(path, `more than the ${formatBytes(limit)} read into memory`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
function readRegularFileSync(path, limit) {
  const fd = openSync(path, READ_FLAGS);
  try {
    check(path, fstatSync(fd), limit);
    const chunks = [];
    let total = 0;
    for (; ; ) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit)
        throw new UnreadableFileError(path, `more than the ${formatBytes(limit)} read into memory`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

export {
  fileKind,
  UnreadableFileError,
  readRegularFile,
  readRegularFileSync
};
