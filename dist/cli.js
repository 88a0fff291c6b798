#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/cli/index.ts
import { enableCompileCache } from "node:module";
enableCompileCache();
await import("./lib-ZIRLJHSZ.js");
