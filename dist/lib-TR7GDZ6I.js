import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf,
  imagesOf
} from "./lib-Q2P4BSAU.js";
import {
  formatPlatform
} from "./lib-YUGULL5U.js";
import "./lib-UYBGN3AB.js";
import "./lib-VQBWY2ZJ.js";
import "./lib-V3WSX2IK.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform,
  imagesOf
};
