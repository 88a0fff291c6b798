import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  exec,
  getExecOutput
} from "./lib-VNC37UG4.js";
import "./lib-V3WSX2IK.js";
export {
  exec,
  getExecOutput
};
