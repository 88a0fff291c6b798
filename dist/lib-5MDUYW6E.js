import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DOCKER_LAYER_GZIP,
  OCI_LAYER_ZSTD
} from "./lib-IL6IRER7.js";
import {
  DigestingStream,
  noteDiscarded,
  release
} from "./lib-TYU6EIMF.js";

// src/compress/parallel-compress.ts
import { Transform } from "node:stream";
import { crc32 } from "node:zlib";
var BLOCK_SIZE = { gzip: 1 << 20, zstd: 2 << 20 };
var WINDOW = 32 << 10;
var HEADER = Buffer.from([31, 139, 8, 0, 0, 0, 0, 0, 0, 255]);
var ParallelCompress = class extends Transform {
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
    if (this.#format === "gzip") this.#crc = crc32(chunk, this.#crc);
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

// src/compress/layer-spool.ts
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReadStream, createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
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
  constructor(parent = tmpdir()) {
    this.#dir = mkdtemp(join(parent, "image-push-"));
  }
  /**
   * Compresses an uncompressed layer (on the pool's workers) into a spool file, hashing what goes in (the
   * diffID) and what comes out (the blob digest) on the way.
   */
  async compress(layer, pool, format, level, name) {
    const path = join(
      await this.#dir,
      `${name.replace(/[^\w.-]/g, "_")}.${format === "gzip" ? "gz" : "zst"}`
    );
    const uncompressed = new DigestingStream(void 0, { lastReader: false });
    const compressed = new DigestingStream(void 0, { lastReader: false });
    const compress = new ParallelCompress(pool, format, level);
    await pipeline(layer, uncompressed, compress, compressed, spoolWriter(path, release));
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
    const path = join(await this.#dir, name.replace(/[^\w.-]/g, "_"));
    const hashed = new DigestingStream();
    await pipeline(layer, hashed, createWriteStream(path));
    return {
      diffId: void 0,
      uncompressedBytes: 0,
      blob: spooledBlob(path, { mediaType, digest: hashed.digest(), size: hashed.bytes })
    };
  }
  async close() {
    await rm(await this.#dir, { recursive: true, force: true });
  }
};
function spoolWriter(path, written) {
  const opening = open(path, "w");
  opening.catch(() => void 0);
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      opening.then((handle) => writeAll(handle, chunk)).then(() => {
        written(chunk);
        callback();
      }, callback);
    },
    final(callback) {
      opening.then((handle) => handle.close()).then(() => callback(), callback);
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
    open: () => Promise.resolve(createReadStream(path, { highWaterMark: 1 << 20 }))
  };
}

export {
  BLOCK_SIZE,
  sniffCompression,
  readHead,
  Spool
};
