import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/oci/digest.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";

// src/memory.ts
var COLLECT_EVERY = 8 << 20;
var discarded = 0;
var collect;
function noteDiscarded(bytes) {
  discarded += bytes;
  if (discarded < COLLECT_EVERY) return;
  discarded = 0;
  (collect ??= collector())({ type: "minor" });
}
function collector() {
  process.getBuiltinModule("node:v8").setFlagsFromString("--expose-gc");
  return process.getBuiltinModule("node:vm").runInNewContext("gc");
}
function release(chunk) {
  const { buffer } = chunk;
  if (buffer instanceof ArrayBuffer && !buffer.detached && chunk.byteOffset === 0) {
    if (chunk.byteLength === buffer.byteLength) buffer.transfer(0);
  }
}

// src/oci/digest.ts
var SHA256 = /^sha256:[a-f0-9]{64}$/;
function sha256Digest(data) {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
function isSha256Digest(value) {
  return SHA256.test(value);
}
function digestHex(digest) {
  return digest.slice(digest.indexOf(":") + 1);
}
var DigestingStream = class extends Transform {
  #hash = createHash("sha256");
  #bytes = 0;
  #onBytes;
  #lastReader;
  /**
   * `onBytes` sees each chunk's size as it passes (for progress), without taking the stream's data.
   * `lastReader`: nothing reads the chunks after the stream's consumer, so they count towards a collection
   * (see noteDiscarded); false when they go on to be copied or reused.
   */
  constructor(onBytes, { lastReader = true } = {}) {
    super({ highWaterMark: 1 << 20 });
    this.#onBytes = onBytes;
    this.#lastReader = lastReader;
  }
  _transform(chunk, _encoding, callback) {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.#onBytes?.(chunk.length);
    if (this.#lastReader) noteDiscarded(chunk.length);
    callback(null, chunk);
  }
  get bytes() {
    return this.#bytes;
  }
  /** Valid once the stream has ended. */
  digest() {
    return `sha256:${this.#hash.copy().digest("hex")}`;
  }
};

export {
  noteDiscarded,
  release,
  sha256Digest,
  isSha256Digest,
  digestHex,
  DigestingStream
};
