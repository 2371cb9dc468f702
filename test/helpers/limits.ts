/**
 * Shared by the boundary tests in test/limits: stores in temp folders, the three ways a
 * store comes back (in memory, close → reopen from the snapshot, rebuild without one),
 * and a second process that reads a store and prints every record.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type AnySchema, openStore, type Store } from 'leanrec';
import { metaKey } from '../../src/cold/layout.ts';

export type AnyStore = Store<AnySchema>;
type Rec = Record<string, unknown>;

export { tempDir } from './temp.ts';

/** Opens the store at `dir` and checks how its hot tier came back. */
export async function reopen(
  S: AnySchema,
  dir: string,
  mode: 'new' | 'snapshot' | 'rebuild',
  options: Record<string, unknown> = {},
): Promise<AnyStore> {
  const store = (await openStore(S, { path: dir, ...options })) as AnyStore;
  assert.equal(store._cold?.openMode, mode, `store at ${dir} opened by ${mode}`);
  return store;
}

/**
 * Closes `store` (which must not hold unsnapshotted writes) after deleting its snapshot
 * marker, so the next open rebuilds the hot tier from the `h` entries.
 */
export async function closeWithoutSnapshot(store: AnyStore): Promise<void> {
  await store._cold!._db.del(metaKey('snap'));
  await store.close();
}

/** Every record of the store, whole (hot and cold), sorted by `key`. */
export function allRecords(store: AnyStore, key: string): Rec[] {
  const out: Rec[] = [];
  for (const v of store.where()) out.push((v as unknown as { record(): Rec }).record());
  return out.sort((a, b) => ((a[key] as number) < (b[key] as number) ? -1 : 1));
}

/**
 * Asserts that the store holds exactly `expected` (sorted by `key`), compared as whole
 * records; on a mismatch the message names the first record that differs.
 */
export function assertRecords(store: AnyStore, key: string, expected: readonly Rec[]): void {
  const got = allRecords(store, key);
  assert.equal(got.length, expected.length, 'record count');
  // One comparison of the JSON text first (the large stores here hold JSON-safe records
  // with fields in schema order): per-record deepStrictEqual costs a second on 8,000
  // records. It decides when the texts differ (field order is not part of a record).
  if (JSON.stringify(got) === JSON.stringify(expected)) return;
  for (let i = 0; i < got.length; i++)
    assert.deepStrictEqual(got[i], expected[i], `record ${String(expected[i]![key])}`);
}

/**
 * Asserts that the store holds `size` records, `some` of them read by key and compared
 * whole (for the intermediate states of large stores; the final state is read in full).
 */
export function assertSome(store: AnyStore, key: string, size: number, some: readonly Rec[]): void {
  assert.equal(store.size, size, 'record count');
  for (const r of some) {
    const v = store.get({ [key]: r[key] } as never) as unknown as { record(): Rec } | undefined;
    assert.ok(v !== undefined, `record ${String(r[key])} present`);
    assert.deepStrictEqual(v.record(), r, `record ${String(r[key])}`);
  }
}

/**
 * `assertSome` in memory, after close → reopen (snapshot) and after a rebuild; leaves the
 * store closed.
 */
export async function assertSomeEverywhere(
  store: AnyStore,
  S: AnySchema,
  dir: string,
  key: string,
  size: number,
  some: readonly Rec[],
): Promise<void> {
  assertSome(store, key, size, some);
  await store.close();
  let s = await reopen(S, dir, 'snapshot');
  assertSome(s, key, size, some);
  await closeWithoutSnapshot(s);
  s = await reopen(S, dir, 'rebuild');
  assertSome(s, key, size, some);
  await s.close();
}

/**
 * The store at `dir` read back in memory, after close → reopen (snapshot), and after a
 * rebuild (no snapshot); then in a second process when `child` names the schema there.
 * Leaves the store closed.
 */
export async function assertEverywhere(
  store: AnyStore,
  S: AnySchema,
  dir: string,
  key: string,
  expected: readonly Rec[],
  child?: string,
): Promise<void> {
  assertRecords(store, key, expected);
  await store.close();
  let s = await reopen(S, dir, 'snapshot');
  assertRecords(s, key, expected);
  await closeWithoutSnapshot(s);
  s = await reopen(S, dir, 'rebuild');
  assertRecords(s, key, expected);
  await s.close();
  if (child !== undefined) assert.deepStrictEqual(readInChild(child, dir), expected);
}

const childPath = fileURLToPath(new URL('./limits-child.ts', import.meta.url));

/** Every record of the store at `dir`, read by another process (schema `name` in limits-child.ts). */
export function readInChild(name: string, dir: string): Rec[] {
  const r = spawnSync(
    process.execPath,
    ['--conditions=leanrec-source', '--import', 'tsx', childPath, name, dir],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Rec[];
}
