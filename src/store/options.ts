import type { DatabaseFactory } from '../cold/options.ts';
import type { HotLimits } from '../hot/limits.ts';
import type { HashFn } from '../util/hash.ts';

export type { Database, DatabaseFactory, DatabaseOptions } from '../cold/options.ts';
export { DEFAULT_CACHE_BYTES } from '../cold/options.ts';

/** Options of {@link openStore}. Every member is optional. */
export interface StoreOptions {
  /**
   * Directory of the LevelDB database (created when missing). Without it the cold tier
   * lives in memory (`memory-level`) and nothing persists.
   */
  path?: string;
  /**
   * `false` keeps only the hot tier: cold fields are validated, then dropped (smallest
   * footprint; `cold()`/`load()` throw `E_ARGUMENT`).
   * @defaultValue true
   */
  cold?: boolean;
  /**
   * Byte bound of the cold-record cache: what the decoded groups it holds take in
   * memory, as `memory()` reports it. 0 disables the cache (the bytes of the last record
   * read are still kept, so that reading two groups of one record costs one read).
   * @defaultValue 4 MiB (4_194_304)
   */
  cacheBytes?: number;
  /**
   * Fsync each write batch before it is acknowledged (durable against power loss, slower).
   * @defaultValue false
   */
  sync?: boolean;
  /**
   * LevelDB's own block cache, in bytes (outside the V8 heap; counted in `memory()`).
   * Uncached cold reads depend on it: raise it (e.g. 8–32 MiB) when they dominate.
   * @defaultValue 2 MiB
   */
  levelCacheBytes?: number;
  /**
   * LevelDB's write buffer (memtable), in bytes (outside the V8 heap; counted in `memory()`).
   * @defaultValue 1 MiB
   */
  levelWriteBufferBytes?: number;
  /**
   * Makes the database instead of the built-in one (classic-level at `path`, or
   * memory-level without a path): e.g. another abstract-level implementation, or a
   * wrapper that injects faults (`FaultyLevel` in `leanrec/testing`). Called once per
   * `openStore`; the store opens the database, and closes it on `close()`.
   *
   * The database must:
   * - use the `'view'` key and value encodings (`Uint8Array` in and out; the factory's
   *   `options` say so), else `openStore` throws `E_ARGUMENT`;
   * - support `get`, `getMany`, `del`, chained `batch()` (put, del, and a `write()`
   *   that applies all of them or none), and `iterator`/`keys` over `gte`/`lt` ranges in
   *   key order;
   * - support `getSync` for the synchronous reads (`cold()`, `record()`); without it those
   *   throw `E_ARGUMENT` and only `load()`, `loadRecord()` and `loadMany()` read cold fields.
   *
   * The hot snapshot is written on `close()` when the database says it persists
   * (`db.supports.permanence`). With a `path`, the directory is held against a second
   * store of this process as with the built-in database. Errors the database throws
   * reach the caller as `E_IO` (or `E_LOCKED` for a `LEVEL_LOCKED` open error), with the
   * original error as `cause`.
   * @defaultValue classic-level (`level`) with `path`, memory-level without
   */
  database?: DatabaseFactory;
  /**
   * The 64-bit key hash; injectable for tests (`constantHash` from `leanrec/testing` makes
   * every key collide). @defaultValue the built-in 64-bit hash
   */
  hash?: HashFn;
  /**
   * @internal For tests only: hot-tier limits lower than the real ones (rows, string
   * pool bytes, list items; a larger value is ignored), so that a test reaches a limit
   * that is too large to reach for real. Not part of the API.
   */
  _limits?: Partial<HotLimits>;
  /**
   * @internal For tests: the largest chunk of the hot snapshot, in bytes, so that chunk
   * edges can be reached with small stores. Chunks of any size restore the same.
   * @defaultValue 4 MiB (`SNAPSHOT_CHUNK`)
   */
  snapshotChunkBytes?: number;
  /** @internal For tests: records per batch when a layout-1 store is migrated on open. */
  _migrateBatch?: number;
  /**
   * @internal For tests: awaited after each step of a layout migration ("copy",
   * "copied <n>", "switched", "cleaned hot <n>", "cleaned cold <n>", "done").
   */
  _onMigrate?: (step: string) => void | Promise<void>;
}

/** Options of `Store.ingest` (and of its deprecated alias `putMany`). */
export interface WriteOptions {
  /** Records per atomic batch. @defaultValue 250 */
  batchSize?: number;
  /**
   * What an invalid record does: `'throw'` fails its batch (which writes nothing;
   * earlier batches stay written), `'skip'` skips and counts it.
   * @defaultValue 'throw'
   */
  onInvalid?: 'throw' | 'skip';
  /** Called after each acknowledged batch with the running totals. */
  onBatch?: (progress: WriteResult) => void;
  /**
   * All or nothing: when the source fails part-way (a parse error, a truncated archive,
   * an exception from the iterator, an invalid record with `onInvalid: 'throw'`, a
   * database error), the store is left exactly as it was before the call — in memory,
   * after a reopen, and after a crash (the next open undoes what a killed ingest had
   * staged). Batches are still written one at a time: memory stays bounded by two
   * batches (the one written and the next), plus 4 bytes per replaced record and the replaced records' old hot rows until
   * the ingest ends. Reads during the ingest see the records staged so far; other
   * writes called meanwhile wait until it ends (so the source must not wait for one). A
   * replaced record gets a new id; its old entries are deleted in the ingest's last
   * batch.
   *
   * Rows never move: views and `where()` iterators taken before stay valid. So each
   * record the ingest replaces leaves its old hot row as a tombstone, reused by later
   * inserts and freed by `Store.compact` (re-ingesting the whole Debian index into its
   * own store takes the hot tier from 70 to 107 B per record until `compact()`; the
   * CLI's `leanrec ingest` compacts after such an ingest). For the same reason an
   * atomic ingest needs rows for the old records and the new ones at once: near the row
   * limit (2^32 − 2 rows) it can fail with `E_LIMIT` where a non-atomic one would not.
   *
   * When its last batch fails and whether the database applied it cannot be read back,
   * the outcome is unknown until the store is reopened (then it holds the old records or
   * all the new ones); the error says so, and writes are refused until then (`E_IO`).
   * Anything but `true`, `false` or `undefined` is `E_ARGUMENT`.
   *
   * Without it, the batches written before a failure stay written and the error says
   * how many records they held (`written` on the {@link LeanrecError}).
   * @defaultValue false
   */
  atomic?: boolean;
}

/** What `Store.ingest` did: counts of the records it read, as if written one by one. */
export interface WriteResult {
  /** Records written (inserted + updated). */
  written: number;
  /** Records whose key was new. */
  inserted: number;
  /** Records that replaced a record with the same key. */
  updated: number;
  /** Invalid records skipped (`onInvalid: 'skip'`). */
  skipped: number;
  /** Atomic batches written. */
  batches: number;
}

/**
 * Records per ingest batch. Two batches are held while one is written (see
 * `Store.ingest`); measured on the Debian index (63,440 records, on disk): peak RSS
 * during ingest above the process's start ≈ 70 MB for 64–250, 77–86 MB for 500,
 * 94–114 MB for 1,000, 138–148 MB for 2,000 and 191–203 MB for 4,000, with no
 * difference in time above the machine's noise (with `sync: true` either, the fsync
 * of a batch overlapping the reading of the next). Smaller batches only add per-batch
 * work (metadata, a write call).
 */
export const DEFAULT_BATCH_SIZE = 250;
