/**
 * Blob data reaches the main thread in fresh Buffers (file and socket reads) that are garbage a moment later,
 * and V8 only collects them once ~64 MB of such memory has piled up: at hundreds of MB/s that was 50-60 MB of a
 * push's peak RSS. A young-generation collection after every 8 MB of discarded data frees them while they are
 * still young (~1 ms each), and the memory is reused instead of faulted in anew: a 202 MB OCI push ran with
 * less CPU than with no collection at all. (A full collection cost ~15 ms each.) Buffers whose last reader is
 * known are freed at once instead: see release.
 */
const COLLECT_EVERY = 8 << 20;

let discarded = 0;
let collect: ((options: { type: 'minor' }) => void) | undefined;

/** Counts `bytes` of blob data whose buffers are now garbage, and collects when enough has piled up. */
export function noteDiscarded(bytes: number): void {
  discarded += bytes;
  if (discarded < COLLECT_EVERY) return;
  discarded = 0;
  (collect ??= collector())({ type: 'minor' });
}

/** `gc` exists only with --expose-gc: the flag can be set at run time, and the function read in a new context. */
function collector(): NonNullable<typeof collect> {
  // Loaded here, not at start-up: a push that moves no blob never needs them.
  process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
  return process.getBuiltinModule('node:vm').runInNewContext('gc') as NonNullable<typeof collect>;
}

/**
 * Keeps V8's young generation at its starting size. V8 doubles it each time the objects that survived its
 * collections add up to its size, up to a limit set from the machine's RAM (128 MB on a 24 GB runner), and does
 * not shrink it while allocation goes on. A push of many small manifests (an index of 5,000 children: some
 * 30,000 requests) always has a few requests in flight at a collection, so it grew to the limit: 128 of its 278
 * MB peak RSS, though its live objects stayed under 60 MB. Kept at its start (~1 MB per semi-space) that copy
 * peaked at 154 MB. Collections of a small young generation are more frequent but cheap (their cost is what
 * survives); blob bytes live in Buffers outside it (see noteDiscarded). The flag is read at each growth, so
 * setting it at run time takes effect.
 */
export function keepYoungGenerationSmall(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
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
