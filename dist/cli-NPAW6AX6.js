import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MAX_MANIFEST_BYTES,
  ManifestError,
  SourceError,
  createLimiter,
  digestHex,
  isSha256Digest,
  parseManifest,
  sha256Digest
} from "./cli-FJOGMTSZ.js";

// src/read-bounded.ts
function chunksOf(stream) {
  return typeof stream.iterator === "function" ? stream.iterator({ destroyOnReturn: false }) : stream;
}
var TooLargeError = class extends Error {
  read;
  max;
  constructor(read, max) {
    super(`more than ${max} bytes`);
    this.name = "TooLargeError";
    this.read = read;
    this.max = max;
  }
};
async function readBounded(stream, max, tooLarge = (read) => new TooLargeError(read, max)) {
  const chunks = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    total += chunk.length;
    if (total > max) {
      stream.destroy?.();
      throw tooLarge(total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
async function readPrefix(stream, max) {
  const chunks = [];
  let total = 0;
  for await (const data of chunksOf(stream)) {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    const piece = chunk.subarray(0, max - total);
    chunks.push(piece);
    total += piece.length;
    if (total >= max) {
      stream.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks, total);
}

// src/source/manifest-tree.ts
var MANIFEST_READS = 8;
function layoutStore(files, sourceName) {
  return {
    manifest: (descriptor, where) => readManifest(files, descriptor, sourceName, where),
    blob: (descriptor, where, manifestDigest) => blobSource(files, descriptor, sourceName, where, manifestDigest)
  };
}
function blobPath(digest) {
  return `blobs/${digest.slice(0, digest.indexOf(":"))}/${digestHex(digest)}`;
}
async function loadManifestTree(store, root, sourceName, rootWhere = "index.json") {
  const seen = /* @__PURE__ */ new Map();
  const reading = createLimiter(MANIFEST_READS);
  const load = (descriptor, path) => {
    let node = seen.get(descriptor.digest);
    if (!node) {
      node = loadNode(descriptor, path);
      seen.set(descriptor.digest, node);
    }
    return node;
  };
  const loadNode = async (descriptor, path) => {
    checkDescriptor(descriptor, sourceName, path);
    const bytes = await reading(() => store.manifest(descriptor, path));
    let parsed;
    try {
      parsed = parseManifest(bytes, descriptor.mediaType);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      const hint = {
        json: "the image is corrupt; export it again",
        structure: "the image is corrupt; export it again",
        "media-type": `the image is inconsistent (${path}); export it again`,
        unsupported: "push an OCI image/index or a Docker schema 2 manifest/list"
      }[err.reason];
      throw new SourceError(`${sourceName}: manifest ${descriptor.digest} ${err.message}`, hint, {
        cause: err
      });
    }
    const self = { ...descriptor, mediaType: parsed.mediaType };
    if (parsed.kind === "index") {
      const children = await Promise.all(
        parsed.manifests.map((child, i) => load(child, `${descriptor.digest} manifests[${i}]`))
      );
      return { descriptor: self, bytes, blobs: [], children };
    }
    const referenced = [parsed.config, ...parsed.layers];
    const blobs = await Promise.all(
      referenced.map(
        (blob, i) => store.blob(blob, i === 0 ? "config" : `layers[${i - 1}]`, descriptor.digest)
      )
    );
    return { descriptor: self, bytes, blobs: blobs.filter((blob) => blob !== void 0), children: [] };
  };
  return load(root, rootWhere);
}
async function readManifest(files, descriptor, sourceName, where) {
  const path = blobPath(descriptor.digest);
  const size = await files.size(path);
  if (size === void 0) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} (${where}) is missing from the layout`,
      "the layout is incomplete; export the image again"
    );
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} is ${size} bytes, over the 4 MiB limit`,
      "registries refuse larger manifests; split the image index or drop platforms"
    );
  }
  const bytes = await files.read(path);
  const actual = sha256Digest(bytes);
  if (actual !== descriptor.digest || bytes.length !== descriptor.size) {
    throw new SourceError(
      `${sourceName}: manifest ${descriptor.digest} does not match its digest or size (found ${actual}, ${bytes.length} bytes)`,
      "the layout is corrupt; export the image again"
    );
  }
  return bytes;
}
async function blobSource(files, descriptor, sourceName, where, manifestDigest) {
  const path = blobPath(descriptor.digest);
  const size = await files.size(path);
  if (size !== void 0 && size !== descriptor.size) {
    throw new SourceError(
      `${sourceName}: blob ${descriptor.digest} (${where} of ${manifestDigest}) is ${size} bytes but its descriptor says ${descriptor.size}`,
      "the layout is corrupt or was truncated; export the image again"
    );
  }
  return {
    descriptor,
    available: size !== void 0,
    open: () => Promise.resolve(files.open(path))
  };
}
function checkDescriptor(descriptor, sourceName, where) {
  if (typeof descriptor !== "object" || descriptor === null || Array.isArray(descriptor)) {
    throw new SourceError(
      `${sourceName}: ${where} is ${JSON.stringify(descriptor)}, not a descriptor`,
      "the image is corrupt; export it again"
    );
  }
  if (typeof descriptor.digest !== "string" || !isSha256Digest(descriptor.digest)) {
    throw new SourceError(
      `${sourceName}: ${where} has digest ${JSON.stringify(descriptor.digest)}, which is not a sha256 digest`,
      "image-push reads sha256 content only"
    );
  }
  if (typeof descriptor.size !== "number" || !Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
    throw new SourceError(
      `${sourceName}: ${where} has an invalid size ${JSON.stringify(descriptor.size)}`,
      "the image is corrupt; export it again"
    );
  }
}

export {
  TooLargeError,
  readBounded,
  readPrefix,
  layoutStore,
  blobPath,
  loadManifestTree
};
