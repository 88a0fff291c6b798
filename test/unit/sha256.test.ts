// The JavaScript SHA-256 that spares small pushes node:crypto's loading must give node:crypto's answer for every
// input: each length across the padding boundaries (55/56 bytes: the length field no longer fits the block),
// multi-block inputs, UTF-8 strings, and the inputs over SMALL_INPUT that go to node:crypto itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { sha256Digest } from '../../src/oci/digest.ts';
import { sha256Hex, smallSha256Hex, SMALL_INPUT } from '../../src/oci/sha256.ts';

const reference = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

test('the FIPS 180-4 examples', () => {
  assert.equal(
    smallSha256Hex(Buffer.from('abc')),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.equal(
    smallSha256Hex(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
  assert.equal(sha256Digest(''), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('every length from 0 to 300 bytes, and around each block boundary up to 4 KiB', () => {
  const data = randomBytes(4200);
  const lengths = new Set<number>();
  for (let n = 0; n <= 300; n++) lengths.add(n);
  for (let block = 64; block <= 4096; block += 64) for (let d = -9; d <= 9; d++) lengths.add(block + d);
  for (const n of lengths) {
    const slice = data.subarray(0, n);
    assert.equal(smallSha256Hex(slice), reference(slice), `length ${n}`);
  }
});

test('a view into a larger buffer hashes only its own bytes', () => {
  const whole = randomBytes(1000);
  const view = whole.subarray(100, 900);
  assert.equal(sha256Hex(view), reference(view));
});

test('strings are hashed as UTF-8, as manifests are sent', () => {
  for (const text of ['', 'ascii', 'ünïcödé ✓', '😀 emoji', 'x'.repeat(SMALL_INPUT + 1)]) {
    assert.equal(sha256Hex(text), reference(text), text.slice(0, 20));
  }
});

test('inputs on both sides of SMALL_INPUT (JavaScript below, node:crypto above) agree with node:crypto', () => {
  for (const n of [SMALL_INPUT - 1, SMALL_INPUT]) {
    const data = randomBytes(n);
    assert.equal(smallSha256Hex(data), reference(data), `length ${n}`);
  }
  for (const n of [SMALL_INPUT - 1, SMALL_INPUT, SMALL_INPUT + 1, 3 * SMALL_INPUT + 17]) {
    const data = randomBytes(n);
    assert.equal(sha256Hex(data), reference(data), `length ${n}`);
  }
});

test('many small inputs (a blob map of thousands of entries) all agree, past the switch to node:crypto', () => {
  for (let i = 0; i < 300; i++) {
    const text = `sha256:${String(i).padStart(64, '0')}\n${i * 1000}\napplication/vnd.oci.image.layer.v1.tar+gzip`;
    assert.equal(sha256Hex(text), reference(text), `entry ${i}`);
  }
});

/** Whether node:crypto is loaded after `calls` hashes of `size` bytes each, in a fresh process. */
async function loadsCrypto(calls: number, size: number): Promise<boolean> {
  const script = `
    import { sha256Hex } from './src/oci/sha256.ts';
    for (let i = 0; i < ${calls}; i++) sha256Hex(new Uint8Array(${size}).fill(i));
    console.log(process.moduleLoadList.includes('NativeModule crypto'));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: new URL('../..', import.meta.url),
    timeout: 60_000,
  });
  return stdout.trim() === 'true';
}

test('small inputs do not load node:crypto (the point of this module); large or very many ones do', async () => {
  const [one, sixtyFour, sixtyFive, atTheBound, overIt] = await Promise.all([
    loadsCrypto(1, 1000),
    loadsCrypto(64, 1000),
    loadsCrypto(65, 1000),
    loadsCrypto(1, SMALL_INPUT),
    loadsCrypto(1, SMALL_INPUT + 1),
  ]);
  assert.deepEqual(
    { one, sixtyFour, sixtyFive, atTheBound, overIt },
    { one: false, sixtyFour: false, sixtyFive: true, atTheBound: false, overIt: true },
  );
});
