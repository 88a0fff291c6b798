import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS
} from "./action-JJ6ZGO25.js";

// undici-assert:assert
var require_assert = __commonJS({
  "undici-assert:assert"(exports, module) {
    module.exports = function assert(value, message) {
      if (value) return;
      if (message instanceof Error) throw message;
      const err = new Error(message ?? "undici: an internal invariant failed");
      err.name = "AssertionError";
      err.code = "ERR_ASSERTION";
      throw err;
    };
  }
});

export {
  require_assert
};
