#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/cli/index.ts
var MINIMUM = [22, 19];
var [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < MINIMUM[0] || major === MINIMUM[0] && minor < MINIMUM[1]) {
  process.stderr.write(
    `image-push: needs Node ${MINIMUM.join(".")} or later (22 LTS or 24), not ${process.versions.node}. install Node 24 (or 22), or use the single-executable build, which brings its own
`
  );
  process.exitCode = 2;
} else {
  const { enableCompileCache } = await import("node:module");
  enableCompileCache();
  await import("./cli-Q5EHMTZ5.js");
}
