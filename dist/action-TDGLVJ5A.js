import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_promises
} from "./action-KFWXCRBI.js";
import {
  formatBytes
} from "./action-7YDRSE4Y.js";
import {
  require_node_fs
} from "./action-O6GVOO7T.js";
import {
  __toESM
} from "./action-JJ6ZGO25.js";

// src/files.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_promises = __toESM(require_promises(), 1);
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
var READ_FLAGS = import_node_fs.constants.O_RDONLY | import_node_fs.constants.O_NONBLOCK;
function check(path, stats, limit) {
  if (!stats.isFile()) throw new UnreadableFileError(path, `${fileKind(stats)}, not a regular file`);
  if (stats.size > limit)
    throw new UnreadableFileError(
      path,
      `${formatBytes(stats.size)}, more than the ${formatBytes(limit)} read into memory`
    );
}
async function readRegularFile(path, limit) {
  const handle = await (0, import_promises.open)(path, READ_FLAGS);
  try {
    check(path, await handle.stat(), limit);
    const into = new BoundedChunks(path, limit);
    for (; ; ) {
      const chunk = into.next();
      if (!into.take(chunk, (await handle.read(chunk, 0, chunk.length, null)).bytesRead)) break;
    }
    return into.bytes();
  } finally {
    await handle.close();
  }
}
function readRegularFileSync(path, limit) {
  const fd = (0, import_node_fs.openSync)(path, READ_FLAGS);
  try {
    check(path, (0, import_node_fs.fstatSync)(fd), limit);
    const into = new BoundedChunks(path, limit);
    for (; ; ) {
      const chunk = into.next();
      if (!into.take(chunk, (0, import_node_fs.readSync)(fd, chunk, 0, chunk.length, null))) break;
    }
    return into.bytes();
  } finally {
    (0, import_node_fs.closeSync)(fd);
  }
}
var BoundedChunks = class {
  #path;
  #limit;
  #chunks = [];
  #total = 0;
  constructor(path, limit) {
    this.#path = path;
    this.#limit = limit;
  }
  /** The buffer for the next read: 1 MiB at most, and never more than one byte past the limit. */
  next() {
    return Buffer.allocUnsafe(Math.min(1 << 20, this.#limit + 1 - this.#total));
  }
  /** Keeps what a read put in `chunk`; false at the end of the file. */
  take(chunk, bytesRead) {
    if (bytesRead === 0) return false;
    this.#chunks.push(chunk.subarray(0, bytesRead));
    this.#total += bytesRead;
    if (this.#total > this.#limit)
      throw new UnreadableFileError(this.#path, `more than the ${formatBytes(this.#limit)} read into memory`);
    return true;
  }
  bytes() {
    return Buffer.concat(this.#chunks, this.#total);
  }
};

export {
  fileKind,
  UnreadableFileError,
  readRegularFile,
  readRegularFileSync
};
