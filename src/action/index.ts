// The action's entry point, bundled into dist/index.js. V8's compile cache (in the temp dir) spares a second
// run on the same runner the parsing of the bundle; it must be on before the rest is imported, hence this file.
import { enableCompileCache } from 'node:module';
import { exitWhenIdle } from '../exit.ts';

enableCompileCache();
const { run } = await import('./main.ts');
await run();
exitWhenIdle();
