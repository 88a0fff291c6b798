import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  buildMetadata,
  childrenOf,
  imagesOf
} from "./action-UXXX6J6T.js";
import {
  formatPlatform
} from "./action-33YKOHQK.js";
import "./action-QG7TUPY7.js";
import "./action-QNNVT73O.js";
import "./action-JJ6ZGO25.js";
export {
  buildMetadata,
  childrenOf,
  formatPlatform,
  imagesOf
};
