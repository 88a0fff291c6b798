import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MAX_MANIFEST_BYTES,
  ManifestError,
  parseManifest
} from "./lib-GA7QQ4NC.js";
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST,
  formatReference,
  parseReference
} from "./lib-42WULXZV.js";
import {
  SourceError
} from "./lib-VQBWY2ZJ.js";
import {
  digestHex,
  isSha256Digest,
  sha256Digest
} from "./lib-TYU6EIMF.js";

// src/source/docker-save.ts
import { Readable } from "node:stream";

// src/source/manifest-tree.ts
function layoutStore(files, sourceName) {
  return {
    manifest: (descriptor, where) => readManifest(files, descriptor, sourceName, where),
    blob: (descriptor, where, manifestDigest) => blobSource(files, descriptor, sourceName, where, manifestDigest)
  };
}
function blobPath(digest) {
  return `blobs/${digest.slice(0, digest.indexOf(":"))}/${digestHex(digest)}`;
}
async function loadManifestTree(store, root, sourceName) {
  const seen = /* @__PURE__ */ new Map();
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
    const bytes = await store.manifest(descriptor, path);
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
  return load(root, "index.json");
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

// src/source/docker-save.ts
async function readDockerSave(files, ref, sourceName, prepareLayer) {
  const entries = parseJson(
    await mustRead(files, "manifest.json", sourceName),
    "manifest.json",
    sourceName
  );
  if (!Array.isArray(entries))
    throw new SourceError(
      `${sourceName}: manifest.json is not a list`,
      "the archive is corrupt; save it again"
    );
  const entry = selectEntry(entries, ref, sourceName);
  if (!entry.Config || !Array.isArray(entry.Layers)) {
    throw new SourceError(
      `${sourceName}: manifest.json entry has no Config or Layers`,
      "the archive is corrupt"
    );
  }
  const configBytes = await mustRead(files, entry.Config, sourceName);
  const configDigest = sha256Digest(configBytes);
  const named = /([a-f0-9]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
  if (named && `sha256:${named}` !== configDigest) {
    throw new SourceError(
      `${sourceName}: config ${entry.Config} does not match its name (it hashes to ${configDigest})`,
      "the archive is corrupt"
    );
  }
  const stored = await storedManifest(files, configDigest, sourceName);
  if (stored) return stored;
  const config = parseJson(configBytes, entry.Config, sourceName);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length) {
    throw new SourceError(
      `${sourceName}: the config names ${diffIds.length} layers but manifest.json lists ${entry.Layers.length}`,
      "the archive is corrupt"
    );
  }
  const layers = entry.Layers.map((path, i) => {
    const diffId = diffIds[i];
    return { diffId, prepare: () => prepareLayer(path, diffId) };
  });
  const configBlob = {
    descriptor: { mediaType: DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
    available: true,
    open: () => Promise.resolve(Readable.from([configBytes]))
  };
  return {
    kind: "pending",
    config: configBlob,
    layers,
    build: buildManifest
  };
}
async function storedManifest(files, configDigest, sourceName) {
  if (await files.size("index.json") === void 0) return void 0;
  const index = parseJson(await files.read("index.json"), "index.json", sourceName);
  const queue = [...index.manifests ?? []];
  for (let seen = 0; queue.length > 0 && seen < 1e3; seen++) {
    const descriptor = queue.shift();
    const path = blobPath(descriptor.digest);
    if (await files.size(path) === void 0) continue;
    const json = parseJson(
      await files.read(path),
      path,
      sourceName
    );
    if (json.manifests) queue.push(...json.manifests);
    if (json.config?.digest === configDigest && json.layers?.every((l) => /gzip|zstd/.test(l.mediaType))) {
      return loadManifestTree(layoutStore(files, sourceName), descriptor, sourceName);
    }
  }
  return void 0;
}
function buildManifest(config, layerBlobs) {
  const layers = layerBlobs.map((blob) => blob.descriptor);
  const oci = layers.some((layer) => layer.mediaType === OCI_LAYER_ZSTD);
  const configDescriptor = { ...config.descriptor, mediaType: oci ? OCI_CONFIG : DOCKER_CONFIG };
  const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: configDescriptor.mediaType,
        size: configDescriptor.size,
        digest: configDescriptor.digest
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest }))
    })
  );
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    blobs: [{ ...config, descriptor: configDescriptor }, ...layerBlobs],
    children: []
  };
}
function selectEntry(entries, ref, sourceName) {
  const names = entries.flatMap((e) => e.RepoTags ?? []);
  if (ref === void 0) {
    const [only] = entries;
    if (only && entries.length === 1) return only;
    throw new SourceError(
      `${sourceName}: the archive holds ${entries.length} images (${names.join(", ") || "untagged"})`,
      entries.length ? `name one, as docker-archive:PATH:${names[0] ?? "NAME:TAG"}` : "save an image into it"
    );
  }
  const wanted = normalise(ref);
  const matches = entries.filter((e) => (e.RepoTags ?? []).some((tag) => normalise(tag) === wanted));
  const [match] = matches;
  if (match && matches.length === 1) return match;
  throw new SourceError(
    matches.length ? `${sourceName}: ${matches.length} images in the archive are tagged "${ref}"` : `${sourceName}: no image tagged "${ref}" in the archive (tags: ${names.join(", ") || "none"})`,
    "name one of the listed tags"
  );
}
function normalise(tag) {
  try {
    return formatReference(parseReference(tag));
  } catch {
    return tag;
  }
}
async function mustRead(files, path, sourceName) {
  if (await files.size(path) === void 0) {
    let hint = "the archive is incomplete; save it again";
    if (path === "manifest.json") {
      hint = await files.size("oci-layout") === void 0 ? "pass a tarball written by `docker save`" : `it is an OCI archive: write ${sourceName.replace(/^docker-archive:/, "oci-archive:")}`;
    }
    throw new SourceError(`${sourceName}: no ${path} in the archive`, hint);
  }
  return files.read(path);
}
function parseJson(bytes, what, sourceName) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new SourceError(
      `${sourceName}: ${what} is not valid JSON`,
      "the archive is corrupt; save it again"
    );
  }
}

// src/source/tar-index.ts
import { open } from "node:fs/promises";
var BLOCK = 512;
async function indexTar(path) {
  const file = await open(path, "r");
  try {
    return await readIndex(file, (await file.stat()).size);
  } finally {
    await file.close();
  }
}
async function readIndex(file, fileSize) {
  const entries = /* @__PURE__ */ new Map();
  const links = [];
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  let paxPath;
  let paxSize;
  let longName;
  for (; ; ) {
    const { bytesRead } = await file.read(header, 0, BLOCK, offset);
    if (bytesRead < BLOCK) throw new Error(`truncated tar: header at byte ${offset} is cut short`);
    if (header.every((b) => b === 0)) break;
    if (!checksumMatches(header)) {
      if (offset === 0 && header[0] === 31 && header[1] === 139)
        throw new Error("it is gzip-compressed, not a plain tar");
      if (offset === 0 && header.readUInt32BE(0) === 682962941)
        throw new Error("it is zstd-compressed, not a plain tar");
      throw new Error(`not a tar file, or corrupt: bad header checksum at byte ${offset}`);
    }
    const type = String.fromCharCode(header[156] ?? 0);
    const size = paxSize ?? parseNumber(header.subarray(124, 136));
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize)
      throw new Error(`truncated tar: entry at byte ${offset} runs past the end`);
    if (type === "x" || type === "L" || type === "g") {
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataOffset);
      if (type === "x") ({ path: paxPath, size: paxSize } = parsePax(data));
      if (type === "L") longName = data.toString("utf8").replace(/\0+$/, "");
    } else {
      const name = normalise2(paxPath ?? longName ?? headerName(header));
      if (type === "0" || type === "\0" || type === "7") {
        entries.set(name, { offset: dataOffset, size });
      } else if (type === "1" || type === "2") {
        const target = cString(header.subarray(157, 257));
        const resolved = type === "2" && !target.startsWith("/") ? joinRelative(name, target) : target;
        links.push([name, normalise2(resolved)]);
      }
      paxPath = paxSize = longName = void 0;
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  for (const [name, target] of links) {
    const entry = entries.get(target);
    if (entry) entries.set(name, entry);
  }
  return entries;
}
function headerName(header) {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}
function cString(bytes) {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}
function parseNumber(field) {
  if ((field[0] ?? 0) & 128) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString("latin1").replace(/[\0 ]+$/, "").trim();
  return text === "" ? 0 : parseInt(text, 8);
}
function checksumMatches(header) {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i] ?? 0;
  return sum === stored;
}
function parsePax(data) {
  let path;
  let size;
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(32, pos);
    if (space === -1) break;
    const length = parseInt(data.toString("latin1", pos, space), 10);
    if (!(length > 0)) break;
    const record = data.toString("utf8", space + 1, pos + length - 1);
    const eq = record.indexOf("=");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") path = value;
    if (key === "size") size = Number(value);
    pos += length;
  }
  return { path, size };
}
function normalise2(name) {
  const parts = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}
function joinRelative(linkName, target) {
  const dir = linkName.includes("/") ? linkName.slice(0, linkName.lastIndexOf("/")) : "";
  return dir ? `${dir}/${target}` : target;
}

export {
  layoutStore,
  loadManifestTree,
  readDockerSave,
  buildManifest,
  indexTar,
  normalise2 as normalise
};
