import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/action/index.ts
import { enableCompileCache } from "node:module";
enableCompileCache();
var { run } = await import("./lib-66SZVWIA.js");
await run();
