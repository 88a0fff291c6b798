import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf,
  imagesOf
} from "./lib-EDYVRGZR.js";
import {
  formatPlatform
} from "./lib-PZO7DZRF.js";
import "./lib-5N72T6EM.js";
import "./lib-V3WSX2IK.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform,
  imagesOf
};
