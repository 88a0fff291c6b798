import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  isIndexMediaType,
  isManifestMediaType
} from "./lib-IL6IRER7.js";
import {
  isSha256Digest
} from "./lib-MR6TX43F.js";
import {
  ImagePushError
} from "./lib-VQBWY2ZJ.js";

// src/oci/manifest.ts
var ManifestError = class extends ImagePushError {
  /**
   * What is wrong: `json` (not a JSON object), `media-type` (it contradicts how it was described),
   * `unsupported` (neither an image manifest nor an index), `structure` (a field is malformed).
   */
  reason;
  constructor(message, reason, options) {
    super(message, void 0, options);
    this.name = "ManifestError";
    this.reason = reason;
  }
};
var MAX_MANIFEST_BYTES = 4 << 20;
var MAX_CONFIG_BYTES = 16 << 20;
var FOREIGN_LAYER = /\.foreign\.|nondistributable/;
function parseManifest(bytes, mediaType = "") {
  let raw;
  try {
    raw = JSON.parse(typeof bytes === "string" ? bytes : bytes.toString("utf8"));
  } catch (err) {
    throw new ManifestError("is not valid JSON", "json", { cause: err });
  }
  if (!isObject(raw)) throw new ManifestError("is not a JSON object", "json");
  const json = raw;
  const declared = typeof json.mediaType === "string" && json.mediaType !== "";
  const ownType = declared ? json.mediaType : mediaType;
  if (declared && mediaType && ownType !== mediaType) {
    throw new ManifestError(`says it is ${ownType}, but was described as ${mediaType}`, "media-type");
  }
  const common = {
    mediaType: ownType,
    declared,
    subject: json.subject === void 0 ? void 0 : descriptor(json.subject, "subject"),
    artifactType: typeof json.artifactType === "string" ? json.artifactType : void 0,
    annotations: stringRecord(json.annotations),
    json
  };
  if (isIndexMediaType(ownType) || !isManifestMediaType(ownType) && Array.isArray(json.manifests)) {
    return { ...common, kind: "index", manifests: list(json.manifests, "manifests") };
  }
  if (isManifestMediaType(ownType) || json.config !== void 0 && Array.isArray(json.layers)) {
    if (json.config === void 0) throw new ManifestError("has no config descriptor", "structure");
    return {
      ...common,
      kind: "manifest",
      config: descriptor(json.config, "config"),
      layers: list(json.layers, "layers")
    };
  }
  throw new ManifestError(
    ownType ? `has media type "${ownType}", which is neither an image manifest nor an index` : "names no media type",
    "unsupported"
  );
}
function manifestBlobs(manifest) {
  return [
    manifest.config,
    ...manifest.layers.filter((l) => !(l.urls && l.urls.length > 0 && FOREIGN_LAYER.test(l.mediaType)))
  ];
}
function platformOf(value) {
  if (!isObject(value) || typeof value.os !== "string" || typeof value.architecture !== "string")
    return void 0;
  const str = (v) => typeof v === "string" && v !== "" ? v : void 0;
  const strings = (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string") ? v : void 0;
  const osVersion = str(value["os.version"]);
  const osFeatures = strings(value["os.features"]);
  const variant = str(value.variant);
  const features = strings(value.features);
  return {
    architecture: value.architecture,
    os: value.os,
    ...osVersion ? { "os.version": osVersion } : {},
    ...osFeatures ? { "os.features": osFeatures } : {},
    ...variant ? { variant } : {},
    ...features ? { features } : {}
  };
}
function list(value, field) {
  if (value === void 0) return [];
  if (!Array.isArray(value)) throw new ManifestError(`has "${field}" that is not a list`, "structure");
  return value.map((entry, i) => descriptor(entry, `${field}[${i}]`));
}
function descriptor(value, where) {
  if (!isObject(value)) throw new ManifestError(`has ${where} that is not a descriptor`, "structure");
  const { digest, size } = value;
  if (typeof digest !== "string" || !isSha256Digest(digest)) {
    throw new ManifestError(
      `has ${where} with digest ${JSON.stringify(digest)}, which is not a sha256 digest`,
      "structure"
    );
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestError(`has ${where} with an invalid size ${JSON.stringify(size)}`, "structure");
  }
  const platform = value.platform === void 0 ? void 0 : platformOf(value.platform);
  const annotations = stringRecord(value.annotations);
  const urls = Array.isArray(value.urls) && value.urls.every((u) => typeof u === "string") ? value.urls : void 0;
  return {
    mediaType: typeof value.mediaType === "string" ? value.mediaType : "",
    digest,
    size,
    ...platform ? { platform } : {},
    ...annotations ? { annotations } : {},
    ...urls ? { urls } : {},
    ...typeof value.artifactType === "string" ? { artifactType: value.artifactType } : {}
  };
}
function stringRecord(value) {
  if (!isObject(value)) return void 0;
  const entries = Object.entries(value).filter((e) => typeof e[1] === "string");
  return entries.length ? Object.fromEntries(entries) : void 0;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export {
  ManifestError,
  MAX_MANIFEST_BYTES,
  MAX_CONFIG_BYTES,
  parseManifest,
  manifestBlobs,
  platformOf
};
