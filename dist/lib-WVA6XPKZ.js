import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  Agent,
  EnvHttpProxyAgent,
  request
} from "./lib-JFQFUFFS.js";
import "./lib-V3WSX2IK.js";
export {
  Agent,
  EnvHttpProxyAgent,
  request
};
