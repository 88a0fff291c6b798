import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  run
} from "./lib-USOXBWWO.js";
import "./lib-RIHUBGJN.js";
import "./lib-VQBWY2ZJ.js";
import "./lib-V3WSX2IK.js";
export {
  run
};
