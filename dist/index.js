import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import "./action-JJ6ZGO25.js";

// src/action/index.ts
import { enableCompileCache } from "node:module";

// src/exit.ts
function exitWhenIdle(ms = 5e3) {
  setTimeout(() => {
    const busy = process.getActiveResourcesInfo().filter((name) => name !== "Timeout");
    process.stderr.write(
      `image-push: still running ${ms / 1e3}s after the push ended (${busy.join(", ") || "nothing listed"}); exiting (please report this)
`
    );
    process.exit(process.exitCode ?? 0);
  }, ms).unref();
}

// src/action/index.ts
enableCompileCache();
var { run } = await import("./action-DRK53LST.js");
await run();
exitWhenIdle();
