import type { BlobMap } from '../cache/blob-map.ts';
import { SourceError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import type { Limit } from '../limit.ts';
import type { Logger } from '../log.ts';
import type { BlobSource, Descriptor, ManifestNode } from '../oci/descriptor.ts';
import { blobExists, mountBlob } from '../registry/blobs.ts';
import { manifestExists, putManifest } from '../registry/manifests.ts';
import { uploadBlob } from '../registry/upload.ts';
import { ProgressReporter } from './progress.ts';
import { putTagAndReadBack } from './tag-read-back.ts';
import { tallyBlobs, type BlobAction, type BlobReport, type BlobTally } from './result.ts';
import type { Target } from './session.ts';
import { waves } from './manifest-order.ts';
import type { RepositoryTarget } from './targets.ts';

/** What a planner knows about one blob beyond its bytes. */
export interface BlobHints {
  /**
   * Repositories on the target's registry that may hold the blob (the blob map, a base image, the source
   * repository of a copy): a mount is tried from each, in order, before any byte is sent.
   */
  readonly mountFrom?: readonly string[];
  /**
   * The mounts are tried before the HEAD: the blob map says other repositories hold the blob and not this one,
   * so a mount (one request) is the likely answer and the HEAD would only precede it.
   */
  readonly mountFirst?: boolean;
  /** Compressed by this push (the report says so). */
  readonly compressed?: boolean;
  /**
   * Where the bytes stream from, for a copy (merge, a `docker://` source): on the target's registry a mount
   * from there is tried first; when it is the target itself, an absent blob is lost and `missing` is thrown.
   */
  readonly copyFrom?: { readonly registry: string; readonly repository: string };
  /** The error when the blob is absent and cannot be supplied (`available` false, or lost from `copyFrom`). */
  readonly missing?: () => Error;
}

/** A blob and its hints, as a plan lists it for one target. */
export interface BlobWrite {
  readonly target: Target;
  readonly blob: BlobSource;
  readonly hints?: BlobHints;
}

/** The tags or digests a root manifest goes up under, in one repository. */
export interface RootReferences {
  readonly target: Target;
  readonly references: readonly string[];
  /** The repository holds the root already (a tag names it), so every manifest below it too: none is checked. */
  readonly holdsRoot?: boolean;
}

export interface WriterOptions {
  /** The session's limiter: every registry request goes through it. */
  readonly limit: Limit;
  readonly logger: Logger;
  /** Named in errors about the source's blobs (push: the source reference); none for a merge. */
  readonly sourceName?: string | undefined;
  readonly chunkSize?: number | undefined;
  /** Told where each blob now lives, so later pushes can mount it. */
  readonly blobMap?: BlobMap | undefined;
  /** Mount sources tried per blob besides the registry-wide first copy; go-containerregistry tries 3. */
  readonly maxMountSources?: number;
  /** false: a tag another push moved right after ours fails the push (see putTag); default true: a warning. */
  readonly overwrite?: boolean;
}

/**
 * The one writer behind push, merge and copy, in the spirit of go-containerregistry's remote pusher: one
 * memo per repository and digest behind every blob write (HEAD, then mount, then upload), one commit order
 * for manifests, one failure policy, one tally.
 *
 * Upload once per registry: when several repositories of one registry need a blob, the first to need it
 * uploads it (or mounts it from a hint) and the others mount it from there, so the bytes cross the network
 * once per registry, not once per repository.
 *
 * Failure policy: the first failure stops the writer. Blob writes not yet started fail with that same error,
 * those in flight are awaited (no request is left running against a closing connection), no manifest goes
 * up, and the first failure in the plan's order is what is thrown: never an AggregateError.
 */
export class Writer {
  readonly #lostTags = new Set<string>();
  readonly #options: WriterOptions;
  readonly #reports = new Map<string, Promise<BlobReport>>();
  /** registry@digest -> the repository that holds the blob once the first write there is done. */
  readonly #holders = new Map<string, Promise<string>>();
  readonly #settled = new Map<string, BlobReport>();
  readonly #progress: ProgressReporter;
  #failure: { error: unknown } | undefined;

  constructor(options: WriterOptions) {
    this.#options = options;
    this.#progress = new ProgressReporter({ totalBytes: 0, logger: options.logger });
  }

  /**
   * Makes sure `target` holds `blob`, once per repository and digest however often it is asked: HEAD, a
   * mount from the registry's first copy or a hint, else an upload. The hints of the first call win.
   */
  ensureBlob(target: Target, blob: BlobSource, hints: BlobHints = {}): Promise<BlobReport> {
    const key = `${target.registry}/${target.repository}@${blob.descriptor.digest}`;
    let report = this.#reports.get(key);
    if (!report) {
      report = this.#write(target, blob, hints).then(
        (done) => {
          this.#settled.set(key, done);
          return done;
        },
        (err: unknown) => {
          this.#failure ??= { error: err };
          throw err;
        },
      );
      report.catch(() => undefined); // awaited by whoever asked, and by settle()
      this.#reports.set(key, report);
    }
    return report;
  }

  /**
   * Records a blob the caller found present with its own HEAD (or mounted: a layer the registry pairs),
   * never written. A later ensureBlob for it returns this record.
   */
  markPresent(
    target: Target,
    descriptor: Descriptor,
    how: { fromBlobMap: boolean; action?: 'skipped' | 'mounted' },
  ): void {
    const key = `${target.registry}/${target.repository}@${descriptor.digest}`;
    if (this.#reports.has(key)) return;
    const { fromBlobMap, action = 'skipped' } = how;
    const done = report(target, descriptor, action, { compressed: false, fromBlobMap, seconds: 0 });
    this.#settled.set(key, done);
    this.#reports.set(key, Promise.resolve(done));
    this.#noteHolder(target, descriptor.digest);
  }

  /** Every write of the list, largest blob first (the critical path never waits behind small ones). */
  async ensureAll(writes: readonly BlobWrite[]): Promise<BlobReport[]> {
    const bySize = [...writes].sort((a, b) => b.blob.descriptor.size - a.blob.descriptor.size);
    return this.settle(bySize.map((w) => this.ensureBlob(w.target, w.blob, w.hints)));
  }

  /**
   * Puts the manifests up once every blob write is done: `children` (children first, as postOrder gives
   * them) by digest in every repository `references` names, a manifest only after the ones it names, then
   * `root` under each repository's references. No tag moves unless everything it needs is in place.
   */
  async commit(
    children: readonly ManifestNode[],
    root: ManifestNode,
    references: readonly RootReferences[],
  ): Promise<void> {
    await this.settle([...this.#reports.values()]);
    const targets = references.filter((r) => !r.holdsRoot).map((r) => r.target);
    const { limit, logger } = this.#options;
    for (const wave of waves(children)) {
      await this.settle(
        wave.flatMap((node) =>
          targets.map((t) =>
            // One the repository holds already (a rollback, a promotion) costs a HEAD, not a PUT.
            limit(async () => {
              if (await manifestExists(t.client, t.repository, node.descriptor)) return;
              await putManifest(t.client, t.repository, node.descriptor.digest, node.descriptor, node.bytes);
            }),
          ),
        ),
      );
    }
    const check = { overwrite: this.#options.overwrite !== false, log: logger };
    for (const { target, references: refs } of references) {
      const held = await this.settle(
        refs.map((reference) =>
          limit(async () => {
            if (!reference.startsWith('sha256:'))
              return putTagAndReadBack(target, reference, root.descriptor, root.bytes, check);
            await putManifest(target.client, target.repository, reference, root.descriptor, root.bytes);
            return true;
          }),
        ),
      );
      for (const [i, reference] of refs.entries()) {
        if (!held[i]) {
          this.#lostTags.add(`${target.registry}/${target.repository}:${reference}`);
          continue; // lost to another push: said in a warning, never "pushed"
        }
        const sep = reference.startsWith('sha256:') ? '@' : ':';
        logger.info(`pushed ${target.registry}/${target.repository}${sep}${reference}`);
      }
    }
  }

  /**
   * The failure policy, for every group of writes: waits for all of them, then throws the first failure in
   * the given order (the same inputs always report the same error), or the writer's first failure.
   */
  async settle<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (this.#failure) throw this.#failure.error;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  /** Whether another push moved this tag right after this one's PUT (see putTag): then it is not reported. */
  lostTag(target: { registry: string; repository: string }, tag: string): boolean {
    return this.#lostTags.has(`${target.registry}/${target.repository}:${tag}`);
  }

  /** Waits for every blob write started so far, failed or not: before the connections close. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#reports.values());
    this.#progress.stop();
  }

  /** Every blob write that finished, in the order they were first asked for. */
  get reports(): BlobReport[] {
    return [...this.#reports.keys()].flatMap((key) => this.#settled.get(key) ?? []);
  }

  /** The counts of what happened: the one place outputs, summary and log lines take them from. */
  get tally(): BlobTally {
    return tallyBlobs(this.reports);
  }

  /** One line for the log: what the blobs cost. */
  describe(digest: string, repositories: number): string {
    const { uploaded, mounted, skipped } = this.tally;
    return (
      `${digest}: ${uploaded.count} blobs uploaded (${formatBytes(uploaded.bytes)}), ${mounted.count} mounted, ` +
      `${skipped.count} already present (${formatBytes(skipped.bytes)}), ` +
      `${repositories} ${repositories === 1 ? 'repository' : 'repositories'}`
    );
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  #noteHolder(target: Target, digest: string): void {
    const key = `${target.registry}@${digest}`;
    if (!this.#holders.has(key)) this.#holders.set(key, Promise.resolve(target.repository));
  }

  async #write(target: Target, blob: BlobSource, hints: BlobHints): Promise<BlobReport> {
    const { limit, logger, blobMap } = this.#options;
    const { digest } = blob.descriptor;
    const compressed = hints.compressed ?? false;
    const done = (action: BlobAction, seconds = 0): BlobReport => {
      blobMap?.recordLocation(digest, target.registry, target.repository);
      return report(target, blob.descriptor, action, { compressed, fromBlobMap: false, seconds });
    };
    this.#throwIfFailed();
    const max = this.#options.maxMountSources ?? 3;
    const tried = new Set<string>();
    if (hints.mountFirst && hints.copyFrom === undefined) {
      for (const from of (hints.mountFrom ?? []).filter((r) => r !== target.repository).slice(0, max)) {
        tried.add(from);
        this.#throwIfFailed();
        if (await limit(() => mountBlob(target.client, target.repository, blob.descriptor, from))) {
          logger.info(`mounted ${digest} from ${from} into ${target.repository}`);
          this.#noteHolder(target, digest);
          return done('mounted');
        }
      }
    }
    if (await limit(() => blobExists(target.client, target.repository, blob.descriptor))) {
      this.#noteHolder(target, digest);
      return done('skipped');
    }

    const holderKey = `${target.registry}@${digest}`;
    const holder = this.#holders.get(holderKey);
    let claim: ((repository: string | undefined) => void) | undefined;
    const { copyFrom } = hints;
    // The repository a copy reads from, when it is on this registry: a mount from there costs no bytes.
    const local = copyFrom?.registry === target.registry ? copyFrom.repository : undefined;
    if (local === target.repository) throw this.#missing(target, blob, hints);
    const candidates = [...(local === undefined ? [] : [local]), ...(hints.mountFrom ?? [])];
    // A source repository on this registry is mounted from at once; otherwise the first destination of the
    // registry to get here writes the blob, and the others wait for it and mount from there.
    if (holder && local === undefined) {
      candidates.unshift(await holder);
    } else if (local === undefined) {
      const { promise, resolve } = Promise.withResolvers<string>();
      this.#holders.set(holderKey, promise);
      // Failed: a waiting repository finds no copy to mount from and writes the blob itself.
      claim = (repository) => resolve(repository ?? '');
    }
    try {
      const sources = [...new Set(candidates)].filter(
        (r) => r !== '' && r !== target.repository && !tried.has(r),
      );
      for (const from of sources.slice(0, holder ? max + 1 : max)) {
        this.#throwIfFailed();
        if (await limit(() => mountBlob(target.client, target.repository, blob.descriptor, from))) {
          logger.info(`mounted ${digest} from ${from} into ${target.repository}`);
          claim?.(target.repository);
          return done('mounted');
        }
        logger.debug(`${target.registry} declined to mount ${digest} from ${from} into ${target.repository}`);
      }
      if (!blob.available) throw this.#missing(target, blob, hints);
      const seconds = await limit(() => this.#upload(target, blob));
      logger.info(
        `${copyFrom ? 'copied' : 'uploaded'} ${digest} (${formatBytes(blob.descriptor.size)})` +
          `${copyFrom ? ` from ${copyFrom.registry}/${copyFrom.repository}` : ''} to ${target.repository} in ${seconds.toFixed(1)}s`,
      );
      claim?.(target.repository);
      return done('uploaded', seconds);
    } finally {
      claim?.(undefined); // no-op when already resolved
    }
  }

  #missing(target: Target, blob: BlobSource, hints: BlobHints): Error {
    return (
      hints.missing?.() ??
      new SourceError(
        `${this.#options.sourceName ?? 'the source'}: blob ${blob.descriptor.digest} is missing from the source and from ${target.registry}/${target.repository}`,
        'the source is incomplete; export the whole image again',
      )
    );
  }

  /** One upload, with progress; returns its seconds. */
  async #upload(target: Target, blob: BlobSource): Promise<number> {
    this.#throwIfFailed();
    const started = performance.now();
    this.#progress.addTotal(blob.descriptor.size);
    const attempt = this.#progress.begin();
    let sent = 0;
    try {
      await uploadBlob(target.client, target.repository, blob, {
        chunkSize: this.#options.chunkSize,
        onProgress: (bytes) => {
          if (bytes > sent) attempt.add(bytes - sent);
          sent = Math.max(sent, bytes);
        },
      });
      attempt.done();
    } catch (err) {
      attempt.fail();
      // Name the source, as every other source error does.
      const name = this.#options.sourceName;
      if (name !== undefined && err instanceof SourceError && !err.message.startsWith(name)) {
        throw new SourceError(`${name}: ${err.message}`, err.hint, { cause: err });
      }
      throw err;
    }
    return (performance.now() - started) / 1000;
  }
}

function report(
  target: RepositoryTarget,
  descriptor: Descriptor,
  action: BlobAction,
  details: { compressed: boolean; fromBlobMap: boolean; seconds: number },
): BlobReport {
  const { digest, mediaType, size } = descriptor;
  return {
    repository: `${target.registry}/${target.repository}`,
    digest,
    mediaType,
    size,
    action,
    ...details,
  };
}
