import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS,
  __require
} from "./lib-V3WSX2IK.js";

// builtin-require:node:stream/promises
var require_promises = __commonJS({
  "builtin-require:node:stream/promises"(exports, module) {
    module.exports = __require("node:stream/promises");
  }
});

export {
  require_promises
};
