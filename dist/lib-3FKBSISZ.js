import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS,
  __require
} from "./lib-V3WSX2IK.js";

// builtin-require:node:child_process
var require_node_child_process = __commonJS({
  "builtin-require:node:child_process"(exports, module) {
    module.exports = __require("node:child_process");
  }
});

// src/read-bounded.ts
function chunksOf(stream) {
  return typeof stream.iterator === "function" ? stream.iterator({ destroyOnReturn: false }) : stream;
}
var TooLargeError = class extends Error {
  read;
  max;
  constructor(read, max) {
    super(`more than ${max} bytes`);
    this.name = "TooLargeError";
    this.read = read;
    this.max = max;
  }
};
async function readBounded(stream, max, tooLarge = (read) => new TooLargeError(read, max)) {
  const chunks = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    total += chunk.length;
    if (total > max) {
      stream.destroy?.();
      throw tooLarge(total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
async function readPrefix(stream, max) {
  const chunks = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    const piece = chunk.subarray(0, max - total);
    chunks.push(piece);
    total += piece.length;
    if (total >= max) {
      stream.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks, total);
}

export {
  TooLargeError,
  readBounded,
  readPrefix,
  require_node_child_process
};
