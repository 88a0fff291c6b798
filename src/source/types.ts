import type { BlobSource, Descriptor, ManifestNode, Platform } from '../oci/descriptor.ts';

/** Where an image comes from: an OCI layout, an archive, the Docker daemon. */
export interface ImageSource {
  /** How the user named it, for logs and errors. */
  readonly name: string;
  /** Reads and checks the manifest tree; blob contents are read later, only when uploaded. */
  load(options?: LoadOptions): Promise<LoadedImage>;
  /** Manifests in the source that name one of `subjects` as their `subject` (OCI 1.1 referrers). */
  referrers?(subjects: ReadonlySet<string>): Promise<ManifestNode[]>;
  /**
   * The registry repository the blobs stream from, for a source that is one (`docker://`): the writer mounts
   * from there into destinations on the same registry, and copies the bytes across to the others.
   */
  readonly copyFrom?: { readonly registry: string; readonly repository: string };
  /**
   * The digest the image's root manifest has, when the source knows it without reading its blobs (the
   * containerd image store: the image ID). A push whose destinations already hold it reads it back from the
   * registry instead of loading the source. Undefined when the source cannot say.
   */
  knownRootDigest?(): Promise<string | undefined>;
  /** Releases files and temporary data. */
  close(): Promise<void>;
}

export interface LoadOptions {
  /**
   * Where a source that can only stream its blobs once, in an order of its own (the engine's `docker save`),
   * hands each large blob as its bytes arrive, before load() resolves: the caller starts its upload at once,
   * and the promise settles once the registry holds it. Without it, such blobs wait in temporary files.
   */
  readonly blobSink?: ((blob: BlobSource) => Promise<unknown>) | undefined;
}

/** A layer whose pushed form is not known until it is compressed, or found in the blob map. */
export interface PendingLayer {
  /** sha256 of the uncompressed layer, as the image config names it. */
  readonly diffId: string;
  /** Produces the blob to push (compressing it if needed) and checks it against the diffID. */
  prepare(): Promise<BlobSource>;
}

/**
 * An image whose manifest is built at push time (from `docker save` output with uncompressed layers): the
 * config is known, the layers are pending, and `build` writes the manifest once every layer has its blob.
 */
export interface PendingImage {
  readonly kind: 'pending';
  readonly config: BlobSource | PendingConfig;
  readonly layers: readonly PendingLayer[];
  /**
   * The platform the config (or the daemon's inspect) names: checked against the platforms input (a pending
   * image is one platform), and matched against what the registry holds.
   */
  readonly platform?: Platform | undefined;
  /** The base image label, when the config is not at hand (daemon): where the registry may pair its layers. */
  readonly baseName?: string;
  build(config: BlobSource, layers: readonly BlobSource[]): ManifestNode;
}

/** A config known by digest only (from `docker inspect`); its size and bytes come from the registry or a save. */
export interface PendingConfig {
  readonly descriptor: Descriptor;
  prepare(): Promise<BlobSource>;
}

export type LoadedImage = ManifestNode | PendingImage;

export function isPending(image: LoadedImage): image is PendingImage {
  return 'kind' in image;
}
