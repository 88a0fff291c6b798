import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS,
  __require
} from "./action-JJ6ZGO25.js";

// builtin-require:node:fs
var require_node_fs = __commonJS({
  "builtin-require:node:fs"(exports, module) {
    module.exports = __require("node:fs");
  }
});

// builtin-require:node:stream
var require_node_stream = __commonJS({
  "builtin-require:node:stream"(exports, module) {
    module.exports = __require("node:stream");
  }
});

// builtin-require:node:os
var require_node_os = __commonJS({
  "builtin-require:node:os"(exports, module) {
    module.exports = __require("node:os");
  }
});

export {
  require_node_os,
  require_node_fs,
  require_node_stream
};
