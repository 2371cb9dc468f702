import type { GroupName, Infer, InferCold, InferHot, InferKey } from '../schema/infer.ts';

/**
 * A record as the store hands it out: a getter per hot field (read straight from the
 * columns), plus methods that reach the cold tier. Cheap to create; valid until its
 * record is deleted or the store compacted.
 */
export type RecordView<S> = Readonly<InferHot<S>> & ViewMethods<S>;

/** The methods of every {@link RecordView}. */
export interface ViewMethods<S> {
  /** The hot fields as a plain object. */
  toObject(): InferHot<S>;
  /**
   * The cold fields of one group (or of every group, merged), read synchronously
   * through the cache.
   * @throws LeanrecError `E_CORRUPT` when the stored group is missing or undecodable;
   * `E_ARGUMENT` for an unknown group or a hot-only store.
   */
  cold(): InferCold<S>;
  cold<G extends GroupName<S>>(group: G): InferCold<S, G>;
  /** Like {@link ViewMethods.cold}, asynchronously. */
  load(): Promise<InferCold<S>>;
  load<G extends GroupName<S>>(group: G): Promise<InferCold<S, G>>;
  /** The whole record (hot fields and every cold group), exactly as it was written. */
  record(): Infer<S>;
  /** Like {@link ViewMethods.record}, asynchronously. */
  loadRecord(): Promise<Infer<S>>;
}

/** A key object: the schema's key fields. */
export type KeyOf<S> = InferKey<S>;

/** One part of a store's memory. */
export interface MemoryPart {
  /** e.g. `column:version`, `pool`, `key-index`, `cache`. */
  name: string;
  /** What sort of part it is. */
  kind: 'column' | 'pool' | 'index' | 'bitset' | 'rows' | 'cache' | 'leveldb';
  /** Bytes (allocated, not just used). */
  bytes: number;
}

/** What {@link Store.memory} reports. All figures are bytes. */
export interface StoreMemory {
  /** Everything below, added up. */
  total: number;
  /** The hot tier: columns, bitsets, string pool, key and secondary indexes. */
  hot: number;
  /**
   * The cold-record cache's current bytes: what its decoded groups take in V8's heap (the
   * bytes of the last record read are the part `cache:last-record`, in `total`).
   */
  cache: number;
  /** Entries in the cold-record cache. */
  cacheEntries: number;
  /** LevelDB's block cache and write buffer as configured (outside V8's heap). */
  leveldb: number;
  /** Live records. */
  records: number;
  /** Every part, named. */
  parts: MemoryPart[];
}
