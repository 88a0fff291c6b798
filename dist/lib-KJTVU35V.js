import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ImagePushError
} from "./lib-VQBWY2ZJ.js";

// src/file-errors.ts
import { tmpdir } from "node:os";
var CAUSES = {
  ENOSPC: { says: "the disk is full", fix: "free space there, or point it at a disk with room" },
  EDQUOT: { says: "the disk quota is used up", fix: "free space there, or point it at a disk with room" },
  EROFS: { says: "the file system is read-only", fix: "point it at a writable directory" },
  EACCES: { says: "permission denied", fix: "make it writable for this user, or point it elsewhere" },
  EPERM: {
    says: "the operation is not permitted",
    fix: "make it writable for this user, or point it elsewhere"
  },
  EISDIR: { says: "it is a directory", fix: "it must be a file" },
  ENOTDIR: { says: "a part of the path is not a directory", fix: "check the path" },
  ENOENT: { says: "it does not exist", fix: "check the path, or create its directory first" },
  EMFILE: { says: "too many open files", fix: "raise the open-file limit (ulimit -n)" },
  EIO: { says: "an I/O error (a failing disk?)", fix: "check the disk" }
};
function fileErrorCode(err) {
  const code = err?.code;
  if (typeof code === "string") return code;
  if (err instanceof Error && /^Missing file at path/.test(err.message)) return "ENOENT";
  return void 0;
}
function describeFileError(err) {
  const code = fileErrorCode(err);
  const cause = code === void 0 ? void 0 : CAUSES[code];
  if (cause) return `${cause.says} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
function fileErrorFix(err) {
  const code = fileErrorCode(err);
  return code === void 0 ? void 0 : CAUSES[code]?.fix;
}
var LocalFileError = class extends ImagePushError {
  path;
  /** `doing`: "writing the compressed layer to"; `advice`: what else may help (where to point instead). */
  constructor(doing, path, cause, advice) {
    const fix = fileErrorFix(cause);
    super(
      `${doing} ${path}: ${describeFileError(cause)}`,
      [fix, advice].filter((part) => part !== void 0).join("; ") || void 0,
      { cause }
    );
    this.name = "LocalFileError";
    this.path = path;
  }
};
function tempRoot(env = process.env) {
  return env.RUNNER_TEMP || tmpdir();
}
var TEMP_ADVICE = "temporary files go under RUNNER_TEMP on a runner, else TMPDIR: point it at a writable directory with room for the largest layer";

export {
  fileErrorCode,
  describeFileError,
  fileErrorFix,
  LocalFileError,
  tempRoot,
  TEMP_ADVICE
};
