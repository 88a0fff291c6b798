import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

/**
 * Worker threads that compress blocks (raw deflate for gzip, or zstd frames). The worker is a few lines of plain JavaScript run with `eval`, so it
 * works the same from the TypeScript sources and from the bundle, with no file path to resolve.
 */
const WORKER_SOURCE = `
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

interface Job {
  readonly resolve: (out: Buffer) => void;
  readonly reject: (err: Error) => void;
}

interface Reply {
  id: number;
  out?: Uint8Array;
  /** The input block, handed back so that its memory is reused instead of left to the garbage collector. */
  data: Uint8Array;
  error?: string;
}

/** Where a reader gets the buffers it fills: whole blocks of one size, lent by the pool. */
export interface BlockLender {
  readonly blockSize: number;
  lend(): Buffer;
  /** Takes back a block that was not filled. */
  giveBack(block: Buffer): void;
}

export type Codec = 'deflate' | 'zstd';

export interface CompressRequest {
  readonly codec: Codec;
  readonly data: Uint8Array;
  /** The 32 KiB before `data`, so back-references may reach into the previous block (as pigz does). */
  readonly dictionary: Uint8Array | undefined;
  /** The final block ends the deflate stream; others end on a byte boundary with a sync flush. */
  readonly last: boolean;
  readonly level: number;
}

/** A fixed set of compression workers shared by every layer a push compresses. */
export class CompressionPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: { request: CompressRequest; job: Job }[] = [];
  readonly #jobs = new Map<number, Job>();
  readonly #spareBlocks: Buffer[] = [];
  readonly #lent = new WeakSet<Buffer>();
  #nextId = 0;
  #closed = false;

  constructor(size = availableParallelism()) {
    this.size = Math.max(1, size);
  }

  /**
   * A buffer for the next block: a returned one when there is one. Input memory then stays at a few blocks
   * however large the layer, instead of growing until the garbage collector catches up.
   */
  block(size: number): Buffer {
    const spare = this.#spareBlocks.pop();
    return spare && spare.length === size ? spare : Buffer.allocUnsafeSlow(size);
  }

  /**
   * Lends blocks of `size` for a reader to fill in place and pass down a stream whole (see readFileBlocks): a
   * compressor that gets one back ({@link isLent}) hands it to a worker as it is, with no copy and no new memory.
   */
  lender(size: number): BlockLender {
    const lend = (): Buffer => {
      const block = this.block(size);
      this.#lent.add(block);
      return block;
    };
    return { blockSize: size, lend, giveBack: (block) => this.giveBack(block) };
  }

  /** Whether `chunk` is a block from a {@link lender}, which nobody but its holder still reads. */
  isLent(chunk: Buffer): boolean {
    return this.#lent.has(chunk);
  }

  /** Takes back a block that was not used. */
  giveBack(block: Buffer): void {
    if (this.#spareBlocks.length < this.size * 2) this.#spareBlocks.push(block);
  }

  compress(request: CompressRequest): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error('the compression pool is closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.#queue.push({ request, job: { resolve, reject } });
      this.#dispatch();
    });
  }

  /**
   * Stops every worker. Jobs still queued or running are rejected (a failed push closes the pool while a layer
   * may still be compressing: its pipeline must end, not wait forever), and no worker is started afterwards.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Error('the compression pool is closed');
    for (const { job } of this.#queue.splice(0)) job.reject(closed);
    for (const job of this.#jobs.values()) job.reject(closed);
    this.#jobs.clear();
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    this.#workers.length = 0;
    this.#idle.length = 0;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? this.#spawn();
      if (!worker) return;
      const next = this.#queue.shift();
      if (!next) return;
      const id = this.#nextId++;
      this.#jobs.set(id, next.job);
      const { data, dictionary, last, level, codec } = next.request;
      // The block is handed over, not copied: the caller gives up its buffer.
      const transfer = data.byteLength > 0 ? [data.buffer as ArrayBuffer] : [];
      worker.ref(); // a job in flight keeps the process alive; an idle worker does not (see #spawn)
      worker.postMessage({ id, data, dictionary, last, level, codec }, transfer);
    }
  }

  #spawn(): Worker | undefined {
    if (this.#closed || this.#workers.length >= this.size) return undefined;
    // worker_threads loads with the first worker, not with every push (most compress nothing).
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      const job = this.#jobs.get(reply.id);
      this.#jobs.delete(reply.id);
      worker.unref();
      this.#idle.push(worker);
      if (reply.data.byteLength > 0) {
        this.giveBack(Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength));
      }
      if (reply.out) job?.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength));
      else job?.reject(new Error(`compression worker: ${reply.error ?? 'no output'}`));
      this.#dispatch();
    });
    worker.on('error', (err: Error) => {
      for (const job of this.#jobs.values()) job.reject(err);
      this.#jobs.clear();
    });
    // Only after the listeners: adding a 'message' listener refs the worker's port again, and an idle worker that
    // is still referenced keeps the process from ever exiting.
    worker.unref();
    this.#workers.push(worker);
    return worker;
  }
}
