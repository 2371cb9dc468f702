/**
 * Temp directories for tests. Each is made under the system's temp folder and removed
 * when the test process exits (node's runner gives every test file its own process),
 * or earlier by {@link withTempDir} / {@link removeTempDir}. `LEANREC_KEEP_TMP=1` keeps
 * them, to look at what a failing test left on disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
const keep = process.env.LEANREC_KEEP_TMP === '1';
let hooked = false;

/** A new empty directory `leanrec-<name>-XXXXXX`, removed when the process exits. */
export function tempDir(name = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), `leanrec-${name}-`));
  made.add(dir);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: rmSync is.
    process.once('exit', () => {
      if (!keep) for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Removes a directory made by {@link tempDir} now (a store in it must be closed). */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temp directory and removes it afterwards, whatever `fn` did. */
export async function withTempDir<T>(
  name: string,
  fn: (dir: string) => T | Promise<T>,
): Promise<T> {
  const dir = tempDir(name);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}
