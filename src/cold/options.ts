/**
 * The cold tier's own types: its database, the options it is opened with, and what a
 * write hands it. `store/options.ts` re-exports the database types as part of the public
 * `StoreOptions`; nothing here depends on `store/`.
 */
import type { AbstractLevel } from 'abstract-level';

/** A database of byte keys and byte values (an abstract-level database), as a store uses it. */
export type Database = AbstractLevel<Uint8Array, Uint8Array, Uint8Array>;

/** The options a {@link DatabaseFactory} is given: what the built-in database would be opened with. */
export interface DatabaseOptions {
  /** Keys are `Uint8Array`s, passed through as they are. */
  keyEncoding: 'view';
  /** Values are `Uint8Array`s, passed through as they are. */
  valueEncoding: 'view';
  /** `StoreOptions.levelCacheBytes`, in bytes. */
  cacheSize: number;
  /** `StoreOptions.levelWriteBufferBytes`, in bytes. */
  writeBufferSize: number;
  /** LevelDB's block size, in bytes (chosen for random reads of whole records: cold/layout.ts). */
  blockSize: number;
}

/**
 * Makes the database of a store (see `StoreOptions.database`); `path` is the
 * store's `path` option, as given.
 */
export type DatabaseFactory = (path: string | undefined, options: DatabaseOptions) => Database;

/** Default byte bound of the cold-record cache. */
export const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * What the cold tier is opened with (the cold part of `StoreOptions`, checked by
 * `openStore` before it gets here).
 */
export interface ColdOptions {
  path?: string | undefined;
  cacheBytes?: number | undefined;
  sync?: boolean | undefined;
  levelCacheBytes?: number | undefined;
  levelWriteBufferBytes?: number | undefined;
  database?: DatabaseFactory | undefined;
  /** @internal For tests: records per batch when a layout-1 store is migrated. */
  _migrateBatch?: number | undefined;
  /**
   * @internal For tests: awaited after each step of a migration ("copied <n>",
   * "switched", "cleaned <n>"), so that a test can stop the process at an exact moment.
   */
  _onMigrate?: ((step: string) => void | Promise<void>) | undefined;
}

/** One record of a write batch, as the cold tier stores it. */
export interface ColdWrite {
  /** The record's id. */
  readonly id: number;
  /** The whole record (hot and cold fields). */
  readonly rec: object;
  /** True when a later record of the same batch replaces this one: nothing to store. */
  readonly superseded?: boolean;
  /** The row it replaced (≥ 0: an update, whose cached groups are stale), else −1. */
  readonly row: number;
}

/** One part of the cold tier's memory, as `Store.memory()` lists it. */
export interface ColdMemoryPart {
  name: string;
  kind: 'cache' | 'leveldb';
  bytes: number;
}
