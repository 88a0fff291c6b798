import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileKind, readRegularFile, UnreadableFileError } from '../files.ts';
import { BlobMap } from './blob-map.ts';

/** Where the CLI keeps its blob map between runs: $XDG_CACHE_HOME/image-push, or ~/.cache/image-push. */
export function localBlobMapPath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'image-push', 'blob-map.json');
}

/**
 * A full map (5000 entries and 5000 locations) is a few MB; a file far larger is no blob map, and a procfs file
 * (which says 0 bytes) may never end.
 */
const MAX_MAP_BYTES = 32 << 20;

/** How a front end reports a blob map problem: a warning, and the switch that turns the map off. */
export interface BlobMapReporter {
  warn(message: string): void;
  /** `--no-blob-map`, `cache: false`: named in every warning. */
  readonly disable: string;
}

/**
 * Loads the map at `path`. The map only saves time, so nothing about it fails a push: an absent file is an
 * empty map, and a file that cannot be read, is no regular file, is too large or is corrupt is a warning that
 * names it, and an empty map.
 */
export async function loadBlobMap(path: string, reporter?: BlobMapReporter): Promise<BlobMap> {
  let text: string;
  try {
    text = (await readRegularFile(path, MAX_MAP_BYTES)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      reporter?.warn(`the blob map ${path} cannot be read (${reason(err)}): ${going(reporter)}`);
    return new BlobMap();
  }
  try {
    return BlobMap.parse(text);
  } catch (err) {
    reporter?.warn(`the blob map ${path} is corrupt (${reason(err)}): ${going(reporter)}`);
    return new BlobMap();
  }
}

/**
 * Saves the map at `path`, atomically (a temp file, then a rename). Returns whether it was written; a failure
 * is a warning naming the file, never an error: the push it follows is already done.
 */
export async function saveBlobMap(map: BlobMap, path: string, reporter: BlobMapReporter): Promise<boolean> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const existing = await stat(path).catch(() => undefined);
    if (existing && !existing.isFile()) throw new Error(`it is ${fileKind(existing)}`);
    await makeDirectory(dirname(path));
    await rm(temp, { force: true });
    await writeFile(temp, map.serialize(), { flag: 'wx' });
    await rename(temp, path);
    map.markSaved();
    return true;
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    reporter.warn(
      `could not save the blob map ${path} (${reason(err)}); the push itself is done. The map only saves time on ` +
        `the next push: ${reporter.disable.startsWith('--') ? 'point --blob-map at a writable file, or pass' : 'set'} ${reporter.disable} to do without it`,
    );
    return false;
  }
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir spins forever at full CPU where a directory cannot be
 * made in a parent that exists (under /proc it answers ENOENT, then EEXIST for the parent, and again).
 */
async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    if (info) {
      if (!info.isDirectory()) throw new Error(`${current} is ${fileKind(info)}, not a directory`);
      break;
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) await mkdir(path);
}

function reason(err: unknown): string {
  if (err instanceof UnreadableFileError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}

function going(reporter: BlobMapReporter | undefined): string {
  return `going on without it, which only costs time${reporter ? ` (${reporter.disable} skips it)` : ''}`;
}
