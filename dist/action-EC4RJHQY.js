import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  RegistryError,
  loadRegistryImage,
  planResult,
  planTree,
  readBlob,
  withWriter,
  writePlan
} from "./action-FZSJVVC5.js";
import {
  checkPinnedDigests
} from "./action-MAUTNQXR.js";
import "./action-AUXMV2XP.js";
import {
  formatPlatform,
  parsePlatforms,
  platformMatches
} from "./action-33YKOHQK.js";
import {
  MAX_CONFIG_BYTES,
  parseManifest,
  platformOf
} from "./action-FBX2CC6P.js";
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  isIndexMediaType,
  isManifestMediaType
} from "./action-GKFREAB2.js";
import {
  formatReference,
  parseReference
} from "./action-QG7TUPY7.js";
import "./action-VOW7TFM6.js";
import {
  InputError,
  SourceError
} from "./action-QNNVT73O.js";
import "./action-3KCSIJ7J.js";
import {
  sha256Digest
} from "./action-KFWXCRBI.js";
import {
  formatBytes
} from "./action-7YDRSE4Y.js";
import "./action-O6GVOO7T.js";
import "./action-JJ6ZGO25.js";

// src/oci/index-builder.ts
function indexSettings(format, annotations) {
  const chosen = format ?? "auto";
  if (chosen !== "auto" && chosen !== "oci" && chosen !== "docker") {
    throw new InputError(`format "${chosen}" is not one of auto, oci, docker`);
  }
  const sorted = checkAnnotations(annotations);
  if (chosen === "docker" && sorted) {
    throw new InputError(
      "index annotations were given, but a Docker manifest list cannot hold annotations",
      "drop the annotations, or use format oci"
    );
  }
  return { format: chosen, annotations: sorted };
}
function buildIndex(children, settings) {
  const unique = uniqueChildren(children);
  checkPlatforms(unique);
  const docker = useDockerList(unique, settings.format, settings.annotations !== void 0);
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const manifests = unique.map((child) => ({
    mediaType: child.descriptor.mediaType,
    digest: child.descriptor.digest,
    size: child.descriptor.size,
    platform: child.platform,
    ...!docker && child.annotations ? { annotations: child.annotations } : {}
  }));
  const json = {
    schemaVersion: 2,
    mediaType,
    manifests,
    ...settings.annotations ? { annotations: settings.annotations } : {}
  };
  const bytes = Buffer.from(JSON.stringify(json));
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    docker,
    children: unique
  };
}
function describePlatform(p) {
  return [
    p.os,
    p.architecture,
    ...p.variant ? [p.variant] : [],
    ...p["os.version"] ? [p["os.version"]] : []
  ].join("/");
}
function checkAnnotations(annotations) {
  if (!annotations) return void 0;
  const entries = Object.entries(annotations);
  if (entries.length === 0) return void 0;
  for (const [key, value] of entries) {
    if (key === "" || typeof value !== "string") {
      throw new InputError(`index annotation "${key}" needs a non-empty key and a string value`);
    }
  }
  return Object.fromEntries(entries.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
function uniqueChildren(children) {
  const seen = /* @__PURE__ */ new Set();
  return children.filter((child) => {
    if (seen.has(child.descriptor.digest)) return false;
    seen.add(child.descriptor.digest);
    return true;
  });
}
function platformKey(p) {
  const variant = p.architecture === "arm64" && p.variant === "v8" ? void 0 : p.variant;
  return [p.os, p.architecture, variant ?? "", p["os.version"] ?? ""].join("/");
}
function checkPlatforms(children) {
  const byPlatform = /* @__PURE__ */ new Map();
  for (const child of children) {
    if (child.attestation) continue;
    const key = platformKey(child.platform);
    const other = byPlatform.get(key);
    if (other) {
      throw new InputError(
        `${other.source} (${other.descriptor.digest}) and ${child.source} (${child.descriptor.digest}) are both ${describePlatform(child.platform)}`,
        "an index holds one image per platform: drop one of them, or build it for another platform"
      );
    }
    byPlatform.set(key, child);
  }
}
function useDockerList(children, format, hasAnnotations) {
  if (format === "oci") return false;
  const oci = children.find((c) => c.descriptor.mediaType !== DOCKER_MANIFEST);
  if (format === "docker" && oci) {
    throw new InputError(
      `format docker was asked for, but ${oci.source} (${oci.descriptor.digest}) is a ${oci.descriptor.mediaType}`,
      "a Docker manifest list holds only Docker v2 schema 2 manifests: use format oci or auto"
    );
  }
  return oci === void 0 && !hasAnnotations;
}

// src/oci/annotations.ts
var LEVELS = ["index", "index-descriptor", "manifest", "manifest-descriptor"];
var TYPE = /^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$/;
var HINT = "write TYPE:KEY=VALUE (TYPE index, manifest, index-descriptor or manifest-descriptor) or KEY=VALUE";
function parseAnnotations(lines) {
  const annotations = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    const equals = line.indexOf("=");
    if (equals < 0) throw new InputError(`annotation "${line}" has no "="`, HINT);
    const name = line.slice(0, equals);
    const value = line.slice(equals + 1);
    const colon = name.indexOf(":");
    if (colon < 0) {
      annotations.push({ level: "manifest", platform: void 0, key: checkKey(name, line), value, line });
      continue;
    }
    const key = checkKey(name.slice(colon + 1), line);
    for (const type of name.slice(0, colon).split(",")) {
      const match = TYPE.exec(type);
      if (!match || !LEVELS.includes(match[1] ?? "")) {
        throw new InputError(`annotation "${line}": "${type}" is not an annotation type`, HINT);
      }
      const platform = match[2] === void 0 ? void 0 : parsePlatforms([match[2]])[0];
      annotations.push({ level: match[1], platform, key, value, line });
    }
  }
  return annotations;
}
function checkKey(key, line) {
  if (key === "") throw new InputError(`annotation "${line}" has an empty key`, HINT);
  return key;
}
function appliesTo(annotation, platform) {
  return annotation.platform === void 0 || platformMatches(platform, annotation.platform);
}

// src/push/merge-annotations.ts
function applyMergeAnnotations(children, annotations, indexAnnotations) {
  const index = { ...indexAnnotations };
  const extra = /* @__PURE__ */ new Map();
  for (const a of annotations) {
    if (a.level === "index") {
      if (a.platform) {
        throw new InputError(
          `annotation "${a.line}": an index: annotation names no platform`,
          "drop the [platform]; use manifest-descriptor[PLATFORM]: for one entry"
        );
      }
      index[a.key] = a.value;
    } else if (a.level === "index-descriptor") {
      throw new InputError(
        `annotation "${a.line}": index-descriptor annotations go on a descriptor of the index, and a merge pushes the index itself, with no descriptor of it`,
        "use index: to annotate the index"
      );
    } else if (a.level === "manifest-descriptor") {
      for (const child of children) {
        if (appliesTo(a, child.platform)) extra.set(child, { ...extra.get(child), [a.key]: a.value });
      }
    } else {
      checkCarried(a, children);
    }
  }
  const annotated = children.map((child) => {
    const more = extra.get(child);
    if (!more) return child;
    return { ...child, annotations: sortedRecord({ ...child.annotations, ...more }) };
  });
  return {
    children: annotated,
    index: Object.keys(index).length > 0 ? index : void 0,
    descriptors: extra.size > 0
  };
}
function checkCarried(a, children) {
  const images = children.filter((child) => !child.attestation && appliesTo(a, child.platform));
  for (const child of images) {
    const carried = parseManifest(child.bytes, child.descriptor.mediaType).annotations;
    if (carried?.[a.key] === a.value) continue;
    throw new InputError(
      `annotation "${a.line}": the ${formatPlatform(child.platform)} image ${child.descriptor.digest} (${child.source}) does not carry it, and adding it would change that image's digest`,
      "set manifest annotations when building (build-push-action annotations), and use index: or manifest-descriptor: here (DOCKER_METADATA_ANNOTATIONS_LEVELS=index,manifest-descriptor for metadata-action)"
    );
  }
}
function sortedRecord(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}

// src/source/merge-sources.ts
function parseSources(sources, registry) {
  if (sources.length === 0) {
    throw new InputError(
      "no source to merge",
      "name the images to merge, e.g. ghcr.io/org/app@sha256:... (the digests push-by-digest printed)"
    );
  }
  return sources.map((text) => {
    const ref = parseReference(text, {
      ...registry ? { defaultRegistry: registry } : {},
      defaultTag: false
    });
    const reference = ref.digest ?? ref.tag;
    if (reference === void 0) {
      throw new InputError(
        `merge source "${text.trim()}" names neither a digest nor a tag`,
        "write it as REGISTRY/REPOSITORY@sha256:<digest>, the digest push-by-digest printed"
      );
    }
    return { text: text.trim(), ref, reference };
  });
}
async function readSource(source, clients, limit) {
  const { registry, repository } = source.ref;
  const client = await clients(registry, repository);
  const name = source.text;
  const { tree } = await loadRegistryImage(client, source.ref, `merge source ${name}`, {
    missingHint: "push it first with push-by-digest, and pass the digest it printed",
    limit
  });
  const descriptor = plain(tree.descriptor);
  const where = { source: name, registry, repository, client, limit };
  if (!isIndexMediaType(descriptor.mediaType)) {
    const child = {
      ...await imageChild(where, tree),
      annotations: void 0,
      attestation: false
    };
    return { source, descriptor, children: [child] };
  }
  const parsed = parseManifest(tree.bytes, descriptor.mediaType);
  const entries = parsed.kind === "index" ? parsed.manifests : [];
  const inner = entries.find((entry) => isIndexMediaType(entry.mediaType));
  if (inner) {
    throw new InputError(
      `merge source ${name}: index ${descriptor.digest} holds another index (${inner.digest})`,
      "name the inner index as a source instead"
    );
  }
  const children = await Promise.all(
    tree.children.map(async (node, i) => {
      const entry = entries[i];
      return {
        ...await imageChild(where, node, entry.platform),
        annotations: entry.annotations,
        attestation: entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest"
      };
    })
  );
  return { source, descriptor, children };
}
async function imageChild(where, node, platform) {
  const { source, registry, repository } = where;
  const descriptor = plain(node.descriptor);
  const parsed = parseManifest(node.bytes, descriptor.mediaType);
  if (!isManifestMediaType(descriptor.mediaType) || parsed.kind !== "manifest") {
    throw new InputError(
      `merge source ${source}: ${descriptor.digest} is a "${descriptor.mediaType}", not an image manifest or index`,
      "merge images pushed by digest (OCI or Docker v2 schema 2)"
    );
  }
  return {
    source,
    registry,
    repository,
    descriptor,
    bytes: node.bytes,
    platform: platform ?? await configPlatform(where, parsed.config),
    blobs: node.blobs
  };
}
function plain({ mediaType, digest, size }) {
  return { mediaType, digest, size };
}
async function configPlatform(where, config) {
  const { client, repository, source } = where;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new SourceError(
      `merge source ${source}: config ${config.digest} is ${formatBytes(config.size)}, too big for an image config`
    );
  }
  const bytes = await where.limit(
    async () => Buffer.concat(await readBlob(client, repository, config).toArray())
  );
  let json;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    json = void 0;
  }
  const platform = platformOf(json);
  if (!platform) {
    throw new InputError(
      `merge source ${source}: config ${config.digest} names no os and architecture`,
      "only container images can be merged into an index by platform"
    );
  }
  return platform;
}

// src/push/merge.ts
async function merge(options) {
  const sources = parseSources(options.sources, options.registry);
  const annotationLines = parseAnnotations(options.annotationLines ?? []);
  indexSettings(options.format, options.annotations);
  return withWriter({ ...options, writer: { chunkSize: options.chunkSize } }, async (session, writer) => {
    const log = options.logger;
    const targets = session.targets;
    const read = await writer.settle(
      sources.map(
        (source) => readSource(source, (registry, repository) => session.clientFor(registry, repository), session.limit)
      )
    );
    const resolved = read.map(({ source, descriptor }) => {
      const { digest, mediaType } = descriptor;
      if (source.ref.digest === void 0)
        log.info(`${formatReference(source.ref)} is ${digest} (${mediaType})`);
      return { reference: formatReference(source.ref), digest, mediaType };
    });
    const annotated = applyMergeAnnotations(
      read.flatMap((r) => r.children),
      annotationLines,
      options.annotations
    );
    if (annotated.descriptors && options.format === "docker") {
      throw new InputError(
        "manifest-descriptor annotations were given, but a Docker manifest list cannot hold annotations",
        "drop them, or use format oci"
      );
    }
    const format = annotated.descriptors && (options.format ?? "auto") === "auto" ? "oci" : options.format;
    const index = buildIndex(annotated.children, indexSettings(format, annotated.index));
    const indexDigest = index.descriptor.digest;
    checkPinnedDigests(targets, indexDigest, "the merged index");
    log.info(
      `${indexDigest}: ${index.docker ? "Docker manifest list" : "OCI image index"} of ${index.children.length} manifests: ` + index.children.map((c) => `${describePlatform(c.platform)} ${c.descriptor.digest}`).join(", ")
    );
    const sourceOf = /* @__PURE__ */ new Map();
    const root = {
      descriptor: index.descriptor,
      bytes: index.bytes,
      blobs: [],
      children: index.children.map((child) => {
        for (const { descriptor: blob } of child.blobs)
          if (!sourceOf.has(blob.digest)) sourceOf.set(blob.digest, child);
        return {
          descriptor: { ...child.descriptor, platform: child.platform },
          bytes: child.bytes,
          blobs: child.blobs,
          children: []
        };
      })
    };
    const plan = planTree(root, targets, {
      hints: (target, blob) => copyHints(target, sourceOf.get(blob.descriptor.digest), blob)
    });
    await writePlan(writer, plan);
    await writer.drain();
    log.info(writer.describe(indexDigest, targets.length));
    return {
      ...planResult(plan, writer, { source: resolved.map((r) => r.reference).join(", ") }),
      sources: resolved
    };
  });
}
function copyHints(target, child, blob) {
  return {
    copyFrom: { registry: child.registry, repository: child.repository },
    // Absent from the very repository it is copied from: the registry lost it.
    missing: () => new RegistryError(
      `${child.source}: blob ${blob.descriptor.digest} of manifest ${child.descriptor.digest} is missing from ${target.registry}/${target.repository}`,
      "the registry lost content of that image; push it again with push-by-digest"
    )
  };
}
export {
  merge
};
