import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { fileErrorCode, LocalFileError, TEMP_ADVICE, tempRoot } from '../file-errors.ts';
import { SourceError } from '../errors.ts';
import { isSha256Digest, sha256Digest } from '../oci/digest.ts';
import { createSha256 } from '../oci/sha256.ts';
import { DOCKER_CONFIG } from '../oci/media-types.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import { buildManifest } from './docker-save.ts';
import { EngineApi, type ImageInspect } from './engine-api.ts';
import type { LayerCompressor } from '../compress/layer-compressor.ts';
import { normalise } from './tar-index.ts';
import type { BlobSource } from '../oci/descriptor.ts';
import { StoredSaveReader } from './stored-save.ts';
import type { ImageSource, LoadOptions, PendingImage, PendingLayer } from './types.ts';
import type { ManifestNode } from '../oci/descriptor.ts';

/** Entries up to this size are kept in memory (configs, manifests, tiny layers); larger ones are layers. */
const SMALL_ENTRY = 1 << 20;

interface Saved {
  readonly config: BlobSource;
  readonly layers: Map<string, BlobSource>;
}

/** An unnamed layer kept, uncompressed, in a temporary file until it is compressed. */
interface Raw {
  readonly file: string;
  readonly diffId: string;
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
  /** How many layers the image has (from inspect): when some are not wanted, unnamed layers are sorted out. */
  #layerCount = 0;
  /** Where unnamed layers wait, uncompressed, until their hash says whether they are wanted. */
  #rawDir: Promise<string> | undefined;

  constructor(image: string, compressor: LayerCompressor) {
    this.name = `docker-daemon:${image}`;
    this.#image = image;
    this.#compressor = compressor;
    this.#api = new EngineApi();
  }

  /** The containerd image store's reader, when the engine keeps images there. */
  #stored: StoredSaveReader | undefined;
  #inspected: Promise<ImageInspect> | undefined;

  /** On the containerd image store the image ID is the digest of the manifest (or index) a push sends. */
  async knownRootDigest(): Promise<string | undefined> {
    const info = await (this.#inspected ??= this.#api.inspect(this.#image));
    return isSha256Digest(info.Id) && (await this.#api.usesContainerdStore()) ? info.Id : undefined;
  }

  async load(options: LoadOptions = {}): Promise<PendingImage | ManifestNode> {
    const info = await (this.#inspected ??= this.#api.inspect(this.#image));
    this.#id = info.Id;
    // On the containerd image store the image ID is the manifest's (or index's) digest, and the save holds the
    // stored (compressed) blobs: those go up as they are, with the same manifest bytes `docker push` sends.
    if (await this.#api.usesContainerdStore()) {
      this.#stored = new StoredSaveReader({
        rootDigest: info.Id,
        sourceName: this.name,
        stream: await this.#api.save(this.#image),
        resave: () => this.#api.save(this.#image),
        sink: options.blobSink,
      });
      return this.#stored.read();
    }
    const diffIds = info.RootFS?.Layers ?? [];
    this.#layerCount = diffIds.length;
    const layers: PendingLayer[] = diffIds.map((diffId) => ({
      diffId,
      prepare: async () => {
        this.#wanted.add(diffId);
        const saved = this.#save();
        // A layer is ready as soon as it is compressed (its hash names it), so its upload overlaps the rest of
        // the save instead of waiting for the whole stream.
        const blob = await Promise.race([
          this.#ready(diffId).promise,
          saved.then((all) => all.layers.get(diffId)),
        ]);
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
      platform:
        info.Os && info.Architecture
          ? {
              os: info.Os,
              architecture: info.Architecture,
              ...(info.Variant ? { variant: info.Variant } : {}),
            }
          : undefined,
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
    await this.#stored?.close();
    await this.#api.close();
    if (this.#rawDir) await rm(await this.#rawDir, { recursive: true, force: true });
  }

  /** Layers compressed while the save still streams, by diffID. */
  readonly #early = new Map<string, PromiseWithResolvers<BlobSource>>();

  #ready(diffId: string): PromiseWithResolvers<BlobSource> {
    let ready = this.#early.get(diffId);
    if (!ready) {
      ready = Promise.withResolvers<BlobSource>();
      ready.promise.catch(() => undefined);
      this.#early.set(diffId, ready);
    }
    return ready;
  }

  #save(): Promise<Saved> {
    // Deferred a turn, so every layer asked for in the same pass is known before the stream starts.
    this.#saved ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#stream());
    return this.#saved;
  }

  async #stream(): Promise<Saved> {
    const small = new Map<string, Buffer>();
    const large = new Map<string, Streamed>();
    const raw = new Map<string, Raw>();
    const links: [string, string][] = [];
    const tar = extract();
    const feeding = pipeline(await this.#api.save(this.#image), tar);
    feeding.catch(() => undefined);
    // Docker's classic format names layers `<v1 id>/layer.tar` (no diffID; on 20.10 in directory order, not the
    // config's). When some layers are not wanted, each is hashed on its way to a temporary file and compressed
    // only if its hash is wanted: writing a file costs far less than compressing it.
    const sorting = this.#wanted.size > 0 && this.#wanted.size < this.#layerCount;
    for await (const entry of tar) {
      const name = normalise(entry.header.name);
      if (entry.header.type === 'symlink' || entry.header.type === 'link') {
        const target = entry.header.linkname;
        const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
        links.push([name, normalise(entry.header.type === 'symlink' && dir ? `${dir}/${target}` : target)]);
        entry.resume();
      } else if (entry.header.type !== 'file') {
        entry.resume();
      } else if (entry.header.size <= SMALL_ENTRY) {
        small.set(name, await buffer(entry));
      } else if (this.#unwanted(name)) {
        entry.resume(); // the registry has it already: let it stream past
        await new Promise<void>((resolve) => entry.once('end', () => resolve()));
      } else if (sorting && /(?:^|\/)layer\.tar$/.test(name)) {
        const kept = await this.#sortOut(entry as unknown as Readable, raw.size);
        if (kept) raw.set(name, kept);
      } else {
        const streamed = await this.#compressor.prepareStream(entry as unknown as Readable, name, this.name);
        large.set(name, streamed);
        if (streamed.diffId !== undefined && this.#wanted.has(streamed.diffId))
          this.#ready(streamed.diffId).resolve(streamed.blob);
      }
    }
    await feeding;
    for (const [name, target] of links) {
      const bytes = small.get(target);
      if (bytes) small.set(name, bytes);
      const blob = large.get(target);
      if (blob) large.set(name, blob);
      const kept = raw.get(target);
      if (kept) raw.set(name, kept);
    }
    for (const [name, kept] of raw) {
      large.set(name, {
        blob: await this.#compressor.prepare(() => createReadStream(kept.file), kept.diffId, this.name),
        diffId: kept.diffId,
      });
    }
    await Promise.all([...raw.values()].map((kept) => rm(kept.file, { force: true })));
    return this.#interpret(small, large);
  }

  /** Hashes an unnamed layer into a temporary file; keeps the file only when the layer is wanted. */
  async #sortOut(entry: Readable, n: number): Promise<Raw | undefined> {
    const dir = await (this.#rawDir ??= mkdtemp(join(tempRoot(), 'image-push-save-')).catch(
      (err: unknown) => {
        throw new LocalFileError(
          'cannot create a temporary directory for layers of docker save in',
          tempRoot(),
          err,
          TEMP_ADVICE,
        );
      },
    ));
    const file = join(dir, `layer-${n}.tar`);
    const hash = createSha256();
    await pipeline(
      entry,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    ).catch((err: unknown) => {
      // The entry's own failure (a broken docker save stream) is the source's; the file's is the disk's.
      throw (err as { path?: unknown }).path === file ||
        fileErrorCode(err) === 'ENOSPC' ||
        fileErrorCode(err) === 'EDQUOT'
        ? new LocalFileError('writing a layer of docker save to the temporary file', file, err, TEMP_ADVICE)
        : err;
    });
    const diffId = `sha256:${hash.digest('hex')}`;
    if (this.#wanted.has(diffId)) return { file, diffId };
    await rm(file, { force: true });
    return undefined;
  }

  /** Layer entries whose names give their diffID (`<hex>.tar`, `blobs/sha256/<hex>`) and nobody asked for. */
  #unwanted(name: string): boolean {
    const hex = /(?:^|\/)([a-f0-9]{64})(?:\.tar)?$/.exec(name)?.[1];
    return hex !== undefined && !this.#wanted.has(`sha256:${hex}`) && this.#wanted.size > 0;
  }

  async #interpret(small: Map<string, Buffer>, large: Map<string, Streamed>): Promise<Saved> {
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
        'the image changed while it was saved; push again',
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
