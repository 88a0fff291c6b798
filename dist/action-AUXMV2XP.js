import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/result.ts
function sumSizes(reports) {
  return reports.reduce((total, r) => total + r.size, 0);
}
function tallyBlobs(blobs) {
  const of = (list) => ({ count: list.length, bytes: sumSizes(list) });
  return {
    all: of(blobs),
    uploaded: of(blobs.filter((b) => b.action === "uploaded")),
    mounted: of(blobs.filter((b) => b.action === "mounted")),
    skipped: of(blobs.filter((b) => b.action === "skipped")),
    notSent: of(blobs.filter((b) => b.action !== "uploaded")),
    repositories: new Set(blobs.map((b) => b.repository)).size
  };
}
var partials = /* @__PURE__ */ new WeakMap();
function notePartial(err, blobs) {
  if (typeof err === "object" && err !== null && !partials.has(err)) partials.set(err, blobs);
}
function partialBlobs(err) {
  return typeof err === "object" && err !== null && partials.get(err) || [];
}

export {
  sumSizes,
  tallyBlobs,
  notePartial,
  partialBlobs
};
