// The project's sample image generator: deterministic OCI layouts with realistic layer contents (text and code
// that compress, duplicated blocks that compress very well, random bytes that do not), streamed so that a
// multi-GB image needs no more memory than a small one. Used by the demo, the tests and the benchmarks.
//
//   node test/helpers/sample-image.ts DIR --layers 10M,50M,1M [--seed N] [--tag T] [--label L] [--archive] [--uncompressed]
//
// The content mix gzips (level 6) to about 42% of its size, at about the speed zlib manages on real binaries.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';

export interface SampleLayerSpec {
  /** Approximate bytes of file content in the layer (before tar headers and compression). */
  readonly size: number;
  /** Number of files; default size / 4 MiB + 1. */
  readonly files?: number;
}

export interface SampleImageOptions {
  readonly layers: readonly SampleLayerSpec[];
  /** Same seed and same specs give a byte-identical layout. Default 1. */
  readonly seed?: number;
  /** Written as org.opencontainers.image.ref.name in index.json (default 'latest'). */
  readonly tag?: string;
  /** 'gzip' (default, level 6): layers are tar+gzip; 'none': plain tar layers. */
  readonly compression?: 'gzip' | 'none';
  /** Default linux/amd64. */
  readonly platform?: { os: string; architecture: string; variant?: string };
  /** Stored as config.config.Labels.sample, so that images with the same layers can still differ. */
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
  /** Config plus layers: what a cold push uploads (the manifest not included). */
  readonly totalBlobBytes: number;
}

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
} as const;

const CHUNK = 64 << 10;
const EPOCH = new Date(0);
const CREATED = '1970-01-01T00:00:00Z';

// ---------------------------------------------------------------------------------------------------------------
// Content

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'function return const let var import export class interface string number boolean null undefined true false ' +
  'else while switch case break continue default throw try catch finally async await yield static public ' +
  'usr lib bin share include local etc opt srv python3 node modules package json config build release debug ' +
  'buffer stream request response handler error value index length offset count result options context ' +
  'server client socket thread process module layer image registry manifest digest blob upload session'
)
  .split(' ')
  .map(latin1);
const NUMBERS = Array.from({ length: 1000 }, (_, i) => latin1(String(i)));
const JSON_ID = latin1('{"id":');
const JSON_NAME = latin1(',"name":"');
const JSON_ENABLED = latin1('","enabled":true,"size":');
const JSON_DISABLED = latin1('","enabled":false,"size":');
const JSON_TAGS = latin1(',"tags":["');
const JSON_SEP = latin1('","');
const JSON_END = latin1('"]}\n');
const CODE_ASSIGN = latin1(' = ');
const CODE_COMMA = latin1(', ');
const CODE_END = latin1(');\n');

// Share of the content, by bytes, of each kind of segment. Measured with zlib level 6 (ratio alone, MB/s on one
// core of the dev machine): random 1.00 (34 MB/s), duplicated blocks ~0.01, JSON lines 0.18 (40 MB/s), prose and
// code from a small vocabulary 0.31 (12 MB/s). Together: ~0.42 at ~30 MB/s, against 0.45 at 25 MB/s for a tar of
// real ELF binaries and libraries on the same machine.
const KINDS = [
  ['random', 20],
  ['duplicate', 25],
  ['json', 15],
  ['prose', 20],
  ['code', 20],
] as const;
type Kind = (typeof KINDS)[number][0];
const KIND_TABLE: Kind[] = KINDS.flatMap(([kind, weight]) => Array<Kind>(weight).fill(kind));

/** splitmix32: small, fast, and the same on every machine. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Fills buffers with a deterministic mix of segments of 1-4 KiB each. Segments are cut at the buffer's end. */
class ContentGenerator {
  readonly #next: () => number;
  #out: Buffer = Buffer.alloc(0);
  #pos = 0;
  #end = 0;

  constructor(next: () => number) {
    this.#next = next;
  }

  fill(out: Buffer): Buffer {
    this.#out = out;
    this.#pos = 0;
    this.#end = out.length;
    const next = this.#next;
    while (this.#pos < this.#end) {
      const kind = KIND_TABLE[next() % KIND_TABLE.length];
      const stop = Math.min(this.#end, this.#pos + 1024 + (next() % 3072));
      switch (kind) {
        case 'random':
          this.#random(stop);
          break;
        case 'duplicate':
          this.#duplicate(stop);
          break;
        case 'json':
          while (this.#pos < stop) this.#jsonLine();
          break;
        case 'prose':
          while (this.#pos < stop) this.#proseLine();
          break;
        default:
          while (this.#pos < stop) this.#codeLine();
      }
    }
    return out;
  }

  #bytes(bytes: Buffer): void {
    const out = this.#out;
    const n = Math.min(bytes.length, this.#end - this.#pos);
    let pos = this.#pos;
    for (let i = 0; i < n; i++) out[pos++] = bytes[i]!;
    this.#pos = pos;
  }

  #byte(value: number): void {
    if (this.#pos < this.#end) this.#out[this.#pos++] = value;
  }

  #word(): void {
    this.#bytes(WORDS[this.#next() % WORDS.length]!);
  }

  #number(): void {
    this.#bytes(NUMBERS[this.#next() % NUMBERS.length]!);
  }

  #random(stop: number): void {
    const out = this.#out;
    const next = this.#next;
    let pos = this.#pos;
    while (pos + 4 <= stop) {
      const v = next();
      out[pos] = v;
      out[pos + 1] = v >>> 8;
      out[pos + 2] = v >>> 16;
      out[pos + 3] = v >>> 24;
      pos += 4;
    }
    while (pos < stop) out[pos++] = next();
    this.#pos = pos;
  }

  /** A copy of bytes written earlier in this buffer, within deflate's 32 KiB window (like duplicated files). */
  #duplicate(stop: number): void {
    const length = stop - this.#pos;
    if (this.#pos < length + 1024) {
      while (this.#pos < stop) this.#proseLine();
      return;
    }
    const from = this.#pos - length - (this.#next() % Math.min(this.#pos - length, 24 << 10));
    this.#out.copyWithin(this.#pos, from, from + length);
    this.#pos = stop;
  }

  #jsonLine(): void {
    this.#bytes(JSON_ID);
    this.#number();
    this.#bytes(JSON_NAME);
    this.#word();
    this.#byte(0x2d); // -
    this.#word();
    this.#bytes(this.#next() & 1 ? JSON_ENABLED : JSON_DISABLED);
    this.#number();
    this.#bytes(JSON_TAGS);
    this.#word();
    this.#bytes(JSON_SEP);
    this.#word();
    this.#bytes(JSON_END);
  }

  #proseLine(): void {
    const words = 4 + (this.#next() % 12);
    for (let w = 0; w < words; w++) {
      this.#word();
      this.#byte(w + 1 < words ? 0x20 : 0x2e); // ' ' or '.'
    }
    this.#byte(0x0a);
  }

  #codeLine(): void {
    for (let indent = 2 + (this.#next() % 3) * 2; indent > 0; indent--) this.#byte(0x20);
    this.#word();
    this.#byte(0x5f); // _
    this.#word();
    this.#bytes(CODE_ASSIGN);
    this.#word();
    this.#byte(0x28); // (
    this.#number();
    this.#bytes(CODE_COMMA);
    this.#word();
    this.#bytes(CODE_END);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Layers

/** Counts and hashes the bytes flowing through. */
class Hasher extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

const HEADER = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };

/** Writes one file entry, chunk by chunk, waiting whenever the tar stream pushes back. */
async function writeFileEntry(
  tar: Pack,
  name: string,
  size: number,
  content: ContentGenerator,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = tar.entry({ ...HEADER, name, size, mode: 0o644, type: 'file' }, (err) =>
      err ? reject(err) : resolve(),
    );
    let written = 0;
    const write = (): void => {
      while (written < size) {
        const chunk = content.fill(Buffer.allocUnsafe(Math.min(CHUNK, size - written)));
        written += chunk.length;
        if (!entry.write(chunk)) {
          entry.once('drain', write);
          return;
        }
      }
      entry.end(null);
    };
    write();
  });
}

function layerSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77) ^ (seed / 2 ** 32)) >>> 0;
}

/** Streams one layer tar through (gzip and) the two hashes into a temp file, then renames it to its digest. */
async function writeLayer(
  dir: string,
  spec: SampleLayerSpec,
  index: number,
  seed: number,
  compression: 'gzip' | 'none',
): Promise<SampleLayer> {
  const content = new ContentGenerator(prng(layerSeed(seed, index)));
  const files = Math.max(1, spec.files ?? Math.floor(spec.size / (4 << 20)) + 1);
  const tar = pack();
  const uncompressed = new Hasher();
  const compressed = new Hasher();
  const temp = join(dir, `.layer-${index}.tmp`);
  // tar-stream's pack is a streamx Readable; node's pipeline drives it like a node one.
  const source = tar as unknown as Readable;
  const done =
    compression === 'gzip'
      ? pipeline(source, uncompressed, createGzip({ level: 6 }), compressed, createWriteStream(temp))
      : pipeline(source, uncompressed, createWriteStream(temp));
  try {
    const root = `layer${index}/`;
    const dirs = [
      root,
      `${root}usr/`,
      `${root}usr/lib/`,
      `${root}usr/share/`,
      `${root}usr/share/doc/`,
      `${root}etc/`,
    ];
    const leaves = [dirs[2]!, dirs[4]!, dirs[5]!];
    for (const name of dirs) tar.entry({ ...HEADER, name, type: 'directory', mode: 0o755 });
    const each = Math.floor(spec.size / files);
    for (let f = 0; f < files; f++) {
      const size = f === files - 1 ? spec.size - each * (files - 1) : each;
      await writeFileEntry(tar, `${leaves[f % leaves.length]!}file-${f}.dat`, size, content);
    }
    tar.finalize();
    await done;
  } catch (err) {
    tar.destroy(err as Error);
    await done.catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }

  const diffId = `sha256:${uncompressed.hash.digest('hex')}`;
  const gzip = compression === 'gzip';
  const digest = gzip ? `sha256:${compressed.hash.digest('hex')}` : diffId;
  await rename(temp, join(dir, 'blobs/sha256', digest.slice('sha256:'.length)));
  return {
    digest,
    size: gzip ? compressed.bytes : uncompressed.bytes,
    diffId,
    mediaType: gzip ? MEDIA_TYPES.layerGzip : MEDIA_TYPES.layerTar,
  };
}

async function writeJsonBlob(dir: string, value: unknown): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await writeFile(join(dir, 'blobs/sha256', digest.slice('sha256:'.length)), bytes);
  return { digest, size: bytes.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Layouts and archives

/** The layout's index.json: one entry, the image (or index) named `tag`. */
async function writeIndexJson(
  dir: string,
  root: { mediaType: string; digest: string; size: number },
  tag: string,
): Promise<void> {
  const entry = { ...root, annotations: { 'org.opencontainers.image.ref.name': tag } };
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [entry] }),
  );
}

/** Writes an OCI image layout (oci-layout, index.json, blobs/sha256/*) with one image tagged `tag`. */
export async function writeOciLayout(dir: string, options: SampleImageOptions): Promise<SampleImage> {
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`seed must be a non-negative integer, not ${seed}`);
  for (const spec of options.layers)
    if (!Number.isSafeInteger(spec.size) || spec.size < 0) throw new Error(`bad layer size ${spec.size}`);
  const compression = options.compression ?? 'gzip';
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });

  const layers: SampleLayer[] = [];
  for (const [index, spec] of options.layers.entries())
    layers.push(await writeLayer(dir, spec, index, seed, compression));

  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  // Objects built in a fixed key order: JSON.stringify keeps it, so the bytes (and digests) are reproducible.
  const config = await writeJsonBlob(dir, {
    created: CREATED,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config: { Labels: { sample: options.label ?? `seed-${seed}` } },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map((_, index) => ({ created: CREATED, created_by: `sample-image layer ${index}` })),
  });
  const manifest = await writeJsonBlob(dir, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
  });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeIndexJson(dir, { mediaType: MEDIA_TYPES.manifest, ...manifest }, options.tag ?? 'latest');
  return {
    manifestDigest: manifest.digest,
    manifestSize: manifest.size,
    configDigest: config.digest,
    configSize: config.size,
    layers,
    totalBlobBytes: config.size + layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

/**
 * A plain (uncompressed) tar of such a layout, as `skopeo copy ... oci-archive:` reads it. The layout is written to
 * a temp dir next to `file` (same filesystem, so big images do not fill a small /tmp) and removed afterwards.
 */
export async function writeOciArchive(file: string, options: SampleImageOptions): Promise<SampleImage> {
  await mkdir(dirname(file), { recursive: true });
  const dir = await mkdtemp(join(dirname(file), '.sample-layout-'));
  try {
    const image = await writeOciLayout(dir, options);
    await tarLayout(dir, file);
    return image;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tarLayout(dir: string, file: string): Promise<void> {
  const tar = pack();
  const done = pipeline(tar as unknown as Readable, createWriteStream(file));
  try {
    const blobs = (await readdir(join(dir, 'blobs/sha256'))).sort();
    const addFile = async (name: string): Promise<void> => {
      const path = join(dir, name);
      const { size } = await stat(path);
      await new Promise<void>((resolve, reject) => {
        const entry = tar.entry({ ...HEADER, name, size, mode: 0o644, type: 'file' }, (err) =>
          err ? reject(err) : resolve(),
        );
        const input = createReadStream(path);
        input.once('error', reject);
        input.pipe(entry as unknown as Writable);
      });
    };
    await addFile('oci-layout');
    await addFile('index.json');
    tar.entry({ ...HEADER, name: 'blobs/', type: 'directory', mode: 0o755 });
    tar.entry({ ...HEADER, name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
    for (const hex of blobs) await addFile(`blobs/sha256/${hex}`);
    tar.finalize();
    await done;
  } catch (err) {
    tar.destroy(err as Error);
    await done.catch(() => undefined);
    await rm(file, { force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

/** '512', '500K', '20M', '1.5G' (binary units; a trailing 'B' or 'iB' is accepted). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size "${text}" (use e.g. 500K, 20M, 1G)`);
  const units = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 } as const;
  return Math.round(Number(m[1]) * units[(m[2] ?? '').toUpperCase() as keyof typeof units]);
}

function platformOf(text: string): { os: string; architecture: string; variant?: string } {
  const [os = 'linux', architecture = 'amd64', variant] = text.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

if (import.meta.main) {
  const { parseArgs } = await import('node:util');
  const usage =
    'usage: node test/helpers/sample-image.ts DIR --layers 10M,50M,1M [--seed N] [--tag T] [--label L] [--platform OS/ARCH[/VARIANT]] [--archive] [--uncompressed]';
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      layers: { type: 'string', default: '10M,1M' },
      seed: { type: 'string', default: '1' },
      tag: { type: 'string', default: 'latest' },
      label: { type: 'string' },
      platform: { type: 'string', default: 'linux/amd64' },
      archive: { type: 'boolean', default: false },
      uncompressed: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [target] = positionals;
  if (values.help || !target || positionals.length > 1) {
    process.stderr.write(`${usage}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const options: SampleImageOptions = {
    layers: values.layers.split(',').map((size) => ({ size: parseSize(size) })),
    seed: Number(values.seed),
    tag: values.tag,
    compression: values.uncompressed ? 'none' : 'gzip',
    platform: platformOf(values.platform),
    ...(values.label === undefined ? {} : { label: values.label }),
  };
  const image = values.archive
    ? await writeOciArchive(target, options)
    : await writeOciLayout(target, options);
  process.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
}

export interface SampleIndex {
  readonly indexDigest: string;
  readonly indexSize: number;
  readonly images: readonly SampleImage[];
}

/**
 * An OCI layout whose index.json names one image index (tagged `tag`) over several single-platform images,
 * the shape `docker buildx build --platform a,b --output type=oci` writes.
 */
export async function writeMultiPlatformLayout(
  dir: string,
  images: readonly SampleImageOptions[],
  tag = 'latest',
): Promise<SampleIndex> {
  const written: SampleImage[] = [];
  for (const image of images) written.push(await writeOciLayout(dir, image));
  const index = await writeJsonBlob(dir, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: written.map((image, i) => ({
      mediaType: MEDIA_TYPES.manifest,
      digest: image.manifestDigest,
      size: image.manifestSize,
      platform: images[i]?.platform ?? { os: 'linux', architecture: 'amd64' },
    })),
  });
  await writeIndexJson(dir, { mediaType: MEDIA_TYPES.index, ...index }, tag);
  return { indexDigest: index.digest, indexSize: index.size, images: written };
}
