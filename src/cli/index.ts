#!/usr/bin/env node
// The CLI's entry point. It must parse and run on any Node a user may have, so that an old one gets one line
// saying which Node to install instead of a SyntaxError: no static import but node:module's createRequire
// (the bundle's banner), nothing newer than ES2017 before the check. The bundle needs Node 22.19 (undici 8).
// V8's compile cache (kept in the temp dir) spares repeated runs the parsing of the bundle, a good part of a
// warm push's time; it has to be on before the bundle is imported, hence this file.
const MINIMUM = [22, 19] as const;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
  process.stderr.write(
    `image-push: needs Node ${MINIMUM.join('.')} or later (22 LTS or 24), not ${process.versions.node}. install Node 24 (or 22), or use the single-executable build, which brings its own\n`,
  );
  process.exitCode = 2; // the input-error code: nothing was read or sent
} else {
  const { enableCompileCache } = await import('node:module');
  enableCompileCache();
  await import('./main.ts');
}
