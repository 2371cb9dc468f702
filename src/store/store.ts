import type { ColdTier } from '../cold/cold-tier.ts';
import { type ColdReader, queryRows } from '../debian/query-compile.ts';
import type { QueryNode } from '../debian/query-parse.ts';
import { LeanrecError, withNote } from '../errors.ts';
import { type HotTier, NOT_ASCII, NOT_WELL_FORMED } from '../hot/tier.ts';
import { ID, makeViewClass, ROW, setOwn, type ViewBase, type ViewClass } from '../hot/view.ts';
import { SecondaryIndexes } from '../keys/secondary.ts';
import type { GroupName, Infer, InferCold, InferHot } from '../schema/infer.ts';
import type { AnySchema } from '../schema/schema.ts';
import { checkFor, describeValue, RecordValidator } from '../schema/validate.ts';
import { DEFAULT_BATCH_SIZE, type WriteOptions, type WriteResult } from './options.ts';
import { type Filter, matchRows, popcount } from './query.ts';
import { closeCold } from './restore.ts';
import { Staging, undone } from './staging.ts';
import type { KeyOf, MemoryPart, RecordView, StoreMemory } from './types.ts';

/**
 * @internal The largest record id. Ids are u32s in the cold tier's keys and never reused, so a
 * store assigns 2^32 − 1 of them in its life (0 … 0xFFFFFFFE): `nextId` itself must
 * stay a u32.
 */
export const MAX_ID = 0xfffffffe;

/** @internal One planned write of a batch. */
export interface PlannedWrite {
  /** The validated record. */
  readonly rec: Record<string, unknown>;
  /** Its existing row, or -1 for a new record. */
  row: number;
  /** Its id (existing or newly assigned). */
  readonly id: number;
  /** Replaced by a later record with the same key in the same batch. */
  superseded: boolean;
  /** Replaces an earlier record with the same key in the same batch. */
  readonly replacesEarlier: boolean;
  /** In an atomic ingest, the row of the record it replaces under a new id, else -1. */
  readonly hides: number;
}

/**
 * A batch of an ingest after validation: its valid records, their hot values (record n's
 * hot field i at `hot[n × hot fields + i]`, read once by the validator), and how many
 * were skipped.
 */
interface ValidBatch {
  readonly records: Record<string, unknown>[];
  readonly hot: unknown[];
  readonly skipped: number;
}

/** Options of {@link Store.where}. */
export interface WhereOptions {
  /**
   * Yield one reused view whose row moves at each step (no allocation per row). The
   * view is only valid until the next step.
   * @defaultValue false
   */
  reuse?: boolean;
}

/** Builds a store; set by the class's static block (the constructor is private). */
let construct: (schema: AnySchema, tier: HotTier, cold: ColdTier | undefined) => Store<AnySchema>;

/**
 * @internal The store over tiers {@link openStore} has opened: the one way to make a
 * {@link Store} (its constructor is private, so the tiers stay out of the public types).
 */
export function createStore<S extends AnySchema>(
  schema: S,
  tier: HotTier,
  cold: ColdTier | undefined,
): Store<S> {
  return construct(schema, tier, cold) as unknown as Store<S>;
}

/**
 * A store of records of one schema. Get one with {@link openStore}.
 *
 * Reads (`get`, `has`, `where`, `count`, `cold`) are synchronous; writes are
 * asynchronous, run one at a time in call order, and each batch is atomic.
 */
export class Store<S extends AnySchema> {
  /** The store's schema. */
  readonly schema: S;
  readonly #tier: HotTier;
  readonly #validator: RecordValidator;
  readonly #secondary: SecondaryIndexes;
  readonly #View: ViewClass;
  readonly #cold: ColdTier | undefined;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** The bitset `count()` reuses (1 bit per row; made on the first filtered count). */
  #countWords: Uint32Array | undefined = undefined;
  /** Ingests under way: `close()` waits for them (they may still be reading their source). */
  readonly #ingesting = new Set<Promise<WriteResult>>();

  static {
    construct = (schema, tier, cold) => new Store(schema, tier, cold);
  }

  // Private rather than tagged internal: a stripped constructor would read as a public
  // `new Store()` in the declarations.
  private constructor(schema: S, tier: HotTier, cold: ColdTier | undefined) {
    this.schema = schema;
    this.#tier = tier;
    this.#cold = cold;
    this.#validator = new RecordValidator(schema);
    this.#secondary = new SecondaryIndexes(tier);
    const store = this;
    this.#View = makeViewClass(schema.hotFields, {
      cold(this: ViewBase, group?: string) {
        return store.#coldTier().read(this[ID], group, () => store.#keyTextOf(this));
      },
      load(this: ViewBase, group?: string) {
        return store.#coldTier().load(this[ID], group, () => store.#keyTextOf(this));
      },
      record(this: ViewBase) {
        const cold = store.#coldTier().read(this[ID], undefined, () => store.#keyTextOf(this));
        return assignOwn(this.toObject(), cold);
      },
      async loadRecord(this: ViewBase) {
        const hot = this.toObject();
        const cold = await store
          .#coldTier()
          .load(this[ID], undefined, () => store.#keyTextOf(this));
        return assignOwn(hot, cold);
      },
    } as never);
  }

  // ── reads ───────────────────────────────────────────────────────────────

  /** Live records. */
  get size(): number {
    this.#open();
    return this.#tier.size;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The record with this key, or `undefined`.
   *
   * @throws LeanrecError `E_ARGUMENT` when a key field is missing or of the wrong type;
   * `E_CLOSED` after `close()`.
   * @example
   * ```ts
   * const v = store.get({ package: 'bash', version: '5.2.15-2+b2', architecture: 'amd64' })
   * v?.section // 'shells'
   * ```
   */
  get(key: KeyOf<S>): RecordView<S> | undefined {
    this.#open();
    const row = this.#findRow(key);
    if (row < 0) return undefined;
    return new this.#View(this.#tier, row, this.#tier.ids[row]!) as unknown as RecordView<S>;
  }

  /** True when a record with this key exists. @throws LeanrecError `E_ARGUMENT`, `E_CLOSED` */
  has(key: KeyOf<S>): boolean {
    this.#open();
    return this.#findRow(key) >= 0;
  }

  /**
   * The row of `key`, or -1; throws `E_ARGUMENT` for a bad key. An ASCII key of strings
   * is looked up first, unchecked (`findRowAscii`): a row found proves every value valid
   * (it equals a stored one); a key that finds none is checked then, so a bad key (a
   * value a closed enum lacks) is refused as before. Any other key is checked, then
   * encoded.
   */
  #findRow(key: unknown): number {
    const tier = this.#tier;
    let row = key !== null && typeof key === 'object' ? tier.findRowAscii(key) : NOT_ASCII;
    if (row >= 0) return row;
    this.#validator.validateKeyTypes(key);
    if (row === NOT_ASCII) {
      row = tier.findRow(key as object);
      if (row === NOT_WELL_FORMED) this.#validator.validateKey(key); // throws, naming the field
    }
    return row;
  }

  /**
   * Records matching every condition of `filter` (all records without one), in row order.
   * Conditions: a value or a list of values (strings, enums, flags, numbers), or a
   * range `{ gt, gte, lt, lte }` (numbers). Optional fields only match when present.
   *
   * @throws LeanrecError `E_ARGUMENT` for an unknown or cold field or a wrong value type.
   */
  *where(
    filter?: Filter<InferHot<S>>,
    options: WhereOptions = {},
  ): Generator<RecordView<S>, void, undefined> {
    this.#open();
    const tier = this.#tier;
    const reuse = options.reuse === true;
    const cursor = reuse ? new this.#View(tier, 0, 0) : undefined;
    const direct = this.#indexedEquality(filter);
    if (direct !== undefined) {
      // Postings are sorted by (value, row): equal values come out in row order.
      for (let i = 0; i < direct.length; i++) {
        const row = direct[i]!;
        if (cursor !== undefined) {
          cursor[ROW] = row;
          cursor[ID] = tier.ids[row]!;
          yield cursor as unknown as RecordView<S>;
        } else yield new this.#View(tier, row, tier.ids[row]!) as unknown as RecordView<S>;
      }
      return;
    }
    const words = matchRows(tier, filter, this.#secondary);
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      while (bits !== 0) {
        const j = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const row = (w << 5) + j;
        if (cursor !== undefined) {
          cursor[ROW] = row;
          cursor[ID] = tier.ids[row]!;
          yield cursor as unknown as RecordView<S>;
        } else yield new this.#View(tier, row, tier.ids[row]!) as unknown as RecordView<S>;
      }
    }
  }

  /**
   * Records matching an aptly package query (`Priority (required), $Architecture (amd64)`;
   * see `parseQuery` in `leanrec/debian` and README "Package queries"), in row order.
   * The query is evaluated when called, on the hot tier; cold groups are read only for
   * conditions on cold fields, and only for rows the hot conditions let through.
   *
   * @throws LeanrecError `E_PARSE` (with `column`) for a bad query text; `E_ARGUMENT` for
   * a field the schema does not have, or a cold field on a hot-only store; `E_CLOSED`.
   */
  query(
    query: QueryNode | string,
    options: WhereOptions = {},
  ): Generator<RecordView<S>, void, undefined> {
    this.#open();
    const tier = this.#tier;
    const cold: ColdReader = (row, group) => {
      const v = new this.#View(tier, row, tier.ids[row]!);
      return this.#coldTier().read(v[ID], group, () => this.#keyTextOf(v));
    };
    cold.ifContains = (row, group, needle) => {
      const v = new this.#View(tier, row, tier.ids[row]!);
      return this.#coldTier().readIfContains(v[ID], group, needle, () => this.#keyTextOf(v));
    };
    const words = queryRows(tier, query, cold);
    return this.#rows(words, options.reuse === true);
  }

  /** The views of the rows set in `words`, in row order (one reused view with `reuse`). */
  *#rows(words: Uint32Array, reuse: boolean): Generator<RecordView<S>, void, undefined> {
    const tier = this.#tier;
    const cursor = reuse ? new this.#View(tier, 0, 0) : undefined;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      while (bits !== 0) {
        const j = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const row = w * 32 + j;
        if (cursor !== undefined) {
          cursor[ROW] = row;
          cursor[ID] = tier.ids[row]!;
          yield cursor as unknown as RecordView<S>;
        } else yield new this.#View(tier, row, tier.ids[row]!) as unknown as RecordView<S>;
      }
    }
  }

  /** Number of records matching `filter` (see {@link Store.where}); decodes nothing. */
  count(filter?: Filter<InferHot<S>>): number {
    this.#open();
    if (filter === undefined) return this.#tier.size;
    const direct = this.#indexedEquality(filter);
    if (direct !== undefined) return direct.length;
    // One bitset reused from call to call (see matchRows); taken while in use, so a
    // filter whose getter counts again gets an array of its own.
    const need = (this.#tier.rowCount + 31) >>> 5;
    let words = this.#countWords;
    this.#countWords = undefined;
    if (words === undefined || words.length < need) words = new Uint32Array(need + (need >>> 4));
    try {
      return popcount(matchRows(this.#tier, filter, this.#secondary, words));
    } finally {
      this.#countWords = words;
    }
  }

  /**
   * The cold fields of the record with `key`: of one group, or of every group merged
   * (typed like a view's `cold()`); `undefined` when there is no such record.
   *
   * @throws LeanrecError `E_ARGUMENT` for an unknown group or a hot-only store;
   * `E_CORRUPT` when the stored group is missing or undecodable; `E_CLOSED`.
   */
  cold<G extends GroupName<S> | undefined = undefined>(
    key: KeyOf<S>,
    group?: G,
  ): InferCold<S, G> | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return (v as unknown as UntypedCold).cold(group) as InferCold<S, G>;
  }

  /** Like {@link Store.cold}, asynchronously. */
  async load<G extends GroupName<S> | undefined = undefined>(
    key: KeyOf<S>,
    group?: G,
  ): Promise<InferCold<S, G> | undefined> {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return (await (v as unknown as UntypedCold).load(group)) as InferCold<S, G>;
  }

  /**
   * The cold fields of many views at once (LevelDB `getMany` in batches of 256), in
   * the order of `views`. With `{ cache: false }` what is read does not enter the cache
   * (for one pass over many records, which would only evict what others keep reading).
   */
  async loadMany<G extends GroupName<S> | undefined = undefined>(
    views: Iterable<RecordView<S>>,
    group?: G,
    options: { cache?: boolean } = {},
  ): Promise<InferCold<S, G>[]> {
    this.#open();
    const list = [...views] as unknown as ViewBase[];
    const cold = await this.#coldTier().loadMany(
      list.map((v) => v[ID]),
      group,
      (i) => this.#keyTextOf(list[i]!),
      options.cache !== false,
    );
    return cold as InferCold<S, G>[];
  }

  // ── writes ──────────────────────────────────────────────────────────────

  /**
   * Writes one record (insert, or replace the record with the same key).
   *
   * @throws LeanrecError `E_INVALID_RECORD` (nothing written), `E_CLOSED`, `E_IO`.
   */
  async put(record: Infer<S>): Promise<void> {
    this.#open();
    await this.putMany([record]);
  }

  /**
   * Writes many records in atomic batches of `batchSize`.
   *
   * @throws LeanrecError `E_INVALID_RECORD` naming the record's position, field and key;
   * the failing batch writes nothing and earlier batches stay written (their number of
   * records as `written`), or with `{ atomic: true }` nothing at all stays written.
   */
  putMany(
    records: Iterable<Infer<S>> | AsyncIterable<Infer<S>>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    return this.ingest(records, options);
  }

  /**
   * Reads records from any iterable or async iterable (e.g. a parser) and writes them in
   * atomic batches. While the database writes a batch (on its own thread), the next one
   * is read and validated: at most two batches are held in memory. After the last batch, frees the
   * string pool's interning table (it is rebuilt on the next write).
   *
   * With `{ atomic: true }` (see {@link WriteOptions.atomic}) a failure part-way leaves
   * the store exactly as it was, also after a crash; without it, the batches written
   * before the failure stay, and a `LeanrecError` that ends the ingest says how many
   * records they held (message and `written`).
   *
   * @throws LeanrecError the source's own (`E_PARSE`…), `E_INVALID_RECORD`, `E_LIMIT`,
   * `E_IO`, `E_CLOSED`; `E_ARGUMENT` (before anything is read) for a source that is
   * neither iterable nor async iterable or bad options; errors the source throws that
   * are not leanrec's pass through.
   * @example
   * ```ts
   * const { inserted } = await store.ingest(readPackages('Packages.gz'), { batchSize: 2000 })
   * ```
   */
  async ingest(
    source: Iterable<Infer<S>> | AsyncIterable<Infer<S>>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    this.#open();
    if (!isIterable(source))
      throw new LeanrecError(
        'E_ARGUMENT',
        `the source must be an iterable or an async iterable of records, got ${describeValue(source)}`,
      );
    const run = this.#ingest(source, options);
    this.#ingesting.add(run);
    try {
      return await run;
    } finally {
      this.#ingesting.delete(run);
    }
  }

  async #ingest(
    source: Iterable<Infer<S>> | AsyncIterable<Infer<S>>,
    options: WriteOptions,
  ): Promise<WriteResult> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new LeanrecError(
        'E_ARGUMENT',
        `batchSize must be a positive integer, got ${batchSize}`,
      );
    if (options.atomic !== undefined && typeof options.atomic !== 'boolean')
      throw new LeanrecError(
        'E_ARGUMENT',
        `atomic must be true or false, got ${describeValue(options.atomic)}`,
      );
    const onInvalid = options.onInvalid ?? 'throw';
    const result: WriteResult = { written: 0, inserted: 0, updated: 0, skipped: 0, batches: 0 };
    if (options.atomic === true)
      // The whole ingest holds the write queue: no other write may land between its
      // batches, or rolling it back would take that write with it. Rows never move
      // here (no compaction): views and where() iterators the caller holds stay valid.
      return this.#exclusive(async () => {
        const staging = new Staging(this.#tier.nextId);
        try {
          await this.#pipeline(source, batchSize, onInvalid, options, result, (batch) =>
            this.#writeBatch(batch, result, staging),
          );
          await staging.commit(this.#tier, this.#cold);
        } catch (err) {
          // A commit whose outcome is unknown keeps the new records in memory (see Staging.commit).
          const outcome = staging.unknown
            ? 'unknown'
            : await staging.rollback(this.#tier, this.#cold);
          this.#secondary.invalidate();
          throw undone(err, result.written, outcome);
        }
        this.#secondary.invalidate();
        if (result.written > 1) this.#tier.settle();
        return result;
      });
    try {
      await this.#pipeline(source, batchSize, onInvalid, options, result, (batch) =>
        this.#exclusive(() => this.#writeBatch(batch, result, undefined)),
      );
    } catch (err) {
      throw withWritten(err, result.written);
    }
    if (result.written > 1) this.#tier.settle();
    return result;
  }

  /**
   * Reads `source` in batches of `batchSize`, validates each and hands it to `write`,
   * one at a time, in order. The database writes a batch on its own thread: while it
   * does, the next batch is read and validated here, and only then is the write awaited
   * (so at most two batches are held: the one being written and the one being read).
   * Whatever ends the ingest (the source, an invalid record, a failed write), it ends
   * only once the write under way has settled, and a failed write ends it before the
   * error of any later batch: nothing is written after a batch that failed, and the
   * caller's rollback or `written` count sees every batch that reached the database.
   */
  async #pipeline(
    source: Iterable<Infer<S>> | AsyncIterable<Infer<S>>,
    batchSize: number,
    onInvalid: 'throw' | 'skip',
    options: WriteOptions,
    result: WriteResult,
    write: (batch: ValidBatch) => Promise<void>,
  ): Promise<void> {
    let inflight: Promise<void> | undefined;
    /** Waits for the write under way, then reports its batch. */
    const settle = async (): Promise<void> => {
      if (inflight === undefined) return;
      const w = inflight;
      inflight = undefined;
      await w;
      options.onBatch?.({ ...result });
    };
    let batch: unknown[] = [];
    let start = 0;
    let index = 0;
    /** Adds a record to the batch; true when the batch is full. */
    const add = (rec: unknown): boolean => {
      if (batch.length === 0) start = index;
      batch.push(rec);
      index++;
      return batch.length >= batchSize;
    };
    /** Validates the batch, waits for the write under way, starts this one's. */
    const flush = async (): Promise<void> => {
      const valid = this.#validBatch(batch, start, onInvalid);
      batch = [];
      await settle();
      inflight = startWrite(write, valid);
    };
    try {
      // A sync source (an array, a generator) is read with for…of: for await would
      // wait a microtask turn per record (≈ 0.4–0.8 µs, as much as validating one).
      if (
        typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
      ) {
        for (const rec of source as Iterable<unknown>) if (add(rec)) await flush();
      } else for await (const rec of source as AsyncIterable<unknown>) if (add(rec)) await flush();
      if (batch.length > 0) await flush();
      await settle();
    } catch (err) {
      // The write under way settles first (and is reported to onBatch when it stands);
      // if it failed, its error is the one to report (it is the earlier batch), else this one.
      await settle();
      throw err;
    }
  }

  /**
   * The records of `batch` that are valid (all of them, or with `onInvalid: 'skip'`
   * those that are, counting the others).
   * @throws LeanrecError `E_INVALID_RECORD` naming the record's position in the source.
   */
  #validBatch(batch: unknown[], start: number, onInvalid: 'throw' | 'skip'): ValidBatch {
    const records: Record<string, unknown>[] = [];
    const width = this.schema.hotFields.length;
    const hot: unknown[] = [];
    let skipped = 0;
    for (let i = 0; i < batch.length; i++) {
      try {
        // A record that fails leaves part of its values past the valid ones: the next
        // valid record overwrites them, and the writer reads only records.length of them.
        this.#validator.validateInto(batch[i], start + i, hot, records.length * width);
        records.push(batch[i] as Record<string, unknown>);
      } catch (err) {
        if (onInvalid === 'skip' && err instanceof LeanrecError && err.code === 'E_INVALID_RECORD')
          skipped++;
        else throw err;
      }
    }
    return { records, hot, skipped };
  }

  /**
   * Deletes the record with this key. Resolves `true` when there was one.
   * @throws LeanrecError `E_ARGUMENT`, `E_CLOSED`, `E_IO`.
   */
  async delete(key: KeyOf<S>): Promise<boolean> {
    this.#open();
    this.#validator.validateKey(key);
    return this.#exclusive(async () => {
      const tier = this.#tier;
      const row = tier.findRow(key as object);
      if (row < 0) return false;
      await this.#cold?.remove([tier.ids[row]!]);
      tier.remove(row);
      this.#secondary.invalidate();
      return true;
    });
  }

  /**
   * Rewrites the hot tier without tombstones and string-pool garbage (rows move; ids and
   * the cold tier stay as they are). Views taken before are invalid afterwards.
   */
  async compact(): Promise<void> {
    this.#open();
    await this.#exclusive(async () => {
      this.#tier.compact();
      this.#secondary.invalidate();
      await this.#cold?.afterCompact(this.#tier);
    });
  }

  /** Exact bytes of every part of the store. */
  memory(): StoreMemory {
    this.#open();
    const parts: MemoryPart[] = this.#tier.memory();
    parts.push({ name: 'secondary-indexes', kind: 'index', bytes: this.#secondary.byteLength });
    if (this.#countWords !== undefined)
      parts.push({ name: 'count-bitset', kind: 'bitset', bytes: this.#countWords.byteLength });
    const hot = parts.reduce((s, p) => s + p.bytes, 0);
    const cm = this.#cold?.memory();
    if (cm) parts.push(...cm.parts);
    return {
      total: parts.reduce((s, p) => s + p.bytes, 0),
      hot,
      cache: cm?.cacheBytes ?? 0,
      cacheEntries: cm?.cacheEntries ?? 0,
      leveldb: cm?.leveldbBytes ?? 0,
      records: this.#tier.size,
      parts,
    };
  }

  /**
   * Waits for pending writes, saves the hot snapshot (on-disk stores) and closes the
   * database. Idempotent. Any later use throws `E_CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    // A write called before close() runs first, even one still reading its source (its
    // batches reach the write queue only as they fill).
    while (this.#ingesting.size > 0) await Promise.allSettled(this.#ingesting);
    try {
      await this.#exclusive(async () => {
        if (this.#cold !== undefined) await closeCold(this.#cold, this.#tier);
      });
    } finally {
      this.#closed = true;
    }
  }

  /** Closes the store (`await using store = await openStore(...)`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal For tests: the hot tier. */
  get _tier(): HotTier {
    return this.#tier;
  }

  /** @internal For tests: the cold tier (`openMode`, `_db`); `undefined` when hot-only. */
  get _cold(): ColdTier | undefined {
    return this.#cold;
  }

  // ── internals ───────────────────────────────────────────────────────────

  #open(): void {
    if (this.#closed) throw new LeanrecError('E_CLOSED', 'the store is closed');
  }

  /** The rows of a filter that is one scalar equality on an indexed field, else `undefined`. */
  #indexedEquality(filter: object | undefined): Uint32Array | undefined {
    if (filter === undefined || filter === null || typeof filter !== 'object') return undefined;
    let name: string | undefined;
    for (const k in filter) {
      if ((filter as Record<string, unknown>)[k] === undefined) continue;
      if (name !== undefined) return undefined;
      name = k;
    }
    if (name === undefined) return undefined;
    const f = this.schema.byName.get(name);
    const v = (filter as Record<string, unknown>)[name];
    if (f === undefined || f.tier !== 'hot' || !this.#secondary.has(f)) return undefined;
    if (v === null || typeof v === 'object') return undefined;
    if (!checkFor(f.field)(v))
      throw new LeanrecError(
        'E_ARGUMENT',
        `filter on "${name}": ${describeValue(v)} is not a valid ${f.field.kind} value`,
        {
          field: name,
        },
      );
    return this.#secondary.rowsEqual(f, v);
  }

  #coldTier(): ColdTier {
    this.#open();
    if (this.#cold === undefined)
      throw new LeanrecError(
        'E_ARGUMENT',
        'this store is hot-only ({ cold: false }): it keeps no cold fields',
      );
    return this.#cold;
  }

  #keyTextOf(v: ViewBase): string {
    return this.#validator.keyText(v.toObject());
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      this.#open();
      return fn();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Plans and writes one validated batch; nothing changes unless all of it is written.
   * With `staging` (an atomic ingest), a record that replaces one stored before the
   * ingest gets a new id, and the old row is hidden instead of overwritten.
   */
  async #writeBatch(
    batch: ValidBatch,
    result: WriteResult,
    staging: Staging | undefined,
  ): Promise<void> {
    result.skipped += batch.skipped;
    const valid = batch.records;
    if (valid.length === 0) return;
    const tier = this.#tier;
    const hot = batch.hot;
    const width = this.schema.hotFields.length;
    const plan: PlannedWrite[] = [];
    // Each record's key is encoded and hashed once: the hash finds an earlier record of
    // the batch with the same key (a hash match is confirmed on the key bytes), probes
    // the key index, and is kept to insert the record (`hashes`, lo and hi per record).
    const hashes = new Float64Array(2 * valid.length);
    // lo >>> 2 → the last plan index with it: a small integer key (lo itself may pass
    // 2^30, and such numbers are boxed in a Map). Candidates are checked on lo, hi, bytes.
    const seen = new Map<number, number>();
    const sameLo: number[] = []; // plan index → the earlier one with the same lo, or -1
    let nextId = tier.nextId;
    for (let n = 0; n < valid.length; n++) {
      const rec = valid[n]!;
      tier.encodeKeyAt(hot, n * width);
      const lo = tier.keyHash[0]!;
      const hi = tier.keyHash[1]!;
      hashes[2 * n] = lo;
      hashes[2 * n + 1] = hi;
      const last = seen.get(lo >>> 2);
      let j = last ?? -1;
      while (
        j >= 0 &&
        (hashes[2 * j] !== lo || hashes[2 * j + 1] !== hi || !tier.encodedEqualsAt(hot, j * width))
      )
        j = sameLo[j]!;
      const prev = j >= 0 ? plan[j] : undefined;
      let p: PlannedWrite;
      if (prev !== undefined) {
        // A later record with the same key in one batch replaces the earlier one.
        prev.superseded = true;
        p = {
          rec,
          row: prev.row,
          id: prev.id,
          superseded: false,
          replacesEarlier: true,
          hides: -1,
        };
      } else {
        const row = tier.findEncoded();
        if (row >= 0 && staging !== undefined && tier.ids[row]! < staging.start)
          p = { rec, row: -1, id: nextId++, superseded: false, replacesEarlier: false, hides: row };
        else {
          const id = row >= 0 ? tier.ids[row]! : nextId++;
          p = { rec, row, id, superseded: false, replacesEarlier: false, hides: -1 };
        }
      }
      if (nextId > MAX_ID + 1) {
        const key = this.#validator.keyText(rec);
        throw new LeanrecError(
          'E_LIMIT',
          `record ${key}: record ids are exhausted (ids are u32s, never reused; the last is ${MAX_ID}); the batch was not written`,
          { key },
        );
      }
      sameLo.push(last ?? -1);
      seen.set(lo >>> 2, n);
      plan.push(p);
    }
    // Refused here, before the cold tier stores anything: a column that finds itself
    // full while the batch is applied would leave a half-written row.
    tier.checkRoom(plan, (rec) => this.#validator.keyText(rec), hot);
    await this.#cold?.write(plan, nextId, staging?.start);
    if (staging !== undefined) {
      staging.begun = true;
      // Before the inserts below, which bring the same keys back under the new ids.
      for (const p of plan) if (p.hides >= 0) staging.hide(tier, p.hides);
    }
    // Counted as if the batch's records were written one after the other: a key's first
    // record inserts (or updates a stored one), each later record with that key updates.
    for (let n = 0; n < plan.length; n++) {
      const p = plan[n]!;
      result.written++;
      const update = p.row >= 0 || p.replacesEarlier || p.hides >= 0;
      if (update) result.updated++;
      else result.inserted++;
      if (p.superseded) continue;
      if (p.row >= 0) tier.updateAt(p.row, hot, n * width);
      else p.row = tier.insertAt(hot, n * width, p.id, hashes[2 * n]!, hashes[2 * n + 1]!);
    }
    if (nextId > tier.nextId) tier.nextId = nextId;
    result.batches++;
    this.#secondary.invalidate();
  }
}

/**
 * The error that ended a non-atomic write of many records, saying how many records its
 * earlier batches wrote (they stay). Errors that are not leanrec's pass through as they are.
 */
function withWritten(err: unknown, written: number): unknown {
  if (!(err instanceof LeanrecError) || written === 0) return err;
  const n = written.toLocaleString('en-US');
  return withNote(err, `${n} records written before the error; they stay in the store`, written);
}

/**
 * Starts `write(batch)`. Its failure is awaited later (after the next batch is read), so
 * it is marked handled now: a rejection nobody awaits yet must not end the process as
 * unhandled.
 */
function startWrite(write: (batch: ValidBatch) => Promise<void>, batch: ValidBatch): Promise<void> {
  const p = write(batch);
  p.catch(() => undefined);
  return p;
}

/** True when `source` can be read with `for await` (an iterable or an async iterable). */
function isIterable(source: unknown): boolean {
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) return false;
  const s = source as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  return typeof s[Symbol.asyncIterator] === 'function' || typeof s[Symbol.iterator] === 'function';
}

/** `Object.assign`, except that a field named `__proto__` stays an own property (assign would set the prototype). */
function assignOwn(
  out: Record<string, unknown>,
  from: Record<string, unknown>,
): Record<string, unknown> {
  for (const k of Object.keys(from)) setOwn(out, k, from[k]);
  return out;
}

/** A view's cold methods with the group as a plain string (the typed overloads live in types.ts). */
interface UntypedCold {
  cold(group?: string): Record<string, unknown>;
  load(group?: string): Promise<Record<string, unknown>>;
}
