import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  blobPath,
  layoutStore,
  loadManifestTree
} from "./action-FBX2CC6P.js";
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST
} from "./action-GKFREAB2.js";
import {
  formatReference,
  parseReference
} from "./action-QG7TUPY7.js";
import {
  SourceError
} from "./action-QNNVT73O.js";
import {
  fileKind
} from "./action-TDGLVJ5A.js";
import {
  isSha256Digest,
  require_promises,
  sha256Digest
} from "./action-KFWXCRBI.js";
import {
  require_node_fs,
  require_node_stream
} from "./action-O6GVOO7T.js";
import {
  __toESM
} from "./action-JJ6ZGO25.js";

// src/source/tar-index.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_promises = __toESM(require_promises(), 1);
var TarIndex = class extends Map {
  others = /* @__PURE__ */ new Map();
};
var BLOCK = 512;
var MAX_META = 1 << 20;
var TYPES = {
  "3": "a character device",
  "4": "a block device",
  "5": "a directory",
  "6": "a FIFO (named pipe)"
};
async function indexTar(path) {
  const file = await (0, import_promises.open)(path, import_node_fs.constants.O_RDONLY | import_node_fs.constants.O_NONBLOCK);
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw new Error(`it is ${fileKind(stats)}, not a tar file`);
    return await readIndex(file, stats.size);
  } finally {
    await file.close();
  }
}
async function readIndex(file, fileSize) {
  const index = new TarIndex();
  const links = [];
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  let pax = {};
  let longName;
  let longLink;
  for (; ; ) {
    const { bytesRead } = await file.read(header, 0, BLOCK, offset);
    if (bytesRead === 0 && offset === fileSize) break;
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
    const name = pax.path ?? longName ?? headerName(header);
    const where = `entry "${name}" at byte ${offset}`;
    const size = pax.size ?? parseSize(header.subarray(124, 136), where);
    const dataOffset = offset + BLOCK;
    if (size > fileSize - dataOffset)
      throw new Error(
        `truncated tar: ${where} says it holds ${size} bytes, but the file ends ${fileSize - dataOffset} bytes after its header`
      );
    if (type === "x" || type === "L" || type === "K" || type === "g") {
      if (size > MAX_META) throw new Error(`${where}: a ${size}-byte extended header is not plausible`);
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataOffset);
      if (type === "x") pax = parsePax(data, where);
      if (type === "L") longName = cString(data);
      if (type === "K") longLink = cString(data);
    } else {
      const path = normalise(name);
      if (type === "0" || type === "\0" || type === "7") {
        index.set(path, { offset: dataOffset, size });
      } else if (type === "1" || type === "2") {
        const target = pax.linkpath ?? longLink ?? cString(header.subarray(157, 257));
        const resolved = type === "2" && !target.startsWith("/") ? joinRelative(path, target) : target;
        links.push([path, normalise(resolved), `a ${type === "1" ? "hard" : "symbolic"} link to ${target}`]);
      } else if (TYPES[type]) {
        index.others.set(path, TYPES[type]);
      }
      pax = {};
      longName = longLink = void 0;
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  for (let pass = 0, resolved = true; resolved && pass < 8; pass++) {
    resolved = false;
    for (const [name, target] of links) {
      const entry = index.get(target);
      if (entry && !index.has(name)) {
        index.set(name, entry);
        resolved = true;
      }
    }
  }
  for (const [name, target, what] of links) {
    if (!index.has(name))
      index.others.set(name, `${what} (${index.others.get(target) ?? "not in the archive"})`);
  }
  return index;
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
  if (field[0] === 128) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  if ((field[0] ?? 0) & 128) return NaN;
  const text = field.toString("latin1").replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}
function parseSize(field, where) {
  const size = parseNumber(field);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Error(
      `not a tar file, or corrupt: ${where} has an impossible size ${JSON.stringify(field.toString("latin1").replace(/\0+$/, ""))}`
    );
  }
  return size;
}
function checksumMatches(header) {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i] ?? 0;
  return sum === stored;
}
function parsePax(data, where) {
  const pax = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(32, pos);
    if (space === -1) break;
    const length = Number(data.toString("latin1", pos, space));
    if (!Number.isSafeInteger(length) || length <= space - pos || pos + length > data.length) break;
    const record = data.toString("utf8", space + 1, pos + length - 1);
    const eq = record.indexOf("=");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") pax.path = value;
    if (key === "linkpath") pax.linkpath = value;
    if (key === "size") {
      const size = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(size))
        throw new Error(
          `not a tar file, or corrupt: ${where} (a PAX header) gives the impossible size ${JSON.stringify(value)}${pax.path ? ` for "${pax.path}"` : ""}`
        );
      pax.size = size;
    }
    pos += length;
  }
  return pax;
}
function normalise(name) {
  const parts = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}
function isInsideArchive(name) {
  if (name.startsWith("/")) return false;
  let depth = 0;
  for (const part of name.split("/")) {
    if (part === "..") depth--;
    else if (part !== "" && part !== ".") depth++;
    if (depth < 0) return false;
  }
  return true;
}
function joinRelative(linkName, target) {
  const dir = linkName.includes("/") ? linkName.slice(0, linkName.lastIndexOf("/")) : "";
  return dir ? `${dir}/${target}` : target;
}

// src/source/docker-save.ts
var import_node_stream = __toESM(require_node_stream(), 1);
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
  const entry = selectEntry(
    entries.map((e) => isObject(e) ? { ...e, RepoTags: stringsOnly(e.RepoTags) } : {}),
    ref,
    sourceName
  );
  if (typeof entry.Config !== "string" || !Array.isArray(entry.Layers)) {
    throw new SourceError(
      `${sourceName}: manifest.json entry has no Config or Layers`,
      "the archive is corrupt"
    );
  }
  for (const [i, path] of [entry.Config, ...entry.Layers].entries()) {
    const what = i === 0 ? "Config" : `Layers[${i - 1}]`;
    if (typeof path !== "string" || path === "" || !isInsideArchive(path)) {
      throw new SourceError(
        `${sourceName}: manifest.json ${what} is ${JSON.stringify(path)}, which is no path inside the archive`,
        "the archive is corrupt or was tampered with; save the image again"
      );
    }
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
  const listed = config?.rootfs?.diff_ids ?? [];
  const diffIds = Array.isArray(listed) ? listed : [listed];
  for (const [i, diffId] of diffIds.entries()) {
    if (typeof diffId !== "string" || !isSha256Digest(diffId)) {
      throw new SourceError(
        `${sourceName}: config ${entry.Config} rootfs.diff_ids[${i}] is ${JSON.stringify(diffId)}, not a sha256 digest`,
        "the archive is corrupt; save the image again"
      );
    }
  }
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
    open: () => Promise.resolve(import_node_stream.Readable.from([configBytes]))
  };
  const { os, architecture, variant } = config;
  return {
    kind: "pending",
    config: configBlob,
    layers,
    platform: typeof os === "string" && typeof architecture === "string" ? { os, architecture, ...typeof variant === "string" && variant ? { variant } : {} } : void 0,
    build: buildManifest
  };
}
async function storedManifest(files, configDigest, sourceName) {
  if (await files.size("index.json") === void 0) return void 0;
  const index = parseJson(await files.read("index.json"), "index.json", sourceName);
  const usable = (list) => Array.isArray(list) ? list.filter(
    (d) => typeof d?.digest === "string" && isSha256Digest(d.digest)
  ) : [];
  const queue = usable(index?.manifests);
  for (let seen = 0; queue.length > 0 && seen < 1e3; seen++) {
    const descriptor = queue.shift();
    const path = blobPath(descriptor.digest);
    if (await files.size(path) === void 0) continue;
    const json = parseJson(
      await files.read(path),
      path,
      sourceName
    );
    if (json === null || typeof json !== "object") continue;
    queue.push(...usable(json.manifests));
    if (json.config?.digest === configDigest && Array.isArray(json.layers) && json.layers.every((l) => /gzip|zstd/.test(String(l?.mediaType)))) {
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
  const wanted = normalise2(ref);
  const matches = entries.filter((e) => (e.RepoTags ?? []).some((tag) => normalise2(tag) === wanted));
  const [match] = matches;
  if (match && matches.length === 1) return match;
  throw new SourceError(
    matches.length ? `${sourceName}: ${matches.length} images in the archive are tagged "${ref}"` : `${sourceName}: no image tagged "${ref}" in the archive (tags: ${names.join(", ") || "none"})`,
    "name one of the listed tags"
  );
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function stringsOnly(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}
function normalise2(tag) {
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

export {
  indexTar,
  normalise,
  readDockerSave,
  buildManifest
};
