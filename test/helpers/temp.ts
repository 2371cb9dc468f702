/**
 * Temp directories for tests. Each is made under the system's temp folder and removed
 * when the test process exits (node's runner gives every test file its own process),
 * or earlier by {@link withTempDir} / {@link removeTempDir}. `LEANREC_KEEP_TMP=1` keeps
 * them, to look at what a failing test left on disk.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const made = new Set<string>();
const keep = process.env.LEANREC_KEEP_TMP === '1';
let hooked = false;

/** A new empty directory `leanrec-<name>-XXXXXX`, removed when the process exits. */
export function tempDir(name = 'test'): string {
  return track(mkdtempSync(join(tmpdir(), `leanrec-${name}-`)));
}

/**
 * A new empty directory under the repository's `.tmp/`, removed when the process exits:
 * for TypeScript files run or type-checked there, where `leanrec` resolves to the sources
 * through the package's self-reference.
 */
export function repoTempDir(name: string): string {
  const base = fileURLToPath(new URL('../../.tmp/', import.meta.url));
  mkdirSync(base, { recursive: true });
  return track(mkdtempSync(join(base, `${name}-`)));
}

function track(dir: string): string {
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
