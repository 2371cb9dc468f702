import type { ColdTier } from '../cold/cold-tier.ts';
import { LeanrecError } from '../errors.ts';
import { type HotTier, NOT_ASCII, NOT_WELL_FORMED } from '../hot/tier.ts';
import { ID, makeViewClass, ROW, setOwn, type ViewBase, type ViewClass } from '../hot/view.ts';
import { type ColdReader, queryRows } from '../query/compile.ts';
import { type Filter, matchRows, popcount } from '../query/filter.ts';
import type { QueryNode } from '../query/parse.ts';
import { SecondaryIndexes } from '../query/secondary.ts';
import type { GroupName, Infer, InferCold, InferHot } from '../schema/infer.ts';
import type { AnySchema } from '../schema/schema.ts';
import { checkFor, describeValue, RecordValidator } from '../schema/validate.ts';
import { applyPlan, planBatch } from './batch-plan.ts';
import { ingestSettings, runPipeline, type ValidBatch, withWritten } from './ingest.ts';
import type { WriteOptions, WriteResult } from './options.ts';
import { closeCold } from './restore.ts';
import { Staging, undone } from './staging.ts';
import type { KeyOf, MemoryPart, RecordView, StoreMemory } from './types.ts';

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
        const cold = store.#coldTier();
        // A cache hit first: it needs neither the key-text closure nor the read path.
        if (group !== undefined) {
          const hit = cold.cached(this[ID], group);
          if (hit !== undefined) return hit;
        }
        return cold.read(this[ID], group, () => store.#keyTextOf(this));
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
   * Writes one record: inserts it, or replaces the record with the same key. The same
   * write as `ingest([record])`, resolved once the record is stored.
   *
   * @throws LeanrecError `E_INVALID_RECORD` naming the field and key (nothing written),
   * `E_LIMIT`, `E_CLOSED`, `E_IO`.
   * @example
   * ```ts
   * await store.put({ name: 'bash', version: 5, tags: ['shell'] })
   * ```
   */
  async put(record: Infer<S>): Promise<void> {
    this.#open();
    await this.ingest([record]);
  }

  /**
   * @deprecated Use {@link Store.ingest}: the same write under another name, kept for
   * code written against 0.1.0 and removed in 1.0.
   */
  putMany(
    records: Iterable<Infer<S>> | AsyncIterable<Infer<S>>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    return this.ingest(records, options);
  }

  /**
   * Writes many records (inserts, or replaces the records with the same keys) from an
   * array, any iterable or async iterable (e.g. a parser), in atomic batches of
   * `batchSize`; the one bulk write. Within one source a later record with a key
   * replaces an earlier one.
   *
   * While the database writes a batch (on its own thread), the next one is read and
   * validated: at most two batches are held in memory. After the last batch, the string
   * pool's interning table is freed (it is rebuilt on the next write).
   *
   * A failure part-way: without `atomic`, the batches written before it stay, and the
   * `LeanrecError` that ends the ingest says how many records they held (message and
   * `written`); the failing batch writes nothing. With `{ atomic: true }` (see
   * {@link WriteOptions.atomic}) the store is left exactly as it was, also after a crash.
   * Options ({@link WriteOptions}): `batchSize`, `atomic`, `onInvalid`, `onBatch`.
   *
   * @returns the counts of the write ({@link WriteResult}): `written`, `inserted`,
   * `updated`, `skipped`, `batches`.
   * @throws LeanrecError the source's own (`E_PARSE`…), `E_INVALID_RECORD` naming the
   * record's position, field and key, `E_LIMIT`, `E_IO`, `E_CLOSED`; `E_ARGUMENT`
   * (before anything is read) for a source that is neither iterable nor async iterable
   * or bad options. Errors the source throws that are not leanrec's pass through.
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
    const settings = ingestSettings(source, options);
    const run = this.#ingest(settings.atomic, (result, write) =>
      runPipeline(source, settings, this.#validator, options.onBatch, result, write),
    );
    this.#ingesting.add(run);
    try {
      return await run;
    } finally {
      this.#ingesting.delete(run);
    }
  }

  /** Runs an ingest's pipeline with a writer that is atomic (staged) or batch by batch. */
  async #ingest(
    atomic: boolean,
    pipeline: (result: WriteResult, write: (batch: ValidBatch) => Promise<void>) => Promise<void>,
  ): Promise<WriteResult> {
    const result: WriteResult = { written: 0, inserted: 0, updated: 0, skipped: 0, batches: 0 };
    if (atomic)
      // The whole ingest holds the write queue: no other write may land between its
      // batches, or rolling it back would take that write with it. Rows never move
      // here (no compaction): views and where() iterators the caller holds stay valid.
      return this.#exclusive(async () => {
        const staging = new Staging(this.#tier.nextId);
        try {
          await pipeline(result, (batch) => this.#writeBatch(batch, result, staging));
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
      await pipeline(result, (batch) =>
        this.#exclusive(() => this.#writeBatch(batch, result, undefined)),
      );
    } catch (err) {
      throw withWritten(err, result.written);
    }
    if (result.written > 1) this.#tier.settle();
    return result;
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
    const planned = planBatch(tier, valid, batch.hot, staging?.start, (rec) =>
      this.#validator.keyText(rec),
    );
    // Refused here, before the cold tier stores anything: a column that finds itself
    // full while the batch is applied would leave a half-written row.
    tier.checkRoom(planned.plan, (rec) => this.#validator.keyText(rec), batch.hot);
    await this.#cold?.write(planned.plan, planned.nextId, staging?.start);
    if (staging !== undefined) {
      staging.begun = true;
      // Before the inserts below, which bring the same keys back under the new ids.
      for (const p of planned.plan) if (p.hides >= 0) staging.hide(tier, p.hides);
    }
    applyPlan(tier, planned, result);
    this.#secondary.invalidate();
  }
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
