import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  pinnedReferences,
  repositoriesOf,
  repositoryOf
} from "./lib-OUM5PQBB.js";
import "./lib-V3WSX2IK.js";
export {
  pinnedReferences,
  repositoriesOf,
  repositoryOf
};
