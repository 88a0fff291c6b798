import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  run
} from "./lib-M2YA2G7M.js";
import "./lib-36FAJARI.js";
import "./lib-VQBWY2ZJ.js";
import "./lib-V3WSX2IK.js";
export {
  run
};
