import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { indexTar, normalise } from '../../src/source/tar-index.ts';
import { octal, padBlock, paxEntry as tarPax, TAR_END, tarFile, tarHeader } from '../helpers/tar.ts';

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

// ---------------------------------------------------------------------------------------------------------------
// Hostile headers, written by hand: each must be refused with a message that names the entry, promptly (the
// PAX size=-1536 row used to step back to an earlier header and loop forever at full CPU).

const header = tarHeader;
const padded = padBlock;
const END = TAR_END;
const FILE_A = tarFile('a.txt', 'hello');
const paxEntry = (records: Record<string, string>): Buffer => tarPax(records, 'PaxHeaders/victim');

const hostile: { name: string; bytes: Buffer; error: RegExp }[] = [
  {
    name: 'PAX size=-1536 (a 3 KB tar that stepped back forever)',
    bytes: Buffer.concat([FILE_A, paxEntry({ size: '-1536' }), header('victim', octal(0)), END]),
    error: /PaxHeaders\/victim.*impossible size "-1536"/,
  },
  {
    name: 'PAX size=abc',
    bytes: Buffer.concat([paxEntry({ path: 'named/in/pax', size: 'abc' }), header('victim', octal(0)), END]),
    error: /impossible size "abc" for "named\/in\/pax"/,
  },
  {
    name: 'octal size field zzz',
    bytes: Buffer.concat([FILE_A, header('zzz-entry', 'zzz'), END]),
    error: /entry "zzz-entry" at byte 1024 has an impossible size "zzz/,
  },
  {
    name: 'octal size field with a minus sign',
    bytes: Buffer.concat([header('minus', '-0003000'), END]),
    error: /entry "minus" at byte 0 has an impossible size/,
  },
  {
    name: 'GNU base-256 negative size',
    bytes: Buffer.concat([header('negative-256', Buffer.alloc(12, 0xff)), END]),
    error: /entry "negative-256" at byte 0 has an impossible size/,
  },
  {
    name: 'size past the end of the file',
    bytes: Buffer.concat([header('huge', octal(1 << 30)), padded(Buffer.from('x')), END]),
    error:
      /truncated tar: entry "huge" at byte 0 says it holds 1073741824 bytes, but the file ends 1536 bytes after/,
  },
  {
    name: 'PAX size past the end of the file',
    bytes: Buffer.concat([paxEntry({ size: '99999999999' }), header('pax-huge', octal(0)), END]),
    error: /entry "pax-huge" at byte 1024 says it holds 99999999999 bytes/,
  },
  {
    name: 'a header cut short',
    bytes: Buffer.concat([FILE_A, header('cut', octal(0)).subarray(0, 300)]),
    error: /truncated tar: header at byte 1024 is cut short/,
  },
];

for (const row of hostile) {
  test(`refuses a hostile header: ${row.name}`, async () => {
    const file = join(dir, `hostile-${hostile.indexOf(row)}.tar`);
    writeFileSync(file, row.bytes);
    const started = performance.now();
    await assert.rejects(indexTar(file), row.error);
    assert.ok(performance.now() - started < 2000, 'answered promptly');
  });
}

test('reads a tar without its two end blocks, as GNU tar and Python do', async () => {
  const file = join(dir, 'no-end.tar');
  await packTar(file, [
    { name: 'manifest.json', body: '[]' },
    { name: 'x/layer.tar', body: 'y'.repeat(700) },
  ]);
  const whole = readFileSync(file);
  // tar-stream pads to whole records; drop every trailing zero block.
  let end = whole.length;
  while (end >= 512 && whole.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  writeFileSync(file, whole.subarray(0, end));
  assert.equal(end % 512, 0);
  assert.match(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }), /x\/layer.tar/);
  const entries = await indexTar(file);
  assert.equal(read(file, entries.get('x/layer.tar')), 'y'.repeat(700));
  // Only one end block: read too.
  writeFileSync(file, Buffer.concat([whole.subarray(0, end), Buffer.alloc(512)]));
  assert.equal((await indexTar(file)).get('manifest.json')?.size, 2);
});

test('says what a named entry is when it is no regular file', async () => {
  const file = join(dir, 'others.tar');
  await packTar(file, [
    { name: 'real', body: 'r' },
    { name: 'l1/layer.tar', type: 'symlink', target: '/etc/passwd' },
    { name: 'l2/layer.tar', type: 'symlink', target: '../l1/layer.tar' },
  ]);
  const index = await indexTar(file);
  assert.equal(index.others.get('l1/layer.tar'), 'a symbolic link to /etc/passwd (not in the archive)');
  assert.match(
    index.others.get('l2/layer.tar') ?? '',
    /^a symbolic link to \.\.\/l1\/layer.tar \(a symbolic link/,
  );
  assert.equal(index.has('l1/layer.tar'), false);
});

test('refuses a FIFO instead of waiting for a writer', async () => {
  const fifo = join(dir, 'fifo.tar');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(indexTar(fifo), /it is a FIFO \(named pipe\), not a tar file/);
});
