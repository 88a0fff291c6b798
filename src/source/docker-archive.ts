import { SourceError } from '../errors.ts';
import { DOCKER_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.ts';
import { readDockerSave } from './docker-save.ts';
import { TarFiles } from './layout-files.ts';
import type { LayerCompressor } from '../compress/layer-compressor.ts';
import { readHead, sniffCompression } from '../compress/layer-spool.ts';
import type { BlobSource } from '../oci/descriptor.ts';
import type { ImageSource, LoadedImage } from './types.ts';

/**
 * A `docker save` tarball on disk. Its entries are read in place, so a layer the registry already has (known
 * from the blob map) is never read at all.
 */
export class DockerArchiveSource implements ImageSource {
  readonly name: string;
  readonly #path: string;
  readonly #ref: string | undefined;
  readonly #compressor: LayerCompressor;

  constructor(path: string, ref: string | undefined, compressor: LayerCompressor) {
    this.name = `docker-archive:${path}${ref ? `:${ref}` : ''}`;
    this.#path = path;
    this.#ref = ref;
    this.#compressor = compressor;
  }

  async load(): Promise<LoadedImage> {
    let files: TarFiles;
    try {
      files = await TarFiles.open(this.#path, this.name);
    } catch (err) {
      throw new SourceError(
        `${this.name}: cannot read the archive: ${(err as Error).message}`,
        /truncated/.test((err as Error).message)
          ? 'the file is cut short; save the image again'
          : 'pass an uncompressed tarball written by `docker save` (gunzip it first if it is .tar.gz)',
        { cause: err },
      );
    }
    return readDockerSave(files, this.#ref, this.name, async (path, diffId): Promise<BlobSource> => {
      const size = await files.size(path);
      if (size === undefined) {
        throw new SourceError(
          `${this.name}: layer ${path} is missing from the archive`,
          'save the image again',
        );
      }
      // A compressed blob stored under its digest is pushed straight from the archive, checked as it uploads.
      const stored = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path)?.[1];
      if (stored && `sha256:${stored}` !== diffId) {
        const kind = sniffCompression(await readHead(files.open(path)));
        if (kind !== 'none') {
          return {
            descriptor: {
              mediaType: kind === 'zstd' ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP,
              digest: `sha256:${stored}`,
              size,
            },
            available: true,
            open: () => Promise.resolve(files.open(path)),
          };
        }
      }
      return this.#compressor.prepare((blocks) => files.open(path, blocks), diffId, this.name);
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
