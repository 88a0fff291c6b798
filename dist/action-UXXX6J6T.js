import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseReference
} from "./action-QG7TUPY7.js";

// src/report/metadata.ts
function imagesOf(result) {
  const images = result.references.map((reference) => {
    const { registry, repository } = parseReference(reference);
    return `${registry}/${repository}@${result.digest}`;
  });
  return [...new Set(images)];
}
function childrenOf(result) {
  return result.children;
}
function buildMetadata(result) {
  const descriptor = {
    mediaType: result.mediaType,
    digest: result.digest,
    size: result.size
  };
  const tags = {};
  for (const reference of result.references) tags[reference] = { ...descriptor };
  const platforms = childrenOf(result).map((child) => ({
    digest: child.digest,
    mediaType: child.mediaType,
    size: child.size,
    ...child.platform ? { platform: copyPlatform(child.platform) } : {}
  }));
  return {
    "containerimage.digest": result.digest,
    "containerimage.descriptor": descriptor,
    "image.name": result.references.join(","),
    tags,
    ...platforms.length > 0 ? { platforms } : {},
    images: imagesOf(result)
  };
}
function copyPlatform(platform) {
  const { os, architecture, variant } = platform;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export {
  imagesOf,
  childrenOf,
  buildMetadata
};
