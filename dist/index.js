import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  run
} from "./lib-UOKIDZAU.js";

// src/action/index.ts
await run();
