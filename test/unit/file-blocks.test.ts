import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import { readFileBlocks } from '../../src/compress/file-blocks.ts';
import { release } from '../../src/memory.ts';

let dir: string;
let file: string;
const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-blocks-'));
  file = join(dir, 'data');
  await writeFile(file, content);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Lends fresh blocks and remembers them, as the compression pool would. */
function lender(blockSize: number) {
  const lent: Buffer[] = [];
  const givenBack: Buffer[] = [];
  return {
    blockSize,
    lent,
    givenBack,
    lend() {
      const block = Buffer.alloc(blockSize);
      lent.push(block);
      return block;
    },
    giveBack(block: Buffer) {
      givenBack.push(block);
    },
  };
}

test('a range is read in whole lent blocks, the last one cut to what is left', async () => {
  const blocks = lender(4096);
  const chunks: Buffer[] = [];
  for await (const chunk of readFileBlocks(file, 100, 9000, blocks)) chunks.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(chunks), content.subarray(100, 9100));
  assert.deepEqual(
    chunks.map((c) => c.length),
    [4096, 4096, 808],
  );
  assert.equal(chunks[0], blocks.lent[0]);
  assert.equal(chunks[1], blocks.lent[1]);
});

test('without a length the file is read to its end, and an unused block is given back', async () => {
  const blocks = lender(5000);
  assert.deepEqual(await buffer(readFileBlocks(file, 0, undefined, blocks)), content);
  assert.equal(blocks.givenBack.length, 1);
});

test('a file shorter than the range is an error that names the file', async () => {
  await assert.rejects(buffer(readFileBlocks(file, 9000, 2000, lender(4096))), (err: Error) => {
    assert.match(err.message, /data: the file ends 1000 bytes early/);
    return true;
  });
});

test('a missing file is an error', async () => {
  await assert.rejects(buffer(readFileBlocks(join(dir, 'absent'), 0, 10, lender(16))), /ENOENT/);
});

test('release frees a buffer that is the whole of its memory, and leaves a slice alone', () => {
  const whole = Buffer.allocUnsafeSlow(1 << 16).fill(1);
  release(whole);
  assert.equal(whole.length, 0);
  assert.equal(whole.buffer.byteLength, 0);

  const backing = Buffer.allocUnsafeSlow(1 << 16).fill(2);
  const slice = backing.subarray(0, 100);
  release(slice);
  assert.equal(slice.length, 100);
  assert.equal(backing[0], 2);
});
