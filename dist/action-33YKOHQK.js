import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  InputError
} from "./action-QNNVT73O.js";

// src/oci/platform.ts
function formatPlatform(platform) {
  if (!platform) return "unknown";
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}
function parsePlatforms(values) {
  return values.map((value) => {
    const parts = value.trim().split("/");
    const [os, architecture, variant] = parts;
    if (!os || !architecture || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
      throw new InputError(
        `platform "${value}" is not os/architecture[/variant]`,
        "write platforms like linux/amd64 or linux/arm/v7"
      );
    }
    return variant ? { os, architecture, variant } : { os, architecture };
  });
}
function platformMatches(have, want) {
  if (!have) return false;
  return have.os === want.os && have.architecture === want.architecture && (want.variant === void 0 || have.variant === want.variant);
}

export {
  formatPlatform,
  parsePlatforms,
  platformMatches
};
