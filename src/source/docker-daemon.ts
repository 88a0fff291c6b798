import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { SourceError } from '../errors.ts';
import { sha256Digest } from '../oci/digest.ts';
import { DOCKER_CONFIG } from '../oci/media-types.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import { buildManifest } from './docker-save.ts';
import { EngineApi } from './engine-api.ts';
import type { LayerCompressor } from '../compress/layer-compressor.ts';
import { normalise } from './tar-index.ts';
import type { BlobSource } from '../oci/descriptor.ts';
import type { ImageSource, PendingImage, PendingLayer } from './types.ts';

/** Entries up to this size are kept in memory (configs, manifests, tiny layers); larger ones are layers. */
const SMALL_ENTRY = 1 << 20;

interface Saved {
  readonly config: BlobSource;
  readonly layers: Map<string, BlobSource>;
}

interface Streamed {
  readonly blob: BlobSource;
  readonly diffId: string | undefined;
}

/**
 * An image in the Docker daemon (or podman's Docker-compatible service), read through the Engine API.
 * Its config and layer list come from inspect; `docker save` is streamed only when some layer must be read,
 * and then each layer is compressed (or copied) into the spool as it streams past. When the blob map and the
 * registry already account for every layer and the config, nothing is saved at all.
 */
export class DockerDaemonSource implements ImageSource {
  readonly name: string;
  readonly #image: string;
  readonly #compressor: LayerCompressor;
  readonly #api: EngineApi;
  #saved: Promise<Saved> | undefined;
  #id: string | undefined;
  /** diffIDs some caller asked for; the others stream past unread. */
  readonly #wanted = new Set<string>();
  /** The image's diffIDs in order (from inspect): the classic save format writes its layers in this order. */
  #diffIds: readonly string[] = [];
  /** Set when a guess from that order proved wrong: the next save stream reads every layer. */
  #guessing = true;

  constructor(image: string, compressor: LayerCompressor) {
    this.name = `docker-daemon:${image}`;
    this.#image = image;
    this.#compressor = compressor;
    this.#api = new EngineApi();
  }

  async load(): Promise<PendingImage> {
    const info = await this.#api.inspect(this.#image);
    this.#id = info.Id;
    const diffIds = info.RootFS?.Layers ?? [];
    this.#diffIds = diffIds;
    const layers: PendingLayer[] = diffIds.map((diffId) => ({
      diffId,
      prepare: async () => {
        this.#wanted.add(diffId);
        const blob = (await this.#save()).layers.get(diffId);
        if (!blob)
          throw new SourceError(
            `${this.name}: docker save did not include layer ${diffId}`,
            'save the image again',
          );
        return blob;
      },
    }));
    return {
      kind: 'pending',
      config: {
        descriptor: { mediaType: DOCKER_CONFIG, digest: info.Id, size: -1 },
        prepare: async () => (await this.#save()).config,
      },
      layers,
      build: buildManifest,
      ...(info.Os && info.Architecture
        ? {
            platform: {
              os: info.Os,
              architecture: info.Architecture,
              ...(info.Variant ? { variant: info.Variant } : {}),
            },
          }
        : {}),
      ...(info.Config?.Labels?.['org.opencontainers.image.base.name']
        ? { baseName: info.Config.Labels['org.opencontainers.image.base.name'] }
        : {}),
    };
  }

  async close(): Promise<void> {
    await this.#api.close();
  }

  #save(): Promise<Saved> {
    // Deferred a turn, so every layer asked for in the same pass is known before the stream starts.
    this.#saved ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const first = await this.#stream();
      if (first) return first;
      this.#guessing = false; // a skipped layer turned out to be wanted: read them all this time
      const second = await this.#stream();
      if (!second)
        throw new SourceError(
          `${this.name}: docker save did not include every layer`,
          'save the image again',
        );
      return second;
    });
    return this.#saved;
  }

  /** The save stream's layers and config; undefined when a layer skipped on a guess was wanted after all. */
  async #stream(): Promise<Saved | undefined> {
    const small = new Map<string, Buffer>();
    const large = new Map<string, Streamed>();
    const links: [string, string][] = [];
    const skipped = new Set<string>();
    let classicLayers = 0;
    const tar = extract();
    const feeding = pipeline(await this.#api.save(this.#image), tar);
    feeding.catch(() => undefined);
    for await (const entry of tar) {
      const name = normalise(entry.header.name);
      // Docker's classic format names layers `<v1 id>/layer.tar` (no diffID) and writes them in the config's
      // order, so the n-th is the n-th diffID: a guess, checked against manifest.json at the end.
      const guess = /^[a-f0-9]{64}\/layer\.tar$/.test(name) ? this.#diffIds[classicLayers++] : undefined;
      if (entry.header.type === 'symlink' || entry.header.type === 'link') {
        const target = entry.header.linkname;
        const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
        links.push([name, normalise(entry.header.type === 'symlink' && dir ? `${dir}/${target}` : target)]);
        entry.resume();
      } else if (entry.header.type !== 'file') {
        entry.resume();
      } else if (entry.header.size <= SMALL_ENTRY) {
        small.set(name, await buffer(entry));
      } else if (this.#unwanted(name, guess)) {
        skipped.add(name);
        entry.resume(); // the registry has it already: let it stream past
        await new Promise<void>((resolve) => entry.once('end', () => resolve()));
      } else {
        large.set(name, await this.#compressor.prepareStream(entry as unknown as Readable, name, this.name));
      }
    }
    await feeding;
    for (const [name, target] of links) {
      const bytes = small.get(target);
      if (bytes) small.set(name, bytes);
      const blob = large.get(target);
      if (blob) large.set(name, blob);
    }
    return this.#interpret(small, large, skipped);
  }

  /**
   * Layer entries nobody asked for: those whose names give their diffID (`<hex>.tar`, `blobs/sha256/<hex>`),
   * and classic `<id>/layer.tar` entries whose place in the stream gives it.
   */
  #unwanted(name: string, guess: string | undefined): boolean {
    if (this.#wanted.size === 0) return false;
    if (guess !== undefined) return this.#guessing && !this.#wanted.has(guess);
    const hex = /(?:^|\/)([a-f0-9]{64})(?:\.tar)?$/.exec(name)?.[1];
    return hex !== undefined && !this.#wanted.has(`sha256:${hex}`);
  }

  async #interpret(
    small: Map<string, Buffer>,
    large: Map<string, Streamed>,
    skipped: ReadonlySet<string>,
  ): Promise<Saved | undefined> {
    const manifest = small.get('manifest.json');
    if (!manifest) throw new SourceError(`${this.name}: the daemon's save stream has no manifest.json`);
    const entries = JSON.parse(manifest.toString('utf8')) as {
      Config: string;
      RepoTags?: string[];
      Layers: string[];
    }[];
    const wanted = formatReference(parseReference(this.#image));
    const entry =
      entries.find((e) => (e.RepoTags ?? []).some((t) => formatReference(parseReference(t)) === wanted)) ??
      entries[0];
    const configBytes = entry ? small.get(normalise(entry.Config)) : undefined;
    if (!entry || !configBytes)
      throw new SourceError(`${this.name}: the daemon's save stream has no image config`);
    const configDigest = sha256Digest(configBytes);
    if (configDigest !== this.#id) {
      throw new SourceError(
        `${this.name}: the saved config is ${configDigest}, not the image ID ${this.#id ?? '?'}`,
        'the containerd image store is not read through the daemon yet: `docker save -o image.tar` and push docker-archive:image.tar',
      );
    }
    const config: BlobSource = {
      descriptor: { mediaType: DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
      available: true,
      open: () => Promise.resolve(Readable.from([configBytes])),
    };
    const diffIds =
      (JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ??
      [];
    const layers = new Map<string, BlobSource>();
    for (const [i, path] of entry.Layers.entries()) {
      const diffId = diffIds[i];
      if (!diffId || !this.#wanted.has(diffId)) continue;
      const name = normalise(path);
      const bytes = small.get(name);
      if (bytes) {
        layers.set(diffId, await this.#compressor.prepare(() => Readable.from([bytes]), diffId, this.name));
        continue;
      }
      const streamed = large.get(name);
      if (!streamed && skipped.has(name)) return undefined; // the order guess was wrong: read again, all of it
      if (!streamed) throw new SourceError(`${this.name}: the daemon's save stream has no layer ${path}`);
      if (streamed.diffId !== undefined && streamed.diffId !== diffId) {
        throw new SourceError(
          `${this.name}: layer ${path} hashes to ${streamed.diffId}, not ${diffId}`,
          'the image is corrupt',
        );
      }
      layers.set(diffId, streamed.blob);
    }
    return { config, layers };
  }
}
