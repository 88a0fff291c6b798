// SHA-256 (FIPS 180-4) of small inputs in JavaScript, and node:crypto's hasher loaded only when a push needs it.
// A re-run of a push whose tag already holds the image hashes a manifest of a few KB and nothing else, and
// loading node:crypto took ~6 ms of that run's ~95 ms here; hashing 4 KB below costs ~1 ms on a cold start.
// Inputs over SMALL_INPUT, more than a few dozen small ones, and every stream go to node:crypto (OpenSSL).
// test/unit/sha256.test.ts checks this against node:crypto on every length across the padding boundaries.
import type { Hash } from 'node:crypto';

/** Above this, node:crypto is faster even counting its loading. */
export const SMALL_INPUT = 16 << 10;
/**
 * After this many small inputs node:crypto takes over too: a blob map of thousands of entries checks a checksum
 * for each, 12 us apiece here in JavaScript against 2 us in node:crypto (117 ms against 20 for 10,000).
 */
const JS_CALLS = 64;
let smallCalls = 0;

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = Uint32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);
// The first 32 bits of the fractional parts of the square roots of the first 8 primes.
const INITIAL = Uint32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);

/** The hex SHA-256 of `data` (a string is hashed as UTF-8, as node:crypto does). */
export function sha256Hex(data: Uint8Array | string): string {
  const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
  if (size > SMALL_INPUT || ++smallCalls > JS_CALLS) return createSha256().update(data).digest('hex');
  return smallSha256Hex(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/** A streaming SHA-256 hasher: node:crypto's, loaded on the first call. */
export function createSha256(): Hash {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}

/** The padded message, hashed 64 bytes at a time. Exported for the test; use sha256Hex. */
export function smallSha256Hex(data: Uint8Array): string {
  const n = data.length;
  // The message, a 1 bit, zeros, and its length in bits as a 64-bit big-endian number, to a multiple of 64 bytes.
  const total = (n + 9 + 63) & ~63;
  const padded = new Uint8Array(total);
  padded.set(data);
  padded[n] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(total - 8, Math.floor(n / 0x20000000));
  view.setUint32(total - 4, (n << 3) >>> 0);
  const h = INITIAL.slice();
  const w = new Uint32Array(64);
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] ?? 0;
      const b = w[i - 2] ?? 0;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = ((w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1) | 0;
    }
    let [A, B, C, D, E, F, G, H] = h as unknown as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let i = 0; i < 64; i++) {
      const S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
      const t1 = (H + S1 + ((E & F) ^ (~E & G)) + (K[i] ?? 0) + (w[i] ?? 0)) | 0;
      const S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
      const t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0;
      H = G;
      G = F;
      F = E;
      E = (D + t1) | 0;
      D = C;
      C = B;
      B = A;
      A = (t1 + t2) | 0;
    }
    h[0] = (h[0] ?? 0) + A;
    h[1] = (h[1] ?? 0) + B;
    h[2] = (h[2] ?? 0) + C;
    h[3] = (h[3] ?? 0) + D;
    h[4] = (h[4] ?? 0) + E;
    h[5] = (h[5] ?? 0) + F;
    h[6] = (h[6] ?? 0) + G;
    h[7] = (h[7] ?? 0) + H;
  }
  let hex = '';
  for (const word of h) hex += word.toString(16).padStart(8, '0');
  return hex;
}
