import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DOCKER_LAYER_GZIP,
  DigestingStream,
  ImagePushError,
  OCI_LAYER_ZSTD,
  __commonJS,
  __require,
  __toESM,
  formatBytes,
  noteDiscarded,
  release,
  require_node_fs,
  require_node_os,
  require_node_path,
  require_node_stream,
  require_promises
} from "./cli-FJOGMTSZ.js";

// builtin-require:node:stream/promises
var require_promises2 = __commonJS({
  "builtin-require:node:stream/promises"(exports, module) {
    module.exports = __require("node:stream/promises");
  }
});

// src/file-errors.ts
var import_node_os = __toESM(require_node_os(), 1);
var CAUSES = {
  ENOSPC: { says: "the disk is full", fix: "free space there, or point it at a disk with room" },
  EDQUOT: { says: "the disk quota is used up", fix: "free space there, or point it at a disk with room" },
  EROFS: { says: "the file system is read-only", fix: "point it at a writable directory" },
  EACCES: { says: "permission denied", fix: "make it writable for this user, or point it elsewhere" },
  EPERM: {
    says: "the operation is not permitted",
    fix: "make it writable for this user, or point it elsewhere"
  },
  EISDIR: { says: "it is a directory", fix: "it must be a file" },
  ENOTDIR: { says: "a part of the path is not a directory", fix: "check the path" },
  ENOENT: { says: "it does not exist", fix: "check the path, or create its directory first" },
  EMFILE: { says: "too many open files", fix: "raise the open-file limit (ulimit -n)" },
  EIO: { says: "an I/O error (a failing disk?)", fix: "check the disk" }
};
function fileErrorCode(err) {
  const code = err?.code;
  if (typeof code === "string") return code;
  if (err instanceof Error && /^Missing file at path/.test(err.message)) return "ENOENT";
  return void 0;
}
function describeFileError(err) {
  const code = fileErrorCode(err);
  const cause = code === void 0 ? void 0 : CAUSES[code];
  if (cause) return `${cause.says} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
function fileErrorFix(err) {
  const code = fileErrorCode(err);
  return code === void 0 ? void 0 : CAUSES[code]?.fix;
}
var LocalFileError = class extends ImagePushError {
  path;
  /** `doing`: "writing the compressed layer to"; `advice`: what else may help (where to point instead). */
  constructor(doing, path, cause, advice) {
    const fix = fileErrorFix(cause);
    super(
      `${doing} ${path}: ${describeFileError(cause)}`,
      [fix, advice].filter((part) => part !== void 0).join("; ") || void 0,
      { cause }
    );
    this.name = "LocalFileError";
    this.path = path;
  }
};
function tempRoot(env = process.env) {
  return env.RUNNER_TEMP || (0, import_node_os.tmpdir)();
}
var TEMP_ADVICE = "temporary files go under RUNNER_TEMP on a runner, else TMPDIR: point it at a writable directory with room for the largest layer";

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

// src/compress/parallel-compress.ts
var import_node_stream = __toESM(require_node_stream(), 1);
var BLOCK_SIZE = { gzip: 1 << 20, zstd: 2 << 20 };
var WINDOW = 32 << 10;
var HEADER = Buffer.from([31, 139, 8, 0, 0, 0, 0, 0, 0, 255]);
var ParallelCompress = class extends import_node_stream.Transform {
  #pool;
  #format;
  #level;
  #blockSize;
  #maxInFlight;
  #block;
  #filled = 0;
  #dictionary;
  #crc = 0;
  #length = 0;
  #pending = [];
  constructor(pool, format, level, blockSize = BLOCK_SIZE[format]) {
    super({ readableHighWaterMark: 1 << 20 });
    this.#pool = pool;
    this.#format = format;
    this.#level = level;
    this.#blockSize = blockSize;
    this.#maxInFlight = pool.size * 2;
    this.#block = pool.block(blockSize);
    if (format === "gzip") this.push(Buffer.from(HEADER));
  }
  _transform(chunk, _encoding, callback) {
    this.#accept(chunk).then(() => callback(), callback);
  }
  _flush(callback) {
    this.#submit(true);
    this.#drain(0).then(() => {
      if (this.#format === "zstd") return callback();
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.#crc >>> 0, 0);
      trailer.writeUInt32LE(this.#length % 2 ** 32, 4);
      this.push(trailer);
      callback();
    }).catch(callback);
  }
  async #accept(chunk) {
    if (this.#format === "gzip") this.#crc = crc32()(chunk, this.#crc);
    this.#length += chunk.length;
    if (this.#filled === 0 && chunk.length === this.#blockSize && this.#pool.isLent(chunk)) {
      this.#pool.giveBack(this.#block);
      this.#block = chunk;
      this.#filled = chunk.length;
      this.#submit(false);
      await this.#drain(this.#maxInFlight);
      return;
    }
    noteDiscarded(chunk.length);
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.#blockSize - this.#filled);
      chunk.copy(this.#block, this.#filled, offset, offset + n);
      this.#filled += n;
      offset += n;
      if (this.#filled === this.#blockSize) {
        this.#submit(false);
        await this.#drain(this.#maxInFlight);
      }
    }
  }
  #submit(last) {
    const data = this.#filled === this.#blockSize ? this.#block : this.#block.subarray(0, this.#filled);
    if (this.#format === "zstd" && data.length === 0 && this.#length > 0) return;
    const dictionary = this.#dictionary;
    if (this.#format === "gzip")
      this.#dictionary = data.length >= WINDOW ? Uint8Array.prototype.slice.call(data, data.length - WINDOW) : joinWindow(dictionary, data);
    let owned = data;
    if (data.length !== this.#blockSize) {
      owned = Buffer.allocUnsafeSlow(data.length);
      data.copy(owned);
    }
    const codec = this.#format === "gzip" ? "deflate" : "zstd";
    this.#pending.push(this.#pool.compress({ codec, data: owned, dictionary, last, level: this.#level }));
    this.#block = this.#pool.block(this.#blockSize);
    this.#filled = 0;
  }
  async #drain(keep) {
    while (this.#pending.length > keep) {
      const next = this.#pending.shift();
      if (next) this.push(await next);
    }
  }
};
function joinWindow(previous, data) {
  const joined = Buffer.concat([previous ?? Buffer.alloc(0), data]);
  return joined.subarray(Math.max(0, joined.length - WINDOW));
}
var zlibCrc32;
function crc32() {
  return zlibCrc32 ??= process.getBuiltinModule("node:zlib").crc32;
}

// src/compress/layer-spool.ts
var import_promises2 = __toESM(require_promises(), 1);
var import_node_path = __toESM(require_node_path(), 1);
var import_node_fs2 = __toESM(require_node_fs(), 1);
var import_node_stream2 = __toESM(require_node_stream(), 1);
var import_promises3 = __toESM(require_promises2(), 1);
function sniffCompression(head) {
  if (head[0] === 31 && head[1] === 139) return "gzip";
  if (head[0] === 40 && head[1] === 181 && head[2] === 47 && head[3] === 253) return "zstd";
  return "none";
}
async function readHead(stream) {
  try {
    for await (const chunk of stream) return chunk;
    return Buffer.alloc(0);
  } finally {
    stream.destroy();
  }
}
var Spool = class {
  #dir;
  constructor(parent = tempRoot()) {
    this.#dir = (0, import_promises2.mkdtemp)((0, import_node_path.join)(parent, "image-push-")).catch((err) => {
      throw new LocalFileError(
        "cannot create the compression spool (a temporary directory) in",
        parent,
        err,
        TEMP_ADVICE
      );
    });
    this.#dir.catch(() => void 0);
  }
  /**
   * Compresses an uncompressed layer (on the pool's workers) into a spool file, hashing what goes in (the
   * diffID) and what comes out (the blob digest) on the way.
   */
  async compress(layer, pool, format, level, name) {
    const path = (0, import_node_path.join)(
      await this.#dir,
      `${name.replace(/[^\w.-]/g, "_")}.${format === "gzip" ? "gz" : "zst"}`
    );
    const uncompressed = new DigestingStream(void 0, { lastReader: false });
    const compressed = new DigestingStream(void 0, { lastReader: false });
    const compress = new ParallelCompress(pool, format, level);
    await (0, import_promises3.pipeline)(layer, uncompressed, compress, compressed, spoolWriter(path, release));
    return {
      diffId: uncompressed.digest(),
      uncompressedBytes: uncompressed.bytes,
      blob: spooledBlob(path, {
        mediaType: format === "gzip" ? DOCKER_LAYER_GZIP : OCI_LAYER_ZSTD,
        digest: compressed.digest(),
        size: compressed.bytes
      })
    };
  }
  /** Copies an already compressed layer as it is, learning its digest. */
  async copy(layer, mediaType, name) {
    const path = (0, import_node_path.join)(await this.#dir, name.replace(/[^\w.-]/g, "_"));
    const hashed = new DigestingStream();
    await (0, import_promises3.pipeline)(
      layer,
      hashed,
      spoolWriter(path, () => void 0)
    );
    return {
      diffId: void 0,
      uncompressedBytes: 0,
      blob: spooledBlob(path, { mediaType, digest: hashed.digest(), size: hashed.bytes })
    };
  }
  async close() {
    await (0, import_promises2.rm)(await this.#dir, { recursive: true, force: true });
  }
};
function spoolError(path, err) {
  return err instanceof LocalFileError ? err : new LocalFileError("writing a compressed layer to the temporary file", path, err, TEMP_ADVICE);
}
function spoolWriter(path, written) {
  const opening = (0, import_promises2.open)(path, "w");
  opening.catch(() => void 0);
  const fail = (callback) => (err) => callback(spoolError(path, err));
  return new import_node_stream2.Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      opening.then((handle) => writeAll(handle, chunk)).then(() => {
        written(chunk);
        callback();
      }, fail(callback));
    },
    final(callback) {
      opening.then((handle) => handle.close()).then(() => callback(), fail(callback));
    },
    destroy(err, callback) {
      opening.then((handle) => handle.close()).then(
        () => callback(err),
        (closeErr) => callback(err ?? closeErr)
      );
    }
  });
}
async function writeAll(handle, chunk) {
  for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done)).bytesWritten;
}
function spooledBlob(path, descriptor) {
  return {
    descriptor,
    available: true,
    open: () => Promise.resolve((0, import_node_fs2.createReadStream)(path, { highWaterMark: 1 << 20 }))
  };
}

export {
  fileErrorCode,
  describeFileError,
  fileErrorFix,
  LocalFileError,
  tempRoot,
  TEMP_ADVICE,
  fileKind,
  UnreadableFileError,
  readRegularFile,
  readRegularFileSync,
  BLOCK_SIZE,
  require_promises2 as require_promises,
  sniffCompression,
  readHead,
  Spool
};
