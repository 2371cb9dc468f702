/**
 * The cold tier: one LevelDB database per store (classic-level on disk, `memory-level`
 * without a path). It holds every record (hot part and cold groups, one entry each, so
 * the hot tier can be rebuilt from the database alone), the metadata and the hot
 * snapshot (layout.ts). Cold groups are read on demand (reads.ts) through one
 * byte-bounded cache (cache.ts); every write is one atomic batch (commit.ts).
 *
 * Open (open.ts): the lock and the database (backend.ts), the layout version (a layout-1
 * store is migrated in place, migrate.ts; a newer one is refused), the schema check, then
 * the undo of a killed atomic ingest (`m pending`, see store/staging.ts). Bringing the hot
 * tier back — from the snapshot or by a rebuild — is the store's (store/restore.ts):
 * this tier only hands it the stored entries.
 */
import { LeanrecError } from '../errors.ts';
import type { AnySchema } from '../schema/schema.ts';
import {
  type BatchOp,
  deleteRange,
  ioError,
  type Meta,
  putMeta,
  release,
  syncOpt,
  writeOps,
} from './backend.ts';
import { ColdCache } from './cache.ts';
import { FORMAT_V2, RecordCodec } from './codec.ts';
import { Commits } from './commit.ts';
import {
  idOfRecordKey,
  metaKey,
  RECORD_RANGE,
  recordKey,
  recordsFrom,
  SNAPSHOT_CHUNK,
  SNAPSHOT_RANGE,
} from './layout.ts';
import { openDatabase, UNDO_BATCH } from './open.ts';
import {
  type ColdMemoryPart,
  type ColdOptions,
  type ColdWrite,
  type Database,
  DEFAULT_CACHE_BYTES,
} from './options.ts';
import { ColdReads } from './reads.ts';
import { SegmentComparer } from './same-bytes.ts';
import { readAllSegments } from './segments.ts';
import { Shape } from './shape.ts';

/** How the hot tier was brought back on open (for tests and `leanrec stats`). */
export type OpenMode = 'new' | 'snapshot' | 'rebuild';

export class ColdTier {
  readonly #db: Database;
  readonly #codec: RecordCodec;
  readonly #cache: ColdCache;
  readonly #reads: ColdReads;
  readonly #commits: Commits;
  readonly #hotShape: Shape;
  readonly #groupShapes: readonly Shape[];
  /** The database copies a value on `put` (classic-level opened here): values may be views. */
  readonly #putCopies: boolean;
  readonly #levelBytes: number;
  readonly #lockPath: string | undefined;
  /** True when the database persists (the snapshot is worth writing). */
  readonly persistent: boolean;
  /** Largest snapshot chunk (SNAPSHOT_CHUNK unless a test sets `snapshotChunkBytes`). */
  readonly chunkBytes: number;
  /** The stored next id. */
  readonly storedNextId: number;
  /**
   * True when the stored snapshot may be loaded: it was taken at the current generation
   * and no killed atomic ingest was undone since.
   */
  readonly snapshotCurrent: boolean;
  /** True when a snapshot is marked as stored (`m snap`), current or not. */
  readonly snapshotMarked: boolean;
  /** How the hot tier was brought back (set by the store once it has). */
  openMode: OpenMode = 'new';

  private constructor(
    db: Database,
    schema: AnySchema,
    meta: Meta,
    options: ColdOptions & { snapshotChunkBytes?: number | undefined },
    levelBytes: number,
    lockPath: string | undefined,
    recovered: boolean,
  ) {
    this.#db = db;
    this.#codec = new RecordCodec(meta.structures ?? []);
    this.#cache = new ColdCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.#reads = new ColdReads(db, schema, this.#codec, this.#cache, meta.since ?? []);
    const gen = meta.gen ?? 0;
    this.#commits = new Commits(
      db,
      this.#codec,
      options.sync === true,
      { gen, snap: meta.snap, next: meta.next ?? 0 },
      () => this.#reads.written(),
    );
    this.#hotShape = new Shape(schema.hotFields);
    this.#groupShapes = schema.groups.map((g) => new Shape(g.fields));
    this.#levelBytes = levelBytes;
    this.#lockPath = lockPath;
    this.persistent = db.supports.permanence === true;
    this.#putCopies = options.path !== undefined && options.database === undefined;
    this.chunkBytes = options.snapshotChunkBytes ?? SNAPSHOT_CHUNK;
    this.storedNextId = meta.next ?? 0;
    this.snapshotMarked = meta.snap !== undefined;
    this.snapshotCurrent = !recovered && meta.snap !== undefined && meta.snap === gen;
  }

  /**
   * Opens (or creates) the database: lock, layout (migrating a layout-1 store), schema
   * check, undo of a killed atomic ingest.
   * @throws LeanrecError `E_SCHEMA` for an incompatible schema or a newer layout;
   * `E_LOCKED`, `E_CORRUPT`, `E_IO`, `E_ARGUMENT` as `openStore` documents.
   */
  static async open(
    schema: AnySchema,
    options: ColdOptions & { snapshotChunkBytes?: number | undefined },
  ): Promise<ColdTier> {
    const o = await openDatabase(schema, options);
    try {
      // The codec checks `m structures` here (E_CORRUPT): the database is closed again.
      return new ColdTier(o.db, schema, o.meta, options, o.levelBytes, o.lockPath, o.recovered);
    } catch (err) {
      await o.db.close().catch(() => undefined);
      release(o.lockPath);
      throw err;
    }
  }

  // ── what the store restores the hot tier from ───────────────────────────

  /** The stored snapshot's entries, in key order (part, then chunk). */
  snapshotEntries(): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.#db.iterator(SNAPSHOT_RANGE);
  }

  /** Forgets a stale or incomplete snapshot, so that `close()` writes a new one. */
  async forgetSnapshot(): Promise<void> {
    await this.#db.del(metaKey('snap'), syncOpt(true));
    this.#commits.snapshotDropped();
  }

  /**
   * The hot part of every stored record, in id order (only the hot segment is decoded).
   * @throws LeanrecError `E_CORRUPT` for an entry that cannot be decoded.
   */
  async *hotRecords(): AsyncGenerator<{ id: number; rec: Record<string, unknown> }> {
    for await (const [key, value] of this.#db.iterator(RECORD_RANGE)) {
      const id = idOfRecordKey(key);
      const what = () => `hot entry of record id ${id}`;
      const raw = this.#codec.decodePart(value, 0, what);
      if (raw === null || typeof raw !== 'object')
        throw new LeanrecError('E_CORRUPT', `hot entry of record id ${id} is not a record`);
      yield { id, rec: this.#hotShape.fromStored(raw as Record<string, unknown>, what) };
    }
  }

  // ── reads ───────────────────────────────────────────────────────────────

  /** Group `group` of record `id` when the cache holds it, else `undefined`. */
  cached(id: number, group: string): object | undefined {
    return this.#reads.cached(id, group);
  }

  /** Cold fields of record `id`: one group, or every group merged. Synchronous. */
  read(id: number, group: string | undefined, keyText: () => string): Record<string, unknown> {
    return this.#reads.read(id, group, keyText);
  }

  /**
   * Like `read` for one group, but `undefined` — nothing decoded — when the group's stored
   * bytes do not contain `needle` (UTF-8): a query that looks for a name in a group skips
   * the records whose group cannot hold it (msgpack stores strings as their UTF-8 bytes,
   * so a string holding the name holds its bytes). The record's value is checked
   * (checksum) first; a record whose group has no bytes, or a read that fails, goes
   * through `read`, which decodes or reports it. Synchronous.
   */
  readIfContains(
    id: number,
    group: string,
    needle: Uint8Array,
    keyText: () => string,
  ): Record<string, unknown> | undefined {
    const g = this.#reads.groupsFor(group)[0]!;
    if (this.#cache.get(id, g.code) !== undefined) return this.#reads.read(id, group, keyText);
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#db.getSync(recordKey(id));
    } catch {
      bytes = undefined; // `read` reads again, and names the error
    }
    if (bytes !== undefined) {
      const at = readAllSegments(bytes, FORMAT_V2, () => `record ${keyText()}`);
      const k = 2 * (1 + g.code);
      if (k < at.length && at[k]! < at[k + 1]!) {
        const seg = Buffer.from(bytes.buffer, bytes.byteOffset + at[k]!, at[k + 1]! - at[k]!);
        if (seg.indexOf(needle) < 0) return undefined;
      }
    }
    return this.#reads.read(id, group, keyText);
  }

  /** Like `read`, asynchronously. */
  load(
    id: number,
    group: string | undefined,
    keyText: () => string,
  ): Promise<Record<string, unknown>> {
    return this.#reads.load(id, group, keyText);
  }

  /** Cold fields of many records (`getMany`, 256 records at a time). */
  loadMany(
    ids: readonly number[],
    group: string | undefined,
    keyTextAt: (i: number) => string,
    cache = true,
  ): Promise<Record<string, unknown>[]> {
    return this.#reads.loadMany(ids, group, keyTextAt, cache);
  }

  /**
   * The stored bytes of the cold groups of records `ids`, for comparing two stores
   * without decoding (store/diff.ts): per record one subarray per group (empty where the
   * record has no such segment), its value checked once (format, segment table,
   * checksum); `undefined` for an id with no entry. Read with `getMany`, 1,024 records a
   * call, uncached. Compare them with {@link ColdTier.comparerWith}.
   * @throws LeanrecError `E_CORRUPT` for a damaged value, `E_IO`.
   */
  async groupBytesMany(
    ids: readonly number[],
    keyTextAt: (i: number) => string,
  ): Promise<(Uint8Array[] | undefined)[]> {
    const groups = this.#groupShapes.length;
    const out: (Uint8Array[] | undefined)[] = new Array(ids.length);
    for (let start = 0; start < ids.length; start += 1024) {
      const chunk = ids.slice(start, start + 1024);
      let values: (Uint8Array | undefined)[];
      try {
        values = await this.#db.getMany(chunk.map((id) => recordKey(id)));
      } catch (cause) {
        throw ioError(cause, 'reading records');
      }
      for (let k = 0; k < chunk.length; k++) {
        const bytes = values[k];
        if (bytes === undefined) continue;
        const at = readAllSegments(bytes, FORMAT_V2, () => `record ${keyTextAt(start + k)}`);
        const parts: Uint8Array[] = new Array(groups);
        for (let g = 0; g < groups; g++) {
          const i = 2 * (1 + g);
          parts[g] = i < at.length ? bytes.subarray(at[i], at[i + 1]) : bytes.subarray(0, 0);
        }
        out[start + k] = parts;
      }
    }
    return out;
  }

  /**
   * Compares {@link ColdTier.groupBytesMany} segments of this tier with those of `other`
   * (same-bytes.ts). Make it after the reads: it knows the structures listed then.
   */
  comparerWith(other: ColdTier): SegmentComparer {
    return new SegmentComparer(this.#codec.structures, other.#codec.structures);
  }

  // ── writes ──────────────────────────────────────────────────────────────

  /**
   * Writes one planned batch atomically (one entry per record). Nothing is written if it
   * throws. With `pending` (a batch of an atomic ingest), `m pending` is written with it:
   * the first id of the ingest, whose records are staged until `commitStaged`.
   */
  async write(plan: readonly ColdWrite[], nextId: number, pending?: number): Promise<void> {
    this.#commits.writable('writing a batch');
    const ops: BatchOp[] = [];
    if (pending !== undefined) ops.push(putMeta('pending', pending));
    await this.#commits.commit(ops, nextId, 'writing a batch', this.#encoded(plan));
    for (const p of plan) if (p.row >= 0) this.#reads.forget(p.id);
  }

  /**
   * The puts of a batch, each record encoded as the batch takes it: into the codec's
   * reused buffer when the database copies a value on `put` (classic-level, which this
   * tier opened itself), else into a fresh copy (memory-level and databases from
   * `options.database` may keep the value).
   */
  *#encoded(plan: readonly ColdWrite[]): Generator<BatchOp, void, undefined> {
    const shapes = this.#groupShapes;
    const parts: unknown[] = new Array(1 + shapes.length);
    const codec = this.#codec;
    try {
      for (const p of plan) {
        if (p.superseded) continue;
        parts[0] = this.#hotShape.toStored(p.rec);
        for (let g = 0; g < shapes.length; g++) parts[1 + g] = shapes[g]!.toStored(p.rec);
        const value = this.#putCopies ? codec.encodeRecordView(parts) : codec.encodeRecord(parts);
        yield { type: 'put', key: recordKey(p.id), value };
      }
    } finally {
      codec.release();
    }
  }

  /** Deletes records by id, atomically. */
  async remove(ids: readonly number[]): Promise<void> {
    this.#commits.writable('deleting records');
    const ops: BatchOp[] = ids.map((id) => ({ type: 'del', key: recordKey(id) }));
    await this.#commits.commit(ops, this.#commits.nextIdStored, 'deleting records');
    for (const id of ids) this.#reads.forget(id);
  }

  /**
   * The last batch of an atomic ingest: deletes the records it replaced (`oldIds`) and
   * `m pending`, in one LevelDB batch. From then on the staged records are ordinary
   * ones. The deletes are generated as the batch is filled, not held in a list.
   */
  async commitStaged(oldIds: Uint32Array): Promise<void> {
    this.#commits.writable('committing an atomic ingest');
    function* dels(): Generator<BatchOp, void, undefined> {
      for (const id of oldIds) yield { type: 'del', key: recordKey(id) };
    }
    await this.#commits.commit(
      [{ type: 'del', key: metaKey('pending') }],
      this.#commits.nextIdStored,
      'committing an atomic ingest',
      dels(),
    );
    for (const id of oldIds) this.#reads.forget(id);
  }

  /**
   * Undoes a failed atomic ingest that began at id `start`: deletes every record with an
   * id ≥ `start` (in batches of 4,096), then `m pending`. Never throws: when the
   * database fails here (or an earlier failure left the tier unsure), later writes are
   * refused until the store is reopened, and the open undoes the ingest (the pending
   * entry is still there). Resolves `true` when the database's undo is done.
   */
  async abortStaged(start: number): Promise<boolean> {
    this.#cache.clear();
    if (this.#commits.unsure !== undefined) return false;
    const what = 'undoing a failed atomic ingest';
    const next = this.#commits.nextIdStored;
    try {
      await deleteRange(this.#db, recordsFrom(start), UNDO_BATCH, (ops) =>
        this.#commits.commit(ops, next, what),
      );
      await this.#commits.commit([{ type: 'del', key: metaKey('pending') }], next, what);
      return true;
    } catch (cause) {
      this.#commits.markUnsure(ioError(cause, what));
      return false;
    }
  }

  /**
   * True once a write failed and whether it reached the database could not be read
   * back: writes are refused until the store is reopened.
   */
  get unsure(): boolean {
    return this.#commits.unsure !== undefined;
  }

  /** Rows moved; ids did not: only the snapshot is stale (the generation is already bumped by writes). */
  async afterCompact(_tier?: unknown): Promise<void> {
    if (this.#commits.dirty) return;
    this.#commits.writable('compacting');
    await this.#commits.commit([], this.#commits.nextIdStored, 'compacting');
  }

  /**
   * Stores a hot snapshot (`entries`: its chunks and header, under snapshot keys) and
   * marks it current. Old chunks are deleted in the same batch, so a crash leaves either
   * the old snapshot or the new one.
   */
  async writeSnapshot(entries: Iterable<BatchOp>): Promise<void> {
    const ops: BatchOp[] = [];
    for await (const key of this.#db.keys(SNAPSHOT_RANGE)) ops.push({ type: 'del', key });
    for (const op of entries) ops.push(op);
    // The generation too: after a failed batch the store's generation is ahead of the
    // stored one (generations are never reused), and the snapshot is of the store's state.
    const gen = this.#commits.gen;
    ops.push(putMeta('gen', gen), putMeta('snap', gen));
    await writeOps(this.#db, ops, true);
    this.#commits.snapshotStored();
  }

  /**
   * Closes the database, after `saveSnapshot` when the database persists, the data
   * changed since the last snapshot and no write left the tier unsure. The directory is
   * released whatever fails.
   * @throws LeanrecError `E_IO` when the snapshot or the close failed (the data is not
   * affected: the next open rebuilds the hot tier).
   */
  async close(saveSnapshot?: () => Promise<void>): Promise<void> {
    let failure: LeanrecError | undefined;
    try {
      if (
        saveSnapshot !== undefined &&
        this.persistent &&
        this.#commits.dirty &&
        this.#commits.unsure === undefined
      )
        await saveSnapshot();
    } catch (cause) {
      failure = ioError(cause, 'writing the hot snapshot');
    }
    try {
      await this.#db.close();
    } catch (cause) {
      failure ??= ioError(cause, 'closing the database');
    } finally {
      release(this.#lockPath);
    }
    if (failure !== undefined) throw failure;
  }

  /** Cache and LevelDB figures for `memory()`. */
  memory(): {
    parts: ColdMemoryPart[];
    cacheBytes: number;
    cacheEntries: number;
    leveldbBytes: number;
  } {
    const cache = this.#cache.bytes;
    return {
      parts: [
        { name: 'cache', kind: 'cache', bytes: cache },
        { name: 'cache:last-record', kind: 'cache', bytes: this.#reads.lastRecordBytes },
        { name: 'leveldb:configured', kind: 'leveldb', bytes: this.#levelBytes },
      ],
      cacheBytes: cache,
      cacheEntries: this.#cache.entries,
      leveldbBytes: this.#levelBytes,
    };
  }

  /** @internal For tests: the database. */
  get _db(): Database {
    return this.#db;
  }
}
