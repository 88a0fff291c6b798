import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  exitWhenIdle
} from "./lib-ESBK6QJ5.js";
import "./lib-V3WSX2IK.js";

// src/action/index.ts
import { enableCompileCache } from "node:module";
enableCompileCache();
var { run } = await import("./lib-LIFAA5E5.js");
await run();
exitWhenIdle();
