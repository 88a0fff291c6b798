import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  LayerCompressor
} from "./action-7JMU3JPC.js";
import {
  RegistryError,
  RegistrySource,
  addToReferrersTag,
  blobSize,
  getManifest,
  loadRegistryImage,
  manifestExists,
  mountBlob,
  openBlob,
  planResult,
  planTree,
  postOrder,
  pushScope,
  putManifest,
  readSmallBlob,
  require_node_events,
  uniqueBlobs,
  withWriter,
  writePlan
} from "./action-FZSJVVC5.js";
import {
  checkPinnedDigests
} from "./action-MAUTNQXR.js";
import "./action-AUXMV2XP.js";
import {
  formatPlatform,
  platformMatches
} from "./action-33YKOHQK.js";
import {
  indexTar,
  normalise,
  readDockerSave
} from "./action-TEIRLARY.js";
import {
  readHead,
  require_promises as require_promises2,
  sniffCompression
} from "./action-XRD6C2XL.js";
import {
  MAX_CONFIG_BYTES,
  ManifestError,
  TooLargeError,
  layoutStore,
  loadManifestTree,
  parseManifest,
  readBounded
} from "./action-FBX2CC6P.js";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  createLimiter,
  isIndexMediaType,
  isManifestMediaType
} from "./action-GKFREAB2.js";
import {
  parseReference
} from "./action-QG7TUPY7.js";
import "./action-VOW7TFM6.js";
import {
  InputError,
  SourceError
} from "./action-QNNVT73O.js";
import "./action-3KCSIJ7J.js";
import {
  UnreadableFileError,
  fileKind,
  readRegularFile
} from "./action-TDGLVJ5A.js";
import {
  createSha256,
  require_node_path,
  require_promises,
  sha256Digest
} from "./action-KFWXCRBI.js";
import {
  formatBytes
} from "./action-7YDRSE4Y.js";
import {
  require_node_fs,
  require_node_os,
  require_node_stream
} from "./action-O6GVOO7T.js";
import {
  __toESM
} from "./action-JJ6ZGO25.js";

// src/source/index.ts
var import_node_fs2 = __toESM(require_node_fs(), 1);

// src/source/layout-files.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_promises2 = __toESM(require_promises(), 1);
var import_node_path = __toESM(require_node_path(), 1);
var import_node_stream2 = __toESM(require_node_stream(), 1);

// src/compress/file-blocks.ts
var import_promises = __toESM(require_promises(), 1);
var import_node_stream = __toESM(require_node_stream(), 1);
function readFileBlocks(path, start, length, blocks) {
  return new FileBlockReader(path, start, length, blocks);
}
var FileBlockReader = class extends import_node_stream.Readable {
  #path;
  #length;
  #end;
  #blocks;
  #position;
  #handle;
  constructor(path, start, length, blocks) {
    super({ highWaterMark: 1 });
    this.#path = path;
    this.#length = length;
    this.#position = start;
    this.#end = length === void 0 ? Infinity : start + length;
    this.#blocks = blocks;
  }
  _read() {
    this.#next().then(
      (chunk) => this.push(chunk),
      (err) => this.destroy(err)
    );
  }
  _destroy(err, callback) {
    if (!this.#handle) return callback(err);
    this.#handle.then((handle) => handle.close()).then(
      () => callback(err),
      (closeErr) => callback(err ?? closeErr)
    );
  }
  /** The next block, cut to what was read; null at the end. */
  async #next() {
    if (this.#position >= this.#end) return null;
    const handle = await (this.#handle ??= (0, import_promises.open)(this.#path, "r"));
    const block = this.#blocks.lend();
    const want = Math.min(block.length, this.#end - this.#position);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(block, filled, want - filled, this.#position + filled);
      if (bytesRead === 0) {
        if (this.#length === void 0) break;
        throw new Error(`${this.#path}: the file ends ${this.#end - this.#position - filled} bytes early`);
      }
      filled += bytesRead;
    }
    this.#position += filled;
    if (filled === 0) {
      this.#blocks.giveBack(block);
      return null;
    }
    return filled === block.length ? block : block.subarray(0, filled);
  }
};

// src/source/layout-files.ts
var MAX_METADATA_BYTES = 64 << 20;
function notAFile(sourceName, path, what) {
  return new SourceError(
    `${sourceName}: ${path} is ${what}, not a regular file`,
    "the image is damaged; export or save it again"
  );
}
function tooLarge(sourceName, path, size) {
  return new SourceError(
    `${sourceName}: ${path} is ${size}, more than the ${formatBytes(MAX_METADATA_BYTES)} image-push reads for a metadata file`,
    "this is not an image export; export or save the image again"
  );
}
var DirectoryFiles = class {
  #root;
  #sourceName;
  constructor(root, sourceName = root) {
    this.#root = root;
    this.#sourceName = sourceName;
  }
  async size(path) {
    let info;
    try {
      info = await (0, import_promises2.stat)((0, import_node_path.join)(this.#root, path));
    } catch {
      return void 0;
    }
    if (!info.isFile()) throw notAFile(this.#sourceName, path, fileKind(info));
    return info.size;
  }
  async read(path) {
    try {
      return await readRegularFile((0, import_node_path.join)(this.#root, path), MAX_METADATA_BYTES);
    } catch (err) {
      if (!(err instanceof UnreadableFileError)) throw err;
      const info = await (0, import_promises2.stat)(err.path);
      if (!info.isFile()) throw notAFile(this.#sourceName, path, fileKind(info));
      throw tooLarge(this.#sourceName, path, info.size ? formatBytes(info.size) : "endless");
    }
  }
  open(path, blocks) {
    if (blocks) return readFileBlocks((0, import_node_path.join)(this.#root, path), 0, void 0, blocks);
    return (0, import_node_fs.createReadStream)((0, import_node_path.join)(this.#root, path), { highWaterMark: 1 << 20 });
  }
};
var TarFiles = class _TarFiles {
  #archive;
  #entries;
  #sourceName;
  constructor(archive, entries, sourceName) {
    this.#archive = archive;
    this.#entries = entries;
    this.#sourceName = sourceName;
  }
  static async open(archive, sourceName = archive) {
    return new _TarFiles(archive, await indexTar(archive), sourceName);
  }
  size(path) {
    const name = normalise(path);
    const other = this.#entries.others.get(name);
    if (other) return Promise.reject(notAFile(this.#sourceName, `${path} in the archive`, other));
    return Promise.resolve(this.#entries.get(name)?.size);
  }
  async read(path) {
    const entry = this.#entry(path);
    if (entry.size > MAX_METADATA_BYTES) throw tooLarge(this.#sourceName, path, formatBytes(entry.size));
    const buffer = Buffer.alloc(entry.size);
    const handle = await (0, import_promises2.open)(this.#archive, "r");
    try {
      await handle.read(buffer, 0, entry.size, entry.offset);
    } finally {
      await handle.close();
    }
    return buffer;
  }
  open(path, blocks) {
    const entry = this.#entry(path);
    if (entry.size === 0) return import_node_stream2.Readable.from([]);
    if (blocks) return readFileBlocks(this.#archive, entry.offset, entry.size, blocks);
    return (0, import_node_fs.createReadStream)(this.#archive, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: 1 << 20
    });
  }
  #entry(path) {
    const entry = this.#entries.get(normalise(path));
    if (!entry) throw new Error(`no entry "${path}" in the archive`);
    return entry;
  }
};

// src/source/docker-archive.ts
var DockerArchiveSource = class {
  name;
  #path;
  #ref;
  #compressor;
  constructor(path, ref, compressor) {
    this.name = `docker-archive:${path}${ref ? `:${ref}` : ""}`;
    this.#path = path;
    this.#ref = ref;
    this.#compressor = compressor;
  }
  async load() {
    let files;
    try {
      files = await TarFiles.open(this.#path, this.name);
    } catch (err) {
      throw new SourceError(
        `${this.name}: cannot read the archive: ${err.message}`,
        /truncated/.test(err.message) ? "the file is cut short; save the image again" : "pass an uncompressed tarball written by `docker save` (gunzip it first if it is .tar.gz)",
        { cause: err }
      );
    }
    return readDockerSave(files, this.#ref, this.name, async (path, diffId) => {
      const size = await files.size(path);
      if (size === void 0) {
        throw new SourceError(
          `${this.name}: layer ${path} is missing from the archive`,
          "save the image again"
        );
      }
      const stored = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path)?.[1];
      if (stored && `sha256:${stored}` !== diffId) {
        const kind = sniffCompression(await readHead(files.open(path)));
        if (kind !== "none") {
          return {
            descriptor: {
              mediaType: kind === "zstd" ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP,
              digest: `sha256:${stored}`,
              size
            },
            available: true,
            open: () => Promise.resolve(files.open(path))
          };
        }
      }
      return this.#compressor.prepare((blocks) => files.open(path, blocks), diffId, this.name);
    });
  }
  close() {
    return Promise.resolve();
  }
};

// src/source/oci-layout.ts
var REF_NAME = "org.opencontainers.image.ref.name";
var CONTAINERD_NAME = "io.containerd.image.name";
var OciLayoutSource = class _OciLayoutSource {
  name;
  #openFiles;
  #tag;
  /** What load() read, for referrers(): the layout's files and its index.json entries. */
  #loaded;
  constructor(name, tag, openFiles) {
    this.name = name;
    this.#tag = tag;
    this.#openFiles = openFiles;
  }
  static directory(path, tag) {
    const name = `oci:${path}${tag ? `:${tag}` : ""}`;
    return new _OciLayoutSource(name, tag, () => Promise.resolve(new DirectoryFiles(path, name)));
  }
  static archive(path, tag) {
    const name = `oci-archive:${path}${tag ? `:${tag}` : ""}`;
    return new _OciLayoutSource(name, tag, async () => {
      try {
        return await TarFiles.open(path, name);
      } catch (err) {
        throw new SourceError(
          `${name}: cannot read the archive: ${err.message}`,
          /truncated/.test(err.message) ? "the file is cut short; copy or export it again" : "pass an uncompressed tar of an OCI layout, as `skopeo copy ... oci-archive:` writes (gunzip it first if it is .tar.gz)",
          { cause: err }
        );
      }
    });
  }
  async load() {
    const files = await this.#openFiles();
    const missing = [];
    for (const file of ["oci-layout", "index.json"])
      if (await files.size(file) === void 0) missing.push(file);
    if (missing.length) {
      throw new SourceError(
        `${this.name}: not an OCI image layout (it has no ${missing.join(" and no ")} file)`,
        "export the image with `skopeo copy ... oci:DIR:TAG` or `docker buildx build --output type=oci`"
      );
    }
    const layoutVersion = this.#parse(await files.read("oci-layout"), "oci-layout");
    if (layoutVersion?.imageLayoutVersion !== "1.0.0") {
      throw new SourceError(
        `${this.name}: unsupported imageLayoutVersion ${JSON.stringify(layoutVersion?.imageLayoutVersion)} in oci-layout`,
        'image-push reads layouts of version "1.0.0"; export the image again with skopeo or buildx'
      );
    }
    const index = this.#parse(await files.read("index.json"), "index.json");
    const manifests = index?.manifests;
    if (!Array.isArray(manifests)) {
      throw new SourceError(
        `${this.name}: index.json has no "manifests" list`,
        "the layout is corrupt; export it again"
      );
    }
    const bad = manifests.findIndex((m) => typeof m !== "object" || m === null || Array.isArray(m));
    if (bad !== -1) {
      throw new SourceError(
        `${this.name}: index.json manifests[${bad}] is ${JSON.stringify(manifests[bad])}, not a descriptor`,
        "the layout is corrupt; export it again"
      );
    }
    this.#loaded = { files, entries: manifests };
    return loadManifestTree(layoutStore(files, this.name), this.#select(manifests), this.name);
  }
  /**
   * Artifacts in the layout whose `subject` is one of `subjects` (signatures, SBOMs, attestations, as
   * `oras` and `cosign` store them next to the image), and the artifacts of those, in push order.
   */
  async referrers(subjects) {
    if (!this.#loaded) return [];
    const { files, entries } = this.#loaded;
    const found = [];
    const wanted = new Set(subjects);
    const candidates = entries.filter((entry) => !wanted.has(entry.digest) && entry.size <= 4 << 20);
    for (let grew = true; grew; ) {
      grew = false;
      for (const entry of candidates) {
        if (wanted.has(entry.digest)) continue;
        const node = await loadManifestTree(layoutStore(files, this.name), entry, this.name).catch(
          () => void 0
        );
        if (!node) continue;
        const subject = parseManifest(node.bytes, node.descriptor.mediaType).subject;
        if (subject && wanted.has(subject.digest)) {
          found.push(node);
          wanted.add(entry.digest);
          grew = true;
        }
      }
    }
    return found;
  }
  close() {
    return Promise.resolve();
  }
  /** Picks the image named by the tag, or the only one when no tag was given. */
  #select(entries) {
    const names = entries.map(
      (entry) => entry.annotations?.[REF_NAME] ?? entry.annotations?.[CONTAINERD_NAME]
    );
    const listed = names.filter((name) => name !== void 0).join(", ") || "none";
    const tag = this.#tag;
    if (tag === void 0) {
      const [only] = entries;
      if (only && entries.length === 1) return only;
      throw new SourceError(
        `${this.name}: the layout holds ${entries.length} images (names: ${listed})`,
        entries.length ? "name one after the path, as oci:PATH:NAME" : "the layout is empty; export an image into it"
      );
    }
    const matches = entries.filter((_, i) => {
      const name = names[i];
      return name !== void 0 && (name === tag || name.endsWith(`:${tag}`));
    });
    const [match] = matches;
    if (match && matches.length === 1) return match;
    throw new SourceError(
      matches.length ? `${this.name}: ${matches.length} images in the layout are named "${tag}"` : `${this.name}: no image named "${tag}" in the layout (names: ${listed})`,
      "name one of the listed images"
    );
  }
  #parse(bytes, file) {
    try {
      return JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new SourceError(
        `${this.name}: ${file} is not valid JSON`,
        "the layout is corrupt; export it again"
      );
    }
  }
};

// src/source/index.ts
var TRANSPORTS = ["oci", "oci-archive", "docker-archive", "docker-daemon", "docker"];
function openSource(reference, compressor, clients) {
  const input = reference.trim();
  const colon = input.indexOf(":");
  const transport = colon === -1 ? "" : input.slice(0, colon);
  const rest = input.slice(colon + 1);
  if (transport === "docker") {
    if (!rest.startsWith("//")) {
      throw new InputError(
        `image "${input}": the registry transport is written docker://REGISTRY/REPOSITORY:TAG`,
        `write docker:${rest.startsWith("/") ? "/" : "//"}${rest}`
      );
    }
    if (!clients) throw new Error("openSource: a docker:// source needs registry clients");
    return new RegistrySource(rest.slice(2), clients);
  }
  if (transport === "docker-daemon" || !TRANSPORTS.includes(transport)) {
    const name2 = transport === "docker-daemon" ? rest : input;
    try {
      parseReference(name2);
    } catch (err) {
      if (transport === "docker-daemon") throw err;
      throw new InputError(
        `image "${input}": unknown transport "${transport || input}", and not an image name either`,
        `write the source as ${TRANSPORTS.map((t) => t === "docker" ? "docker://..." : `${t}:...`).join(", ")} or a Docker image name`
      );
    }
    return daemonSource(name2, compressor);
  }
  const { path, name } = splitPathAndName(rest);
  if (path === "")
    throw new InputError(`image "${input}": no path after "${transport}:"`, "name the file or directory");
  if (!(0, import_node_fs2.existsSync)(path)) {
    throw new InputError(
      `image "${input}": path "${path}" does not exist`,
      "check the path (it is relative to the working directory)"
    );
  }
  const stats = (0, import_node_fs2.statSync)(path);
  if (transport === "oci" && !stats.isDirectory()) {
    throw new InputError(
      `image "${input}": "${path}" is ${fileKind(stats)}, but oci: reads an OCI layout directory`,
      stats.isFile() ? `for a tar file write oci-archive:${path} (an OCI layout) or docker-archive:${path} (docker save)` : "name the directory of an OCI image layout"
    );
  }
  if (transport !== "oci" && stats.isDirectory()) {
    throw new InputError(
      `image "${input}": "${path}" is a directory, but ${transport}: reads a tar file`,
      `for an OCI layout directory write oci:${path}`
    );
  }
  if (transport !== "oci" && !stats.isFile()) {
    throw new InputError(
      `image "${input}": "${path}" is ${fileKind(stats)}, but ${transport}: reads a tar file in place`,
      "save the archive to a regular file first"
    );
  }
  if (transport === "docker-archive") return new DockerArchiveSource(path, name, compressor);
  return transport === "oci" ? OciLayoutSource.directory(path, name) : OciLayoutSource.archive(path, name);
}
function splitPathAndName(rest) {
  if ((0, import_node_fs2.existsSync)(rest)) return { path: rest, name: void 0 };
  for (let colon2 = rest.indexOf(":"); colon2 !== -1; colon2 = rest.indexOf(":", colon2 + 1)) {
    if ((0, import_node_fs2.existsSync)(rest.slice(0, colon2)))
      return { path: rest.slice(0, colon2), name: rest.slice(colon2 + 1) || void 0 };
  }
  const colon = rest.lastIndexOf(":");
  if (colon === -1 || rest.slice(colon + 1).includes("/")) return { path: rest, name: void 0 };
  return { path: rest.slice(0, colon), name: rest.slice(colon + 1) || void 0 };
}
function daemonSource(image, compressor) {
  let source;
  const open3 = () => source ??= import("./action-NFLJ4EIX.js").then((m) => new m.DockerDaemonSource(image, compressor));
  return {
    name: `docker-daemon:${image}`,
    load: async (options) => (await open3()).load(options),
    knownRootDigest: async () => (await open3()).knownRootDigest?.(),
    close: async () => {
      if (source) await (await source).close();
    }
  };
}

// src/source/verify-layers.ts
var import_node_os = __toESM(require_node_os(), 1);

// src/compress/verify-diff-id.ts
var import_node_stream3 = __toESM(require_node_stream(), 1);
var import_promises3 = __toESM(require_promises2(), 1);

// src/compress/zstd-frames.ts
var import_node_events = __toESM(require_node_events(), 1);
async function* zstdDecompressFrames(source) {
  const splitter = new FrameSplitter();
  let decoder;
  let output = [];
  let failure;
  const start = () => {
    const d = process.getBuiltinModule("node:zlib").createZstdDecompress();
    d.on("data", (chunk) => output.push(chunk));
    d.on("error", (err) => failure ??= err);
    return d;
  };
  const flushOutput = function* () {
    if (failure) throw failure;
    const ready = output;
    output = [];
    yield* ready;
  };
  for await (const chunk of source) {
    for (const piece of splitter.split(chunk)) {
      if (piece.data.length > 0) {
        decoder ??= start();
        if (!decoder.write(piece.data)) await Promise.race([(0, import_node_events.once)(decoder, "drain"), (0, import_node_events.once)(decoder, "error")]);
      }
      if (piece.frameEnd && decoder) {
        const ended = (0, import_node_events.once)(decoder, "end");
        decoder.end();
        await Promise.race([ended, (0, import_node_events.once)(decoder, "error")]);
        decoder = void 0;
      }
      yield* flushOutput();
    }
  }
  splitter.finish();
  yield* flushOutput();
}
var ZSTD_MAGIC = 4247762216;
var FrameSplitter = class {
  #state = "magic";
  #need = 4;
  #held = Buffer.alloc(0);
  #remaining = 0;
  #checksum = false;
  #lastBlock = false;
  split(chunk) {
    const pieces = [];
    let pos = 0;
    let frameStart = 0;
    const emit = (end, frameEnd) => {
      if (end > frameStart || frameEnd) pieces.push({ data: chunk.subarray(frameStart, end), frameEnd });
      frameStart = end;
    };
    while (pos < chunk.length) {
      if (this.#state === "body" || this.#state === "skip") {
        const n2 = Math.min(this.#remaining, chunk.length - pos);
        if (this.#state === "skip") frameStart = pos + n2;
        pos += n2;
        this.#remaining -= n2;
        if (this.#remaining === 0) {
          if (this.#state === "skip") this.#expect("magic", 4);
          else this.#afterBlock();
          if (this.#frameDone) {
            this.#frameDone = false;
            emit(pos, true);
          }
        }
        continue;
      }
      const between = this.#state === "magic" || this.#state === "skipSize";
      if (between) emit(pos, false);
      const n = Math.min(this.#need - this.#held.length, chunk.length - pos);
      this.#held = Buffer.concat([this.#held, chunk.subarray(pos, pos + n)]);
      pos += n;
      if (between) frameStart = pos;
      if (this.#held.length < this.#need) continue;
      const header = this.#held;
      this.#held = Buffer.alloc(0);
      const wasMagic = this.#state === "magic";
      this.#header(header);
      if (wasMagic && this.#state === "descriptor") pieces.push({ data: header, frameEnd: false });
      if (this.#frameDone) {
        this.#frameDone = false;
        emit(pos, true);
      }
    }
    if (this.#state !== "skip") emit(pos, false);
    return pieces;
  }
  finish() {
    if (this.#state !== "magic" || this.#held.length > 0)
      throw new Error("the zstd stream ends in the middle of a frame");
  }
  #frameDone = false;
  /** Handles a complete header field. */
  #header(bytes) {
    switch (this.#state) {
      case "magic": {
        const magic = bytes.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) {
          this.#expect("descriptor", 1);
          return;
        }
        if ((magic & 4294967280) >>> 0 === 407710288) {
          this.#expect("skipSize", 4);
          return;
        }
        throw new Error("not a zstd frame (bad magic number)");
      }
      case "descriptor": {
        const d = bytes[0] ?? 0;
        const single = d >> 5 & 1;
        this.#checksum = (d >> 2 & 1) === 1;
        const dictionary = [0, 1, 2, 4][d & 3] ?? 0;
        const contentSize = [single, 2, 4, 8][d >> 6] ?? 0;
        const fixed = (single ? 0 : 1) + dictionary + contentSize;
        if (fixed > 0) this.#expect("fixed", fixed);
        else this.#expect("block", 3);
        return;
      }
      case "fixed":
        this.#expect("block", 3);
        return;
      case "block": {
        const h = (bytes[0] ?? 0) | (bytes[1] ?? 0) << 8 | (bytes[2] ?? 0) << 16;
        this.#lastBlock = (h & 1) === 1;
        const type = h >> 1 & 3;
        if (type === 3) throw new Error("not a zstd frame (reserved block type)");
        const size = type === 1 ? 1 : h >>> 3;
        if (size > 0) {
          this.#state = "body";
          this.#remaining = size;
        } else this.#afterBlock();
        return;
      }
      case "checksum":
        this.#endFrame();
        return;
      case "skipSize": {
        const size = bytes.readUInt32LE(0);
        if (size > 0) {
          this.#state = "skip";
          this.#remaining = size;
        } else this.#expect("magic", 4);
        return;
      }
      default:
        throw new Error(`zstd frame splitter: unexpected state ${this.#state}`);
    }
  }
  #afterBlock() {
    if (!this.#lastBlock) this.#expect("block", 3);
    else if (this.#checksum) this.#expect("checksum", 4);
    else this.#endFrame();
  }
  #endFrame() {
    this.#frameDone = true;
    this.#expect("magic", 4);
  }
  #expect(state, bytes) {
    this.#state = state;
    this.#need = bytes;
  }
};

// src/compress/verify-diff-id.ts
function layerCompression(mediaType) {
  if (/zstd/i.test(mediaType)) return "zstd";
  if (/gzip/i.test(mediaType)) return "gzip";
  return "none";
}
async function verifyDiffId(stream, mediaType, diffId, signal) {
  const hash = createSha256();
  let bytes = 0;
  const sink = new import_node_stream3.Writable({
    write(chunk, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback();
    }
  });
  const kind = layerCompression(mediaType);
  const options = signal ? { signal } : {};
  if (kind === "gzip")
    await (0, import_promises3.pipeline)(stream, process.getBuiltinModule("node:zlib").createGunzip(), sink, options);
  else if (kind === "zstd")
    await (0, import_promises3.pipeline)(stream, (source) => zstdDecompressFrames(source), sink, options);
  else await (0, import_promises3.pipeline)(stream, sink, options);
  const actual = `sha256:${hash.digest("hex")}`;
  return { ok: actual === diffId, actual, bytes };
}

// src/source/verify-layers.ts
async function verifyLayers(root, options) {
  const nodes = /* @__PURE__ */ new Map();
  const visit = (node) => {
    if (nodes.has(node.descriptor.digest)) return;
    nodes.set(node.descriptor.digest, node);
    node.children.forEach(visit);
  };
  visit(root);
  const limit = createLimiter(Math.max(1, Math.min(4, (0, import_node_os.availableParallelism)())));
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let firstError;
  const fail = (err) => {
    firstError ??= err;
    stop.abort();
    throw err;
  };
  const checks = [];
  for (const node of nodes.values()) {
    const [config, ...layers] = node.blobs;
    if (!config || ![OCI_CONFIG, DOCKER_CONFIG].includes(config.descriptor.mediaType)) continue;
    const where = `manifest ${node.descriptor.digest}`;
    const diffIds = await readDiffIds(config, options.sourceName, where);
    if (diffIds.length !== layers.length) {
      throw new SourceError(
        `${options.sourceName}: ${where} lists ${layers.length} layers but its config's rootfs.diff_ids names ${diffIds.length}`,
        "the image is inconsistent and docker pull would refuse it; build or export it again"
      );
    }
    for (const [i, layer] of layers.entries()) {
      if (!layer.available || options.skip?.(layer)) continue;
      const diffId = diffIds[i];
      checks.push(
        limit(async () => {
          signal.throwIfAborted();
          const { digest, mediaType } = layer.descriptor;
          let result;
          try {
            result = await verifyDiffId(await layer.open(), mediaType, diffId, signal);
          } catch (err) {
            if (signal.aborted) throw err;
            return fail(
              new SourceError(
                `${options.sourceName}: layer ${digest} (layers[${i}] of ${where}) cannot be decompressed as ${mediaType}: ${err.message}`,
                "the image is corrupt; build or export it again",
                { cause: err }
              )
            );
          }
          if (!result.ok) {
            return fail(
              new SourceError(
                `${options.sourceName}: layer ${digest} (layers[${i}] of ${where}) uncompresses to ${result.actual}, but the config's rootfs.diff_ids[${i}] is ${diffId}`,
                "the image is inconsistent and docker pull would refuse it; build or export it again"
              )
            );
          }
          return result.bytes;
        })
      );
    }
  }
  const results = await Promise.allSettled(checks);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw firstError ?? failed.reason;
  return {
    layers: checks.length,
    bytes: results.reduce((sum, r) => sum + (r.status === "fulfilled" ? r.value : 0), 0)
  };
}
async function readDiffIds(config, sourceName, where) {
  if (!config.available || config.descriptor.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `${sourceName}: the config of ${where} cannot be read to verify its layers`,
      "turn verify off for this image, or export it whole"
    );
  }
  const bytes = await readBounded(
    await config.open(),
    config.descriptor.size,
    () => new SourceError(
      `${sourceName}: the config of ${where} is longer than the ${config.descriptor.size} bytes its descriptor says`,
      "the image is corrupt; build or export it again"
    )
  );
  let diffIds;
  try {
    diffIds = JSON.parse(bytes.toString("utf8"))?.rootfs?.diff_ids;
  } catch {
    diffIds = void 0;
  }
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === "string")) {
    throw new SourceError(
      `${sourceName}: the config of ${where} has no rootfs.diff_ids list of strings`,
      "the image is corrupt; build or export it again"
    );
  }
  return diffIds;
}

// src/source/types.ts
function isPending(image) {
  return "kind" in image;
}

// src/push/reuse-layer.ts
async function reuseLayer(view, diffId, context, settled) {
  const { targets, limit, log } = context;
  const all = view.pairings.get(diffId) ?? [];
  const digests = [...new Set(all.map((p) => p.descriptor.digest))].filter(
    (digest) => (
      // Every destination registry must pair the layer with this blob itself.
      targets.every((t) => all.some((p) => p.registry === t.registry && p.descriptor.digest === digest))
    )
  );
  const preferred = context.compression === "zstd" ? OCI_LAYER_ZSTD : DOCKER_LAYER_GZIP;
  digests.sort(
    (a, b) => Number(all.find((p) => p.descriptor.digest === b)?.descriptor.mediaType === preferred) - Number(all.find((p) => p.descriptor.digest === a)?.descriptor.mediaType === preferred)
  );
  for (const digest of digests) {
    const pairing = all.find((p) => p.descriptor.digest === digest);
    const { descriptor } = pairing;
    const actions = await Promise.all(
      targets.map(async (target) => {
        const size = await limit(() => blobSize(target.client, target.repository, digest));
        if (size !== void 0) return size === descriptor.size ? "skipped" : void 0;
        const sources = all.filter(
          (p) => p.registry === target.registry && p.repository !== target.repository && p.descriptor.digest === digest
        );
        for (const from of new Set(sources.map((p) => p.repository))) {
          if (await limit(() => mountBlob(target.client, target.repository, descriptor, from)))
            return "mounted";
        }
        return void 0;
      })
    );
    if (actions.some((a) => a === void 0)) continue;
    if (context.verify === true) {
      const first = targets[0];
      const ok = await limit(async () => {
        const stream = await openBlob(first.client, first.repository, digest, pushScope(first.repository));
        if (!stream) return false;
        return (await verifyDiffId(stream, descriptor.mediaType, diffId).catch(() => void 0))?.ok === true;
      });
      if (!ok) {
        log.warning(
          `${first.registry}/${first.repository}: blob ${digest} does not decompress to layer ${diffId}, though manifest ${pairing.attestedBy} pairs them; the local layer is pushed instead`
        );
        continue;
      }
    }
    targets.forEach((target, i) => {
      settled(target, descriptor, actions[i], pairing);
    });
    log.debug(
      `layer ${diffId}: reusing ${digest} (paired by ${pairing.repository}@${pairing.attestedBy}, ${pairing.via})`
    );
    return {
      descriptor,
      available: false,
      open: () => Promise.reject(new Error(`${digest} is reused from the registry and was not read`))
    };
  }
  return void 0;
}
function rememberPairings(map, diffIds, layers, manifestDigest, targets) {
  if (!map || diffIds.length !== layers.length) return;
  for (const target of targets) {
    for (const [i, layer] of layers.entries()) {
      const attestation = {
        registry: target.registry,
        repository: target.repository,
        manifest: manifestDigest
      };
      map.record(diffIds[i], layer, attestation);
    }
  }
}

// src/push/layers.ts
async function resolveLayers(image, view, context) {
  const { targets, writer, blobMap } = context;
  const known = await Promise.all(
    image.layers.map(
      (layer) => reuseLayer(view, layer.diffId, context, (target, descriptor, action, pairing) => {
        blobMap?.recordLocation(descriptor.digest, target.registry, target.repository);
        writer.markPresent(target, descriptor, { fromBlobMap: pairing.via === "blob map", action });
      })
    )
  );
  let layersRead = 0;
  const layers = await Promise.all(
    image.layers.map(async (layer, i) => {
      const found = known[i];
      if (found) return found;
      layersRead++;
      const blob = await layer.prepare();
      for (const target of targets) {
        void writer.ensureBlob(target, blob, { ...context.hints?.(target, blob), compressed: true });
      }
      return blob;
    })
  );
  const config = "available" in image.config ? image.config : await inEveryTarget(image.config.descriptor, false, context) ?? await image.config.prepare();
  return { root: image.build(config, layers), layersRead };
}
async function inEveryTarget(descriptor, fromBlobMap, context) {
  const { targets, limit, writer } = context;
  const sizes = await Promise.all(
    targets.map((t) => limit(() => blobSize(t.client, t.repository, descriptor.digest)))
  );
  const size = sizes[0];
  if (size === void 0 || sizes.some((s) => s !== size) || descriptor.size >= 0 && size !== descriptor.size) {
    return void 0;
  }
  const found = { ...descriptor, size };
  for (const target of targets) writer.markPresent(target, found, { fromBlobMap });
  return {
    descriptor: found,
    available: false,
    open: () => Promise.reject(new Error(`${found.digest} was not read`))
  };
}

// src/push/platforms.ts
async function selectPlatforms(root, wanted) {
  if (wanted.length === 0) return root;
  if (!isIndexMediaType(root.descriptor.mediaType)) {
    checkSinglePlatform(await configPlatform(root), wanted);
    return root;
  }
  const parsed = parseManifest(root.bytes, root.descriptor.mediaType);
  if (parsed.kind !== "index") return root;
  const entries = parsed.manifests;
  const written = parsed.json.manifests ?? [];
  const chosen = new Set(
    entries.filter((d) => wanted.some((p) => platformMatches(d.platform, p))).map((d) => d.digest)
  );
  const missing = wanted.filter((p) => !entries.some((d) => platformMatches(d.platform, p)));
  if (missing.length > 0) {
    const available = entries.filter((d) => d.platform && d.platform.os !== "unknown").map((d) => formatPlatform(d.platform));
    throw new InputError(
      `the image has no ${missing.map(formatPlatform).join(", ")} (it has ${available.join(", ") || "no platforms"})`,
      "build those platforms, or drop them from the platforms input"
    );
  }
  const keep = entries.map(
    (d) => chosen.has(d.digest) || chosen.has(d.annotations?.["vnd.docker.reference.digest"] ?? "")
  );
  const kept = written.filter((_, i) => keep[i]);
  const bytes = Buffer.from(JSON.stringify({ ...parsed.json, manifests: kept }));
  const keptDigests = new Set(kept.map((d) => d.digest));
  return {
    descriptor: { ...root.descriptor, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: root.blobs,
    children: root.children.filter((child) => keptDigests.has(child.descriptor.digest))
  };
}
function checkSinglePlatform(have, wanted) {
  if (wanted.length === 0) return;
  if (!have) {
    throw new InputError(
      `platforms asks for ${wanted.map(formatPlatform).join(", ")}, but the image's config names no platform`,
      "drop the platforms input (it selects platforms of a multi-platform image)"
    );
  }
  const missing = wanted.filter((p) => !platformMatches(have, p));
  if (missing.length > 0) {
    throw new InputError(
      `the image is a single-platform ${formatPlatform(have)} image, not ${missing.map(formatPlatform).join(", ")}`,
      "build the image for that platform, or drop it from the platforms input"
    );
  }
}
function platformOfConfig(bytes) {
  let json;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
  }
  const { os, architecture, variant } = json ?? {};
  if (typeof os !== "string" || typeof architecture !== "string") return void 0;
  return typeof variant === "string" && variant ? { os, architecture, variant } : { os, architecture };
}
async function configPlatform(node) {
  const config = node.blobs[0];
  if (!config?.available || config.descriptor.size > MAX_CONFIG_BYTES) return node.descriptor.platform;
  const bytes = await readBounded(
    await config.open(),
    config.descriptor.size,
    () => configTooLarge(node.descriptor.digest, config.descriptor.size)
  );
  return platformOfConfig(bytes) ?? node.descriptor.platform;
}
function configTooLarge(manifest, size) {
  return new SourceError(
    `the config of ${manifest} sent more than the ${size} bytes its descriptor says`,
    "the source is corrupt; push or export the image again"
  );
}
function checkAllPresent(root, sourceName) {
  if (!isIndexMediaType(root.descriptor.mediaType)) return;
  const parsed = parseManifest(root.bytes, root.descriptor.mediaType);
  if (parsed.kind !== "index") return;
  const present = new Set(root.children.map((child) => child.descriptor.digest));
  const absent = parsed.manifests.filter((d) => !present.has(d.digest));
  if (absent.length === 0) return;
  const name = (d) => d.platform && d.platform.os !== "unknown" ? formatPlatform(d.platform) : `an attestation (${d.digest.slice(0, 19)})`;
  const held = parsed.manifests.filter(
    (d) => present.has(d.digest) && d.platform && d.platform.os !== "unknown"
  );
  throw new InputError(
    `${sourceName}: the image index lists ${parsed.manifests.length} manifests, but the source holds only ${held.map(name).join(", ") || "none of the platforms"}; missing: ${absent.map(name).join(", ")}`,
    held.length ? `push what is there with the platforms input ${held.map((d) => formatPlatform(d.platform)).join(",")} (CLI: --platform), or pull the missing platforms first (docker pull --platform OS/ARCH)` : "pull the image with its platforms first (docker pull --platform OS/ARCH)"
  );
}

// src/push/referrers.ts
async function pushReferrers(referrers, context) {
  const { targets, writer, limit, log: logger } = context;
  for (const node of referrers) {
    const { digest, mediaType, size } = node.descriptor;
    let parsed;
    try {
      parsed = parseManifest(node.bytes, mediaType);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      throw new SourceError(
        `${context.sourceName}: manifest ${digest} ${err.message}`,
        "the image is corrupt; export it again"
      );
    }
    const subject = parsed.subject?.digest;
    if (!subject) continue;
    const artifactType = parsed.artifactType ?? (parsed.kind === "manifest" ? parsed.config.mediaType || void 0 : void 0);
    const listing = {
      mediaType,
      digest,
      size,
      ...artifactType ? { artifactType } : {},
      ...parsed.annotations ? { annotations: parsed.annotations } : {}
    };
    await writer.ensureAll(
      targets.flatMap(
        (target) => node.blobs.map((blob) => ({
          target,
          blob,
          ...context.hints ? { hints: context.hints(target, blob) } : {}
        }))
      )
    );
    for (const target of targets) {
      if (await limit(() => manifestExists(target.client, target.repository, node.descriptor))) continue;
      const { subjectAccepted } = await limit(
        () => putManifest(target.client, target.repository, digest, node.descriptor, node.bytes)
      );
      if (!subjectAccepted) {
        await limit(() => addToReferrersTag(target.client, target.repository, subject, listing));
      }
      logger.info(`pushed ${artifactType ?? "artifact"} ${digest} referring to ${subject}`);
    }
  }
}

// src/push/reuse.ts
var MAX_MAP_MANIFESTS = 8;
var MAX_CHILDREN = 8;
function tagKey(target, tag) {
  return `${target.registry}/${target.repository}:${tag}`;
}
async function learnFromRegistry(context, options) {
  const { targets } = context;
  const local = options.image ? await localFacts(options.image) : void 0;
  const learner = new Learner(context, local, options.strictTags);
  await Promise.all(targets.flatMap((t) => t.tags.map((tag) => learner.learn(t, tag, "tag", tag))));
  if (!local) return learner.view();
  const allowed = new Set(targets.map((t) => `${t.registry}/${t.repository}`));
  const named = namedReferences(targets, options.reuseFrom, local.base, allowed, context.log);
  await Promise.all([
    ...targets.map((target) => learner.learn(target, "latest", "latest")),
    ...named.map(({ where, reference, via }) => learner.learn(where, reference, via))
  ]);
  const remembered = context.blobMap ? rememberedManifests(targets, context.blobMap, local.diffIds, learner.pairings, allowed) : [];
  await Promise.all(remembered.map(({ where, reference }) => learner.learn(where, reference, "blob map")));
  return learner.view();
}
function namedReferences(targets, reuseFrom, base, allowed, log) {
  const lookups = [];
  const named = [
    ...reuseFrom.map((ref) => ({ ref, via: "reuse-from" })),
    ...base.map(({ ref }) => ({ ref, via: "base" }))
  ];
  for (const { ref, via } of named) {
    if (via === "reuse-from" && /^[\w][\w.-]{0,127}$/.test(ref)) {
      for (const target of targets) lookups.push({ where: target, reference: ref, via });
      continue;
    }
    let parsed;
    try {
      parsed = parseReference(ref);
    } catch {
      if (via === "reuse-from")
        log.warning(`reuse-from "${ref}" is neither a tag nor an image reference: ignored`);
      continue;
    }
    const on = targets.find((t) => t.registry === parsed.registry);
    if (!on) {
      if (via === "reuse-from")
        log.warning(
          `reuse-from ${ref} is not on a destination registry: ignored (layers are only reused within one registry)`
        );
      continue;
    }
    allowed.add(`${parsed.registry}/${parsed.repository}`);
    const where = { registry: parsed.registry, repository: parsed.repository, client: on.client };
    lookups.push({ where, reference: parsed.digest ?? parsed.tag ?? "latest", via });
  }
  return lookups;
}
function rememberedManifests(targets, map, diffIds, pairings, allowed) {
  return targets.flatMap((target) => {
    const named = /* @__PURE__ */ new Set();
    for (const diffId of diffIds) {
      if (pairings.has(diffId)) continue;
      for (const a of map.attestations(diffId, target.registry)) {
        if (allowed.has(`${a.registry}/${a.repository}`)) named.add(`${a.repository}@${a.manifest}`);
      }
    }
    return [...named].slice(0, MAX_MAP_MANIFESTS).map((name) => {
      const [repository, digest] = name.split("@");
      return { where: { registry: target.registry, repository, client: target.client }, reference: digest };
    });
  });
}
var Learner = class {
  pairings = /* @__PURE__ */ new Map();
  #tags = /* @__PURE__ */ new Map();
  #seen = /* @__PURE__ */ new Set();
  #context;
  #local;
  #strictTags;
  constructor(context, local, strictTags) {
    this.#context = context;
    this.#local = local;
    this.#strictTags = strictTags;
  }
  view() {
    return { pairings: this.pairings, tags: this.#tags };
  }
  /** Reads `reference` in `where`; `tag` when it is a destination tag whose state the checks need. */
  async learn(where, reference, via, tag) {
    const { targets, limit, log } = this.#context;
    const id = `${where.registry}/${where.repository}${reference.includes(":") ? "@" : ":"}${reference}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    const pushed = targets.some((t) => t.registry === where.registry && t.repository === where.repository);
    const target = {
      ...where,
      scope: pushed ? pushScope(where.repository) : `repository:${where.repository}:pull`
    };
    let fetched;
    try {
      fetched = await limit(() => getManifest(target.client, target.repository, reference, target.scope));
    } catch (err) {
      if (tag !== void 0 && this.#strictTags) throw err;
      log.debug(`cannot read ${id} to learn layers: ${err.message}`);
      return;
    }
    if (!fetched) return;
    const local = this.#local;
    if (!local) {
      if (tag !== void 0)
        this.#tags.set(tagKey(target, tag), { digest: fetched.descriptor.digest, configDigest: void 0 });
      return;
    }
    const images = await imageManifests(target, fetched, local.platform, limit, log);
    if (tag !== void 0) {
      const config = images.length === 1 && !isIndexMediaType(fetched.descriptor.mediaType) ? images[0] : void 0;
      this.#tags.set(tagKey(target, tag), {
        digest: fetched.descriptor.digest,
        configDigest: config?.configDigest
      });
    }
    for (const found of images) this.#pair(target, found, local, via);
  }
  /** Records each pairing of `found` for a layer of the local image, once per repository and blob. */
  #pair(target, found, local, via) {
    for (const [diffId, descriptor] of found.pairs) {
      if (!local.diffIds.has(diffId)) continue;
      const list = this.pairings.get(diffId) ?? [];
      if (list.some((p) => p.repository === target.repository && p.descriptor.digest === descriptor.digest))
        continue;
      list.push({
        descriptor,
        attestedBy: found.digest,
        registry: target.registry,
        repository: target.repository,
        via
      });
      this.pairings.set(diffId, list);
    }
  }
};
async function imageManifests(target, fetched, platform, limit, log) {
  const json = parse(fetched.bytes);
  if (isIndexMediaType(fetched.descriptor.mediaType) || Array.isArray(json?.manifests)) {
    const children = (json?.manifests ?? []).filter(
      (d) => typeof d.digest === "string" && isManifestMediaType(d.mediaType) && (platform === void 0 || d.platform !== void 0 && platformMatches(d.platform, platform))
    );
    const facts2 = await Promise.all(
      children.slice(0, MAX_CHILDREN).map(async (child) => {
        try {
          const got = await limit(
            () => getManifest(target.client, target.repository, child.digest, target.scope)
          );
          return got ? await imageFacts(target, got, limit) : void 0;
        } catch (err) {
          log.debug(`cannot read ${target.repository}@${child.digest}: ${err.message}`);
          return void 0;
        }
      })
    );
    return facts2.filter((f) => f !== void 0);
  }
  const facts = await imageFacts(target, fetched, limit).catch((err) => {
    log.debug(`cannot read the config of ${target.repository}@${fetched.descriptor.digest}: ${String(err)}`);
    return void 0;
  });
  return facts ? [facts] : [];
}
async function imageFacts(target, fetched, limit) {
  const manifest = parse(fetched.bytes);
  const config = manifest?.config;
  if (!config || typeof config.digest !== "string" || !Array.isArray(manifest.layers)) return void 0;
  const bytes = await limit(
    () => readSmallBlob(target.client, target.repository, config, MAX_CONFIG_BYTES, target.scope)
  );
  const diffIds = parse(bytes)?.rootfs?.diff_ids;
  const pairs = /* @__PURE__ */ new Map();
  const facts = { digest: fetched.descriptor.digest, configDigest: config.digest, pairs };
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) return facts;
  for (const [i, layer] of manifest.layers.entries()) {
    const diffId = diffIds[i];
    const mediaType = reusableMediaType(layer);
    if (typeof diffId !== "string" || !mediaType || !Number.isSafeInteger(layer.size)) continue;
    pairs.set(diffId, { mediaType, digest: layer.digest, size: layer.size });
  }
  return facts;
}
function reusableMediaType(layer) {
  if (typeof layer.digest !== "string" || layer.urls !== void 0) return void 0;
  if (layer.mediaType === DOCKER_LAYER_GZIP || layer.mediaType === OCI_LAYER_GZIP) return DOCKER_LAYER_GZIP;
  if (layer.mediaType === OCI_LAYER_ZSTD) return OCI_LAYER_ZSTD;
  return void 0;
}
async function localFacts(image) {
  const diffIds = new Set(image.layers.map((l) => l.diffId));
  if (!("available" in image.config) || !image.config.available)
    return { diffIds, platform: image.platform, base: image.baseName ? [{ ref: image.baseName }] : [] };
  const size = Math.min(image.config.descriptor.size, MAX_CONFIG_BYTES);
  const bytes = await readBounded(await image.config.open(), size).catch((err) => {
    if (err instanceof TooLargeError) return void 0;
    throw err;
  });
  const config = parse(bytes);
  const platform = typeof config?.architecture === "string" && typeof config.os === "string" ? {
    architecture: config.architecture,
    os: config.os,
    ...config.variant ? { variant: config.variant } : {}
  } : void 0;
  return { diffIds, platform, base: baseOf(config?.config?.Labels) };
}
function baseOf(labels) {
  const name = labels?.["org.opencontainers.image.base.name"];
  if (typeof name !== "string" || name === "") return [];
  const digest = labels?.["org.opencontainers.image.base.digest"];
  try {
    const parsed = parseReference(name);
    const ref = typeof digest === "string" && /^sha256:[a-f0-9]{64}$/.test(digest) ? `${parsed.registry}/${parsed.repository}@${digest}` : name;
    return [{ ref }];
  } catch {
    return [];
  }
}
function parse(bytes) {
  if (!bytes) return void 0;
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
  }
}

// src/push/tags.ts
function checkTagsBeforeUpload(view, targets, image) {
  for (const target of targets) {
    for (const tag of target.tags) {
      const held = view.tags.get(tagKey(target, tag));
      if (!held) continue;
      if (image.digest !== void 0 && held.digest !== image.digest) {
        throw overwriteRefused(target, tag, held.digest, image.digest);
      }
      if (image.digest === void 0 && held.configDigest !== image.configDigest) {
        throw overwriteRefused(target, tag, held.digest, `image (config ${image.configDigest ?? "?"})`);
      }
    }
  }
}
function tagAction(view, target, tag, digest, overwrite) {
  const held = view.tags.get(tagKey(target, tag));
  if (held?.digest === digest) return "unchanged";
  if (held && !overwrite) throw overwriteRefused(target, tag, held.digest, digest);
  return "put";
}
function overwriteRefused(target, tag, held, pushed) {
  return new RegistryError(
    `${target.registry}/${target.repository}:${tag} holds ${held}, not the pushed ${pushed}, and overwrite is false`,
    "push under a new tag, or let the tag move (the action: overwrite: true, its default; the CLI: leave out --no-overwrite)"
  );
}

// src/push/push.ts
async function push(options) {
  const compressor = new LayerCompressor(options.compression, options.compressionLevel);
  let session;
  const source = openSource(options.source, compressor, (registry, repository) => {
    if (!session) throw new Error("the source asked for a registry client before the session opened");
    return session.sourceClientFor(registry, repository);
  });
  if (options.sourceCredentials && !source.name.startsWith("docker://")) {
    await compressor.close();
    throw new InputError(
      `source credentials were given, but the image "${options.source}" is not in a registry`,
      "they are for a docker://REGISTRY/REPOSITORY:TAG source; drop them"
    );
  }
  const writer = {
    sourceName: source.name,
    chunkSize: options.chunkSize,
    blobMap: options.blobMap,
    overwrite: options.overwrite !== false
  };
  try {
    return await withWriter({ ...options, writer }, (opened, w) => {
      session = opened;
      return pushImage(options, source, compressor, opened, w);
    });
  } finally {
    await Promise.all([source.close(), compressor.close()]);
  }
}
async function pushImage(options, source, compressor, session, writer) {
  const { targets, limit } = session;
  const log = options.logger;
  let bases = [];
  const hints = (target, blob) => ({
    mountFrom: mountSources(options.blobMap, bases, target, blob.descriptor.digest),
    mountFirst: mountFirst(options.blobMap, target, blob.descriptor.digest),
    ...blob.mountFrom ?? source.copyFrom ? { copyFrom: blob.mountFrom ?? source.copyFrom } : {}
  });
  const context = {
    targets,
    writer,
    limit,
    log,
    sourceName: source.name,
    blobMap: options.blobMap,
    compression: options.compression,
    verify: options.verify,
    hints
  };
  const streamBlobs = !options.platforms?.length && options.overwrite !== false && !options.verify;
  const early = await heldAlready(options, source, context);
  const loaded = early?.root ?? await source.load(
    streamBlobs ? {
      blobSink: (blob) => Promise.all(targets.map((target) => writer.ensureBlob(target, blob, hints(target, blob))))
    } : {}
  );
  const pending = isPending(loaded) ? loaded : void 0;
  if (pending) checkSinglePlatform(pending.platform, options.platforms ?? []);
  const selected = pending ? void 0 : await selectPlatforms(loaded, options.platforms ?? []);
  const view = early && !pending ? early.view : await learnFromRegistry(context, {
    image: pending,
    reuseFrom: options.reuseFrom ?? [],
    strictTags: options.overwrite === false
  });
  if (options.overwrite === false && !options.pushByDigest) {
    checkTagsBeforeUpload(view, targets, {
      digest: selected?.descriptor.digest,
      configDigest: pending?.config.descriptor.digest
    });
  }
  let layersRead = 0;
  let root;
  if (pending) {
    ({ root, layersRead } = await resolveLayers(pending, view, context));
  } else {
    root = selected;
    if (root.descriptor.digest !== loaded.descriptor.digest) {
      log.info(
        `the index digest changed from ${loaded.descriptor.digest} to ${root.descriptor.digest} because platforms kept ${indexEntries(root)} of ${indexEntries(loaded)} entries`
      );
    }
  }
  checkAllPresent(root, source.name);
  bases = baseImages(root);
  checkPinnedDigests(targets, root.descriptor.digest, "the image's manifest");
  const planned = planTree(root, targets, { pushByDigest: options.pushByDigest, hints });
  const held = holdingTargets(view, targets, root.descriptor.digest);
  for (const target of held) {
    for (const blob of uniqueBlobs(postOrder(root))) {
      writer.markPresent(target, blob.descriptor, { fromBlobMap: false });
      options.blobMap?.recordLocation(blob.descriptor.digest, target.registry, target.repository);
    }
  }
  const plan = {
    ...planned,
    writes: planned.writes.filter((write) => !held.has(write.target)),
    references: unchangedTagsLeftOut(planned.references, view, root, options, log).map(
      (refs) => held.has(refs.target) ? { ...refs, holdsRoot: true } : refs
    )
  };
  const blobs = uniqueBlobs([...plan.children, root]);
  log.info(
    `${source.name}: ${root.descriptor.mediaType} ${root.descriptor.digest}, ${blobs.length} blobs, ` + formatBytes(blobs.reduce((total, blob) => total + blob.descriptor.size, 0))
  );
  const stopVerify = new AbortController();
  const verified = options.verify ? verifyLayers(root, {
    sourceName: source.name,
    skip: (blob) => compressor.checkedDiffId(blob),
    signal: stopVerify.signal
  }).then(
    ({ layers, bytes }) => log.info(
      `verified ${layers} layers (${formatBytes(bytes)} uncompressed) against the config's diff_ids`
    )
  ) : void 0;
  try {
    await writePlan(writer, plan, verified);
  } finally {
    stopVerify.abort();
    await verified?.catch(() => void 0);
  }
  if (pending) {
    const diffIds = pending.layers.map((layer) => layer.diffId);
    const layers = root.blobs.slice(1).map((blob) => blob.descriptor);
    rememberPairings(options.blobMap, diffIds, layers, root.descriptor.digest, targets);
  }
  const subjects = new Set([...plan.children, root].map((m) => m.descriptor.digest));
  const referrers = await source.referrers?.(subjects) ?? [];
  await pushReferrers(referrers, context);
  await writer.drain();
  log.info(writer.describe(root.descriptor.digest, targets.length));
  return planResult(plan, writer, {
    pushByDigest: options.pushByDigest,
    bytesCompressed: compressor.bytesCompressed,
    layersRead,
    source: source.name,
    platform: pending ? pending.platform : options.describePlatform === false ? void 0 : await configPlatform2(root)
  });
}
async function heldAlready(options, source, context) {
  if (options.platforms?.length || options.verify || !source.knownRootDigest) return void 0;
  const digest = await source.knownRootDigest();
  if (!digest) return void 0;
  const { targets } = context;
  const view = await learnFromRegistry(context, {
    image: void 0,
    reuseFrom: [],
    strictTags: options.overwrite === false
  });
  const [first] = targets;
  if (!first || holdingTargets(view, targets, digest).size !== targets.length)
    return { root: void 0, view };
  const { tree } = await loadRegistryImage(
    first.client,
    { registry: first.registry, repository: first.repository, digest, tag: void 0 },
    source.name,
    { limit: context.limit, missingHint: "the registry changed during the push: push again" }
  );
  context.log.info(
    `${source.name}: ${first.registry}/${first.repository} holds ${digest} (the image ID) already: read back from there instead of saving the image`
  );
  return { root: tree, view };
}
function mountSources(blobMap, bases, target, digest) {
  const candidates = [
    ...blobMap?.repositoriesWith(digest, target.registry) ?? [],
    ...bases.filter((base) => base.registry === target.registry).map((base) => base.repository)
  ];
  return [...new Set(candidates)].filter((repository) => repository !== target.repository).slice(0, 3);
}
function mountFirst(blobMap, target, digest) {
  const known = blobMap?.repositoriesWith(digest, target.registry) ?? [];
  return known.length > 0 && !known.includes(target.repository);
}
function baseImages(root) {
  const names = [root, ...root.children].flatMap((node) => {
    try {
      const name = parseManifest(node.bytes).annotations?.["org.opencontainers.image.base.name"];
      return name ? [name] : [];
    } catch {
      return [];
    }
  });
  return names.flatMap((name) => {
    try {
      const { registry, repository } = parseReference(name);
      return [{ registry, repository }];
    } catch {
      return [];
    }
  });
}
function indexEntries(node) {
  const parsed = parseManifest(node.bytes);
  return parsed.kind === "index" ? parsed.manifests.length : 0;
}
function holdingTargets(view, targets, digest) {
  return new Set(
    targets.filter(
      (target) => target.tags.some((tag) => view.tags.get(tagKey(target, tag))?.digest === digest)
    )
  );
}
function unchangedTagsLeftOut(references, view, root, options, log) {
  const digest = root.descriptor.digest;
  return references.map(({ target, references: refs }) => ({
    target,
    references: refs.filter((reference) => {
      if (reference.startsWith("sha256:")) return true;
      if (tagAction(view, target, reference, digest, options.overwrite !== false) === "put") return true;
      log.info(
        `${target.registry}/${target.repository}:${reference} already holds ${digest}: not pushed again`
      );
      return false;
    })
  }));
}
var MAX_CONFIG_BYTES2 = 1 << 20;
async function configPlatform2(root) {
  const config = root.blobs[0];
  if (root.children.length > 0 || !config || config.mountFrom || config.descriptor.size > MAX_CONFIG_BYTES2)
    return void 0;
  try {
    return platformOfConfig(await readBounded(await config.open(), config.descriptor.size));
  } catch {
    return void 0;
  }
}
export {
  push
};
