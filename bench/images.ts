// The benchmark's images, generated once by test/helpers/sample-image.ts into .tmp/bench (gitignored) and reused by
// later runs as long as their spec (layer sizes, seed) is the same.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeOciLayout, type SampleImage, type SampleLayerSpec } from '../test/helpers/sample-image.ts';
import { run } from '../test/helpers/tools.ts';
import { MB } from './measure.ts';

export const benchDir = join(import.meta.dirname, '..', '.tmp/bench');

export interface OciImage {
  readonly name: string;
  readonly dir: string;
  readonly image: SampleImage;
  /** image-push and skopeo syntax. */
  readonly source: string;
}

export interface DockerArchive {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly layers: number;
  readonly source: string;
}

interface Spec {
  readonly layers: readonly SampleLayerSpec[];
  readonly seed: number;
}

const sameSpec = (a: Spec, b: Spec): boolean => JSON.stringify(a) === JSON.stringify(b);

async function readMeta<T>(file: string, spec: Spec): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  const meta = JSON.parse(await readFile(file, 'utf8')) as { spec: Spec; value: T };
  return sameSpec(meta.spec, spec) ? meta.value : undefined;
}

function contentMB(layers: readonly SampleLayerSpec[]): string {
  return (layers.reduce((n, l) => n + l.size, 0) / MB).toFixed(0);
}

/** Whether ociImage() would reuse what is on disk. */
export async function isGenerated(name: string, layers: SampleLayerSpec[], seed: number): Promise<boolean> {
  return (await readMeta<SampleImage>(join(benchDir, name, 'bench.json'), { layers, seed })) !== undefined;
}

/** An OCI layout with gzip layers (sample content gzips to about 42%). */
export async function ociImage(name: string, layers: SampleLayerSpec[], seed: number): Promise<OciImage> {
  const dir = join(benchDir, name);
  const metaFile = join(dir, 'bench.json');
  const spec: Spec = { layers, seed };
  let image = await readMeta<SampleImage>(metaFile, spec);
  if (!image) {
    log(`generating ${name}: ${layers.length} gzip layers, ${contentMB(layers)} MB of content...`);
    const started = performance.now();
    await rm(dir, { recursive: true, force: true });
    image = await writeOciLayout(dir, { layers, seed, tag: 'bench' });
    await writeFile(metaFile, JSON.stringify({ spec, value: image }));
    log(`generated ${name}: ${(image.totalBlobBytes / MB).toFixed(0)} MB of blobs in ${seconds(started)} s`);
  }
  return { name, dir, image, source: `oci:${dir}:bench` };
}

/** A classic `docker save` tarball (written by skopeo) with uncompressed layers. */
export async function dockerArchive(
  name: string,
  layers: SampleLayerSpec[],
  seed: number,
  skopeoEnv: NodeJS.ProcessEnv,
): Promise<DockerArchive> {
  const file = join(benchDir, `${name}.tar`);
  const metaFile = `${file}.json`;
  const spec: Spec = { layers, seed };
  if (!(await readMeta<true>(metaFile, spec)) || !existsSync(file)) {
    log(`generating ${name}: ${layers.length} uncompressed layers, ${contentMB(layers)} MB...`);
    const started = performance.now();
    const dir = `${file}.layout`;
    const temp = `${file}.partial`;
    await rm(dir, { recursive: true, force: true });
    await rm(temp, { force: true });
    await writeOciLayout(dir, { layers, seed, tag: 'bench', compression: 'none' });
    await run(
      'skopeo',
      ['--insecure-policy', 'copy', '-q', `oci:${dir}:bench`, `docker-archive:${temp}:bench/app:1`],
      { env: skopeoEnv },
    );
    await rm(dir, { recursive: true, force: true });
    await rename(temp, file);
    await writeFile(metaFile, JSON.stringify({ spec, value: true }));
    log(`generated ${name} in ${seconds(started)} s`);
  }
  return {
    name,
    file,
    bytes: (await stat(file)).size,
    layers: layers.length,
    source: `docker-archive:${file}`,
  };
}

/** Free bytes for an unprivileged user on the filesystem of `dir` (what `df` shows as available). */
export async function freeBytes(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

// The sample content gzips (level 6) to about 41% of its size; measured at 100 MB: 4 x 60 MiB -> 99 MiB of blobs.
const GZIP_RATIO = 0.41;

/** Layer specs whose gzip blobs add up to about `blobBytes`. */
export function layersForBlobBytes(blobBytes: number, layers: number): SampleLayerSpec[] {
  return Array.from({ length: layers }, () => ({ size: Math.round(blobBytes / GZIP_RATIO / layers) }));
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}
