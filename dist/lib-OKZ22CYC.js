import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS,
  __require
} from "./lib-V3WSX2IK.js";

// builtin-require:node:util
var require_node_util = __commonJS({
  "builtin-require:node:util"(exports, module) {
    module.exports = __require("node:util");
  }
});

export {
  require_node_util
};
