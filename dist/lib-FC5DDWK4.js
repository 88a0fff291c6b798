import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/report/metadata.ts
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
    ...platforms.length > 0 ? { platforms } : {}
  };
}
function copyPlatform(platform) {
  const { os, architecture, variant } = platform;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export {
  childrenOf,
  buildMetadata
};
