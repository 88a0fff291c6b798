import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync, zstdDecompressSync } from 'node:zlib';
import { ParallelCompress } from '../../src/compress/parallel-compress.ts';
import { CompressionPool } from '../../src/compress/worker-pool.ts';
import { readFileBlocks } from '../../src/compress/file-blocks.ts';

const pools: CompressionPool[] = [];
after(() => Promise.all(pools.map((p) => p.close())));

function pool(size: number): CompressionPool {
  const p = new CompressionPool(size);
  pools.push(p);
  return p;
}

/** Text-like data with some random runs, fed in uneven chunks. */
function sample(bytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let i = 0;
  while (total < bytes) {
    const part =
      i % 7 === 0
        ? randomBytes(300)
        : Buffer.from(`line ${i} of the sample, with words that repeat ${i % 13}\n`);
    parts.push(part);
    total += part.length;
    i++;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

async function gzip(data: Buffer, workers: number, level = 6, blockSize?: number): Promise<Buffer> {
  const chunks = [];
  for (let offset = 0; offset < data.length; offset += 70_001)
    chunks.push(data.subarray(offset, offset + 70_001));
  return buffer(Readable.from(chunks).pipe(new ParallelCompress(pool(workers), 'gzip', level, blockSize)));
}

async function zstd(data: Buffer, workers: number, level = 3, blockSize?: number): Promise<Buffer> {
  return buffer(Readable.from([data]).pipe(new ParallelCompress(pool(workers), 'zstd', level, blockSize)));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('the output is a gzip stream that gunzips to the input', async () => {
  const data = sample(3_500_000);
  assert.deepEqual(gunzipSync(await gzip(data, 2)), data);
});

test('the same input gives the same bytes with 1, 2 or 3 workers', async () => {
  const data = sample(2_600_000);
  const digests = new Set([sha(await gzip(data, 1)), sha(await gzip(data, 2)), sha(await gzip(data, 3))]);
  assert.equal(digests.size, 1);
});

test('the output is within 1% of single-stream gzip at the same level', async () => {
  const data = sample(4_000_000);
  const ours = (await gzip(data, 2, 6)).length;
  const reference = gzipSync(data, { level: 6 }).length;
  assert.ok(ours <= reference * 1.01, `${ours} vs ${reference}`);
});

test('empty input, input shorter than a block, and exactly one block', async () => {
  for (const size of [0, 1, 1000, 1 << 16]) {
    const data = sample(size);
    assert.deepEqual(gunzipSync(await gzip(data, 2, 6, 1 << 16)), data, `size ${size}`);
  }
});

test('a lower level compresses less', async () => {
  const data = sample(2_000_000);
  assert.ok((await gzip(data, 2, 1)).length > (await gzip(data, 2, 9)).length);
});

test('zstd: frames that decompress to the input, the same bytes with 1, 2 or 3 workers', async () => {
  const data = sample(9_000_000);
  const outputs = [await zstd(data, 1), await zstd(data, 2), await zstd(data, 3)];
  assert.equal(new Set(outputs.map(sha)).size, 1);
  assert.deepEqual(zstdDecompressSync(outputs[0]!), data);
});

test('zstd: empty input is one valid empty frame', async () => {
  const out = await zstd(Buffer.alloc(0), 2);
  assert.ok(out.length > 0);
  assert.equal(zstdDecompressSync(out).length, 0);
});

test('zstd: input of exactly one block, and of one block and a byte', async () => {
  for (const size of [1 << 16, (1 << 16) + 1]) {
    const data = sample(size);
    assert.deepEqual(zstdDecompressSync(await zstd(data, 2, 3, 1 << 16)), data, `size ${size}`);
  }
});

test('blocks read in place by readFileBlocks give the same bytes as copied chunks', async () => {
  const data = sample(5_300_000);
  const dir = await mkdtemp(join(tmpdir(), 'parallel-compress-'));
  try {
    const file = join(dir, 'layer.tar');
    await writeFile(file, Buffer.concat([Buffer.from('before'), data, Buffer.from('after')]));
    const lending = pool(2);
    const blocks = readFileBlocks(file, 6, data.length, lending.lender(1 << 20));
    const inPlace = await buffer(blocks.pipe(new ParallelCompress(lending, 'gzip', 6)));
    assert.equal(sha(inPlace), sha(await gzip(data, 2)));
    assert.deepEqual(gunzipSync(inPlace), data);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
