import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isSha256Digest } from '../oci/digest.ts';
import { sha256Hex } from '../oci/sha256.ts';

/** A compressed form of a layer: what the registry stores for a given uncompressed layer (diffID). */
export interface CompressedForm {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/**
 * A manifest in a registry that pairs a layer with a blob (its config's diff_ids against its layers). The
 * only thing the map is relied on for: which manifest to read again. The pairing itself is taken from that
 * manifest as the registry serves it, never from this file.
 */
export interface Attestation {
  readonly registry: string;
  readonly repository: string;
  /** Digest of the image manifest that pairs the layer with the blob. */
  readonly manifest: string;
}

interface Entry extends CompressedForm {
  readonly diffId: string;
  /** Manifests that paired this layer with this blob when last seen, newest first. */
  attestations: Attestation[];
  lastUsed: number;
  /** sha256 over the other fields: catches a damaged file, not an edited one (anyone can recompute it). */
  check: string;
}

/** Where a blob lives in a registry: repositories it may be mounted from. */
interface Location {
  readonly digest: string;
  readonly registry: string;
  repositories: string[];
  lastUsed: number;
  check: string;
}

interface FileFormat {
  /** 2: pairings carry the manifest that attests them; version 1 files (unattested pairings) are dropped. */
  version: 2;
  entries: Entry[];
  locations?: Location[];
}

/** Repositories remembered per blob: enough to find a mount source, small enough to stay a hint. */
const MAX_REPOSITORIES = 5;

const MAX_ENTRIES = 5000;

/** Attesting manifests remembered per pairing: one per repository, the newest few. */
const MAX_ATTESTATIONS = 5;

/**
 * Remembers, per uncompressed layer (diffID), the compressed blobs pushed for it and the manifests in the
 * registry that pair the two: the idea behind Docker's distribution metadata. The map is untrusted (it comes
 * from a cache any workflow of the repository can write): it only names manifests to read again, and a layer
 * is reused only where the registry's own manifest and config pair it with the blob (push/reuse.ts).
 */
export class BlobMap {
  readonly #entries = new Map<string, Entry>();
  readonly #locations = new Map<string, Location>();
  #changed = false;

  static async load(path: string): Promise<BlobMap> {
    try {
      return BlobMap.parse(await readFile(path, 'utf8'));
    } catch {
      return new BlobMap(); // absent or corrupt: start empty, it can only cost time
    }
  }

  /** The map a file's text holds; throws when the text is no blob map (the store then warns and starts empty). */
  static parse(text: string): BlobMap {
    const map = new BlobMap();
    const parsed = JSON.parse(text) as (Omit<Partial<FileFormat>, 'version'> & { version?: number }) | null;
    // Version 1 maps named blobs without the manifest that attests them: dropped, never trusted.
    if (parsed?.version === 1) return map;
    if (parsed?.version !== 2 || !Array.isArray(parsed.entries)) throw new Error('not a version 2 blob map');
    for (const entry of parsed.entries) {
      if (isValid(entry)) map.#entries.set(key(entry.diffId, entry.digest), entry);
    }
    for (const location of Array.isArray(parsed.locations) ? parsed.locations : []) {
      if (isValidLocation(location)) map.#locations.set(key(location.registry, location.digest), location);
    }
    return map;
  }

  /**
   * Manifests of `registry` that paired the layer with some blob, newest first: candidates to read again.
   * Nothing here is trusted: the caller reads each manifest and its config from the registry and takes the
   * pairing only if the registry's own bytes make it.
   */
  attestations(diffId: string, registry: string): Attestation[] {
    return [...this.#entries.values()]
      .filter((entry) => entry.diffId === diffId)
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .flatMap((entry) => entry.attestations.filter((a) => a.registry === registry));
  }

  /** Notes that `attestation` (a manifest the registry now holds) pairs the layer `diffId` with `form`. */
  record(diffId: string, form: CompressedForm, attestation: Attestation): void {
    const id = key(diffId, form.digest);
    const same = (a: Attestation): boolean =>
      a.registry === attestation.registry && a.repository === attestation.repository;
    const known = this.#entries.get(id)?.attestations ?? [];
    // Already the newest attestation: nothing to save (a re-run would otherwise write a cache entry every time).
    if (known[0] && same(known[0]) && known[0].manifest === attestation.manifest) return;
    const attestations = [attestation, ...known.filter((a) => !same(a))].slice(0, MAX_ATTESTATIONS);
    const entry = { diffId, digest: form.digest, size: form.size, mediaType: form.mediaType };
    this.#entries.set(id, { ...entry, attestations, lastUsed: Date.now(), check: checksum(entry) });
    this.#changed = true;
  }

  /** Repositories of `registry` that held the blob when last seen, newest first: candidates to mount from. */
  repositoriesWith(digest: string, registry: string): string[] {
    return [...(this.#locations.get(key(registry, digest))?.repositories ?? [])];
  }

  /** Notes that `repository` of `registry` holds the blob (pushed, found or mounted there). */
  recordLocation(digest: string, registry: string, repository: string): void {
    const id = key(registry, digest);
    const known = this.#locations.get(id)?.repositories ?? [];
    if (known[0] === repository) return;
    const repositories = [repository, ...known.filter((r) => r !== repository)].slice(0, MAX_REPOSITORIES);
    const check = locationChecksum({ digest, registry, repositories });
    this.#locations.set(id, { digest, registry, repositories, lastUsed: Date.now(), check });
    this.#changed = true;
  }

  /** Forgets a form the registry turned out not to hold, or that failed a check. */
  forget(diffId: string, digest: string): void {
    this.#changed = this.#entries.delete(key(diffId, digest)) || this.#changed;
  }

  get changed(): boolean {
    return this.#changed;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Writes the newest entries (atomically: a crash leaves the old file, never half a new one). */
  async save(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, this.serialize());
    await rename(temp, path);
    this.markSaved();
  }

  /** The file's text: the newest entries and locations. */
  serialize(): string {
    const entries = [...this.#entries.values()].sort((a, b) => b.lastUsed - a.lastUsed).slice(0, MAX_ENTRIES);
    const locations = [...this.#locations.values()]
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .slice(0, MAX_ENTRIES);
    return JSON.stringify({ version: 2, entries, locations } satisfies FileFormat);
  }

  /** After the serialized text reached the disk. */
  markSaved(): void {
    this.#changed = false;
  }
}

function key(diffId: string, digest: string): string {
  return `${diffId} ${digest}`;
}

function checksum(entry: { diffId: string; digest: string; size: number; mediaType: string }): string {
  return sha256Hex(`${entry.diffId}\n${entry.digest}\n${entry.size}\n${entry.mediaType}`);
}

function isValid(entry: Partial<Entry>): entry is Entry {
  return (
    typeof entry.diffId === 'string' &&
    isSha256Digest(entry.diffId) &&
    typeof entry.digest === 'string' &&
    isSha256Digest(entry.digest) &&
    typeof entry.size === 'number' &&
    Number.isSafeInteger(entry.size) &&
    entry.size >= 0 &&
    typeof entry.mediaType === 'string' &&
    Array.isArray(entry.attestations) &&
    entry.attestations.every(isAttestation) &&
    typeof entry.lastUsed === 'number' &&
    entry.check === checksum(entry as Entry)
  );
}

function isAttestation(a: Partial<Attestation>): boolean {
  return (
    typeof a.registry === 'string' &&
    typeof a.repository === 'string' &&
    typeof a.manifest === 'string' &&
    isSha256Digest(a.manifest)
  );
}

function locationChecksum(location: { digest: string; registry: string; repositories: string[] }): string {
  return sha256Hex(`${location.digest}\n${location.registry}\n${location.repositories.join('\n')}`);
}

function isValidLocation(location: Partial<Location>): location is Location {
  return (
    typeof location.digest === 'string' &&
    isSha256Digest(location.digest) &&
    typeof location.registry === 'string' &&
    Array.isArray(location.repositories) &&
    location.repositories.every((r) => typeof r === 'string') &&
    typeof location.lastUsed === 'number' &&
    location.check === locationChecksum(location as Location)
  );
}
