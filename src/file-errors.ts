import { tmpdir } from 'node:os';
import { ImagePushError } from './errors.ts';

// Local-file failures said as what they are: what was being written, where, what the system said in words,
// and what to do. Node's own text (`ENOSPC: no space left on device, write`) names neither the file's purpose
// nor a way out.

/** The system's error code in words, and what usually fixes it. */
const CAUSES: Readonly<Record<string, { readonly says: string; readonly fix: string }>> = {
  ENOSPC: { says: 'the disk is full', fix: 'free space there, or point it at a disk with room' },
  EDQUOT: { says: 'the disk quota is used up', fix: 'free space there, or point it at a disk with room' },
  EROFS: { says: 'the file system is read-only', fix: 'point it at a writable directory' },
  EACCES: { says: 'permission denied', fix: 'make it writable for this user, or point it elsewhere' },
  EPERM: {
    says: 'the operation is not permitted',
    fix: 'make it writable for this user, or point it elsewhere',
  },
  EISDIR: { says: 'it is a directory', fix: 'it must be a file' },
  ENOTDIR: { says: 'a part of the path is not a directory', fix: 'check the path' },
  ENOENT: { says: 'it does not exist', fix: 'check the path, or create its directory first' },
  EMFILE: { says: 'too many open files', fix: 'raise the open-file limit (ulimit -n)' },
  EIO: { says: 'an I/O error (a failing disk?)', fix: 'check the disk' },
};

export function fileErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // @actions/core's own check of GITHUB_OUTPUT: "Missing file at path: ..."
  if (err instanceof Error && /^Missing file at path/.test(err.message)) return 'ENOENT';
  return undefined;
}

/** "the disk is full (ENOSPC)", or the error's own message when its code is not one of the known ones. */
export function describeFileError(err: unknown): string {
  const code = fileErrorCode(err);
  const cause = code === undefined ? undefined : CAUSES[code];
  if (cause) return `${cause.says} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/** What usually fixes `err`, or undefined. */
export function fileErrorFix(err: unknown): string | undefined {
  const code = fileErrorCode(err);
  return code === undefined ? undefined : CAUSES[code]?.fix;
}

/** A local file or directory could not be made or written: what, where, why, and what to do. */
export class LocalFileError extends ImagePushError {
  readonly path: string;

  /** `doing`: "writing the compressed layer to"; `advice`: what else may help (where to point instead). */
  constructor(doing: string, path: string, cause: unknown, advice?: string) {
    const fix = fileErrorFix(cause);
    super(
      `${doing} ${path}: ${describeFileError(cause)}`,
      [fix, advice].filter((part) => part !== undefined).join('; ') || undefined,
      { cause },
    );
    this.name = 'LocalFileError';
    this.path = path;
  }
}

/**
 * Where temporary files go: the runner's own temporary directory on GitHub runners (RUNNER_TEMP, emptied
 * after each job, and on the disk meant for work), else the system's (TMPDIR).
 */
export function tempRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TEMP || tmpdir();
}

/** What a temporary-file failure may advise besides the fix for its cause. */
export const TEMP_ADVICE =
  'temporary files go under RUNNER_TEMP on a runner, else TMPDIR: point it at a writable directory with room for the largest layer';
