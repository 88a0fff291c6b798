import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/errors.ts
var ImagePushError = class extends Error {
  hint;
  constructor(message, hint, options) {
    super(message, options);
    this.name = "ImagePushError";
    this.hint = hint;
  }
};
var InputError = class extends ImagePushError {
  constructor(message, hint) {
    super(message, hint);
    this.name = "InputError";
  }
};
var SourceError = class extends ImagePushError {
  constructor(message, hint, options) {
    super(message, hint, options);
    this.name = "SourceError";
  }
};
function describeError(err) {
  let line;
  if (err instanceof ImagePushError) line = err.hint ? `${err.message}. ${err.hint}` : err.message;
  else if (err instanceof Error) line = err.message;
  else line = String(err);
  return line.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

export {
  ImagePushError,
  InputError,
  SourceError,
  describeError
};
