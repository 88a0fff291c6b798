import { parseManifest } from '../oci/manifest.ts';
import { SourceError } from '../errors.ts';
import { DirectoryFiles, TarFiles, type LayoutFiles } from './layout-files.ts';
import { layoutStore, loadManifestTree } from './manifest-tree.ts';
import type { Descriptor, ManifestNode } from '../oci/descriptor.ts';
import type { ImageSource } from './types.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

interface IndexJson {
  schemaVersion?: number;
  manifests?: Descriptor[];
}

/**
 * An OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md), either a
 * directory (`oci:`) or an uncompressed tar of one (`oci-archive:`).
 */
export class OciLayoutSource implements ImageSource {
  readonly name: string;
  readonly #openFiles: () => Promise<LayoutFiles>;
  readonly #tag: string | undefined;
  /** What load() read, for referrers(): the layout's files and its index.json entries. */
  #loaded: { files: LayoutFiles; entries: Descriptor[] } | undefined;

  private constructor(name: string, tag: string | undefined, openFiles: () => Promise<LayoutFiles>) {
    this.name = name;
    this.#tag = tag;
    this.#openFiles = openFiles;
  }

  static directory(path: string, tag: string | undefined): OciLayoutSource {
    const name = `oci:${path}${tag ? `:${tag}` : ''}`;
    return new OciLayoutSource(name, tag, () => Promise.resolve(new DirectoryFiles(path, name)));
  }

  static archive(path: string, tag: string | undefined): OciLayoutSource {
    const name = `oci-archive:${path}${tag ? `:${tag}` : ''}`;
    return new OciLayoutSource(name, tag, async () => {
      try {
        return await TarFiles.open(path, name);
      } catch (err) {
        throw new SourceError(
          `${name}: cannot read the archive: ${(err as Error).message}`,
          /truncated/.test((err as Error).message)
            ? 'the file is cut short; copy or export it again'
            : 'pass an uncompressed tar of an OCI layout, as `skopeo copy ... oci-archive:` writes (gunzip it first if it is .tar.gz)',
          { cause: err },
        );
      }
    });
  }

  async load(): Promise<ManifestNode> {
    const files = await this.#openFiles();
    const missing: string[] = [];
    for (const file of ['oci-layout', 'index.json'])
      if ((await files.size(file)) === undefined) missing.push(file);
    if (missing.length) {
      throw new SourceError(
        `${this.name}: not an OCI image layout (it has no ${missing.join(' and no ')} file)`,
        'export the image with `skopeo copy ... oci:DIR:TAG` or `docker buildx build --output type=oci`',
      );
    }
    const layoutVersion = this.#parse(await files.read('oci-layout'), 'oci-layout') as {
      imageLayoutVersion?: unknown;
    } | null;
    if (layoutVersion?.imageLayoutVersion !== '1.0.0') {
      throw new SourceError(
        `${this.name}: unsupported imageLayoutVersion ${JSON.stringify(layoutVersion?.imageLayoutVersion)} in oci-layout`,
        'image-push reads layouts of version "1.0.0"; export the image again with skopeo or buildx',
      );
    }
    const index = this.#parse(await files.read('index.json'), 'index.json') as IndexJson | null;
    // JSON that parses but is no object (`null`, a list) has no manifests to offer either.
    const manifests = index?.manifests;
    if (!Array.isArray(manifests)) {
      throw new SourceError(
        `${this.name}: index.json has no "manifests" list`,
        'the layout is corrupt; export it again',
      );
    }
    const bad = manifests.findIndex((m: unknown) => typeof m !== 'object' || m === null || Array.isArray(m));
    if (bad !== -1) {
      throw new SourceError(
        `${this.name}: index.json manifests[${bad}] is ${JSON.stringify(manifests[bad])}, not a descriptor`,
        'the layout is corrupt; export it again',
      );
    }
    this.#loaded = { files, entries: manifests };
    return loadManifestTree(layoutStore(files, this.name), this.#select(manifests), this.name);
  }

  /**
   * Artifacts in the layout whose `subject` is one of `subjects` (signatures, SBOMs, attestations, as
   * `oras` and `cosign` store them next to the image), and the artifacts of those, in push order.
   */
  async referrers(subjects: ReadonlySet<string>): Promise<ManifestNode[]> {
    if (!this.#loaded) return [];
    const { files, entries } = this.#loaded;
    const found: ManifestNode[] = [];
    const wanted = new Set(subjects);
    const candidates = entries.filter((entry) => !wanted.has(entry.digest) && entry.size <= 4 << 20);
    for (let grew = true; grew;) {
      grew = false;
      for (const entry of candidates) {
        if (wanted.has(entry.digest)) continue;
        // Another image of the layout that cannot be read is not this push's business.
        const node = await loadManifestTree(layoutStore(files, this.name), entry, this.name).catch(
          () => undefined,
        );
        if (!node) continue;
        const subject = parseManifest(node.bytes, node.descriptor.mediaType).subject; // checked as it loaded
        if (subject && wanted.has(subject.digest)) {
          found.push(node);
          wanted.add(entry.digest);
          grew = true;
        }
      }
    }
    return found;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Picks the image named by the tag, or the only one when no tag was given. */
  #select(entries: Descriptor[]): Descriptor {
    const names = entries.map(
      (entry) => entry.annotations?.[REF_NAME] ?? entry.annotations?.[CONTAINERD_NAME],
    );
    const listed = names.filter((name) => name !== undefined).join(', ') || 'none';
    const tag = this.#tag;
    if (tag === undefined) {
      const [only] = entries;
      if (only && entries.length === 1) return only;
      throw new SourceError(
        `${this.name}: the layout holds ${entries.length} images (names: ${listed})`,
        entries.length
          ? 'name one after the path, as oci:PATH:NAME'
          : 'the layout is empty; export an image into it',
      );
    }
    // Tools write either the bare tag or a whole reference as the name; accept both.
    const matches = entries.filter((_, i) => {
      const name = names[i];
      return name !== undefined && (name === tag || name.endsWith(`:${tag}`));
    });
    const [match] = matches;
    if (match && matches.length === 1) return match;
    throw new SourceError(
      matches.length
        ? `${this.name}: ${matches.length} images in the layout are named "${tag}"`
        : `${this.name}: no image named "${tag}" in the layout (names: ${listed})`,
      'name one of the listed images',
    );
  }

  #parse(bytes: Buffer, file: string): unknown {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new SourceError(
        `${this.name}: ${file} is not valid JSON`,
        'the layout is corrupt; export it again',
      );
    }
  }
}
