import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  BLOCK_SIZE,
  Spool,
  readHead,
  sniffCompression
} from "./cli-HBYMJC2G.js";
import {
  DOCKER_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  SourceError,
  __toESM,
  createLimiter,
  require_node_os,
  require_node_stream
} from "./cli-FJOGMTSZ.js";

// src/compress/layer-compressor.ts
var import_node_stream = __toESM(require_node_stream(), 1);

// src/compress/worker-pool.ts
var import_node_os = __toESM(require_node_os(), 1);
var WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
// zlib's output and state are native memory the collector does not hurry for: a full collection after every
// 16 MB of input keeps workers from growing by ~100 MB before the heap notices. Pushing a 1 GB docker save
// here: every 8 MB cost ~9% of a worker's time for a 154 MB peak, every 16 MB ~4% for 165 MB, every 32 MB
// 182 MB; a young-generation collection left workers larger still.
if (typeof globalThis.gc !== 'function') require('node:v8').setFlagsFromString('--expose-gc');
const collect = typeof globalThis.gc === 'function' ? globalThis.gc : require('node:vm').runInNewContext('gc');
let sinceCollect = 0;
parentPort.on('message', ({ id, data, dictionary, last, level, codec }) => {
  if ((sinceCollect += data.byteLength) >= 16 << 20) {
    sinceCollect = 0;
    collect();
  }
  const back = data.byteLength > 0 ? [data.buffer] : [];
  try {
    let out;
    if (codec === 'zstd') {
      // One whole frame per block: frames concatenate into a valid zstd stream (RFC 8878, 3.1).
      out = zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
    } else {
      // memLevel 9 (a 64K-entry hash, zlib's largest): 8-14% faster at levels 2-4 on layers here, 0.2-0.5% larger.
      const options = { level, memLevel: 9, finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH };
      if (dictionary) options.dictionary = dictionary;
      out = zlib.deflateRawSync(data, options);
    }
    // Small results live in Node's shared Buffer pool, which cannot be transferred: those are copied.
    const own = out.byteOffset === 0 && out.buffer.byteLength === out.byteLength;
    parentPort.postMessage({ id, out, data }, own ? [out.buffer, ...back] : back);
  } catch (err) {
    parentPort.postMessage({ id, data, error: String(err && err.message || err) }, back);
  }
});
`;
var CompressionPool = class {
  size;
  #workers = [];
  #idle = [];
  #queue = [];
  #jobs = /* @__PURE__ */ new Map();
  #spareBlocks = [];
  #lent = /* @__PURE__ */ new WeakSet();
  #nextId = 0;
  #closed = false;
  constructor(size = (0, import_node_os.availableParallelism)()) {
    this.size = Math.max(1, size);
  }
  /**
   * A buffer for the next block: a returned one when there is one. Input memory then stays at a few blocks
   * however large the layer, instead of growing until the garbage collector catches up.
   */
  block(size) {
    const spare = this.#spareBlocks.pop();
    return spare && spare.length === size ? spare : Buffer.allocUnsafeSlow(size);
  }
  /**
   * Lends blocks of `size` for a reader to fill in place and pass down a stream whole (see readFileBlocks): a
   * compressor that gets one back ({@link isLent}) hands it to a worker as it is, with no copy and no new memory.
   */
  lender(size) {
    const lend = () => {
      const block = this.block(size);
      this.#lent.add(block);
      return block;
    };
    return { blockSize: size, lend, giveBack: (block) => this.giveBack(block) };
  }
  /** Whether `chunk` is a block from a {@link lender}, which nobody but its holder still reads. */
  isLent(chunk) {
    return this.#lent.has(chunk);
  }
  /** Takes back a block that was not used. */
  giveBack(block) {
    if (this.#spareBlocks.length < this.size * 2) this.#spareBlocks.push(block);
  }
  compress(request) {
    if (this.#closed) return Promise.reject(new Error("the compression pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, job: { resolve, reject } });
      this.#dispatch();
    });
  }
  /**
   * Stops every worker. Jobs still queued or running are rejected (a failed push closes the pool while a layer
   * may still be compressing: its pipeline must end, not wait forever), and no worker is started afterwards.
   */
  async close() {
    this.#closed = true;
    const closed = new Error("the compression pool is closed");
    for (const { job } of this.#queue.splice(0)) job.reject(closed);
    for (const job of this.#jobs.values()) job.reject(closed);
    this.#jobs.clear();
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    this.#workers.length = 0;
    this.#idle.length = 0;
  }
  #dispatch() {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? this.#spawn();
      if (!worker) return;
      const next = this.#queue.shift();
      if (!next) return;
      const id = this.#nextId++;
      this.#jobs.set(id, next.job);
      const { data, dictionary, last, level, codec } = next.request;
      const transfer = data.byteLength > 0 ? [data.buffer] : [];
      worker.ref();
      worker.postMessage({ id, data, dictionary, last, level, codec }, transfer);
    }
  }
  #spawn() {
    if (this.#closed || this.#workers.length >= this.size) return void 0;
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on("message", (reply) => {
      const job = this.#jobs.get(reply.id);
      this.#jobs.delete(reply.id);
      worker.unref();
      this.#idle.push(worker);
      if (reply.data.byteLength > 0) {
        this.giveBack(Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength));
      }
      if (reply.out) job?.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength));
      else job?.reject(new Error(`compression worker: ${reply.error ?? "no output"}`));
      this.#dispatch();
    });
    worker.on("error", (err) => {
      for (const job of this.#jobs.values()) job.reject(err);
      this.#jobs.clear();
    });
    worker.unref();
    this.#workers.push(worker);
    return worker;
  }
};

// src/compress/layer-compressor.ts
var DEFAULT_COMPRESSION_LEVEL = 2;
var DEFAULT_ZSTD_LEVEL = 3;
var LayerCompressor = class {
  format;
  level;
  // One layer at a time keeps every gzip worker busy (blocks are compressed in parallel within a layer).
  #oneAtATime = createLimiter(1);
  #pool;
  #spool;
  #closed = false;
  /** Blobs made here from an uncompressed layer whose diffID was checked on the way (verify need not redo it). */
  #checked = /* @__PURE__ */ new WeakSet();
  /** Bytes of uncompressed layer read and compressed, for the summary and the tests. */
  bytesCompressed = 0;
  constructor(format = "gzip", level) {
    this.format = format;
    this.level = level ?? (format === "gzip" ? DEFAULT_COMPRESSION_LEVEL : DEFAULT_ZSTD_LEVEL);
  }
  /**
   * Prepares one layer read from `open()`: compresses it when it is a plain tar (checking the result against the
   * diffID the config names), or copies it when it is already compressed. `open` reads into the blocks it is
   * given, when it can, so that they reach the workers without a copy.
   */
  prepare(open, diffId, sourceName) {
    return this.#oneAtATime(() => this.#prepare(open, diffId, sourceName));
  }
  /** Whether `blob` was compressed here from a layer whose diffID matched (no need to verify it again). */
  checkedDiffId(blob) {
    return this.#checked.has(blob);
  }
  /** The pool and the spool, made on first use; never after close() (a failed push closes while layers wait). */
  #parts() {
    const stopped = () => new Error("the push was stopped before this layer was read");
    if (this.#closed) throw stopped();
    const spool = this.#spool ??= new Spool();
    const pool = () => {
      if (this.#closed) throw stopped();
      return this.#pool ??= new CompressionPool();
    };
    return { spool, pool };
  }
  async #prepare(open, diffId, sourceName) {
    const kind = sniffCompression(await readHead(open()));
    const { spool, pool: makePool } = this.#parts();
    if (kind !== "none") {
      const spooled2 = await spool.copy(
        open(),
        kind === "zstd" ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP,
        diffId.slice(7)
      );
      return spooled2.blob;
    }
    const pool = makePool();
    const blocks = pool.lender(BLOCK_SIZE[this.format]);
    const spooled = await spool.compress(open(blocks), pool, this.format, this.level, diffId.slice(7));
    this.bytesCompressed += spooled.uncompressedBytes;
    if (spooled.diffId !== diffId) {
      throw new SourceError(
        `${sourceName}: layer ${diffId} hashes to ${spooled.diffId ?? "?"} uncompressed`,
        "the image is corrupt; save it again"
      );
    }
    this.#checked.add(spooled.blob);
    return spooled.blob;
  }
  /**
   * The same for a stream that can be read only once (an entry of a `docker save` stream): the first chunk
   * decides, then the whole stream goes through. Returns the diffID it hashed, if it decompressed nothing.
   */
  async prepareStream(stream, name, sourceName) {
    const chunks = stream[Symbol.asyncIterator]();
    const first = await chunks.next();
    const head = first.done ? Buffer.alloc(0) : first.value;
    const whole = import_node_stream.Readable.from(
      (async function* () {
        yield head;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })()
    );
    const kind = sniffCompression(head);
    const { spool, pool: makePool } = this.#parts();
    if (kind !== "none") {
      const spooled = await spool.copy(whole, kind === "zstd" ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP, name);
      return { blob: spooled.blob, diffId: void 0 };
    }
    const pool = makePool();
    try {
      const spooled = await spool.compress(whole, pool, this.format, this.level, name);
      this.bytesCompressed += spooled.uncompressedBytes;
      return { blob: spooled.blob, diffId: spooled.diffId };
    } catch (err) {
      throw new SourceError(`${sourceName}: reading layer ${name}: ${err.message}`, void 0, {
        cause: err
      });
    }
  }
  async close() {
    this.#closed = true;
    await Promise.all([this.#pool?.close(), this.#spool?.close()]);
  }
};

export {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  LayerCompressor
};
