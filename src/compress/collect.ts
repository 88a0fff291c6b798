import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Runs a garbage collection now. Streaming a layer allocates a megabyte buffer per block, mostly outside the JS
 * heap, and V8 lets such memory pile up to hundreds of MB before it collects; a collection every few dozen MB
 * (a few ms on a heap this small) keeps the process flat whatever the layer's size.
 */
export function collectGarbage(): void {
  if (!collect) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (!existing) setFlagsFromString('--expose-gc');
    collect = existing ?? (runInNewContext('gc') as () => void);
  }
  collect();
}
