// Reading `docker save` of the containerd image store (src/source/stored-save.ts): each large blob is handed to the
// upload as its bytes arrive. The save must go on while an upload still asks the registry (HEAD, POST) before it
// reads, and blobs the registry already holds must not hold their read-ahead buffers for ever (the read-ahead
// budget would then stop the save). The save here is an OCI layout tarred in name order, as Docker writes it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { before, test } from 'node:test';
import type { BlobSource } from '../../src/oci/descriptor.ts';
import { StoredSaveReader } from '../../src/source/stored-save.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { tarFile } from '../helpers/tar.ts';
import { makeTempDir } from '../helpers/tools.ts';

/** Blobs above 1 MiB go to the sink; these 14 add up to more than the 16 MiB read-ahead budget. */
const LAYERS = Array.from({ length: 14 }, () => ({ size: 1_500_000 }));

let image: SampleImage;
let save: Buffer;
/** Where each blob's bytes end in the save. */
const ends = new Map<string, number>();

before(async () => {
  const dir = await makeTempDir('stored-save-');
  image = await writeOciLayout(dir, { layers: LAYERS, seed: 31, compression: 'none' });
  const parts: Buffer[] = [];
  let offset = 0;
  const add = (name: string, data: Buffer): void => {
    const entry = tarFile(name, data);
    parts.push(entry);
    offset += entry.length;
    if (name.startsWith('blobs/sha256/')) ends.set(`sha256:${name.slice(13)}`, offset);
  };
  for (const hex of (await readdir(join(dir, 'blobs/sha256'))).sort())
    add(`blobs/sha256/${hex}`, await readFile(join(dir, 'blobs/sha256', hex)));
  add('index.json', await readFile(join(dir, 'index.json')));
  add('oci-layout', await readFile(join(dir, 'oci-layout')));
  save = Buffer.concat([...parts, Buffer.alloc(1024)]);
});

/** The save as the engine streams it, counting what has been read of it. */
function saveStream(): { stream: Readable; read: () => number } {
  let read = 0;
  const chunks = function* (): Generator<Buffer> {
    for (let at = 0; at < save.length; at += 64 << 10) {
      const chunk = save.subarray(at, at + (64 << 10));
      read += chunk.length;
      yield chunk;
    }
  };
  return { stream: Readable.from(chunks(), { objectMode: false }), read: () => read };
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Fails when `promise` takes longer than `ms`. A read stuck on its read-ahead budget polls for ever and would hold
 * this test process (and the whole test run) open: then the process ends with a failure, after the report.
 */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not end within ${ms} ms`));
      setTimeout(() => process.exit(1), 2_000).unref();
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

test('the save goes on while an upload asks the registry first; each blob then reads whole and right', async () => {
  const { stream, read } = saveStream();
  const readBeforeOpen = new Map<string, number>();
  const uploads: Promise<void>[] = [];
  const sink = (blob: BlobSource): Promise<unknown> => {
    const upload = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 30)); // a HEAD and a POST
      readBeforeOpen.set(blob.descriptor.digest, read());
      const bytes = await buffer(await blob.open());
      assert.equal(sha256(bytes), blob.descriptor.digest);
      assert.equal(bytes.length, blob.descriptor.size);
    })();
    uploads.push(upload);
    return upload;
  };
  const reader = new StoredSaveReader({
    rootDigest: image.manifestDigest,
    sourceName: 'test',
    stream,
    resave: () => Promise.reject(new Error('no second save expected')),
    sink,
  });
  const tree = await within(reader.read(), 20_000, 'the read');
  await Promise.all(uploads);
  assert.equal(tree.descriptor.digest, image.manifestDigest);
  assert.equal(readBeforeOpen.size, LAYERS.length, 'every layer went to the sink');
  // The first layer's upload waited 30 ms before reading: by then the save had gone past that whole layer.
  const [first] = [...ends].sort((a, b) => a[1] - b[1]).filter(([digest]) => readBeforeOpen.has(digest));
  assert.ok(first);
  assert.ok(
    (readBeforeOpen.get(first[0]) ?? 0) >= first[1],
    `the save stood still while the upload asked the registry: ${readBeforeOpen.get(first[0])} bytes read, the layer ends at ${first[1]}`,
  );
  await reader.close();
});

test('blobs the registry already holds (never opened) free their read-ahead: the save reads to its end', async () => {
  const { stream, read } = saveStream();
  let resaves = 0;
  const reader = new StoredSaveReader({
    rootDigest: image.manifestDigest,
    sourceName: 'test',
    stream,
    resave: () => {
      resaves++;
      return Promise.resolve(saveStream().stream);
    },
    sink: () => new Promise((resolve) => setTimeout(resolve, 5)), // a HEAD that finds the blob
  });
  const tree = await within(reader.read(), 20_000, 'the read');
  assert.equal(read(), save.length);
  // The live bytes are gone: a later open() (another registry) reads a fresh save, and gets the right bytes.
  const layer = tree.blobs.find((b) => b.descriptor.size > 1 << 20);
  assert.ok(layer);
  const bytes = await buffer(await layer.open());
  assert.equal(sha256(bytes), layer.descriptor.digest);
  assert.equal(resaves, 1);
  await reader.close();
});

test('a save cut in the middle of a layer whose upload has not opened it yet: the read fails, the process lives', async () => {
  const cutAt = Math.floor(save.length / 3);
  const cut = Readable.from(
    (function* (): Generator<Buffer> {
      for (let at = 0; at < cutAt; at += 64 << 10) yield save.subarray(at, Math.min(at + (64 << 10), cutAt));
      throw new Error('the engine went away');
    })(),
    { objectMode: false },
  );
  const opens: Promise<unknown>[] = [];
  const reader = new StoredSaveReader({
    rootDigest: image.manifestDigest,
    sourceName: 'test',
    stream: cut,
    resave: () => Promise.reject(new Error('no second save expected')),
    sink: (blob) => {
      const upload = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 30)); // still asking the registry when the cut comes
        await buffer(await blob.open());
      })();
      opens.push(upload.catch(() => undefined));
      return upload;
    },
  });
  await assert.rejects(within(reader.read(), 20_000, 'the read'), /the engine went away|premature close/i);
  await Promise.all(opens);
  await reader.close();
});
