import assert from 'node:assert/strict';
import { describeError } from '../../src/errors.ts';

/** Asserts that `promise` rejects and that its one-line description (message and hint) matches `pattern`. */
export async function rejectsWithLine(promise: Promise<unknown>, pattern: RegExp): Promise<string> {
  let line: string | undefined;
  await assert.rejects(promise, (err: unknown) => {
    line = describeError(err);
    assert.match(line, pattern);
    return true;
  });
  return line ?? '';
}
