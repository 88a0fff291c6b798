import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf,
  imagesOf
} from "./lib-7ENVKXAH.js";
import {
  formatPlatform
} from "./lib-KSIDGSJ6.js";
import "./lib-2QUEV4DK.js";
import "./lib-V3WSX2IK.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform,
  imagesOf
};
