import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  pinnedReferences,
  repositoriesOf,
  repositoryOf
} from "./action-4FZILLFW.js";
import "./action-JJ6ZGO25.js";
export {
  pinnedReferences,
  repositoriesOf,
  repositoryOf
};
