import type { HashFn } from '../keys/hash.ts';

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
   * Byte bound of the cold-record cache (the encoded size of each cached group is what
   * counts). 0 disables the cache.
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
  /** The 64-bit key hash; injectable for tests. @defaultValue the built-in `hash64` */
  hash?: HashFn;
}

/** Options of `ingest` and `putMany`. */
export interface WriteOptions {
  /** Records per atomic batch. @defaultValue 1000 */
  batchSize?: number;
  /**
   * What an invalid record does: `'throw'` fails its batch (which writes nothing;
   * earlier batches stay written), `'skip'` skips and counts it.
   * @defaultValue 'throw'
   */
  onInvalid?: 'throw' | 'skip';
  /** Called after each acknowledged batch with the running totals. */
  onBatch?: (progress: WriteResult) => void;
}

/** What a write of many records did. */
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

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024;
