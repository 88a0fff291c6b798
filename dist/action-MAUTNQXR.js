import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  formatReference,
  parseReference
} from "./action-QG7TUPY7.js";
import {
  InputError
} from "./action-QNNVT73O.js";

// src/engine/targets.ts
function parseTargets(destinations, defaultRegistry) {
  if (destinations.length === 0) {
    throw new InputError("no destination given", "name at least one tag, e.g. ghcr.io/OWNER/IMAGE:latest");
  }
  const byRepository = /* @__PURE__ */ new Map();
  for (const destination of destinations) {
    checkBareWord(destination, defaultRegistry);
    const ref = parseReference(destination, defaultRegistry ? { defaultRegistry } : void 0);
    const key = `${ref.registry}/${ref.repository}`;
    let group = byRepository.get(key);
    if (!group) {
      group = { registry: ref.registry, repository: ref.repository, refs: [] };
      byRepository.set(key, group);
    }
    if (!group.refs.some((r) => formatReference(r) === formatReference(ref))) group.refs.push(ref);
  }
  return [...byRepository.values()].map(({ registry, repository, refs }) => ({
    registry,
    repository,
    tags: refs.filter((r) => r.digest === void 0 && r.tag !== void 0).map((r) => r.tag),
    digests: refs.filter((r) => r.digest !== void 0).map((r) => r.digest),
    references: refs
  }));
}
function checkBareWord(destination, defaultRegistry) {
  const word = destination.trim();
  const registry = defaultRegistry?.trim().replace(/\/+$/, "") ?? "";
  if (!registry.includes("/") || /[/:@]/.test(word) || word === "") return;
  throw new InputError(
    `destination "${word}" names no image: with registry "${registry}" it would push to ${registry}/${word}:latest`,
    `for the tag ${word} write IMAGE:${word} (app:${word} pushes to ${registry}/app:${word}); for an image named ${word} write ${word}:latest`
  );
}
function namedTags(destinations, defaultRegistry) {
  return destinations.filter((destination) => {
    const ref = parseReference(destination, {
      ...defaultRegistry ? { defaultRegistry } : {},
      defaultTag: false
    });
    return ref.tag !== void 0;
  });
}
function checkPinnedDigests(targets, digest, what) {
  for (const target of targets) {
    const wrong = target.digests.find((d) => d !== digest);
    if (wrong) {
      throw new InputError(
        `destination ${target.registry}/${target.repository}@${wrong} pins a digest, but ${what} is ${digest}`,
        "drop the digest from the destination, or push the image it names"
      );
    }
  }
}

export {
  parseTargets,
  namedTags,
  checkPinnedDigests
};
