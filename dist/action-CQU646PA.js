import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/log.ts
function safeLine(message) {
  return message.replace(/\r\n|\r|\n|\u2028|\u2029/g, (br) => br === "\r" ? "\\r" : "\\n").replace(/^(\s*)::/, "$1\\::").replaceAll("##[", "#\\#[");
}

export {
  safeLine
};
