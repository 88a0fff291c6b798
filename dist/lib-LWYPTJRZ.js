import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf,
  imagesOf
} from "./lib-JDTK7D6I.js";
import {
  formatPlatform
} from "./lib-YUGULL5U.js";
import "./lib-7Q57T64S.js";
import "./lib-VQBWY2ZJ.js";
import "./lib-V3WSX2IK.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform,
  imagesOf
};
