// The action's entry point, bundled into dist/index.js.
import { exitWhenIdle } from '../exit.ts';
import { run } from './main.ts';

await run();
exitWhenIdle();
