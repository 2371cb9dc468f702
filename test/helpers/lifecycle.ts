/**
 * Runs one limit scenario in every way a store can hold its data: in memory
 * (memory-level), hot-only, and on disk, where the data is checked as written, after
 * close → reopen (the snapshot) and after a rebuild from the `h` entries (the snapshot
 * dropped, as in test/cold/persistence.test.ts).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type AnySchema, LeanrecError, openStore, type Store, type StoreOptions } from 'leanrec';
import { metaKey } from '../../src/cold/layout.ts';
import { tempDir } from './temp.ts';

/** Where the data being checked came from. */
export type Mode = 'memory' | 'hot-only' | 'disk' | 'snapshot' | 'rebuild';

/** A scenario: `write` fills the store (asserting its own failures), `check` reads it. */
export interface Scenario<S extends AnySchema> {
  /** Store options (e.g. `_limits`) given to every open, reopen included. */
  options?: StoreOptions;
  write(st: Store<S>, mode: Mode): Promise<void>;
  /** Checks the contents; may retry a refused batch (which must write nothing). */
  check(st: Store<S>, mode: Mode): void | Promise<void>;
}

interface Internals {
  _cold: { openMode: string; _db: { del(k: Uint8Array): Promise<void> } } | undefined;
}

/** Runs `sc` in memory, hot-only and on disk through snapshot and rebuild. */
export async function acrossLifecycle<S extends AnySchema>(
  schema: S,
  sc: Scenario<S>,
  modes: readonly Mode[] = ['memory', 'hot-only', 'rebuild'],
): Promise<void> {
  const base = sc.options ?? {};
  for (const mode of modes.filter((m) => m === 'memory' || m === 'hot-only')) {
    const st = await openStore(schema, mode === 'hot-only' ? { ...base, cold: false } : base);
    try {
      await sc.write(st, mode);
      await sc.check(st, mode);
    } finally {
      await st.close();
    }
  }
  if (!modes.some((m) => m === 'disk' || m === 'snapshot' || m === 'rebuild')) return;
  const dir = tempDir('limit');
  try {
    const path = join(dir, 'db');
    let st = await openStore(schema, { ...base, path });
    await sc.write(st, 'disk');
    await sc.check(st, 'disk');
    await st.close();
    st = await openStore(schema, { ...base, path });
    // A store that never held a record reopens as new: there is nothing to restore.
    const empty = st.size === 0;
    assert.equal((st as unknown as Internals)._cold?.openMode, empty ? 'new' : 'snapshot');
    await sc.check(st, 'snapshot');
    await st.close();
    // Lose the snapshot (opened and closed with no write between, so close() writes none).
    st = await openStore(schema, { ...base, path });
    await (st as unknown as Internals)._cold?._db.del(metaKey('snap'));
    await st.close();
    st = await openStore(schema, { ...base, path });
    assert.equal((st as unknown as Internals)._cold?.openMode, empty ? 'new' : 'rebuild');
    await sc.check(st, 'rebuild');
    await st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts that `p` rejects with a `LeanrecError` of `code` whose message names `field`/`key`. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  names: { field?: string; key?: string } = {},
): Promise<LeanrecError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof LeanrecError, `expected a LeanrecError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (names.field !== undefined) {
    assert.equal(err.field, names.field);
    assert.ok(err.message.includes(names.field), err.message);
  }
  if (names.key !== undefined) {
    assert.equal(err.key, names.key);
    assert.ok(err.message.includes(names.key), err.message);
  }
  return err;
}
