import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildManifest,
  normalise
} from "./cli-DSCOJ2IP.js";
import {
  loadManifestTree,
  readBounded,
  readPrefix
} from "./cli-NPAW6AX6.js";
import {
  LocalFileError,
  TEMP_ADVICE,
  fileErrorCode,
  require_promises as require_promises2,
  sniffCompression,
  tempRoot
} from "./cli-HBYMJC2G.js";
import {
  Agent,
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  ManifestError,
  OCI_LAYER_ZSTD,
  SourceError,
  __commonJS,
  __require,
  __toESM,
  createSha256,
  formatReference,
  isSha256Digest,
  parseManifest,
  parseReference,
  request,
  require_node_fs,
  require_node_os,
  require_node_path,
  require_node_stream,
  require_promises,
  sha256Digest,
  sha256Hex
} from "./cli-FJOGMTSZ.js";

// builtin-require:node:stream/consumers
var require_consumers = __commonJS({
  "builtin-require:node:stream/consumers"(exports, module) {
    module.exports = __require("node:stream/consumers");
  }
});

// node_modules/events-universal/default.js
var require_default = __commonJS({
  "node_modules/events-universal/default.js"(exports, module) {
    module.exports = __require("events");
  }
});

// node_modules/fast-fifo/fixed-size.js
var require_fixed_size = __commonJS({
  "node_modules/fast-fifo/fixed-size.js"(exports, module) {
    module.exports = class FixedFIFO {
      constructor(hwm) {
        if (!(hwm > 0) || (hwm - 1 & hwm) !== 0) throw new Error("Max size for a FixedFIFO should be a power of two");
        this.buffer = new Array(hwm);
        this.mask = hwm - 1;
        this.top = 0;
        this.btm = 0;
        this.next = null;
      }
      clear() {
        this.top = this.btm = 0;
        this.next = null;
        this.buffer.fill(void 0);
      }
      push(data) {
        if (this.buffer[this.top] !== void 0) return false;
        this.buffer[this.top] = data;
        this.top = this.top + 1 & this.mask;
        return true;
      }
      shift() {
        const last = this.buffer[this.btm];
        if (last === void 0) return void 0;
        this.buffer[this.btm] = void 0;
        this.btm = this.btm + 1 & this.mask;
        return last;
      }
      peek() {
        return this.buffer[this.btm];
      }
      isEmpty() {
        return this.buffer[this.btm] === void 0;
      }
    };
  }
});

// node_modules/fast-fifo/index.js
var require_fast_fifo = __commonJS({
  "node_modules/fast-fifo/index.js"(exports, module) {
    var FixedFIFO = require_fixed_size();
    module.exports = class FastFIFO {
      constructor(hwm) {
        this.hwm = hwm || 16;
        this.head = new FixedFIFO(this.hwm);
        this.tail = this.head;
        this.length = 0;
      }
      clear() {
        this.head = this.tail;
        this.head.clear();
        this.length = 0;
      }
      push(val) {
        this.length++;
        if (!this.head.push(val)) {
          const prev = this.head;
          this.head = prev.next = new FixedFIFO(2 * this.head.buffer.length);
          this.head.push(val);
        }
      }
      shift() {
        if (this.length !== 0) this.length--;
        const val = this.tail.shift();
        if (val === void 0 && this.tail.next) {
          const next = this.tail.next;
          this.tail.next = null;
          this.tail = next;
          return this.tail.shift();
        }
        return val;
      }
      peek() {
        const val = this.tail.peek();
        if (val === void 0 && this.tail.next) return this.tail.next.peek();
        return val;
      }
      isEmpty() {
        return this.length === 0;
      }
    };
  }
});

// node_modules/b4a/index.js
var require_b4a = __commonJS({
  "node_modules/b4a/index.js"(exports, module) {
    function isBuffer(value) {
      return Buffer.isBuffer(value) || value instanceof Uint8Array;
    }
    function isEncoding(encoding) {
      return Buffer.isEncoding(encoding);
    }
    function alloc(size, fill2, encoding) {
      return Buffer.alloc(size, fill2, encoding);
    }
    function allocUnsafe(size) {
      return Buffer.allocUnsafe(size);
    }
    function allocUnsafeSlow(size) {
      return Buffer.allocUnsafeSlow(size);
    }
    function byteLength(string, encoding) {
      return Buffer.byteLength(string, encoding);
    }
    function compare(a, b) {
      return Buffer.compare(a, b);
    }
    function concat(buffers, totalLength) {
      return Buffer.concat(buffers, totalLength);
    }
    function copy(source, target, targetStart, start, end) {
      return toBuffer(source).copy(target, targetStart, start, end);
    }
    function equals(a, b) {
      return toBuffer(a).equals(b);
    }
    function fill(buffer3, value, offset, end, encoding) {
      return toBuffer(buffer3).fill(value, offset, end, encoding);
    }
    function from(value, encodingOrOffset, length) {
      return Buffer.from(value, encodingOrOffset, length);
    }
    function includes(buffer3, value, byteOffset, encoding) {
      return toBuffer(buffer3).includes(value, byteOffset, encoding);
    }
    function indexOf(buffer3, value, byfeOffset, encoding) {
      return toBuffer(buffer3).indexOf(value, byfeOffset, encoding);
    }
    function lastIndexOf(buffer3, value, byteOffset, encoding) {
      return toBuffer(buffer3).lastIndexOf(value, byteOffset, encoding);
    }
    function swap16(buffer3) {
      return toBuffer(buffer3).swap16();
    }
    function swap32(buffer3) {
      return toBuffer(buffer3).swap32();
    }
    function swap64(buffer3) {
      return toBuffer(buffer3).swap64();
    }
    function toBuffer(buffer3) {
      if (Buffer.isBuffer(buffer3)) return buffer3;
      return Buffer.from(buffer3.buffer, buffer3.byteOffset, buffer3.byteLength);
    }
    function toString(buffer3, encoding, start, end) {
      return toBuffer(buffer3).toString(encoding, start, end);
    }
    function toHex(buffer3, start, end) {
      return toBuffer(buffer3).toString("hex", start, end);
    }
    function write(buffer3, string, offset, length, encoding) {
      return toBuffer(buffer3).write(string, offset, length, encoding);
    }
    function readDoubleBE(buffer3, offset) {
      return toBuffer(buffer3).readDoubleBE(offset);
    }
    function readDoubleLE(buffer3, offset) {
      return toBuffer(buffer3).readDoubleLE(offset);
    }
    function readFloatBE(buffer3, offset) {
      return toBuffer(buffer3).readFloatBE(offset);
    }
    function readFloatLE(buffer3, offset) {
      return toBuffer(buffer3).readFloatLE(offset);
    }
    function readInt32BE(buffer3, offset) {
      return toBuffer(buffer3).readInt32BE(offset);
    }
    function readInt32LE(buffer3, offset) {
      return toBuffer(buffer3).readInt32LE(offset);
    }
    function readUInt32BE(buffer3, offset) {
      return toBuffer(buffer3).readUInt32BE(offset);
    }
    function readUInt32LE(buffer3, offset) {
      return toBuffer(buffer3).readUInt32LE(offset);
    }
    function writeDoubleBE(buffer3, value, offset) {
      return toBuffer(buffer3).writeDoubleBE(value, offset);
    }
    function writeDoubleLE(buffer3, value, offset) {
      return toBuffer(buffer3).writeDoubleLE(value, offset);
    }
    function writeFloatBE(buffer3, value, offset) {
      return toBuffer(buffer3).writeFloatBE(value, offset);
    }
    function writeFloatLE(buffer3, value, offset) {
      return toBuffer(buffer3).writeFloatLE(value, offset);
    }
    function writeInt32BE(buffer3, value, offset) {
      return toBuffer(buffer3).writeInt32BE(value, offset);
    }
    function writeInt32LE(buffer3, value, offset) {
      return toBuffer(buffer3).writeInt32LE(value, offset);
    }
    function writeUInt32BE(buffer3, value, offset) {
      return toBuffer(buffer3).writeUInt32BE(value, offset);
    }
    function writeUInt32LE(buffer3, value, offset) {
      return toBuffer(buffer3).writeUInt32LE(value, offset);
    }
    module.exports = {
      isBuffer,
      isEncoding,
      alloc,
      allocUnsafe,
      allocUnsafeSlow,
      byteLength,
      compare,
      concat,
      copy,
      equals,
      fill,
      from,
      includes,
      indexOf,
      lastIndexOf,
      swap16,
      swap32,
      swap64,
      toBuffer,
      toString,
      toHex,
      write,
      readDoubleBE,
      readDoubleLE,
      readFloatBE,
      readFloatLE,
      readInt32BE,
      readInt32LE,
      readUInt32BE,
      readUInt32LE,
      writeDoubleBE,
      writeDoubleLE,
      writeFloatBE,
      writeFloatLE,
      writeInt32BE,
      writeInt32LE,
      writeUInt32BE,
      writeUInt32LE
    };
  }
});

// node_modules/text-decoder/lib/pass-through-decoder.js
var require_pass_through_decoder = __commonJS({
  "node_modules/text-decoder/lib/pass-through-decoder.js"(exports, module) {
    var b4a = require_b4a();
    module.exports = class PassThroughDecoder {
      constructor(encoding) {
        this.encoding = encoding;
      }
      get remaining() {
        return 0;
      }
      decode(data) {
        return b4a.toString(data, this.encoding);
      }
      flush() {
        return "";
      }
    };
  }
});

// node_modules/text-decoder/lib/utf8-decoder.js
var require_utf8_decoder = __commonJS({
  "node_modules/text-decoder/lib/utf8-decoder.js"(exports, module) {
    var b4a = require_b4a();
    module.exports = class UTF8Decoder {
      constructor() {
        this._reset();
      }
      get remaining() {
        return this.bytesSeen;
      }
      decode(data) {
        if (data.byteLength === 0) return "";
        if (this.bytesNeeded === 0 && trailingIncomplete(data, 0) === 0) {
          this.bytesSeen = trailingBytesSeen(data);
          return b4a.toString(data, "utf8");
        }
        let result = "";
        let start = 0;
        if (this.bytesNeeded > 0) {
          while (start < data.byteLength) {
            const byte = data[start];
            if (byte < this.lowerBoundary || byte > this.upperBoundary) {
              result += "\uFFFD";
              this._reset();
              break;
            }
            this.lowerBoundary = 128;
            this.upperBoundary = 191;
            this.codePoint = this.codePoint << 6 | byte & 63;
            this.bytesSeen++;
            start++;
            if (this.bytesSeen === this.bytesNeeded) {
              result += String.fromCodePoint(this.codePoint);
              this._reset();
              break;
            }
          }
          if (this.bytesNeeded > 0) return result;
        }
        const trailing = trailingIncomplete(data, start);
        const end = data.byteLength - trailing;
        if (end > start) result += b4a.toString(data, "utf8", start, end);
        for (let i = end; i < data.byteLength; i++) {
          const byte = data[i];
          if (this.bytesNeeded === 0) {
            if (byte <= 127) {
              this.bytesSeen = 0;
              result += String.fromCharCode(byte);
            } else if (byte >= 194 && byte <= 223) {
              this.bytesNeeded = 2;
              this.bytesSeen = 1;
              this.codePoint = byte & 31;
            } else if (byte >= 224 && byte <= 239) {
              if (byte === 224) this.lowerBoundary = 160;
              else if (byte === 237) this.upperBoundary = 159;
              this.bytesNeeded = 3;
              this.bytesSeen = 1;
              this.codePoint = byte & 15;
            } else if (byte >= 240 && byte <= 244) {
              if (byte === 240) this.lowerBoundary = 144;
              else if (byte === 244) this.upperBoundary = 143;
              this.bytesNeeded = 4;
              this.bytesSeen = 1;
              this.codePoint = byte & 7;
            } else {
              this.bytesSeen = 1;
              result += "\uFFFD";
            }
            continue;
          }
          if (byte < this.lowerBoundary || byte > this.upperBoundary) {
            result += "\uFFFD";
            i--;
            this._reset();
            continue;
          }
          this.lowerBoundary = 128;
          this.upperBoundary = 191;
          this.codePoint = this.codePoint << 6 | byte & 63;
          this.bytesSeen++;
          if (this.bytesSeen === this.bytesNeeded) {
            result += String.fromCodePoint(this.codePoint);
            this._reset();
          }
        }
        return result;
      }
      flush() {
        const result = this.bytesNeeded > 0 ? "\uFFFD" : "";
        this._reset();
        return result;
      }
      _reset() {
        this.codePoint = 0;
        this.bytesNeeded = 0;
        this.bytesSeen = 0;
        this.lowerBoundary = 128;
        this.upperBoundary = 191;
      }
    };
    function trailingIncomplete(data, start) {
      const len = data.byteLength;
      if (len <= start) return 0;
      const limit = Math.max(start, len - 4);
      let i = len - 1;
      while (i > limit && (data[i] & 192) === 128) i--;
      if (i < start) return 0;
      const byte = data[i];
      let needed;
      if (byte <= 127) return 0;
      if (byte >= 194 && byte <= 223) needed = 2;
      else if (byte >= 224 && byte <= 239) needed = 3;
      else if (byte >= 240 && byte <= 244) needed = 4;
      else return 0;
      const available = len - i;
      return available < needed ? available : 0;
    }
    function trailingBytesSeen(data) {
      const len = data.byteLength;
      if (len === 0) return 0;
      const last = data[len - 1];
      if (last <= 127) return 0;
      if ((last & 192) !== 128) return 1;
      const limit = Math.max(0, len - 4);
      let i = len - 2;
      while (i >= limit && (data[i] & 192) === 128) i--;
      if (i < 0) return 1;
      const first = data[i];
      let needed;
      if (first >= 194 && first <= 223) needed = 2;
      else if (first >= 224 && first <= 239) needed = 3;
      else if (first >= 240 && first <= 244) needed = 4;
      else return 1;
      if (len - i !== needed) return 1;
      if (needed >= 3) {
        const second = data[i + 1];
        if (first === 224 && second < 160) return 1;
        if (first === 237 && second > 159) return 1;
        if (first === 240 && second < 144) return 1;
        if (first === 244 && second > 143) return 1;
      }
      return 0;
    }
  }
});

// node_modules/text-decoder/index.js
var require_text_decoder = __commonJS({
  "node_modules/text-decoder/index.js"(exports, module) {
    var PassThroughDecoder = require_pass_through_decoder();
    var UTF8Decoder = require_utf8_decoder();
    module.exports = class TextDecoder {
      constructor(encoding = "utf8") {
        this.encoding = normalizeEncoding(encoding);
        switch (this.encoding) {
          case "utf8":
            this.decoder = new UTF8Decoder();
            break;
          case "utf16le":
          case "base64":
            throw new Error("Unsupported encoding: " + this.encoding);
          default:
            this.decoder = new PassThroughDecoder(this.encoding);
        }
      }
      get remaining() {
        return this.decoder.remaining;
      }
      push(data) {
        if (typeof data === "string") return data;
        return this.decoder.decode(data);
      }
      // For Node.js compatibility
      write(data) {
        return this.push(data);
      }
      end(data) {
        let result = "";
        if (data) result = this.push(data);
        result += this.decoder.flush();
        return result;
      }
    };
    function normalizeEncoding(encoding) {
      encoding = encoding.toLowerCase();
      switch (encoding) {
        case "utf8":
        case "utf-8":
          return "utf8";
        case "ucs2":
        case "ucs-2":
        case "utf16le":
        case "utf-16le":
          return "utf16le";
        case "latin1":
        case "binary":
          return "latin1";
        case "base64":
        case "ascii":
        case "hex":
          return encoding;
        default:
          throw new Error("Unknown encoding: " + encoding);
      }
    }
  }
});

// node_modules/streamx/lib/errors.js
var require_errors = __commonJS({
  "node_modules/streamx/lib/errors.js"(exports, module) {
    module.exports = class StreamError extends Error {
      constructor(msg, code, fn = StreamError) {
        super(msg);
        this.code = code;
        if (Error.captureStackTrace) {
          Error.captureStackTrace(this, fn);
        }
      }
      static isStreamDestroyed(err) {
        return err && err.code === "STREAM_DESTROYED";
      }
      static isPrematureClose(err) {
        return err && err.code === "PREMATURE_CLOSE";
      }
      static isAborted(err) {
        return err && err.code === "ABORTED";
      }
      static isBadArgument(err) {
        return err && err.code === "BAD_ARGUMENT";
      }
      get name() {
        return "StreamError";
      }
      static STREAM_DESTROYED() {
        return new StreamError("Stream was destroyed", "STREAM_DESTROYED", StreamError.STREAM_DESTROYED);
      }
      static PREMATURE_CLOSE(msg = "Premature close") {
        return new StreamError(msg, "PREMATURE_CLOSE", StreamError.PREMATURE_CLOSE);
      }
      static ABORTED() {
        return new StreamError("Stream aborted", "ABORTED", StreamError.ABORTED);
      }
      static BAD_ARGUMENT(msg = "Bad argument") {
        return new StreamError(msg, "BAD_ARGUMENT", StreamError.BAD_ARGUMENT);
      }
    };
  }
});

// node_modules/streamx/index.js
var require_streamx = __commonJS({
  "node_modules/streamx/index.js"(exports, module) {
    var { EventEmitter } = require_default();
    var FIFO = require_fast_fifo();
    var TextDecoder = require_text_decoder();
    var StreamError = require_errors();
    var qmt = typeof queueMicrotask === "undefined" ? (fn) => global.process.nextTick(fn) : queueMicrotask;
    var MAX = (1 << 29) - 1;
    var OPENING = 1;
    var PREDESTROYING = 2;
    var DESTROYING = 4;
    var DESTROYED = 8;
    var NOT_OPENING = MAX ^ OPENING;
    var NOT_PREDESTROYING = MAX ^ PREDESTROYING;
    var READ_ACTIVE = 1 << 4;
    var READ_UPDATING = 2 << 4;
    var READ_PRIMARY = 4 << 4;
    var READ_QUEUED = 8 << 4;
    var READ_RESUMED = 16 << 4;
    var READ_PIPE_DRAINED = 32 << 4;
    var READ_ENDING = 64 << 4;
    var READ_EMIT_DATA = 128 << 4;
    var READ_EMIT_READABLE = 256 << 4;
    var READ_EMITTED_READABLE = 512 << 4;
    var READ_DONE = 1024 << 4;
    var READ_NEXT_TICK = 2048 << 4;
    var READ_NEEDS_PUSH = 4096 << 4;
    var READ_READ_AHEAD = 8192 << 4;
    var READ_FLOWING = READ_RESUMED | READ_PIPE_DRAINED;
    var READ_ACTIVE_AND_NEEDS_PUSH = READ_ACTIVE | READ_NEEDS_PUSH;
    var READ_PRIMARY_AND_ACTIVE = READ_PRIMARY | READ_ACTIVE;
    var READ_EMIT_READABLE_AND_QUEUED = READ_EMIT_READABLE | READ_QUEUED;
    var READ_RESUMED_READ_AHEAD = READ_RESUMED | READ_READ_AHEAD;
    var READ_NOT_ACTIVE = MAX ^ READ_ACTIVE;
    var READ_NON_PRIMARY = MAX ^ READ_PRIMARY;
    var READ_NON_PRIMARY_AND_PUSHED = MAX ^ (READ_PRIMARY | READ_NEEDS_PUSH);
    var READ_PUSHED = MAX ^ READ_NEEDS_PUSH;
    var READ_PAUSED = MAX ^ READ_RESUMED;
    var READ_NOT_QUEUED = MAX ^ (READ_QUEUED | READ_EMITTED_READABLE);
    var READ_NOT_ENDING = MAX ^ READ_ENDING;
    var READ_PIPE_NOT_DRAINED = MAX ^ READ_FLOWING;
    var READ_NOT_NEXT_TICK = MAX ^ READ_NEXT_TICK;
    var READ_NOT_UPDATING = MAX ^ READ_UPDATING;
    var READ_NO_READ_AHEAD = MAX ^ READ_READ_AHEAD;
    var READ_PAUSED_NO_READ_AHEAD = MAX ^ READ_RESUMED_READ_AHEAD;
    var WRITE_ACTIVE = 1 << 18;
    var WRITE_UPDATING = 2 << 18;
    var WRITE_PRIMARY = 4 << 18;
    var WRITE_QUEUED = 8 << 18;
    var WRITE_UNDRAINED = 16 << 18;
    var WRITE_DONE = 32 << 18;
    var WRITE_EMIT_DRAIN = 64 << 18;
    var WRITE_NEXT_TICK = 128 << 18;
    var WRITE_WRITING = 256 << 18;
    var WRITE_FINISHING = 512 << 18;
    var WRITE_CORKED = 1024 << 18;
    var WRITE_NOT_ACTIVE = MAX ^ (WRITE_ACTIVE | WRITE_WRITING);
    var WRITE_NON_PRIMARY = MAX ^ WRITE_PRIMARY;
    var WRITE_NOT_FINISHING = MAX ^ (WRITE_ACTIVE | WRITE_FINISHING);
    var WRITE_DRAINED = MAX ^ WRITE_UNDRAINED;
    var WRITE_NOT_QUEUED = MAX ^ WRITE_QUEUED;
    var WRITE_NOT_NEXT_TICK = MAX ^ WRITE_NEXT_TICK;
    var WRITE_NOT_UPDATING = MAX ^ WRITE_UPDATING;
    var WRITE_NOT_CORKED = MAX ^ WRITE_CORKED;
    var ACTIVE = READ_ACTIVE | WRITE_ACTIVE;
    var NOT_ACTIVE = MAX ^ ACTIVE;
    var DONE = READ_DONE | WRITE_DONE;
    var DESTROY_STATUS = DESTROYING | DESTROYED | PREDESTROYING;
    var OPEN_STATUS = DESTROY_STATUS | OPENING;
    var AUTO_DESTROY = DESTROY_STATUS | DONE;
    var NON_PRIMARY = WRITE_NON_PRIMARY & READ_NON_PRIMARY;
    var ACTIVE_OR_TICKING = WRITE_NEXT_TICK | READ_NEXT_TICK;
    var TICKING = ACTIVE_OR_TICKING & NOT_ACTIVE;
    var IS_OPENING = OPEN_STATUS | TICKING;
    var READ_PRIMARY_STATUS = OPEN_STATUS | READ_ENDING | READ_DONE;
    var READ_STATUS = OPEN_STATUS | READ_DONE | READ_QUEUED;
    var READ_ENDING_STATUS = OPEN_STATUS | READ_ENDING | READ_QUEUED;
    var READ_READABLE_STATUS = OPEN_STATUS | READ_EMIT_READABLE | READ_QUEUED | READ_EMITTED_READABLE;
    var SHOULD_NOT_READ = OPEN_STATUS | READ_ACTIVE | READ_ENDING | READ_DONE | READ_NEEDS_PUSH | READ_READ_AHEAD;
    var READ_BACKPRESSURE_STATUS = DESTROY_STATUS | READ_ENDING | READ_DONE;
    var READ_UPDATE_SYNC_STATUS = READ_UPDATING | OPEN_STATUS | READ_NEXT_TICK | READ_PRIMARY;
    var READ_NEXT_TICK_OR_OPENING = READ_NEXT_TICK | OPENING;
    var WRITE_PRIMARY_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_DONE;
    var WRITE_QUEUED_AND_UNDRAINED = WRITE_QUEUED | WRITE_UNDRAINED;
    var WRITE_QUEUED_AND_ACTIVE = WRITE_QUEUED | WRITE_ACTIVE;
    var WRITE_DRAIN_STATUS = WRITE_QUEUED | WRITE_UNDRAINED | OPEN_STATUS | WRITE_ACTIVE;
    var WRITE_STATUS = OPEN_STATUS | WRITE_ACTIVE | WRITE_QUEUED | WRITE_CORKED;
    var WRITE_PRIMARY_AND_ACTIVE = WRITE_PRIMARY | WRITE_ACTIVE;
    var WRITE_ACTIVE_AND_WRITING = WRITE_ACTIVE | WRITE_WRITING;
    var WRITE_FINISHING_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_QUEUED_AND_ACTIVE | WRITE_DONE;
    var WRITE_BACKPRESSURE_STATUS = WRITE_UNDRAINED | DESTROY_STATUS | WRITE_FINISHING | WRITE_DONE;
    var WRITE_UPDATE_SYNC_STATUS = WRITE_UPDATING | OPEN_STATUS | WRITE_NEXT_TICK | WRITE_PRIMARY;
    var WRITE_DROP_DATA = WRITE_FINISHING | WRITE_DONE | DESTROY_STATUS;
    var asyncIterator = Symbol.asyncIterator || /* @__PURE__ */ Symbol("asyncIterator");
    var WritableState = class {
      constructor(stream, { highWaterMark = 16384, map = null, mapWritable, byteLength, byteLengthWritable } = {}) {
        this.stream = stream;
        this.queue = new FIFO();
        this.highWaterMark = highWaterMark;
        this.buffered = 0;
        this.error = null;
        this.pipeline = null;
        this.drains = null;
        this.byteLength = byteLengthWritable || byteLength || defaultByteLength;
        this.map = mapWritable || map;
        this.afterWrite = afterWrite.bind(this);
        this.afterUpdateNextTick = updateWriteNT.bind(this);
      }
      get ending() {
        return (this.stream._duplexState & WRITE_FINISHING) !== 0;
      }
      get ended() {
        return (this.stream._duplexState & WRITE_DONE) !== 0;
      }
      push(data) {
        if ((this.stream._duplexState & WRITE_DROP_DATA) !== 0) return false;
        if (this.map !== null) data = this.map(data);
        this.buffered += this.byteLength(data);
        this.queue.push(data);
        if (this.buffered < this.highWaterMark) {
          this.stream._duplexState |= WRITE_QUEUED;
          return true;
        }
        this.stream._duplexState |= WRITE_QUEUED_AND_UNDRAINED;
        return false;
      }
      shift() {
        const data = this.queue.shift();
        this.buffered -= this.byteLength(data);
        if (this.buffered === 0) this.stream._duplexState &= WRITE_NOT_QUEUED;
        return data;
      }
      end(data) {
        if (typeof data === "function") {
          this.stream.once("finish", data);
        } else if (data !== void 0 && data !== null) {
          this.push(data);
        }
        this.stream._duplexState = (this.stream._duplexState | WRITE_FINISHING) & WRITE_NON_PRIMARY;
      }
      autoBatch(data, cb) {
        const buffer3 = [];
        const stream = this.stream;
        buffer3.push(data);
        while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED_AND_ACTIVE) {
          buffer3.push(stream._writableState.shift());
        }
        if ((stream._duplexState & OPEN_STATUS) !== 0) return cb(null);
        stream._writev(buffer3, cb);
      }
      update() {
        const stream = this.stream;
        stream._duplexState |= WRITE_UPDATING;
        do {
          while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED) {
            const data = this.shift();
            stream._duplexState |= WRITE_ACTIVE_AND_WRITING;
            stream._write(data, this.afterWrite);
          }
          if ((stream._duplexState & WRITE_PRIMARY_AND_ACTIVE) === 0) this.updateNonPrimary();
        } while (this.continueUpdate() === true);
        stream._duplexState &= WRITE_NOT_UPDATING;
      }
      updateNonPrimary() {
        const stream = this.stream;
        if ((stream._duplexState & WRITE_FINISHING_STATUS) === WRITE_FINISHING) {
          stream._duplexState = stream._duplexState | WRITE_ACTIVE;
          stream._final(afterFinal.bind(this));
          return;
        }
        if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
          if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
            stream._duplexState |= ACTIVE;
            stream._destroy(afterDestroy.bind(this));
          }
          return;
        }
        if ((stream._duplexState & IS_OPENING) === OPENING) {
          stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING;
          stream._open(afterOpen.bind(this));
        }
      }
      continueUpdate() {
        if ((this.stream._duplexState & WRITE_NEXT_TICK) === 0) return false;
        this.stream._duplexState &= WRITE_NOT_NEXT_TICK;
        return true;
      }
      updateCallback() {
        if ((this.stream._duplexState & WRITE_UPDATE_SYNC_STATUS) === WRITE_PRIMARY) {
          this.update();
        } else {
          this.updateNextTick();
        }
      }
      updateNextTick() {
        if ((this.stream._duplexState & WRITE_NEXT_TICK) !== 0) return;
        this.stream._duplexState |= WRITE_NEXT_TICK;
        if ((this.stream._duplexState & WRITE_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
    };
    var ReadableState = class {
      constructor(stream, { highWaterMark = 16384, map = null, mapReadable, byteLength, byteLengthReadable } = {}) {
        this.stream = stream;
        this.queue = new FIFO();
        this.highWaterMark = highWaterMark === 0 ? 1 : highWaterMark;
        this.buffered = 0;
        this.readAhead = highWaterMark > 0;
        this.error = null;
        this.pipeline = null;
        this.byteLength = byteLengthReadable || byteLength || defaultByteLength;
        this.map = mapReadable || map;
        this.pipeTo = null;
        this.afterRead = afterRead.bind(this);
        this.afterUpdateNextTick = updateReadNT.bind(this);
      }
      get ending() {
        return (this.stream._duplexState & READ_ENDING) !== 0;
      }
      get ended() {
        return (this.stream._duplexState & READ_DONE) !== 0;
      }
      pipe(pipeTo, cb) {
        if (this.pipeTo !== null) throw StreamError.BAD_ARGUMENT("Can only pipe to one destination");
        if (typeof cb !== "function") cb = null;
        this.stream._duplexState |= READ_PIPE_DRAINED;
        this.pipeTo = pipeTo;
        this.pipeline = new Pipeline(this.stream, pipeTo, cb);
        if (cb) this.stream.on("error", noop);
        if (isStreamx(pipeTo)) {
          pipeTo._writableState.pipeline = this.pipeline;
          if (cb) pipeTo.on("error", noop);
          pipeTo.on("finish", this.pipeline.finished.bind(this.pipeline));
        } else {
          const onerror = this.pipeline.done.bind(this.pipeline, pipeTo);
          const onclose = this.pipeline.done.bind(this.pipeline, pipeTo, null);
          pipeTo.on("error", onerror);
          pipeTo.on("close", onclose);
          pipeTo.on("finish", this.pipeline.finished.bind(this.pipeline));
        }
        pipeTo.on("drain", afterDrain.bind(this));
        this.stream.emit("piping", pipeTo);
        pipeTo.emit("pipe", this.stream);
      }
      push(data) {
        const stream = this.stream;
        if (data === null) {
          this.highWaterMark = 0;
          stream._duplexState = (stream._duplexState | READ_ENDING) & READ_NON_PRIMARY_AND_PUSHED;
          return false;
        }
        if (this.map !== null) {
          data = this.map(data);
          if (data === null) {
            stream._duplexState &= READ_PUSHED;
            return this.buffered < this.highWaterMark;
          }
        }
        this.buffered += this.byteLength(data);
        this.queue.push(data);
        stream._duplexState = (stream._duplexState | READ_QUEUED) & READ_PUSHED;
        return this.buffered < this.highWaterMark;
      }
      shift() {
        const data = this.queue.shift();
        this.buffered -= this.byteLength(data);
        if (this.buffered === 0) {
          this.stream._duplexState &= READ_NOT_QUEUED;
        }
        return data;
      }
      unshift(data) {
        const pending = [this.map !== null ? this.map(data) : data];
        while (this.buffered > 0) pending.push(this.shift());
        for (let i = 0; i < pending.length - 1; i++) {
          const data2 = pending[i];
          this.buffered += this.byteLength(data2);
          this.queue.push(data2);
        }
        this.push(pending[pending.length - 1]);
      }
      read() {
        const stream = this.stream;
        if ((stream._duplexState & READ_STATUS) === READ_QUEUED) {
          const data = this.shift();
          if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
            stream._duplexState &= READ_PIPE_NOT_DRAINED;
          }
          if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
            stream.emit("data", data);
          }
          return data;
        }
        if (this.readAhead === false) {
          stream._duplexState |= READ_READ_AHEAD;
          this.updateNextTick();
        }
        return null;
      }
      drain() {
        const stream = this.stream;
        while ((stream._duplexState & READ_STATUS) === READ_QUEUED && (stream._duplexState & READ_FLOWING) !== 0) {
          const data = this.shift();
          if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
            stream._duplexState &= READ_PIPE_NOT_DRAINED;
          }
          if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
            stream.emit("data", data);
          }
        }
      }
      update() {
        const stream = this.stream;
        stream._duplexState |= READ_UPDATING;
        do {
          this.drain();
          while (this.buffered < this.highWaterMark && (stream._duplexState & SHOULD_NOT_READ) === READ_READ_AHEAD) {
            stream._duplexState |= READ_ACTIVE_AND_NEEDS_PUSH;
            stream._read(this.afterRead);
            this.drain();
          }
          if ((stream._duplexState & READ_READABLE_STATUS) === READ_EMIT_READABLE_AND_QUEUED) {
            stream._duplexState |= READ_EMITTED_READABLE;
            stream.emit("readable");
          }
          if ((stream._duplexState & READ_PRIMARY_AND_ACTIVE) === 0) {
            this.updateNonPrimary();
          }
        } while (this.continueUpdate() === true);
        stream._duplexState &= READ_NOT_UPDATING;
      }
      updateNonPrimary() {
        const stream = this.stream;
        if ((stream._duplexState & READ_ENDING_STATUS) === READ_ENDING) {
          stream._duplexState = (stream._duplexState | READ_DONE) & READ_NOT_ENDING;
          stream.emit("end");
          if ((stream._duplexState & AUTO_DESTROY) === DONE) {
            stream._duplexState |= DESTROYING;
          }
          if (this.pipeTo !== null) {
            this.pipeTo.end();
          }
        }
        if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
          if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
            stream._duplexState |= ACTIVE;
            stream._destroy(afterDestroy.bind(this));
          }
          return;
        }
        if ((stream._duplexState & IS_OPENING) === OPENING) {
          stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING;
          stream._open(afterOpen.bind(this));
        }
      }
      continueUpdate() {
        if ((this.stream._duplexState & READ_NEXT_TICK) === 0) return false;
        this.stream._duplexState &= READ_NOT_NEXT_TICK;
        return true;
      }
      updateCallback() {
        if ((this.stream._duplexState & READ_UPDATE_SYNC_STATUS) === READ_PRIMARY) {
          this.update();
        } else {
          this.updateNextTick();
        }
      }
      updateNextTickIfOpen() {
        if ((this.stream._duplexState & READ_NEXT_TICK_OR_OPENING) !== 0) return;
        this.stream._duplexState |= READ_NEXT_TICK;
        if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
      updateNextTick() {
        if ((this.stream._duplexState & READ_NEXT_TICK) !== 0) return;
        this.stream._duplexState |= READ_NEXT_TICK;
        if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
    };
    var TransformState = class {
      constructor(stream) {
        this.data = null;
        this.afterTransform = afterTransform.bind(stream);
        this.afterFinal = null;
      }
    };
    var Pipeline = class {
      constructor(src, dst, cb) {
        this.from = src;
        this.to = dst;
        this.afterPipe = cb;
        this.error = null;
        this.pipeToFinished = false;
      }
      finished() {
        this.pipeToFinished = true;
      }
      done(stream, err) {
        if (err) this.error = err;
        if (stream === this.to) {
          this.to = null;
          if (this.from !== null) {
            if ((this.from._duplexState & READ_DONE) === 0 || !this.pipeToFinished) {
              this.from.destroy(this.error || StreamError.PREMATURE_CLOSE("Writable stream closed"));
            }
            return;
          }
        }
        if (stream === this.from) {
          this.from = null;
          if (this.to !== null) {
            if ((stream._duplexState & READ_DONE) === 0) {
              this.to.destroy(this.error || StreamError.PREMATURE_CLOSE("Readable stream closed"));
            }
            return;
          }
        }
        if (this.afterPipe !== null) this.afterPipe(this.error);
        this.to = this.from = this.afterPipe = null;
      }
    };
    function afterDrain() {
      this.stream._duplexState |= READ_PIPE_DRAINED;
      this.updateCallback();
    }
    function afterFinal(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      if ((stream._duplexState & DESTROY_STATUS) === 0) {
        stream._duplexState |= WRITE_DONE;
        stream.emit("finish");
      }
      if ((stream._duplexState & AUTO_DESTROY) === DONE) {
        stream._duplexState |= DESTROYING;
      }
      stream._duplexState &= WRITE_NOT_FINISHING;
      if ((stream._duplexState & WRITE_UPDATING) === 0) {
        this.update();
      } else {
        this.updateNextTick();
      }
    }
    function afterDestroy(err) {
      const stream = this.stream;
      if (!err && !StreamError.isStreamDestroyed(this.error)) err = this.error;
      if (err) stream.emit("error", err);
      stream._duplexState |= DESTROYED;
      stream.emit("close");
      const rs = stream._readableState;
      const ws = stream._writableState;
      if (rs !== null && rs.pipeline !== null) {
        rs.pipeline.done(stream, err);
      }
      if (ws !== null) {
        while (ws.drains !== null && ws.drains.length > 0) {
          ws.drains.shift().resolve(false);
        }
        if (ws.pipeline !== null) {
          ws.pipeline.done(stream, err);
        }
      }
    }
    function afterWrite(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      stream._duplexState &= WRITE_NOT_ACTIVE;
      if (this.drains !== null) tickDrains(this.drains);
      if ((stream._duplexState & WRITE_DRAIN_STATUS) === WRITE_UNDRAINED) {
        stream._duplexState &= WRITE_DRAINED;
        if ((stream._duplexState & WRITE_EMIT_DRAIN) === WRITE_EMIT_DRAIN) {
          stream.emit("drain");
        }
      }
      this.updateCallback();
    }
    function afterRead(err) {
      if (err) this.stream.destroy(err);
      this.stream._duplexState &= READ_NOT_ACTIVE;
      if (this.readAhead === false && (this.stream._duplexState & READ_RESUMED) === 0) {
        this.stream._duplexState &= READ_NO_READ_AHEAD;
      }
      this.updateCallback();
    }
    function updateReadNT() {
      if ((this.stream._duplexState & READ_UPDATING) === 0) {
        this.stream._duplexState &= READ_NOT_NEXT_TICK;
        this.update();
      }
    }
    function updateWriteNT() {
      if ((this.stream._duplexState & WRITE_UPDATING) === 0) {
        this.stream._duplexState &= WRITE_NOT_NEXT_TICK;
        this.update();
      }
    }
    function tickDrains(drains) {
      for (let i = 0; i < drains.length; i++) {
        if (--drains[i].writes === 0) {
          drains.shift().resolve(true);
          i--;
        }
      }
    }
    function afterOpen(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      if ((stream._duplexState & DESTROYING) === 0) {
        if ((stream._duplexState & READ_PRIMARY_STATUS) === 0) {
          stream._duplexState |= READ_PRIMARY;
        }
        if ((stream._duplexState & WRITE_PRIMARY_STATUS) === 0) {
          stream._duplexState |= WRITE_PRIMARY;
        }
        stream.emit("open");
      }
      stream._duplexState &= NOT_ACTIVE;
      if (stream._writableState !== null) {
        stream._writableState.updateCallback();
      }
      if (stream._readableState !== null) {
        stream._readableState.updateCallback();
      }
    }
    function afterTransform(err, data) {
      if (data !== void 0 && data !== null) this.push(data);
      this._writableState.afterWrite(err);
    }
    function newListener(name) {
      if (this._readableState !== null) {
        if (name === "data") {
          this._duplexState |= READ_EMIT_DATA | READ_RESUMED_READ_AHEAD;
          this._readableState.updateNextTick();
        }
        if (name === "readable") {
          this._duplexState |= READ_EMIT_READABLE;
          this._readableState.updateNextTick();
        }
      }
      if (this._writableState !== null) {
        if (name === "drain") {
          this._duplexState |= WRITE_EMIT_DRAIN;
          this._writableState.updateNextTick();
        }
      }
    }
    var Stream = class extends EventEmitter {
      constructor(opts) {
        super();
        this._duplexState = 0;
        this._readableState = null;
        this._writableState = null;
        if (opts) {
          if (opts.open) this._open = opts.open;
          if (opts.destroy) this._destroy = opts.destroy;
          if (opts.predestroy) this._predestroy = opts.predestroy;
          if (opts.signal) opts.signal.addEventListener("abort", abort.bind(this));
        }
        this.on("newListener", newListener);
      }
      _open(cb) {
        cb(null);
      }
      _destroy(cb) {
        cb(null);
      }
      _predestroy() {
      }
      get readable() {
        return this._readableState !== null ? true : void 0;
      }
      get writable() {
        return this._writableState !== null ? true : void 0;
      }
      get destroyed() {
        return (this._duplexState & DESTROYED) !== 0;
      }
      get destroying() {
        return (this._duplexState & DESTROY_STATUS) !== 0;
      }
      destroy(err) {
        if ((this._duplexState & DESTROY_STATUS) === 0) {
          if (!err) err = StreamError.STREAM_DESTROYED();
          this._duplexState = (this._duplexState | DESTROYING) & NON_PRIMARY;
          if (this._readableState !== null) {
            this._readableState.highWaterMark = 0;
            this._readableState.error = err;
          }
          if (this._writableState !== null) {
            this._writableState.highWaterMark = 0;
            this._writableState.error = err;
          }
          this._duplexState |= PREDESTROYING;
          this._predestroy();
          this._duplexState &= NOT_PREDESTROYING;
          if (this._readableState !== null) {
            this._readableState.updateNextTick();
          }
          if (this._writableState !== null) {
            this._writableState.updateNextTick();
          }
        }
      }
    };
    var Readable3 = class _Readable extends Stream {
      constructor(opts) {
        super(opts);
        this._duplexState |= OPENING | WRITE_DONE | READ_READ_AHEAD;
        this._readableState = new ReadableState(this, opts);
        if (opts) {
          if (this._readableState.readAhead === false) this._duplexState &= READ_NO_READ_AHEAD;
          if (opts.read) this._read = opts.read;
          if (opts.eagerOpen) this._readableState.updateNextTick();
          if (opts.encoding) this.setEncoding(opts.encoding);
        }
      }
      static deferred(fn, opts) {
        const out = new PassThrough(opts);
        fn().then((src) => {
          if (src === null) return out.end();
          if (out.destroying) return;
          pipeline3(src, out, noop);
        }).catch((err) => out.destroy(err));
        return out;
      }
      setEncoding(encoding) {
        const dec = new TextDecoder(encoding);
        const map = this._readableState.map || echo;
        this._readableState.map = mapOrSkip;
        return this;
        function mapOrSkip(data) {
          const next = dec.push(data);
          return next === "" && (data.byteLength !== 0 || dec.remaining > 0) ? null : map(next);
        }
      }
      _read(cb) {
        cb(null);
      }
      pipe(dest, cb) {
        this._readableState.updateNextTick();
        this._readableState.pipe(dest, cb);
        return dest;
      }
      read() {
        this._readableState.updateNextTick();
        return this._readableState.read();
      }
      push(data) {
        this._readableState.updateNextTickIfOpen();
        return this._readableState.push(data);
      }
      unshift(data) {
        this._readableState.updateNextTickIfOpen();
        return this._readableState.unshift(data);
      }
      resume() {
        this._duplexState |= READ_RESUMED_READ_AHEAD;
        this._readableState.updateNextTick();
        return this;
      }
      pause() {
        this._duplexState &= this._readableState.readAhead === false ? READ_PAUSED_NO_READ_AHEAD : READ_PAUSED;
        return this;
      }
      static _fromAsyncIterator(ite, opts) {
        let destroy;
        const rs = new _Readable({
          ...opts,
          read(cb) {
            ite.next().then(push).then(cb.bind(null, null)).catch(cb);
          },
          predestroy() {
            destroy = ite.return();
          },
          destroy(cb) {
            if (!destroy) return cb(null);
            destroy.then(cb.bind(null, null)).catch(cb);
          }
        });
        return rs;
        function push(data) {
          if (data.done) rs.push(null);
          else rs.push(data.value);
        }
      }
      static from(data, opts) {
        if (isReadStreamx(data)) return data;
        if (data[asyncIterator]) return this._fromAsyncIterator(data[asyncIterator](), opts);
        if (!Array.isArray(data)) data = data === void 0 ? [] : [data];
        let i = 0;
        return new _Readable({
          ...opts,
          read(cb) {
            this.push(i === data.length ? null : data[i++]);
            cb(null);
          }
        });
      }
      static isBackpressured(rs) {
        return (rs._duplexState & READ_BACKPRESSURE_STATUS) !== 0 || rs._readableState.buffered >= rs._readableState.highWaterMark;
      }
      static isPaused(rs) {
        return (rs._duplexState & READ_RESUMED) === 0;
      }
      [asyncIterator]() {
        const stream = this;
        let error = null;
        let promiseResolve = null;
        let promiseReject = null;
        this.on("error", (err) => {
          error = err;
        });
        this.on("readable", onreadable);
        this.on("close", onclose);
        return {
          [asyncIterator]() {
            return this;
          },
          next() {
            return new Promise(function(resolve, reject) {
              promiseResolve = resolve;
              promiseReject = reject;
              const data = stream.read();
              if (data !== null) ondata(data);
              else if ((stream._duplexState & DESTROYED) !== 0) ondata(null);
            });
          },
          return() {
            return destroy(null);
          },
          throw(err) {
            return destroy(err);
          }
        };
        function onreadable() {
          if (promiseResolve !== null) ondata(stream.read());
        }
        function onclose() {
          if (promiseResolve !== null) ondata(null);
        }
        function ondata(data) {
          if (promiseReject === null) return;
          if (error) {
            promiseReject(error);
          } else if (data === null && (stream._duplexState & READ_DONE) === 0) {
            promiseReject(StreamError.STREAM_DESTROYED());
          } else {
            promiseResolve({ value: data, done: data === null });
          }
          promiseReject = promiseResolve = null;
        }
        function destroy(err) {
          stream.destroy(err);
          return new Promise((resolve, reject) => {
            if (stream._duplexState & DESTROYED) return resolve({ value: void 0, done: true });
            stream.once("close", function() {
              if (err) reject(err);
              else resolve({ value: void 0, done: true });
            });
          });
        }
      }
    };
    var Writable = class extends Stream {
      constructor(opts) {
        super(opts);
        this._duplexState |= OPENING | READ_DONE;
        this._writableState = new WritableState(this, opts);
        if (opts) {
          if (opts.writev) this._writev = opts.writev;
          if (opts.write) this._write = opts.write;
          if (opts.final) this._final = opts.final;
          if (opts.eagerOpen) this._writableState.updateNextTick();
        }
      }
      cork() {
        this._duplexState |= WRITE_CORKED;
      }
      uncork() {
        this._duplexState &= WRITE_NOT_CORKED;
        this._writableState.updateNextTick();
      }
      _writev(batch, cb) {
        cb(null);
      }
      _write(data, cb) {
        this._writableState.autoBatch(data, cb);
      }
      _final(cb) {
        cb(null);
      }
      static isBackpressured(ws) {
        return (ws._duplexState & WRITE_BACKPRESSURE_STATUS) !== 0;
      }
      static drained(ws) {
        if (ws.destroyed) return Promise.resolve(false);
        const state = ws._writableState;
        const pending = isWritev(ws) ? Math.min(1, state.queue.length) : state.queue.length;
        const writes = pending + (ws._duplexState & WRITE_WRITING ? 1 : 0);
        if (writes === 0) return Promise.resolve(true);
        if (state.drains === null) state.drains = [];
        return new Promise((resolve) => {
          state.drains.push({ writes, resolve });
        });
      }
      write(data) {
        this._writableState.updateNextTick();
        return this._writableState.push(data);
      }
      end(data) {
        this._writableState.updateNextTick();
        this._writableState.end(data);
        return this;
      }
    };
    var Duplex2 = class extends Readable3 {
      // and Writable
      constructor(opts) {
        super(opts);
        this._duplexState = OPENING | this._duplexState & READ_READ_AHEAD;
        this._writableState = new WritableState(this, opts);
        if (opts) {
          if (opts.writev) this._writev = opts.writev;
          if (opts.write) this._write = opts.write;
          if (opts.final) this._final = opts.final;
        }
      }
      cork() {
        this._duplexState |= WRITE_CORKED;
      }
      uncork() {
        this._duplexState &= WRITE_NOT_CORKED;
        this._writableState.updateNextTick();
      }
      _writev(batch, cb) {
        cb(null);
      }
      _write(data, cb) {
        this._writableState.autoBatch(data, cb);
      }
      _final(cb) {
        cb(null);
      }
      write(data) {
        this._writableState.updateNextTick();
        return this._writableState.push(data);
      }
      end(data) {
        this._writableState.updateNextTick();
        this._writableState.end(data);
        return this;
      }
    };
    var Transform = class extends Duplex2 {
      constructor(opts) {
        super(opts);
        this._transformState = new TransformState(this);
        if (opts) {
          if (opts.transform) this._transform = opts.transform;
          if (opts.flush) this._flush = opts.flush;
        }
      }
      _write(data, cb) {
        if (this._readableState.buffered >= this._readableState.highWaterMark) {
          this._transformState.data = data;
        } else {
          this._transform(data, this._transformState.afterTransform);
        }
      }
      _read(cb) {
        if (this._transformState.data !== null) {
          const data = this._transformState.data;
          this._transformState.data = null;
          cb(null);
          this._transform(data, this._transformState.afterTransform);
        } else {
          cb(null);
        }
      }
      destroy(err) {
        super.destroy(err);
        if (this._transformState.data !== null) {
          this._transformState.data = null;
          this._transformState.afterTransform();
        }
      }
      _transform(data, cb) {
        cb(null, data);
      }
      _flush(cb) {
        cb(null);
      }
      _final(cb) {
        this._transformState.afterFinal = cb;
        this._flush(transformAfterFlush.bind(this));
      }
    };
    var PassThrough = class extends Transform {
    };
    function transformAfterFlush(err, data) {
      const cb = this._transformState.afterFinal;
      if (err) return cb(err);
      if (data !== null && data !== void 0) this.push(data);
      this.push(null);
      cb(null);
    }
    function pipelinePromise(...streams) {
      return new Promise((resolve, reject) => {
        return pipeline3(...streams, (err) => {
          if (err) return reject(err);
          resolve();
        });
      });
    }
    function pipeline3(stream, ...streams) {
      const all = Array.isArray(stream) ? [...stream, ...streams] : [stream, ...streams];
      const done = all.length && typeof all[all.length - 1] === "function" ? all.pop() : null;
      if (all.length < 2) throw StreamError.BAD_ARGUMENT("Pipeline requires at least 2 streams");
      let src = all[0];
      let dest = null;
      let error = null;
      for (let i = 1; i < all.length; i++) {
        dest = all[i];
        if (isStreamx(src)) {
          src.pipe(dest, onerror);
        } else {
          errorHandle(src, true, i > 1, onerror);
          src.pipe(dest);
        }
        src = dest;
      }
      if (done) {
        let fin = false;
        const autoDestroy = isStreamx(dest) || !!(dest._writableState && dest._writableState.autoDestroy);
        dest.on("error", (err) => {
          if (error === null) error = err;
        });
        dest.on("finish", () => {
          fin = true;
          if (!autoDestroy) done(error);
        });
        if (autoDestroy) {
          dest.on("close", () => done(error || (fin ? null : StreamError.PREMATURE_CLOSE())));
        }
      }
      return dest;
      function errorHandle(s, rd, wr, onerror2) {
        s.on("error", onerror2);
        s.on("close", onclose);
        function onclose() {
          if (rd && s._readableState && !s._readableState.ended) {
            return onerror2(StreamError.PREMATURE_CLOSE());
          }
          if (wr && s._writableState && !s._writableState.ended) {
            return onerror2(StreamError.PREMATURE_CLOSE());
          }
        }
      }
      function onerror(err) {
        if (!err || error) return;
        error = err;
        for (const s of all) {
          s.destroy(err);
        }
      }
    }
    function echo(s) {
      return s;
    }
    function isStream(stream) {
      return !!stream._readableState || !!stream._writableState;
    }
    function isStreamx(stream) {
      return typeof stream._duplexState === "number" && isStream(stream);
    }
    function isEnding(stream) {
      return !!stream._readableState && stream._readableState.ending;
    }
    function isEnded(stream) {
      return !!stream._readableState && stream._readableState.ended;
    }
    function isFinishing(stream) {
      return !!stream._writableState && stream._writableState.ending;
    }
    function isFinished(stream) {
      return !!stream._writableState && stream._writableState.ended;
    }
    function getStreamError(stream, opts = {}) {
      const err = stream._readableState && stream._readableState.error || stream._writableState && stream._writableState.error;
      return !opts.all && StreamError.isStreamDestroyed(err) ? null : err;
    }
    function isReadStreamx(stream) {
      return isStreamx(stream) && stream.readable;
    }
    function isDisturbed(stream) {
      return (stream._duplexState & OPENING) !== OPENING || (stream._duplexState & DESTROYING) === DESTROYING || (stream._duplexState & ACTIVE_OR_TICKING) !== 0;
    }
    function isTypedArray(data) {
      return typeof data === "object" && data !== null && typeof data.byteLength === "number";
    }
    function defaultByteLength(data) {
      return isTypedArray(data) ? data.byteLength : 1024;
    }
    function noop() {
    }
    function abort() {
      this.destroy(StreamError.ABORTED());
    }
    function isWritev(s) {
      return s._writev !== Writable.prototype._writev && s._writev !== Duplex2.prototype._writev;
    }
    module.exports = {
      pipeline: pipeline3,
      pipelinePromise,
      isStream,
      isStreamx,
      isEnding,
      isEnded,
      isFinishing,
      isFinished,
      isDisturbed,
      getStreamError,
      Stream,
      Writable,
      Readable: Readable3,
      Duplex: Duplex2,
      Transform,
      // Export PassThrough for compatibility with Node.js core's stream module
      PassThrough
    };
  }
});

// node_modules/tar-stream/headers.js
var require_headers = __commonJS({
  "node_modules/tar-stream/headers.js"(exports) {
    var b4a = require_b4a();
    var ZEROS = "0000000000000000000";
    var SEVENS = "7777777777777777777";
    var ZERO_OFFSET = "0".charCodeAt(0);
    var USTAR_MAGIC = b4a.from([117, 115, 116, 97, 114, 0]);
    var USTAR_VER = b4a.from([ZERO_OFFSET, ZERO_OFFSET]);
    var GNU_MAGIC = b4a.from([117, 115, 116, 97, 114, 32]);
    var GNU_VER = b4a.from([32, 0]);
    var MASK = 4095;
    var MAGIC_OFFSET = 257;
    var VERSION_OFFSET = 263;
    exports.decodeLongPath = function decodeLongPath(buf, encoding) {
      return decodeStr(buf, 0, buf.length, encoding);
    };
    exports.encodePax = function encodePax(opts) {
      let result = "";
      if (opts.name) result += addLength(" path=" + opts.name + "\n");
      if (opts.linkname) result += addLength(" linkpath=" + opts.linkname + "\n");
      const pax = opts.pax;
      if (pax) {
        for (const key in pax) {
          result += addLength(" " + key + "=" + pax[key] + "\n");
        }
      }
      return b4a.from(result);
    };
    exports.decodePax = function decodePax(buf) {
      const result = {};
      while (buf.length) {
        let i = 0;
        while (i < buf.length && buf[i] !== 32) i++;
        const len = parseInt(b4a.toString(buf.subarray(0, i)), 10);
        if (!len) return result;
        const b = b4a.toString(buf.subarray(i + 1, len - 1));
        const keyIndex = b.indexOf("=");
        if (keyIndex === -1) return result;
        result[b.slice(0, keyIndex)] = b.slice(keyIndex + 1);
        buf = buf.subarray(len);
      }
      return result;
    };
    exports.encode = function encode(opts) {
      const buf = b4a.alloc(512);
      let name = opts.name;
      let prefix = "";
      if (opts.typeflag === 5 && name[name.length - 1] !== "/") name += "/";
      if (b4a.byteLength(name) !== name.length) return null;
      while (b4a.byteLength(name) > 100) {
        const i = name.indexOf("/");
        if (i === -1) return null;
        prefix += prefix ? "/" + name.slice(0, i) : name.slice(0, i);
        name = name.slice(i + 1);
      }
      if (b4a.byteLength(name) > 100 || b4a.byteLength(prefix) > 155) return null;
      if (opts.linkname && b4a.byteLength(opts.linkname) > 100) return null;
      b4a.write(buf, name);
      b4a.write(buf, encodeOct(opts.mode & MASK, 6), 100);
      b4a.write(buf, encodeOct(opts.uid, 6), 108);
      b4a.write(buf, encodeOct(opts.gid, 6), 116);
      encodeSize(opts.size, buf, 124);
      b4a.write(buf, encodeOct(opts.mtime.getTime() / 1e3 | 0, 11), 136);
      buf[156] = ZERO_OFFSET + toTypeflag(opts.type);
      if (opts.linkname) b4a.write(buf, opts.linkname, 157);
      b4a.copy(USTAR_MAGIC, buf, MAGIC_OFFSET);
      b4a.copy(USTAR_VER, buf, VERSION_OFFSET);
      if (opts.uname) b4a.write(buf, opts.uname, 265);
      if (opts.gname) b4a.write(buf, opts.gname, 297);
      b4a.write(buf, encodeOct(opts.devmajor || 0, 6), 329);
      b4a.write(buf, encodeOct(opts.devminor || 0, 6), 337);
      if (prefix) b4a.write(buf, prefix, 345);
      b4a.write(buf, encodeOct(cksum(buf), 6), 148);
      return buf;
    };
    exports.decode = function decode(buf, filenameEncoding, allowUnknownFormat) {
      let typeflag = buf[156] === 0 ? 0 : buf[156] - ZERO_OFFSET;
      let name = decodeStr(buf, 0, 100, filenameEncoding);
      const mode = decodeOct(buf, 100, 8);
      const uid = decodeOct(buf, 108, 8);
      const gid = decodeOct(buf, 116, 8);
      const size = decodeOct(buf, 124, 12);
      const mtime = decodeOct(buf, 136, 12);
      const type = toType(typeflag);
      const linkname = buf[157] === 0 ? null : decodeStr(buf, 157, 100, filenameEncoding);
      const uname = decodeStr(buf, 265, 32);
      const gname = decodeStr(buf, 297, 32);
      const devmajor = decodeOct(buf, 329, 8);
      const devminor = decodeOct(buf, 337, 8);
      const c = cksum(buf);
      if (c === 8 * 32) return null;
      if (c !== decodeOct(buf, 148, 8)) throw new Error("Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?");
      if (isUSTAR(buf)) {
        if (buf[345]) name = decodeStr(buf, 345, 155, filenameEncoding) + "/" + name;
      } else if (isGNU(buf)) {
      } else {
        if (!allowUnknownFormat) {
          throw new Error("Invalid tar header: unknown format.");
        }
      }
      if (typeflag === 0 && name && name[name.length - 1] === "/") typeflag = 5;
      return {
        name,
        mode,
        uid,
        gid,
        size,
        byteOffset: 0,
        mtime: new Date(1e3 * mtime),
        type,
        linkname,
        uname,
        gname,
        devmajor,
        devminor,
        pax: null
      };
    };
    function isUSTAR(buf) {
      return b4a.equals(USTAR_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6));
    }
    function isGNU(buf) {
      return b4a.equals(GNU_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6)) && b4a.equals(GNU_VER, buf.subarray(VERSION_OFFSET, VERSION_OFFSET + 2));
    }
    function clamp(index, len, defaultValue) {
      if (typeof index !== "number") return defaultValue;
      index = ~~index;
      if (index >= len) return len;
      if (index >= 0) return index;
      index += len;
      if (index >= 0) return index;
      return 0;
    }
    function toType(flag) {
      switch (flag) {
        case 0:
          return "file";
        case 1:
          return "link";
        case 2:
          return "symlink";
        case 3:
          return "character-device";
        case 4:
          return "block-device";
        case 5:
          return "directory";
        case 6:
          return "fifo";
        case 7:
          return "contiguous-file";
        case 72:
          return "pax-header";
        case 55:
          return "pax-global-header";
        case 27:
          return "gnu-long-link-path";
        case 28:
        case 30:
          return "gnu-long-path";
      }
      return null;
    }
    function toTypeflag(flag) {
      switch (flag) {
        case "file":
          return 0;
        case "link":
          return 1;
        case "symlink":
          return 2;
        case "character-device":
          return 3;
        case "block-device":
          return 4;
        case "directory":
          return 5;
        case "fifo":
          return 6;
        case "contiguous-file":
          return 7;
        case "pax-header":
          return 72;
      }
      return 0;
    }
    function indexOf(block, num, offset, end) {
      for (; offset < end; offset++) {
        if (block[offset] === num) return offset;
      }
      return end;
    }
    function cksum(block) {
      let sum = 8 * 32;
      for (let i = 0; i < 148; i++) sum += block[i];
      for (let j = 156; j < 512; j++) sum += block[j];
      return sum;
    }
    function encodeOct(val, n) {
      val = val.toString(8);
      if (val.length > n) return SEVENS.slice(0, n) + " ";
      return ZEROS.slice(0, n - val.length) + val + " ";
    }
    function encodeSizeBin(num, buf, off) {
      buf[off] = 128;
      for (let i = 11; i > 0; i--) {
        buf[off + i] = num & 255;
        num = Math.floor(num / 256);
      }
    }
    function encodeSize(num, buf, off) {
      if (num.toString(8).length > 11) {
        encodeSizeBin(num, buf, off);
      } else {
        b4a.write(buf, encodeOct(num, 11), off);
      }
    }
    function parse256(buf) {
      let positive;
      if (buf[0] === 128) positive = true;
      else if (buf[0] === 255) positive = false;
      else return null;
      const tuple = [];
      let i;
      for (i = buf.length - 1; i > 0; i--) {
        const byte = buf[i];
        if (positive) tuple.push(byte);
        else tuple.push(255 - byte);
      }
      let sum = 0;
      const l = tuple.length;
      for (i = 0; i < l; i++) {
        sum += tuple[i] * Math.pow(256, i);
      }
      return positive ? sum : -1 * sum;
    }
    function decodeOct(val, offset, length) {
      val = val.subarray(offset, offset + length);
      offset = 0;
      if (val[offset] & 128) {
        return parse256(val);
      } else {
        while (offset < val.length && val[offset] === 32) offset++;
        const end = clamp(indexOf(val, 32, offset, val.length), val.length, val.length);
        while (offset < end && val[offset] === 0) offset++;
        if (end === offset) return 0;
        return parseInt(b4a.toString(val.subarray(offset, end)), 8);
      }
    }
    function decodeStr(val, offset, length, encoding) {
      return b4a.toString(val.subarray(offset, indexOf(val, 0, offset, offset + length)), encoding);
    }
    function addLength(str) {
      const len = b4a.byteLength(str);
      let digits = Math.floor(Math.log(len) / Math.log(10)) + 1;
      if (len + digits >= Math.pow(10, digits)) digits++;
      return len + digits + str;
    }
  }
});

// node_modules/tar-stream/extract.js
var require_extract = __commonJS({
  "node_modules/tar-stream/extract.js"(exports, module) {
    var { Writable, Readable: Readable3, getStreamError } = require_streamx();
    var FIFO = require_fast_fifo();
    var b4a = require_b4a();
    var headers = require_headers();
    var EMPTY = b4a.alloc(0);
    var MAX_HEADER_SIZE = 4 * 1024 * 1024;
    var BufferList = class {
      constructor() {
        this.buffered = 0;
        this.shifted = 0;
        this.queue = new FIFO();
        this._offset = 0;
      }
      push(buffer3) {
        this.buffered += buffer3.byteLength;
        this.queue.push(buffer3);
      }
      shiftFirst(size) {
        return this.buffered === 0 ? null : this._next(size);
      }
      shift(size) {
        if (size > this.buffered) return null;
        if (size === 0) return EMPTY;
        let chunk = this._next(size);
        if (size === chunk.byteLength) return chunk;
        const chunks = [chunk];
        while ((size -= chunk.byteLength) > 0) {
          chunk = this._next(size);
          chunks.push(chunk);
        }
        return b4a.concat(chunks);
      }
      _next(size) {
        const buf = this.queue.peek();
        const rem = buf.byteLength - this._offset;
        if (size >= rem) {
          const sub = this._offset ? buf.subarray(this._offset, buf.byteLength) : buf;
          this.queue.shift();
          this._offset = 0;
          this.buffered -= rem;
          this.shifted += rem;
          return sub;
        }
        this.buffered -= size;
        this.shifted += size;
        return buf.subarray(this._offset, this._offset += size);
      }
    };
    var Source = class extends Readable3 {
      constructor(self, header, offset) {
        super();
        this.header = header;
        this.offset = offset;
        this._parent = self;
      }
      _read(cb) {
        if (this.header.size === 0) {
          this.push(null);
        }
        if (this._parent._stream === this) {
          this._parent._update();
        }
        cb(null);
      }
      _predestroy() {
        this._parent.destroy(getStreamError(this));
      }
      _detach() {
        if (this._parent._stream === this) {
          this._parent._stream = null;
          this._parent._missing = overflow(this.header.size);
          this._parent._update();
        }
      }
      _destroy(cb) {
        this._detach();
        cb(null);
      }
    };
    var Extract = class extends Writable {
      constructor(opts) {
        super(opts);
        if (!opts) opts = {};
        this._buffer = new BufferList();
        this._offset = 0;
        this._header = null;
        this._stream = null;
        this._missing = 0;
        this._longHeader = false;
        this._callback = noop;
        this._locked = false;
        this._finished = false;
        this._pax = null;
        this._paxGlobal = null;
        this._gnuLongPath = null;
        this._gnuLongLinkPath = null;
        this._filenameEncoding = opts.filenameEncoding || "utf-8";
        this._allowUnknownFormat = !!opts.allowUnknownFormat;
        this._unlockBound = this._unlock.bind(this);
      }
      _unlock(err) {
        this._locked = false;
        if (err) {
          this.destroy(err);
          this._continueWrite(err);
          return;
        }
        this._update();
      }
      _consumeHeader() {
        if (this._locked) return false;
        this._offset = this._buffer.shifted;
        try {
          this._header = headers.decode(this._buffer.shift(512), this._filenameEncoding, this._allowUnknownFormat);
        } catch (err) {
          this._continueWrite(err);
          return false;
        }
        if (!this._header) return true;
        this._header.byteOffset = this._buffer.shifted;
        switch (this._header.type) {
          case "gnu-long-path":
          case "gnu-long-link-path":
          case "pax-global-header":
          case "pax-header":
            this._longHeader = true;
            this._missing = this._header.size;
            if (this._missing > MAX_HEADER_SIZE) {
              this._continueWrite(new Error("Header exceeds max size"));
              return false;
            }
            return true;
        }
        this._locked = true;
        this._applyLongHeaders();
        if (!(this._header.size >= 0)) {
          this._continueWrite(new Error("Invalid header"));
          return false;
        }
        if (this._header.size === 0 || this._header.type === "directory") {
          this.emit("entry", this._header, this._createStream(), this._unlockBound);
          return true;
        }
        this._stream = this._createStream();
        this._missing = this._header.size;
        this.emit("entry", this._header, this._stream, this._unlockBound);
        return true;
      }
      _applyLongHeaders() {
        if (this._gnuLongPath) {
          this._header.name = this._gnuLongPath;
          this._gnuLongPath = null;
        }
        if (this._gnuLongLinkPath) {
          this._header.linkname = this._gnuLongLinkPath;
          this._gnuLongLinkPath = null;
        }
        if (this._pax) {
          if (this._pax.path) this._header.name = this._pax.path;
          if (this._pax.linkpath) this._header.linkname = this._pax.linkpath;
          if (this._pax.size) this._header.size = parseInt(this._pax.size, 10);
          this._header.pax = this._pax;
          this._pax = null;
        }
      }
      _decodeLongHeader(buf) {
        switch (this._header.type) {
          case "gnu-long-path":
            this._gnuLongPath = headers.decodeLongPath(buf, this._filenameEncoding);
            break;
          case "gnu-long-link-path":
            this._gnuLongLinkPath = headers.decodeLongPath(buf, this._filenameEncoding);
            break;
          case "pax-global-header":
            this._paxGlobal = headers.decodePax(buf);
            break;
          case "pax-header":
            this._pax = this._paxGlobal === null ? headers.decodePax(buf) : Object.assign({}, this._paxGlobal, headers.decodePax(buf));
            break;
        }
      }
      _consumeLongHeader() {
        this._longHeader = false;
        this._missing = overflow(this._header.size);
        const buf = this._buffer.shift(this._header.size);
        try {
          this._decodeLongHeader(buf);
        } catch (err) {
          this._continueWrite(err);
          return false;
        }
        return true;
      }
      _consumeStream() {
        const buf = this._buffer.shiftFirst(this._missing);
        if (buf === null) return false;
        this._missing -= buf.byteLength;
        const drained = this._stream.push(buf);
        if (this._missing === 0) {
          this._stream.push(null);
          if (drained) this._stream._detach();
          return drained && this._locked === false;
        }
        return drained;
      }
      _createStream() {
        return new Source(this, this._header, this._offset);
      }
      _update() {
        while (this._buffer.buffered > 0 && !this.destroying) {
          if (this._missing > 0) {
            if (this._stream !== null) {
              if (this._consumeStream() === false) return;
              continue;
            }
            if (this._longHeader === true) {
              if (this._missing > this._buffer.buffered) break;
              if (this._consumeLongHeader() === false) return false;
              continue;
            }
            const ignore = this._buffer.shiftFirst(this._missing);
            if (ignore !== null) this._missing -= ignore.byteLength;
            continue;
          }
          if (this._buffer.buffered < 512) break;
          if (this._stream !== null || this._consumeHeader() === false) return;
        }
        this._continueWrite(null);
      }
      _continueWrite(err) {
        const cb = this._callback;
        this._callback = noop;
        cb(err);
      }
      _write(data, cb) {
        this._callback = cb;
        this._buffer.push(data);
        this._update();
      }
      _final(cb) {
        this._finished = this._missing === 0 && this._buffer.buffered === 0;
        cb(this._finished ? null : new Error("Unexpected end of data"));
      }
      _predestroy() {
        this._continueWrite(null);
      }
      _destroy(cb) {
        if (this._stream) this._stream.destroy(getStreamError(this));
        cb(null);
      }
      [Symbol.asyncIterator]() {
        let error = null;
        let promiseResolve = null;
        let promiseReject = null;
        let entryStream = null;
        let entryCallback = null;
        const extract3 = this;
        this.on("entry", onentry);
        this.on("error", (err) => {
          error = err;
        });
        this.on("close", onclose);
        return {
          [Symbol.asyncIterator]() {
            return this;
          },
          next() {
            return new Promise(onnext);
          },
          return() {
            return destroy(null);
          },
          throw(err) {
            return destroy(err);
          }
        };
        function consumeCallback(err) {
          if (!entryCallback) return;
          const cb = entryCallback;
          entryCallback = null;
          cb(err);
        }
        function onnext(resolve, reject) {
          if (error) {
            return reject(error);
          }
          if (entryStream) {
            resolve({ value: entryStream, done: false });
            entryStream = null;
            return;
          }
          promiseResolve = resolve;
          promiseReject = reject;
          consumeCallback(null);
          if (extract3._finished && promiseResolve) {
            promiseResolve({ value: void 0, done: true });
            promiseResolve = promiseReject = null;
          }
        }
        function onentry(header, stream, callback) {
          entryCallback = callback;
          stream.on("error", noop);
          if (promiseResolve) {
            promiseResolve({ value: stream, done: false });
            promiseResolve = promiseReject = null;
          } else {
            entryStream = stream;
          }
        }
        function onclose() {
          consumeCallback(error);
          if (!promiseResolve) return;
          if (error) promiseReject(error);
          else promiseResolve({ value: void 0, done: true });
          promiseResolve = promiseReject = null;
        }
        function destroy(err) {
          extract3.destroy(err);
          consumeCallback(err);
          return new Promise((resolve, reject) => {
            if (extract3.destroyed) return resolve({ value: void 0, done: true });
            extract3.once("close", function() {
              if (err) reject(err);
              else resolve({ value: void 0, done: true });
            });
          });
        }
      }
    };
    module.exports = function extract3(opts) {
      return new Extract(opts);
    };
    function noop() {
    }
    function overflow(size) {
      size &= 511;
      return size && 512 - size;
    }
  }
});

// node_modules/tar-stream/constants.js
var require_constants = __commonJS({
  "node_modules/tar-stream/constants.js"(exports, module) {
    var constants = {
      // just for envs without fs
      S_IFMT: 61440,
      S_IFDIR: 16384,
      S_IFCHR: 8192,
      S_IFBLK: 24576,
      S_IFIFO: 4096,
      S_IFLNK: 40960
    };
    try {
      module.exports = __require("fs").constants || constants;
    } catch {
      module.exports = constants;
    }
  }
});

// node_modules/tar-stream/pack.js
var require_pack = __commonJS({
  "node_modules/tar-stream/pack.js"(exports, module) {
    var { Readable: Readable3, Writable, getStreamError } = require_streamx();
    var b4a = require_b4a();
    var constants = require_constants();
    var headers = require_headers();
    var DMODE = 493;
    var FMODE = 420;
    var END_OF_TAR = b4a.alloc(1024);
    var Sink = class extends Writable {
      constructor(pack, header, callback) {
        super({ mapWritable, eagerOpen: true });
        this.written = 0;
        this.header = header;
        this._callback = callback;
        this._linkname = null;
        this._isLinkname = header.type === "symlink" && !header.linkname;
        this._isVoid = header.type !== "file" && header.type !== "contiguous-file";
        this._finished = false;
        this._pack = pack;
        this._openCallback = null;
        if (this._pack._stream === null) this._pack._stream = this;
        else this._pack._pending.push(this);
      }
      _open(cb) {
        this._openCallback = cb;
        if (this._pack._stream === this) this._continueOpen();
      }
      _continuePack(err) {
        if (this._callback === null) return;
        const callback = this._callback;
        this._callback = null;
        callback(err);
      }
      _continueOpen() {
        if (this._pack._stream === null) this._pack._stream = this;
        const cb = this._openCallback;
        this._openCallback = null;
        if (cb === null) return;
        if (this._pack.destroying) return cb(new Error("pack stream destroyed"));
        if (this._pack._finalized) return cb(new Error("pack stream is already finalized"));
        this._pack._stream = this;
        if (!this._isLinkname) {
          this._pack._encode(this.header);
        }
        if (this._isVoid) {
          this._finish();
          this._continuePack(null);
        }
        cb(null);
      }
      _write(data, cb) {
        if (this._isLinkname) {
          this._linkname = this._linkname ? b4a.concat([this._linkname, data]) : data;
          return cb(null);
        }
        if (this._isVoid) {
          if (data.byteLength > 0) {
            return cb(new Error("No body allowed for this entry"));
          }
          return cb();
        }
        this.written += data.byteLength;
        if (this._pack.push(data)) return cb();
        this._pack._drain = cb;
      }
      _finish() {
        if (this._finished) return;
        this._finished = true;
        if (this._isLinkname) {
          this.header.linkname = this._linkname ? b4a.toString(this._linkname, "utf-8") : "";
          this._pack._encode(this.header);
        }
        overflow(this._pack, this.header.size);
        this._pack._done(this);
      }
      _final(cb) {
        if (this.written !== this.header.size) {
          return cb(new Error("Size mismatch"));
        }
        this._finish();
        cb(null);
      }
      _getError() {
        return getStreamError(this) || new Error("tar entry destroyed");
      }
      _predestroy() {
        this._pack.destroy(this._getError());
      }
      _destroy(cb) {
        this._pack._done(this);
        this._continuePack(this._finished ? null : this._getError());
        cb();
      }
    };
    var Pack = class extends Readable3 {
      constructor(opts) {
        super(opts);
        this._drain = noop;
        this._finalized = false;
        this._finalizing = false;
        this._pending = [];
        this._stream = null;
      }
      entry(header, buffer3, callback) {
        if (this._finalized || this.destroying) throw new Error("already finalized or destroyed");
        if (typeof buffer3 === "function") {
          callback = buffer3;
          buffer3 = null;
        }
        if (!callback) callback = noop;
        if (!header.size || header.type === "symlink") header.size = 0;
        if (!header.type) header.type = modeToType(header.mode);
        if (!header.mode) header.mode = header.type === "directory" ? DMODE : FMODE;
        if (!header.uid) header.uid = 0;
        if (!header.gid) header.gid = 0;
        if (!header.mtime) header.mtime = /* @__PURE__ */ new Date();
        if (typeof buffer3 === "string") buffer3 = b4a.from(buffer3);
        const sink = new Sink(this, header, callback);
        if (b4a.isBuffer(buffer3)) {
          header.size = buffer3.byteLength;
          sink.write(buffer3);
          sink.end();
          return sink;
        }
        if (sink._isVoid) {
          return sink;
        }
        return sink;
      }
      finalize() {
        if (this._stream || this._pending.length > 0) {
          this._finalizing = true;
          return;
        }
        if (this._finalized) return;
        this._finalized = true;
        this.push(END_OF_TAR);
        this.push(null);
      }
      _done(stream) {
        if (stream !== this._stream) return;
        this._stream = null;
        if (this._finalizing) this.finalize();
        if (this._pending.length) this._pending.shift()._continueOpen();
      }
      _encode(header) {
        if (!header.pax) {
          const buf = headers.encode(header);
          if (buf) {
            this.push(buf);
            return;
          }
        }
        this._encodePax(header);
      }
      _encodePax(header) {
        const paxHeader = headers.encodePax({
          name: header.name,
          linkname: header.linkname,
          pax: header.pax
        });
        const newHeader = {
          name: "PaxHeader",
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          size: paxHeader.byteLength,
          mtime: header.mtime,
          type: "pax-header",
          linkname: header.linkname && "PaxHeader",
          uname: header.uname,
          gname: header.gname,
          devmajor: header.devmajor,
          devminor: header.devminor
        };
        this.push(headers.encode(newHeader));
        this.push(paxHeader);
        overflow(this, paxHeader.byteLength);
        newHeader.size = header.size;
        newHeader.type = header.type;
        this.push(headers.encode(newHeader));
      }
      _doDrain() {
        const drain = this._drain;
        this._drain = noop;
        drain();
      }
      _predestroy() {
        const err = getStreamError(this);
        if (this._stream) this._stream.destroy(err);
        while (this._pending.length) {
          const stream = this._pending.shift();
          stream.destroy(err);
          stream._continueOpen();
        }
        this._doDrain();
      }
      _read(cb) {
        this._doDrain();
        cb();
      }
    };
    module.exports = function pack(opts) {
      return new Pack(opts);
    };
    function modeToType(mode) {
      switch (mode & constants.S_IFMT) {
        case constants.S_IFBLK:
          return "block-device";
        case constants.S_IFCHR:
          return "character-device";
        case constants.S_IFDIR:
          return "directory";
        case constants.S_IFIFO:
          return "fifo";
        case constants.S_IFLNK:
          return "symlink";
      }
      return "file";
    }
    function noop() {
    }
    function overflow(self, size) {
      size &= 511;
      if (size) self.push(END_OF_TAR.subarray(0, 512 - size));
    }
    function mapWritable(buf) {
      return b4a.isBuffer(buf) ? buf : b4a.from(buf);
    }
  }
});

// node_modules/tar-stream/index.js
var require_tar_stream = __commonJS({
  "node_modules/tar-stream/index.js"(exports) {
    exports.extract = require_extract();
    exports.pack = require_pack();
  }
});

// src/source/docker-daemon.ts
var import_node_fs2 = __toESM(require_node_fs(), 1);
var import_promises4 = __toESM(require_promises(), 1);
var import_node_path3 = __toESM(require_node_path(), 1);
var import_node_stream3 = __toESM(require_node_stream(), 1);
var import_consumers2 = __toESM(require_consumers(), 1);
var import_promises5 = __toESM(require_promises2(), 1);
var import_tar_stream2 = __toESM(require_tar_stream(), 1);

// src/source/engine-api.ts
var import_node_stream = __toESM(require_node_stream(), 1);

// src/source/engine-endpoint.ts
var import_promises = __toESM(require_promises(), 1);
var import_node_os = __toESM(require_node_os(), 1);
var import_node_path = __toESM(require_node_path(), 1);
var DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
var CHOOSE_ENGINE = "choose the engine with DOCKER_HOST (unix:///path/docker.sock, tcp://HOST:2376, ssh://USER@HOST) or `docker context use NAME`";
async function findEngine(env = process.env) {
  const configDir = env.DOCKER_CONFIG || (0, import_node_path.join)(env.HOME || (0, import_node_os.homedir)(), ".docker");
  if (env.DOCKER_HOST) {
    const host = env.DOCKER_HOST;
    const tlsWanted = Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS);
    if (!tlsWanted || !host.startsWith("tcp://")) return { host, chosenBy: "DOCKER_HOST" };
    const certDir = env.DOCKER_CERT_PATH || configDir;
    return {
      host,
      chosenBy: "DOCKER_HOST",
      tls: await readTls(certDir, Boolean(env.DOCKER_TLS_VERIFY), "DOCKER_CERT_PATH")
    };
  }
  let name = env.DOCKER_CONTEXT;
  let chosenBy = `context "${name ?? ""}" (DOCKER_CONTEXT)`;
  if (!name) {
    name = await currentContext(configDir);
    chosenBy = `context "${name ?? ""}" (currentContext in ${(0, import_node_path.join)(configDir, "config.json")})`;
  }
  if (!name || name === "default") return { host: DEFAULT_DOCKER_HOST, chosenBy: "the default socket" };
  const id = sha256Hex(name);
  const metaFile = (0, import_node_path.join)(configDir, "contexts", "meta", id, "meta.json");
  let meta;
  try {
    meta = JSON.parse(await (0, import_promises.readFile)(metaFile, "utf8"));
  } catch (err) {
    const code = err.code;
    throw new SourceError(
      `${chosenBy}: ${code === "ENOENT" ? "no such context" : `cannot read ${metaFile}: ${err.message}`}`,
      `\`docker context ls\` lists the contexts; unset DOCKER_CONTEXT or \`docker context use default\`, or ${CHOOSE_ENGINE.slice("choose ".length)}`,
      { cause: err }
    );
  }
  const docker = meta.Endpoints?.docker;
  if (typeof docker?.Host !== "string" || docker.Host === "") {
    throw new SourceError(
      `${chosenBy}: ${metaFile} names no Docker endpoint (Endpoints.docker.Host)`,
      `recreate it with \`docker context create\`, or ${CHOOSE_ENGINE.slice("choose ".length)}`
    );
  }
  if (!docker.Host.startsWith("tcp://")) return { host: docker.Host, chosenBy };
  const tlsDir = (0, import_node_path.join)(configDir, "contexts", "tls", id, "docker");
  const tls = await readTls(tlsDir, docker.SkipTLSVerify !== true, "the context store");
  return tls.ca || tls.cert ? { host: docker.Host, chosenBy, tls } : { host: docker.Host, chosenBy };
}
async function currentContext(configDir) {
  let text;
  try {
    text = await (0, import_promises.readFile)((0, import_node_path.join)(configDir, "config.json"), "utf8");
  } catch {
    return void 0;
  }
  try {
    const value = JSON.parse(text)?.currentContext;
    return typeof value === "string" ? value : void 0;
  } catch {
    return void 0;
  }
}
async function readTls(dir, verify, what) {
  if (!(0, import_node_path.isAbsolute)(dir)) dir = (0, import_node_path.join)(process.cwd(), dir);
  const read = (file) => (0, import_promises.readFile)((0, import_node_path.join)(dir, file)).catch((err) => {
    if (err.code === "ENOENT") return void 0;
    throw new SourceError(
      `cannot read ${(0, import_node_path.join)(dir, file)} (${what}): ${err.message}`,
      "check the TLS files of the engine"
    );
  });
  const [ca, cert, key] = await Promise.all([read("ca.pem"), read("cert.pem"), read("key.pem")]);
  if (verify && !ca && what === "DOCKER_CERT_PATH") {
    throw new SourceError(
      `DOCKER_TLS_VERIFY is set, but ${(0, import_node_path.join)(dir, "ca.pem")} does not exist`,
      "point DOCKER_CERT_PATH at the directory with ca.pem, cert.pem and key.pem"
    );
  }
  return { ...ca ? { ca } : {}, ...cert ? { cert } : {}, ...key ? { key } : {}, verify };
}

// src/source/engine-api.ts
var INSPECT_BYTES = 16 << 20;
var CONNECT_TIMEOUT_MS = 15e3;
var HEADERS_TIMEOUT_MS = 12e4;
var BODY_TIMEOUT_MS = 6e5;
var EngineApi = class {
  #endpoint;
  #connection;
  #info;
  /** `endpoint`: the engine to use; by default the one DOCKER_HOST or the current context names. */
  constructor(endpoint) {
    this.#endpoint = typeof endpoint === "string" ? { host: endpoint, chosenBy: "the caller" } : endpoint;
  }
  async inspect(name) {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/json`, name);
    const bytes = await readBounded(
      res.body,
      INSPECT_BYTES,
      () => new SourceError(
        `docker-daemon:${name}: the Docker daemon sent more than 16 MiB for the image's inspect JSON`,
        "check that DOCKER_HOST names a Docker daemon"
      )
    );
    return JSON.parse(bytes.toString("utf8"));
  }
  /**
   * Whether the engine keeps images in the containerd image store (Docker 24+ with the containerd-snapshotter
   * feature, Docker 29's default): `docker info` names the snapshotter as its driver type.
   */
  async usesContainerdStore() {
    this.#info ??= this.#get("/info", "info").then(
      async (res) => await res.body.json()
    );
    const info = await this.#info;
    return (info.DriverStatus ?? []).some(
      ([key, value]) => key === "driver-type" && value === "io.containerd.snapshotter.v1"
    );
  }
  /** The `docker save` stream of one image: read it as it comes, never written whole to disk. */
  async save(name) {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/get`, name);
    return res.body;
  }
  /** Where the engine is and how it was chosen (after the first request). */
  async endpoint() {
    return (await this.#connect()).endpoint;
  }
  async close() {
    if (!this.#connection) return;
    const connection = await this.#connection.catch(() => void 0);
    await connection?.dispatcher.close();
  }
  #connect() {
    this.#connection ??= (async () => connect(this.#endpoint ?? await findEngine()))();
    return this.#connection;
  }
  async #get(path, name) {
    const { endpoint, dispatcher, origin } = await this.#connect();
    const where = `the Docker engine at ${endpoint.host} (${endpoint.chosenBy})`;
    const subject = name === "info" ? "docker-daemon" : `docker-daemon:${name}`;
    let res;
    try {
      res = await request(`${origin}${path}`, { dispatcher });
    } catch (err) {
      throw new SourceError(
        `${subject}: cannot reach ${where}: ${err.message}`,
        `is it running? ${CHOOSE_ENGINE}`,
        { cause: err }
      );
    }
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new SourceError(
        `${subject}: no such image in ${where}`,
        "build or pull it first, or check the name and tag (or the engine)"
      );
    }
    if (res.statusCode !== 200) {
      const text = (await readPrefix(res.body, 4096)).toString("utf8");
      throw new SourceError(`${subject}: ${where} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    }
    return res;
  }
};
function connect(endpoint) {
  const { host } = endpoint;
  const timeouts = { headersTimeout: HEADERS_TIMEOUT_MS, bodyTimeout: BODY_TIMEOUT_MS };
  if (host.startsWith("unix://")) {
    return {
      endpoint,
      dispatcher: new Agent({
        connect: { socketPath: host.slice("unix://".length), timeout: CONNECT_TIMEOUT_MS },
        ...timeouts
      }),
      origin: "http://docker"
    };
  }
  if (host.startsWith("tcp://") || host.startsWith("http://") || host.startsWith("https://")) {
    const address = host.replace(/^\w+:\/\//, "").replace(/\/+$/, "");
    const { tls } = endpoint;
    const secure = tls !== void 0 || host.startsWith("https://");
    return {
      endpoint,
      dispatcher: new Agent({
        connect: {
          timeout: CONNECT_TIMEOUT_MS,
          ...tls ? {
            rejectUnauthorized: tls.verify,
            ...tls.ca ? { ca: tls.ca } : {},
            ...tls.cert ? { cert: tls.cert } : {},
            ...tls.key ? { key: tls.key } : {}
          } : {}
        },
        ...timeouts
      }),
      origin: `${secure ? "https" : "http"}://${address}`
    };
  }
  if (host.startsWith("ssh://")) {
    return { endpoint, dispatcher: sshAgent(host, timeouts), origin: "http://docker" };
  }
  throw new SourceError(
    `${endpoint.chosenBy} names the engine "${host}", which is not a unix://, tcp:// or ssh:// address`,
    CHOOSE_ENGINE
  );
}
function sshAgent(host, timeouts) {
  const url = new URL(host);
  const args = ["-o", "BatchMode=yes", "-o", `ConnectTimeout=${CONNECT_TIMEOUT_MS / 1e3}`];
  if (url.port) args.push("-p", url.port);
  const target = `${url.username ? `${decodeURIComponent(url.username)}@` : ""}${url.hostname}`;
  args.push("--", target, "docker", "system", "dial-stdio");
  return new Agent({
    ...timeouts,
    connect: (_options, callback) => {
      const { spawn } = process.getBuiltinModule("node:child_process");
      const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
      const stderr = [];
      child.stderr.on("data", (chunk) => stderr.push(chunk));
      const socket = import_node_stream.Duplex.from({ readable: child.stdout, writable: child.stdin });
      let settled = false;
      child.once("error", (err) => {
        if (!settled) {
          settled = true;
          callback(new Error(`ssh: ${err.message}`), null);
        }
        socket.destroy(err);
      });
      child.once("exit", (code) => {
        const text = Buffer.concat(stderr).toString("utf8").trim().split("\n").slice(-2).join(" ");
        socket.destroy(code ? new Error(`ssh ${target} exited with ${code}: ${text}`) : void 0);
      });
      socket.once("close", () => child.kill());
      setImmediate(() => {
        if (settled) return;
        settled = true;
        callback(null, socket);
      });
    }
  });
}

// src/source/stored-save.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_promises2 = __toESM(require_promises(), 1);
var import_node_os2 = __toESM(require_node_os(), 1);
var import_node_path2 = __toESM(require_node_path(), 1);
var import_node_stream2 = __toESM(require_node_stream(), 1);
var import_consumers = __toESM(require_consumers(), 1);
var import_promises3 = __toESM(require_promises2(), 1);
var import_tar_stream = __toESM(require_tar_stream(), 1);
var SMALL_ENTRY = 1 << 20;
var READ_AHEAD = 16 << 20;
var StoredSaveReader = class {
  #options;
  #small = /* @__PURE__ */ new Map();
  #blobs = /* @__PURE__ */ new Map();
  /** The streams of blobs being uploaded, for the read-ahead budget. */
  #streams = /* @__PURE__ */ new Set();
  #spoolDir;
  constructor(options) {
    this.#options = options;
  }
  async read() {
    const { sourceName } = this.#options;
    const tar = (0, import_tar_stream.extract)();
    const feeding = (0, import_promises3.pipeline)(this.#options.stream, tar);
    feeding.catch(() => void 0);
    let sinkFailure;
    try {
      for await (const entry of tar) {
        const name = normalise(entry.header.name);
        const hex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
        if (entry.header.type !== "file" || hex === void 0) {
          entry.resume();
          continue;
        }
        const digest = `sha256:${hex}`;
        if (entry.header.size <= SMALL_ENTRY) {
          const bytes = await (0, import_consumers.buffer)(entry);
          this.#small.set(digest, bytes);
          this.#blobs.set(digest, memoryBlob(digest, bytes));
        } else if (this.#options.sink) {
          await this.#withinReadAhead();
          const failed = await this.#handOver(
            this.#options.sink,
            entry,
            name,
            digest,
            entry.header.size
          );
          if (failed) {
            sinkFailure = failed;
            break;
          }
        } else {
          await this.#spool(entry, digest, entry.header.size);
        }
      }
    } finally {
      if (sinkFailure) this.#options.stream.destroy();
    }
    if (sinkFailure) throw sinkFailure.error;
    await feeding;
    return this.#tree(sourceName);
  }
  async close() {
    if (this.#spoolDir) await (0, import_promises2.rm)(await this.#spoolDir, { recursive: true, force: true });
  }
  /**
   * Gives the live entry to the sink; the first open() gets these bytes, later ones a fresh save. Returns the
   * sink's failure, if it failed before it had read the entry (the push is over then).
   */
  async #handOver(sink, entry, name, digest, size) {
    const pull = new EntryPuller(entry);
    const first = await pull.first();
    const stream = pull.stream();
    this.#streams.add(stream);
    const done = () => this.#streams.delete(stream);
    stream.once("end", done).once("close", done);
    stream.on("error", () => void 0);
    stream.read(0);
    let opened = false;
    const blob = {
      descriptor: { mediaType: layerMediaType(first), digest, size },
      available: true,
      open: () => {
        if (opened) return this.#reopen(name);
        opened = true;
        return stream.errored ? Promise.reject(stream.errored) : Promise.resolve(stream);
      }
    };
    this.#blobs.set(digest, blob);
    let failure;
    const taken = sink(blob).then(
      () => void 0,
      (error) => failure = { error }
    );
    void taken.then(() => {
      if (opened) return;
      opened = true;
      stream.destroy();
    });
    await Promise.race([pull.ended, taken]);
    if (!pull.done) {
      await taken;
      opened = true;
      stream.destroy();
      await pull.drain();
    }
    return failure;
  }
  /**
   * Waits while the blobs handed over earlier still hold more than READ_AHEAD unread bytes (their uploads are
   * slower than the save), so memory stays bounded whatever the number of blobs. An upload that stalls fails
   * on the writer's own deadline, which ends its stream.
   */
  async #withinReadAhead() {
    const buffered = () => [...this.#streams].reduce((sum, s) => sum + s.readableLength, 0);
    while (buffered() > READ_AHEAD) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  async #spool(entry, digest, size) {
    const dir = await (this.#spoolDir ??= (0, import_promises2.mkdtemp)((0, import_node_path2.join)((0, import_node_os2.tmpdir)(), "image-push-store-")));
    const file = (0, import_node_path2.join)(dir, digest.slice(7));
    const pull = new EntryPuller(entry);
    const first = await pull.first();
    await (0, import_promises3.pipeline)(pull.stream(), (0, import_node_fs.createWriteStream)(file));
    this.#blobs.set(digest, {
      descriptor: { mediaType: layerMediaType(first), digest, size },
      available: true,
      open: () => Promise.resolve((0, import_node_fs.createReadStream)(file, { highWaterMark: 1 << 20 }))
    });
  }
  /** The entry `name` from a new save stream (the rest of that stream is dropped). */
  #reopen(name) {
    return Promise.resolve(
      import_node_stream2.Readable.from(this.#entryOfFreshSave(name), { objectMode: false, highWaterMark: 1 << 20 })
    );
  }
  // The loop over the tar stays open while the entry is read: leaving it early would destroy the extract, and
  // the entry with it.
  async *#entryOfFreshSave(name) {
    const source = await this.#options.resave();
    const tar = (0, import_tar_stream.extract)();
    const feeding = (0, import_promises3.pipeline)(source, tar);
    feeding.catch(() => void 0);
    try {
      for await (const entry of tar) {
        if (normalise(entry.header.name) !== name) {
          entry.resume();
          continue;
        }
        for await (const chunk of entry) yield chunk;
        return;
      }
      throw new SourceError(
        `${this.#options.sourceName}: ${name} is no longer in the engine's save`,
        "the image changed while it was pushed; push again"
      );
    } finally {
      source.destroy();
    }
  }
  async #tree(sourceName) {
    const { rootDigest } = this.#options;
    const rootBytes = this.#small.get(rootDigest);
    if (!rootBytes) {
      throw new SourceError(
        `${sourceName}: the engine's save has no manifest ${rootDigest} (the image ID)`,
        "the image changed while it was saved; push again"
      );
    }
    const store = {
      manifest: (descriptor, where) => this.#manifest(descriptor, where, sourceName),
      blob: (descriptor) => {
        const blob = this.#blobs.get(descriptor.digest);
        if (!blob)
          return Promise.resolve({
            descriptor,
            available: false,
            open: () => Promise.reject(new Error("absent"))
          });
        return Promise.resolve({ ...blob, descriptor });
      }
    };
    const root = descriptorOf(rootDigest, rootBytes, sourceName);
    const parsed = parseManifest(rootBytes, root.mediaType);
    if (parsed.kind !== "index") return loadManifestTree(store, root, sourceName);
    const children = [];
    for (const child of parsed.manifests) {
      if (isSha256Digest(child.digest) && this.#small.has(child.digest))
        children.push(await loadManifestTree(store, child, sourceName));
    }
    return { descriptor: root, bytes: rootBytes, blobs: [], children };
  }
  #manifest(descriptor, where, sourceName) {
    const bytes = this.#small.get(descriptor.digest);
    if (!bytes) {
      return Promise.reject(
        new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) is not in the engine's save`,
          "pull the image again, so the engine holds all of it"
        )
      );
    }
    if (sha256Digest(bytes) !== descriptor.digest || bytes.length !== descriptor.size) {
      return Promise.reject(
        new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) does not match its digest or size`,
          "the engine sent a damaged save; push again"
        )
      );
    }
    return Promise.resolve(bytes);
  }
};
function descriptorOf(digest, bytes, sourceName) {
  if (sha256Digest(bytes) !== digest) {
    throw new SourceError(
      `${sourceName}: the saved manifest does not hash to the image ID ${digest}`,
      "the engine sent a damaged save; push again"
    );
  }
  try {
    const parsed = parseManifest(bytes);
    return { mediaType: parsed.mediaType, digest, size: bytes.length };
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    throw new SourceError(
      `${sourceName}: the image's manifest ${digest} ${err.message}`,
      "push an OCI or Docker schema 2 image",
      {
        cause: err
      }
    );
  }
}
function memoryBlob(digest, bytes) {
  return {
    descriptor: { mediaType: "application/octet-stream", digest, size: bytes.length },
    available: true,
    open: () => Promise.resolve(import_node_stream2.Readable.from([bytes]))
  };
}
function layerMediaType(first) {
  const kind = sniffCompression(first);
  if (kind === "zstd") return OCI_LAYER_ZSTD;
  if (kind === "gzip") return DOCKER_LAYER_GZIP;
  return "application/vnd.docker.image.rootfs.diff.tar";
}
var EntryPuller = class {
  #chunks;
  #queue = Promise.resolve();
  #first;
  #end;
  done = false;
  ended = new Promise((resolve) => this.#end = resolve);
  constructor(entry) {
    this.#chunks = entry[Symbol.asyncIterator]();
  }
  /** The first chunk (kept for the stream). */
  async first() {
    const chunk = await this.#next();
    this.#first = chunk ?? Buffer.alloc(0);
    return this.#first;
  }
  stream() {
    return import_node_stream2.Readable.from(this.#chunksFromStart(), { objectMode: false, highWaterMark: READ_AHEAD });
  }
  async *#chunksFromStart() {
    if (this.#first?.length) yield this.#first;
    this.#first = void 0;
    for (let chunk = await this.#next(); chunk; chunk = await this.#next()) yield chunk;
  }
  async drain() {
    while (await this.#next()) {
    }
  }
  #next() {
    const read = this.#queue.then(async () => {
      if (this.done) return void 0;
      const result = await this.#chunks.next();
      const { done } = result;
      const value = result.value;
      if (done) {
        this.done = true;
        this.#end?.();
        return void 0;
      }
      return value;
    });
    this.#queue = read.catch(() => void 0);
    return read;
  }
};

// src/source/docker-daemon.ts
var SMALL_ENTRY2 = 1 << 20;
var DockerDaemonSource = class {
  name;
  #image;
  #compressor;
  #api;
  #saved;
  #id;
  /** diffIDs some caller asked for; the others stream past unread. */
  #wanted = /* @__PURE__ */ new Set();
  /** How many layers the image has (from inspect): when some are not wanted, unnamed layers are sorted out. */
  #layerCount = 0;
  /** Where unnamed layers wait, uncompressed, until their hash says whether they are wanted. */
  #rawDir;
  constructor(image, compressor) {
    this.name = `docker-daemon:${image}`;
    this.#image = image;
    this.#compressor = compressor;
    this.#api = new EngineApi();
  }
  /** The containerd image store's reader, when the engine keeps images there. */
  #stored;
  #inspected;
  /** On the containerd image store the image ID is the digest of the manifest (or index) a push sends. */
  async knownRootDigest() {
    const info = await (this.#inspected ??= this.#api.inspect(this.#image));
    return isSha256Digest(info.Id) && await this.#api.usesContainerdStore() ? info.Id : void 0;
  }
  async load(options = {}) {
    const info = await (this.#inspected ??= this.#api.inspect(this.#image));
    this.#id = info.Id;
    if (await this.#api.usesContainerdStore()) {
      this.#stored = new StoredSaveReader({
        rootDigest: info.Id,
        sourceName: this.name,
        stream: await this.#api.save(this.#image),
        resave: () => this.#api.save(this.#image),
        sink: options.blobSink
      });
      return this.#stored.read();
    }
    const diffIds = info.RootFS?.Layers ?? [];
    this.#layerCount = diffIds.length;
    const layers = diffIds.map((diffId) => ({
      diffId,
      prepare: async () => {
        this.#wanted.add(diffId);
        const saved = this.#save();
        const blob = await Promise.race([
          this.#ready(diffId).promise,
          saved.then((all) => all.layers.get(diffId))
        ]);
        if (!blob)
          throw new SourceError(
            `${this.name}: docker save did not include layer ${diffId}`,
            "save the image again"
          );
        return blob;
      }
    }));
    return {
      kind: "pending",
      config: {
        descriptor: { mediaType: DOCKER_CONFIG, digest: info.Id, size: -1 },
        prepare: async () => (await this.#save()).config
      },
      layers,
      platform: info.Os && info.Architecture ? {
        os: info.Os,
        architecture: info.Architecture,
        ...info.Variant ? { variant: info.Variant } : {}
      } : void 0,
      build: buildManifest,
      ...info.Os && info.Architecture ? {
        platform: {
          os: info.Os,
          architecture: info.Architecture,
          ...info.Variant ? { variant: info.Variant } : {}
        }
      } : {},
      ...info.Config?.Labels?.["org.opencontainers.image.base.name"] ? { baseName: info.Config.Labels["org.opencontainers.image.base.name"] } : {}
    };
  }
  async close() {
    await this.#stored?.close();
    await this.#api.close();
    if (this.#rawDir) await (0, import_promises4.rm)(await this.#rawDir, { recursive: true, force: true });
  }
  /** Layers compressed while the save still streams, by diffID. */
  #early = /* @__PURE__ */ new Map();
  #ready(diffId) {
    let ready = this.#early.get(diffId);
    if (!ready) {
      ready = Promise.withResolvers();
      ready.promise.catch(() => void 0);
      this.#early.set(diffId, ready);
    }
    return ready;
  }
  #save() {
    this.#saved ??= new Promise((resolve) => setImmediate(resolve)).then(() => this.#stream());
    return this.#saved;
  }
  async #stream() {
    const small = /* @__PURE__ */ new Map();
    const large = /* @__PURE__ */ new Map();
    const raw = /* @__PURE__ */ new Map();
    const links = [];
    const tar = (0, import_tar_stream2.extract)();
    const feeding = (0, import_promises5.pipeline)(await this.#api.save(this.#image), tar);
    feeding.catch(() => void 0);
    const sorting = this.#wanted.size > 0 && this.#wanted.size < this.#layerCount;
    for await (const entry of tar) {
      const name = normalise(entry.header.name);
      if (entry.header.type === "symlink" || entry.header.type === "link") {
        const target = entry.header.linkname;
        const dir = name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : "";
        links.push([name, normalise(entry.header.type === "symlink" && dir ? `${dir}/${target}` : target)]);
        entry.resume();
      } else if (entry.header.type !== "file") {
        entry.resume();
      } else if (entry.header.size <= SMALL_ENTRY2) {
        small.set(name, await (0, import_consumers2.buffer)(entry));
      } else if (this.#unwanted(name)) {
        entry.resume();
        await new Promise((resolve) => entry.once("end", () => resolve()));
      } else if (sorting && /(?:^|\/)layer\.tar$/.test(name)) {
        const kept = await this.#sortOut(entry, raw.size);
        if (kept) raw.set(name, kept);
      } else {
        const streamed = await this.#compressor.prepareStream(entry, name, this.name);
        large.set(name, streamed);
        if (streamed.diffId !== void 0 && this.#wanted.has(streamed.diffId))
          this.#ready(streamed.diffId).resolve(streamed.blob);
      }
    }
    await feeding;
    for (const [name, target] of links) {
      const bytes = small.get(target);
      if (bytes) small.set(name, bytes);
      const blob = large.get(target);
      if (blob) large.set(name, blob);
      const kept = raw.get(target);
      if (kept) raw.set(name, kept);
    }
    for (const [name, kept] of raw) {
      large.set(name, {
        blob: await this.#compressor.prepare(() => (0, import_node_fs2.createReadStream)(kept.file), kept.diffId, this.name),
        diffId: kept.diffId
      });
    }
    await Promise.all([...raw.values()].map((kept) => (0, import_promises4.rm)(kept.file, { force: true })));
    return this.#interpret(small, large);
  }
  /** Hashes an unnamed layer into a temporary file; keeps the file only when the layer is wanted. */
  async #sortOut(entry, n) {
    const dir = await (this.#rawDir ??= (0, import_promises4.mkdtemp)((0, import_node_path3.join)(tempRoot(), "image-push-save-")).catch(
      (err) => {
        throw new LocalFileError(
          "cannot create a temporary directory for layers of docker save in",
          tempRoot(),
          err,
          TEMP_ADVICE
        );
      }
    ));
    const file = (0, import_node_path3.join)(dir, `layer-${n}.tar`);
    const hash = createSha256();
    await (0, import_promises5.pipeline)(
      entry,
      async function* (source) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      (0, import_node_fs2.createWriteStream)(file)
    ).catch((err) => {
      throw err.path === file || fileErrorCode(err) === "ENOSPC" || fileErrorCode(err) === "EDQUOT" ? new LocalFileError("writing a layer of docker save to the temporary file", file, err, TEMP_ADVICE) : err;
    });
    const diffId = `sha256:${hash.digest("hex")}`;
    if (this.#wanted.has(diffId)) return { file, diffId };
    await (0, import_promises4.rm)(file, { force: true });
    return void 0;
  }
  /** Layer entries whose names give their diffID (`<hex>.tar`, `blobs/sha256/<hex>`) and nobody asked for. */
  #unwanted(name) {
    const hex = /(?:^|\/)([a-f0-9]{64})(?:\.tar)?$/.exec(name)?.[1];
    return hex !== void 0 && !this.#wanted.has(`sha256:${hex}`) && this.#wanted.size > 0;
  }
  async #interpret(small, large) {
    const manifest = small.get("manifest.json");
    if (!manifest) throw new SourceError(`${this.name}: the daemon's save stream has no manifest.json`);
    const entries = JSON.parse(manifest.toString("utf8"));
    const wanted = formatReference(parseReference(this.#image));
    const entry = entries.find((e) => (e.RepoTags ?? []).some((t) => formatReference(parseReference(t)) === wanted)) ?? entries[0];
    const configBytes = entry ? small.get(normalise(entry.Config)) : void 0;
    if (!entry || !configBytes)
      throw new SourceError(`${this.name}: the daemon's save stream has no image config`);
    const configDigest = sha256Digest(configBytes);
    if (configDigest !== this.#id) {
      throw new SourceError(
        `${this.name}: the saved config is ${configDigest}, not the image ID ${this.#id ?? "?"}`,
        "the image changed while it was saved; push again"
      );
    }
    const config = {
      descriptor: { mediaType: DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
      available: true,
      open: () => Promise.resolve(import_node_stream3.Readable.from([configBytes]))
    };
    const diffIds = JSON.parse(configBytes.toString("utf8")).rootfs?.diff_ids ?? [];
    const layers = /* @__PURE__ */ new Map();
    for (const [i, path] of entry.Layers.entries()) {
      const diffId = diffIds[i];
      if (!diffId || !this.#wanted.has(diffId)) continue;
      const name = normalise(path);
      const bytes = small.get(name);
      if (bytes) {
        layers.set(diffId, await this.#compressor.prepare(() => import_node_stream3.Readable.from([bytes]), diffId, this.name));
        continue;
      }
      const streamed = large.get(name);
      if (!streamed) throw new SourceError(`${this.name}: the daemon's save stream has no layer ${path}`);
      if (streamed.diffId !== void 0 && streamed.diffId !== diffId) {
        throw new SourceError(
          `${this.name}: layer ${path} hashes to ${streamed.diffId}, not ${diffId}`,
          "the image is corrupt"
        );
      }
      layers.set(diffId, streamed.blob);
    }
    return { config, layers };
  }
};
export {
  DockerDaemonSource
};
