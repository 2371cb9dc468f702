/**
 * lmdb-js as the benchmarks use it: whole records under `package\0version\0architecture`,
 * msgpackr with shared structures (`sharedStructuresKey`, so the field names of a record
 * are written once per structure, not once per record), default options otherwise.
 */
import { open, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';

/** The options every lmdb contender opens with (besides its path). */
export const LMDB_OPTIONS = { sharedStructuresKey: Symbol.for('structures') } as const;

/** Opens (or creates) the database at `path` with {@link LMDB_OPTIONS} plus `extra`. */
export function openLmdb<V>(
  path: string,
  extra: Partial<RootDatabaseOptionsWithPath> = {},
): RootDatabase<V, string> {
  return open<V, string>({ path, ...LMDB_OPTIONS, ...extra });
}

/**
 * Puts every record under `key(record)`, waiting for the write of every 1,000th record
 * (lmdb-js batches puts into transactions on its own; the wait bounds what is queued),
 * then for the last one and the flush. Returns the number of records.
 */
export async function putAll<V>(
  db: RootDatabase<V, string>,
  records: AsyncIterable<V>,
  key: (record: V) => string,
): Promise<number> {
  let n = 0;
  let pending: Promise<boolean> | undefined;
  for await (const rec of records) {
    pending = db.put(key(rec), rec);
    if (++n % 1000 === 0) await pending;
  }
  await pending;
  await db.flushed;
  return n;
}
