import type { Readable } from 'node:stream';

/** An OCI platform, as image indexes and configs name it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly features?: readonly string[];
}

/** An OCI content descriptor, as it appears in manifests and indexes. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A blob the writer may upload: its descriptor and a way to read it. */
export interface BlobSource {
  readonly descriptor: Descriptor;
  /** False when the source lacks the blob: the push then only works if the registry already has it. */
  readonly available: boolean;
  /** Opens the blob's bytes from the start; called again for each upload attempt. */
  open(): Promise<Readable>;
  /**
   * Where the blob lives in a registry (a registry source): a destination on that registry mounts it from
   * there (`POST ?mount=&from=`) before anything is downloaded.
   */
  readonly mountFrom?: { readonly registry: string; readonly repository: string };
}

/**
 * A manifest or index together with everything it references. The writer uploads `blobs`, then
 * `children`, then the manifest itself, so nothing ever points at content the registry lacks.
 */
export interface ManifestNode {
  /** Describes `bytes`: the digest is the sha256 of exactly these bytes. */
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  readonly blobs: readonly BlobSource[];
  readonly children: readonly ManifestNode[];
}
