import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_node_crypto,
  require_node_stream
} from "./action-4ZVZR2E4.js";
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

// src/oci/digest.ts
var import_node_crypto = __toESM(require_node_crypto(), 1);
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
  return `sha256:${(0, import_node_crypto.createHash)("sha256").update(data).digest("hex")}`;
}
function isSha256Digest(value) {
  return SHA256.test(value);
}
function digestHex(digest) {
  return digest.slice(digest.indexOf(":") + 1);
}
var DigestingStream = class extends import_node_stream.Transform {
  #hash = (0, import_node_crypto.createHash)("sha256");
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
  sha256Digest,
  isSha256Digest,
  digestHex,
  DigestingStream
};
