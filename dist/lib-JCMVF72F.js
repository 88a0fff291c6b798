import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf
} from "./lib-FC5DDWK4.js";
import {
  formatPlatform
} from "./lib-YUGULL5U.js";
import "./lib-VQBWY2ZJ.js";
import "./lib-V3WSX2IK.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform
};
