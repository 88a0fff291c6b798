import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { indexTar, normalise } from '../../src/source/tar-index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tar-index-'));

async function packTar(
  file: string,
  entries: { name: string; body?: string; type?: 'symlink' | 'link'; target?: string }[],
): Promise<void> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    if (e.type) p.entry({ name: e.name, type: e.type, linkname: e.target! });
    else p.entry({ name: e.name }, e.body ?? '');
  }
  p.finalize();
  await done;
  writeFileSync(file, Buffer.concat(chunks));
}

function read(file: string, entry: { offset: number; size: number } | undefined): string {
  assert.ok(entry);
  return readFileSync(file)
    .subarray(entry.offset, entry.offset + entry.size)
    .toString();
}

test('finds each file and its bytes, with ./ prefixes normalised', async () => {
  const file = join(dir, 'simple.tar');
  await packTar(file, [
    { name: './index.json', body: '{"a":1}' },
    { name: 'blobs/sha256/abc', body: 'x'.repeat(1000) },
    { name: 'empty', body: '' },
  ]);
  const entries = await indexTar(file);
  assert.deepEqual([...entries.keys()], ['index.json', 'blobs/sha256/abc', 'empty']);
  assert.equal(read(file, entries.get('index.json')), '{"a":1}');
  assert.equal(read(file, entries.get('blobs/sha256/abc')), 'x'.repeat(1000));
  assert.equal(entries.get('empty')?.size, 0);
});

test('reads names longer than 100 characters (PAX and ustar prefix)', async () => {
  const file = join(dir, 'long.tar');
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  await packTar(file, [{ name: long, body: 'long' }]);
  assert.equal(read(file, (await indexTar(file)).get(long)), 'long');
});

test('resolves symbolic and hard links to their targets', async () => {
  const file = join(dir, 'links.tar');
  await packTar(file, [
    { name: 'a/layer.tar', body: 'layer-bytes' },
    { name: 'b/layer.tar', type: 'symlink', target: '../a/layer.tar' },
    { name: 'c/layer.tar', type: 'link', target: 'a/layer.tar' },
  ]);
  const entries = await indexTar(file);
  assert.equal(read(file, entries.get('b/layer.tar')), 'layer-bytes');
  assert.equal(read(file, entries.get('c/layer.tar')), 'layer-bytes');
});

test('reads archives written by GNU tar, including its long-name records', () => {
  const src = join(dir, 'gnu-src');
  const nested = join(src, 'x'.repeat(90), 'y'.repeat(90));
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(nested, 'file.txt'), 'gnu');
  symlinkSync('file.txt', join(nested, 'link.txt'));
  const file = join(dir, 'gnu.tar');
  execFileSync('tar', ['--format=gnu', '-cf', file, '-C', src, '.']);
  return indexTar(file).then((entries) => {
    const base = `${'x'.repeat(90)}/${'y'.repeat(90)}`;
    assert.equal(read(file, entries.get(`${base}/file.txt`)), 'gnu');
    assert.equal(read(file, entries.get(`${base}/link.txt`)), 'gnu');
  });
});

test('rejects a file that is not a tar', async () => {
  const file = join(dir, 'not.tar');
  writeFileSync(file, Buffer.alloc(2048, 7));
  await assert.rejects(indexTar(file), /bad header checksum at byte 0/);
});

test('rejects a truncated tar', async () => {
  const file = join(dir, 'cut.tar');
  await packTar(file, [{ name: 'big', body: 'z'.repeat(5000) }]);
  writeFileSync(file, readFileSync(file).subarray(0, 2048));
  await assert.rejects(indexTar(file), /truncated tar/);
});

test('normalise drops ./, empty and .. components', () => {
  assert.equal(normalise('./a//b/./c'), 'a/b/c');
  assert.equal(normalise('/a/b/../c'), 'a/c');
  assert.equal(normalise('./'), '');
});
