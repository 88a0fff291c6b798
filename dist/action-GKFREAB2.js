import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  InputError
} from "./action-QNNVT73O.js";

// src/oci/media-types.ts
var OCI_INDEX = "application/vnd.oci.image.index.v1+json";
var OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
var OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
var OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
var DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
var DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
var DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
var DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
function isIndexMediaType(mediaType) {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}
function isManifestMediaType(mediaType) {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

// src/limit.ts
var DEFAULT_CONCURRENCY = 4;
function checkConcurrency(value, text = String(value)) {
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new InputError(
      `concurrency "${text}" is not a whole number from 1 to 64`,
      `leave it empty for ${DEFAULT_CONCURRENCY}`
    );
  }
  return value;
}
function createLimiter(concurrency) {
  let active = 0;
  const waiting = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = waiting.shift();
    if (start) {
      active++;
      start();
    }
  };
  return (task) => new Promise((resolve, reject) => {
    waiting.push(() => {
      task().then(resolve, reject).finally(() => {
        active--;
        next();
      });
    });
    next();
  });
}

export {
  DEFAULT_CONCURRENCY,
  checkConcurrency,
  createLimiter,
  OCI_INDEX,
  OCI_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  isIndexMediaType,
  isManifestMediaType
};
