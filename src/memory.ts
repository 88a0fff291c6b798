import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Blob data reaches the main thread in fresh Buffers (file and socket reads) that are garbage a moment later,
 * and V8 only collects them once ~64 MB of such memory has piled up: at hundreds of MB/s that was 50-60 MB of a
 * push's peak RSS. A collection after every 16 MB of discarded data keeps the peak near what is in use, for
 * ~0.7 s of CPU per GB, on V8's own threads. (Buffers whose last reader is known are freed at once: release.)
 */
const COLLECT_EVERY = 16 << 20;

let discarded = 0;
// Asynchronous: V8 marks on its own threads and the main thread barely pauses.
let collect: ((options: { type: 'major'; execution: 'async' }) => void) | undefined;

/** Counts `bytes` of blob data whose buffers are now garbage, and collects when enough has piled up. */
export function noteDiscarded(bytes: number): void {
  discarded += bytes;
  if (discarded < COLLECT_EVERY) return;
  discarded = 0;
  (collect ??= collector())({ type: 'major', execution: 'async' });
}

/** `gc` exists only with --expose-gc: the flag can be set at run time, and the function read in a new context. */
function collector(): NonNullable<typeof collect> {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as NonNullable<typeof collect>;
}

/**
 * Frees a chunk's memory at once, for a reader that is the chunk's last: V8 releases an ArrayBuffer's memory as
 * soon as it is transferred away, where the collector would leave it for a while. Only a chunk that is the
 * whole of its ArrayBuffer is freed (a slice may share its memory with other chunks).
 */
export function release(chunk: Uint8Array): void {
  const { buffer } = chunk;
  if (buffer instanceof ArrayBuffer && !buffer.detached && chunk.byteOffset === 0) {
    if (chunk.byteLength === buffer.byteLength) buffer.transfer(0);
  }
}
