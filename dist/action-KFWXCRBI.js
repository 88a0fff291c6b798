import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_node_stream
} from "./action-O6GVOO7T.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./action-JJ6ZGO25.js";

// builtin-require:node:fs/promises
var require_promises = __commonJS({
  "builtin-require:node:fs/promises"(exports, module) {
    module.exports = __require("node:fs/promises");
  }
});

// builtin-require:node:path
var require_node_path = __commonJS({
  "builtin-require:node:path"(exports, module) {
    module.exports = __require("node:path");
  }
});

// src/oci/sha256.ts
var SMALL_INPUT = 16 << 10;
var JS_CALLS = 64;
var smallCalls = 0;
var K = Uint32Array.of(
  1116352408,
  1899447441,
  3049323471,
  3921009573,
  961987163,
  1508970993,
  2453635748,
  2870763221,
  3624381080,
  310598401,
  607225278,
  1426881987,
  1925078388,
  2162078206,
  2614888103,
  3248222580,
  3835390401,
  4022224774,
  264347078,
  604807628,
  770255983,
  1249150122,
  1555081692,
  1996064986,
  2554220882,
  2821834349,
  2952996808,
  3210313671,
  3336571891,
  3584528711,
  113926993,
  338241895,
  666307205,
  773529912,
  1294757372,
  1396182291,
  1695183700,
  1986661051,
  2177026350,
  2456956037,
  2730485921,
  2820302411,
  3259730800,
  3345764771,
  3516065817,
  3600352804,
  4094571909,
  275423344,
  430227734,
  506948616,
  659060556,
  883997877,
  958139571,
  1322822218,
  1537002063,
  1747873779,
  1955562222,
  2024104815,
  2227730452,
  2361852424,
  2428436474,
  2756734187,
  3204031479,
  3329325298
);
var INITIAL = Uint32Array.of(
  1779033703,
  3144134277,
  1013904242,
  2773480762,
  1359893119,
  2600822924,
  528734635,
  1541459225
);
function sha256Hex(data) {
  const size = typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
  if (size > SMALL_INPUT || ++smallCalls > JS_CALLS) return createSha256().update(data).digest("hex");
  return smallSha256Hex(typeof data === "string" ? Buffer.from(data, "utf8") : data);
}
function createSha256() {
  return process.getBuiltinModule("node:crypto").createHash("sha256");
}
function smallSha256Hex(data) {
  const n = data.length;
  const total = n + 9 + 63 & ~63;
  const padded = new Uint8Array(total);
  padded.set(data);
  padded[n] = 128;
  const view = new DataView(padded.buffer);
  view.setUint32(total - 8, Math.floor(n / 536870912));
  view.setUint32(total - 4, n << 3 >>> 0);
  const h = INITIAL.slice();
  const w = new Uint32Array(64);
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] ?? 0;
      const b = w[i - 2] ?? 0;
      const s0 = (a >>> 7 | a << 25) ^ (a >>> 18 | a << 14) ^ a >>> 3;
      const s1 = (b >>> 17 | b << 15) ^ (b >>> 19 | b << 13) ^ b >>> 10;
      w[i] = (w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1 | 0;
    }
    let [A, B, C, D, E, F, G, H] = h;
    for (let i = 0; i < 64; i++) {
      const S1 = (E >>> 6 | E << 26) ^ (E >>> 11 | E << 21) ^ (E >>> 25 | E << 7);
      const t1 = H + S1 + (E & F ^ ~E & G) + (K[i] ?? 0) + (w[i] ?? 0) | 0;
      const S0 = (A >>> 2 | A << 30) ^ (A >>> 13 | A << 19) ^ (A >>> 22 | A << 10);
      const t2 = S0 + (A & B ^ A & C ^ B & C) | 0;
      H = G;
      G = F;
      F = E;
      E = D + t1 | 0;
      D = C;
      C = B;
      B = A;
      A = t1 + t2 | 0;
    }
    h[0] = (h[0] ?? 0) + A;
    h[1] = (h[1] ?? 0) + B;
    h[2] = (h[2] ?? 0) + C;
    h[3] = (h[3] ?? 0) + D;
    h[4] = (h[4] ?? 0) + E;
    h[5] = (h[5] ?? 0) + F;
    h[6] = (h[6] ?? 0) + G;
    h[7] = (h[7] ?? 0) + H;
  }
  let hex = "";
  for (const word of h) hex += word.toString(16).padStart(8, "0");
  return hex;
}

// src/oci/digest.ts
var import_node_stream = __toESM(require_node_stream(), 1);

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
function keepYoungGenerationSmall() {
  process.getBuiltinModule("node:v8").setFlagsFromString("--semi-space-growth-factor=1");
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
  return `sha256:${sha256Hex(data)}`;
}
function isSha256Digest(value) {
  return SHA256.test(value);
}
function digestHex(digest) {
  return digest.slice(digest.indexOf(":") + 1);
}
var DigestingStream = class extends import_node_stream.Transform {
  #hash = createSha256();
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
  require_promises,
  noteDiscarded,
  keepYoungGenerationSmall,
  release,
  require_node_path,
  sha256Hex,
  createSha256,
  sha256Digest,
  isSha256Digest,
  digestHex,
  DigestingStream
};
