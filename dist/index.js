import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  run
} from "./lib-2CDLW3O5.js";

// src/action/index.ts
await run();
