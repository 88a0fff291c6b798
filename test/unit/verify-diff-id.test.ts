// verifyDiffId: the uncompressed sha256 of gzip, zstd (any number of frames, skippable ones, any chunking)
// and plain layers, against the diffID a config names.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { verifyDiffId } from '../../src/compress/verify-diff-id.ts';
import { OCI_LAYER_GZIP, OCI_LAYER_TAR, OCI_LAYER_ZSTD } from '../../src/oci/media-types.ts';

const digest = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const parts = [randomBytes(200_000), Buffer.alloc(300_000, 7), randomBytes(10), Buffer.alloc(0)];
const whole = Buffer.concat(parts);
const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('skip!')]);
const zstdFrames = Buffer.concat([skippable, ...parts.flatMap((p) => [zstdCompressSync(p), skippable])]);

/** The same bytes cut into chunks of `size` (1 byte cuts every header in every possible place). */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

/**
 * The same frame structure (skippable frames around each, an empty frame, a tiny one) over small parts: cutting
 * this into 1-byte chunks still cuts every header in every place, at a hundredth of the cost of the large one.
 */
const smallParts = [randomBytes(2_000), Buffer.alloc(3_000, 7), randomBytes(10), Buffer.alloc(0)];
const smallWhole = Buffer.concat(smallParts);
const smallFrames = Buffer.concat([
  skippable,
  ...smallParts.flatMap((p) => [zstdCompressSync(p), skippable]),
]);

test('zstd: every frame counts, skippable frames are skipped, however the stream is cut', async () => {
  for (const [frames, expected, size] of [
    [smallFrames, smallWhole, 1],
    [smallFrames, smallWhole, 3],
    [smallFrames, smallWhole, 7],
    [zstdFrames, whole, 4096],
    [zstdFrames, whole, 1 << 20],
  ] as const) {
    const result = await verifyDiffId(chunked(frames, size), OCI_LAYER_ZSTD, digest(expected));
    assert.equal(result.actual, digest(expected), `chunks of ${size}`);
    assert.ok(result.ok);
    assert.equal(result.bytes, expected.length);
  }
});

test('zstd: a stream cut inside a frame is an error, not a short digest', async () => {
  const cut = zstdFrames.subarray(0, zstdFrames.length - 100);
  await assert.rejects(verifyDiffId(chunked(cut, 4096), OCI_LAYER_ZSTD, digest(whole)), /zstd|end/i);
});

test('gzip (several members) and plain tar', async () => {
  const gz = Buffer.concat(parts.map((p) => gzipSync(p)));
  assert.ok((await verifyDiffId(chunked(gz, 1000), OCI_LAYER_GZIP, digest(whole))).ok);
  assert.ok((await verifyDiffId(chunked(whole, 1000), OCI_LAYER_TAR, digest(whole))).ok);
});

test('a layer that does not match its diffID says what it hashes to', async () => {
  const other = Buffer.from('other');
  const result = await verifyDiffId(Readable.from([gzipSync(other)]), OCI_LAYER_GZIP, digest(whole));
  assert.equal(result.ok, false);
  assert.equal(result.actual, digest(other));
});

test('bytes that are not what the media type says are an error', async () => {
  await assert.rejects(verifyDiffId(Readable.from([Buffer.from('plain')]), OCI_LAYER_GZIP, digest(whole)));
  await assert.rejects(
    verifyDiffId(Readable.from([Buffer.from('plainbytes')]), OCI_LAYER_ZSTD, digest(whole)),
  );
});

test("image-push's own parallel zstd and gzip output (one frame or deflate block per 1-2 MiB) verifies", async () => {
  const { CompressionPool } = await import('../../src/compress/worker-pool.ts');
  const { ParallelCompress } = await import('../../src/compress/parallel-compress.ts');
  const pool = new CompressionPool(2);
  try {
    const input = Buffer.concat([randomBytes(3 << 20), Buffer.alloc(3 << 20, 1)]);
    for (const [format, mediaType] of [
      ['zstd', OCI_LAYER_ZSTD],
      ['gzip', OCI_LAYER_GZIP],
    ] as const) {
      const compressed = Readable.from([input]).pipe(new ParallelCompress(pool, format, 3));
      const result = await verifyDiffId(compressed, mediaType, digest(input));
      assert.ok(result.ok, format);
      assert.equal(result.bytes, input.length);
    }
  } finally {
    await pool.close();
  }
});
