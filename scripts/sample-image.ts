// The project's sample image generator: deterministic OCI layouts with realistic layer contents (text that
// compresses, random bytes that do not), streamed so that a multi-GB image needs no more memory than a small one.
// Used by the demo, the tests and the benchmarks.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';

export interface SampleLayerSpec {
  /** Approximate bytes of file content in the layer. */
  readonly size: number;
  readonly files?: number;
}

export interface SampleImageOptions {
  readonly layers: readonly SampleLayerSpec[];
  readonly seed?: number;
  /** Written as org.opencontainers.image.ref.name in index.json (default 'latest'). */
  readonly tag?: string;
  readonly compression?: 'gzip' | 'none';
  readonly platform?: { os: string; architecture: string; variant?: string };
  /** Stored as a config label, so that images with the same layers can still differ. */
  readonly label?: string;
}

export interface SampleLayer {
  readonly digest: string;
  readonly size: number;
  readonly diffId: string;
  readonly mediaType: string;
}

export interface SampleImage {
  readonly manifestDigest: string;
  readonly manifestSize: number;
  readonly configDigest: string;
  readonly configSize: number;
  readonly layers: readonly SampleLayer[];
  /** Config plus layers: what a cold push uploads. */
  readonly totalBlobBytes: number;
}

const CHUNK = 64 << 10;
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'function return const let var import export class interface string number boolean null undefined true false ' +
  'if else for while switch case break continue default throw try catch finally async await yield static public ' +
  'usr lib bin share include local etc var opt srv python3 node modules package json config build release debug'
).split(' ');

/** splitmix32: small, fast, and the same on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** One chunk of file content: about a tenth random bytes, the rest text and code-like lines. */
function contentChunk(next: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let pos = 0;
  while (pos < length) {
    const kind = next() % 40;
    if (kind < 1) {
      const run = Math.min(length - pos, 64 + (next() % 320));
      for (let i = 0; i < run; i += 4) {
        const value = next();
        for (let b = 0; b < 4 && i + b < run; b++) out[pos + i + b] = (value >>> (b * 8)) & 0xff;
      }
      pos += run;
    } else {
      const words = 4 + (next() % 12);
      let line = kind < 16 ? '  ' : '';
      for (let w = 0; w < words; w++)
        line += `${WORDS[next() % WORDS.length] ?? ''}${w + 1 < words ? ' ' : ''}`;
      line += kind < 16 ? `(${next() % 1000});\n` : '.\n';
      pos += out.write(line.slice(0, length - pos), pos, 'latin1');
    }
  }
  return out;
}

class Hasher extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

async function writeEntry(tar: Pack, name: string, size: number, next: () => number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = tar.entry(
      { name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' },
      (err) => (err ? reject(err) : resolve()),
    );
    let written = 0;
    const write = (): void => {
      while (written < size) {
        const chunk = contentChunk(next, Math.min(CHUNK, size - written));
        written += chunk.length;
        if (!entry.write(chunk)) {
          entry.once('drain', write);
          return;
        }
      }
      entry.end(() => undefined);
    };
    write();
  });
}

/** Streams one layer tar through (gzip and) two hashes into `blobs/sha256/<digest>`. */
async function writeLayer(
  blobs: string,
  spec: SampleLayerSpec,
  index: number,
  seed: number,
  compression: 'gzip' | 'none',
): Promise<SampleLayer> {
  const next = prng(seed * 1_000_003 + index);
  const files = spec.files ?? Math.floor(spec.size / (4 << 20)) + 1;
  const tar = pack();
  const uncompressed = new Hasher();
  const compressed = new Hasher();
  const temp = join(blobs, `.layer-${index}.tmp`);
  const source = tar as unknown as Readable;
  const done =
    compression === 'gzip'
      ? pipeline(source, uncompressed, createGzip({ level: 6 }), compressed, createWriteStream(temp))
      : pipeline(source, uncompressed, createWriteStream(temp));

  const dirs = [`layer${index}/`, `layer${index}/usr/`, `layer${index}/usr/lib/`, `layer${index}/etc/`];
  for (const dir of dirs)
    tar.entry({ name: dir, type: 'directory', mode: 0o755, mtime: new Date(0), uid: 0, gid: 0 });
  let remaining = spec.size;
  for (let f = 0; f < files; f++) {
    const size = f === files - 1 ? remaining : Math.floor(spec.size / files);
    remaining -= size;
    await writeEntry(tar, `${dirs[1 + (f % 3)] ?? ''}file-${f}.dat`, size, next);
  }
  tar.finalize();
  await done;

  const diffId = `sha256:${uncompressed.hash.digest('hex')}`;
  const blob = compression === 'gzip' ? compressed : uncompressed;
  const digest = compression === 'gzip' ? `sha256:${compressed.hash.digest('hex')}` : diffId;
  await rename(temp, join(blobs, digest.slice(7)));
  return {
    digest,
    size: blob.bytes,
    diffId,
    mediaType:
      compression === 'gzip'
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.oci.image.layer.v1.tar',
  };
}

async function writeBlob(blobs: string, content: string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(content);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await writeFile(join(blobs, digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

export async function writeOciLayout(dir: string, options: SampleImageOptions): Promise<SampleImage> {
  const seed = options.seed ?? 1;
  const blobs = join(dir, 'blobs/sha256');
  await mkdir(blobs, { recursive: true });
  const compression = options.compression ?? 'gzip';
  const layers: SampleLayer[] = [];
  for (const [i, spec] of options.layers.entries())
    layers.push(await writeLayer(blobs, spec, i, seed, compression));

  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = await writeBlob(
    blobs,
    JSON.stringify({
      created: '1970-01-01T00:00:00Z',
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      config: { Labels: { sample: options.label ?? `seed-${seed}` } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: '1970-01-01T00:00:00Z', created_by: `sample layer ${i}` })),
    }),
  );
  const manifest = await writeBlob(
    blobs,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config.digest,
        size: config.size,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifest.digest,
          size: manifest.size,
          annotations: { 'org.opencontainers.image.ref.name': options.tag ?? 'latest' },
        },
      ],
    }),
  );
  return {
    manifestDigest: manifest.digest,
    manifestSize: manifest.size,
    configDigest: config.digest,
    configSize: config.size,
    layers,
    totalBlobBytes: config.size + layers.reduce((n, l) => n + l.size, 0),
  };
}

/** A plain tar of a layout, as `skopeo copy ... oci-archive:` writes one. */
export async function writeOciArchive(file: string, options: SampleImageOptions): Promise<SampleImage> {
  const dir = `${file}.layout.tmp`;
  try {
    const image = await writeOciLayout(dir, options);
    await tarDirectory(dir, file);
    return image;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tarDirectory(dir: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tar = pack();
  const done = pipeline(tar, createWriteStream(file));
  const blobs = (await readdir(join(dir, 'blobs/sha256'))).sort();
  const header = { mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 };
  tar.entry({ ...header, name: 'blobs/', type: 'directory', mode: 0o755 });
  tar.entry({ ...header, name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
  for (const name of ['oci-layout', 'index.json', ...blobs.map((b) => `blobs/sha256/${b}`)]) {
    const path = join(dir, name);
    const { size } = await stat(path);
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry({ ...header, name, size }, (err) => (err ? reject(err) : resolve()));
      createReadStream(path).pipe(entry);
    });
  }
  tar.finalize();
  await done;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text.trim());
  if (!m) throw new Error(`bad size "${text}" (use e.g. 500K, 20M, 1G)`);
  const unit = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}

if (import.meta.main) {
  const { parseArgs } = await import('node:util');
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      layers: { type: 'string', default: '10M,1M' },
      seed: { type: 'string', default: '1' },
      tag: { type: 'string', default: 'latest' },
      archive: { type: 'boolean', default: false },
      uncompressed: { type: 'boolean', default: false },
    },
  });
  const [target] = positionals;
  if (!target)
    throw new Error(
      'usage: node scripts/sample-image.ts DIR [--layers 10M,1M] [--seed N] [--tag T] [--archive]',
    );
  const options: SampleImageOptions = {
    layers: values.layers.split(',').map((size) => ({ size: parseSize(size) })),
    seed: Number(values.seed),
    tag: values.tag,
    compression: values.uncompressed ? 'none' : 'gzip',
  };
  const image = values.archive
    ? await writeOciArchive(target, options)
    : await writeOciLayout(target, options);
  process.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
}
