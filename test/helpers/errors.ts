/**
 * Error-code assertions: the call fails with a `LeanrecError` of that code. They return
 * the error, so that a test can check its `field`, `index` or that its message *contains*
 * a name (never a whole message).
 */
import assert from 'node:assert/strict';
import { LeanrecError } from 'leanrec';

function check(err: unknown, code: string): LeanrecError {
  assert.ok(err instanceof LeanrecError, `expected a LeanrecError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

/** `fn()` throws a `LeanrecError` with `code` (synchronously); returns it. */
export function throwsCode(fn: () => unknown, code: string): LeanrecError {
  try {
    fn();
  } catch (err) {
    return check(err, code);
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

/**
 * The promise rejects (or the function throws or returns a promise that rejects) with a
 * `LeanrecError` with `code`; returns it.
 */
export async function rejectsCode(
  p: Promise<unknown> | (() => unknown),
  code: string,
): Promise<LeanrecError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return check(err, code);
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}
