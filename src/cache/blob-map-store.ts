import { homedir } from 'node:os';
import { join } from 'node:path';
import { BlobMap } from './blob-map.ts';

/** Where the CLI keeps its blob map between runs: $XDG_CACHE_HOME/image-push, or ~/.cache/image-push. */
export function localBlobMapPath(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'image-push', 'blob-map.json');
}

/** Loads the map at `path` (empty when absent or unreadable). */
export function loadBlobMap(path: string): Promise<BlobMap> {
  return BlobMap.load(path);
}
