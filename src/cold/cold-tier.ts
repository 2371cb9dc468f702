/**
 * The cold tier: one LevelDB database per store (classic-level through `level` on disk,
 * `memory-level` without a path). It holds every record's hot entry (so the hot tier can
 * be rebuilt from the database alone), every cold group, the metadata and the hot
 * snapshot (layout.ts). Cold groups are read on demand — synchronously with `getSync`,
 * or asynchronously with `get`/`getMany` — through one byte-bounded cache.
 *
 * Atomicity: each write batch (hot + cold entries of every record, new shared
 * structures, the next id, the generation bump) is one LevelDB batch. Every batch
 * writes a generation never written before, so when the database reports a failure the
 * store can read `m gen` back and tell whether the batch was applied all the same (a
 * lost acknowledgement): if it was, the write stands; if it was not, nothing changes;
 * if that cannot be read either, later writes are refused until the store is reopened.
 * Restart: `close()` stores the hot snapshot tagged with the data generation; `open`
 * loads it only when the generations match, and otherwise rebuilds from the `h` entries.
 * An atomic ingest (store/staging.ts) writes its batches under `m pending`; `open`
 * deletes what a killed one had staged before it brings the hot tier back.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pack, unpack } from 'msgpackr/pack';
import { LeanrecError } from '../errors.ts';
import { duplicateKeyError, snapshotUsable } from '../hot/snapshot-format.ts';
import type { HotTier } from '../hot/tier.ts';
import { type SchemaDescriptor, schemaDifferences } from '../schema/fingerprint.ts';
import type { AnySchema, ColdGroup } from '../schema/schema.ts';
import type { Database, StoreOptions } from '../store/options.ts';
import { DEFAULT_CACHE_BYTES } from '../store/options.ts';
import type { PlannedWrite } from '../store/store.ts';
import type { MemoryPart } from '../store/types.ts';
import { ColdCache } from './cache.ts';
import { RecordCodec } from './codec.ts';
import {
  coldKey,
  HOT_RANGE,
  hotKey,
  idOfHotKey,
  metaKey,
  parseSnapshotKey,
  rangesFrom,
  SNAPSHOT_CHUNK,
  SNAPSHOT_RANGE,
  snapshotKey,
} from './layout.ts';
import { Shape } from './shape.ts';

type DB = Database;
type BatchOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

/**
 * LevelDB's block cache (native memory, outside V8). 2 MiB keeps a store of the Debian
 * index under ~12 MB in all; a larger cache speeds uncached reads (measured on idle
 * hardware: 1 MiB → 190 k, 8 MiB → 350 k raw getSync/s), so it is an option.
 */
const DEFAULT_LEVEL_CACHE = 2 * 1024 * 1024;
const DEFAULT_WRITE_BUFFER = 1024 * 1024;
const GET_MANY_BATCH = 256;
/** Entries deleted per batch when a failed atomic ingest is undone. */
const UNDO_BATCH = 4096;

interface Meta {
  schema?: SchemaDescriptor;
  structures?: unknown[][];
  next?: number;
  gen?: number;
  snap?: number;
  since?: number[];
  pending?: number;
}

/**
 * Directories held by the open stores of this process. LevelDB refuses a second open in
 * one process only after it has opened and closed the LOCK file, and closing any
 * descriptor of a file drops the process's fcntl lock on it: after a refused second open,
 * another process could open the database too. So a second open is refused here, before
 * LevelDB is touched.
 */
const held = new Set<string>();

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** How the hot tier was brought back on open (for tests and `leanrec stats`). */
export type OpenMode = 'new' | 'snapshot' | 'rebuild';

export class ColdTier {
  readonly #db: DB;
  readonly #schema: AnySchema;
  readonly #codec: RecordCodec;
  readonly #cache: ColdCache;
  readonly #sync: boolean;
  readonly #hotShape: Shape;
  readonly #groupShapes: readonly Shape[];
  readonly #since: number[];
  readonly #levelBytes: number;
  readonly #persistent: boolean;
  /** Largest snapshot chunk (SNAPSHOT_CHUNK unless a test sets `snapshotChunkBytes`). */
  readonly #chunk: number;
  /** The last generation written (or tried: a failed batch's generation is never reused). */
  #gen: number;
  /** True once the data has changed since the last snapshot (the generation was bumped). */
  #dirty: boolean;
  /**
   * Set when a write failed and reading back whether it was applied failed too: the
   * database may hold a batch this tier does not know of, so no more writes (and no
   * snapshot) until the store is reopened, which rebuilds from what the database holds.
   */
  #unsure: LeanrecError | undefined;
  /** Bumped by every completed write: an async read that spans one does not fill the cache. */
  #writes = 0;
  #nextIdStored: number;
  /** How the hot tier was loaded. */
  readonly openMode: OpenMode;
  /** The directory this store holds in `held`. */
  readonly #lockPath: string | undefined;

  private constructor(
    db: DB,
    schema: AnySchema,
    meta: Meta,
    options: StoreOptions,
    openMode: OpenMode,
    levelBytes: number,
    lockPath: string | undefined,
  ) {
    this.#db = db;
    this.#schema = schema;
    this.#codec = new RecordCodec(meta.structures ?? []);
    this.#cache = new ColdCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.#sync = options.sync === true;
    this.#hotShape = new Shape(schema.hotFields);
    this.#groupShapes = schema.groups.map((g) => new Shape(g.fields));
    this.#since = meta.since ?? [];
    this.#gen = meta.gen ?? 0;
    this.#dirty = meta.snap !== this.#gen;
    this.#nextIdStored = meta.next ?? 0;
    this.#levelBytes = levelBytes;
    this.#persistent = db.supports.permanence === true;
    this.#chunk = options.snapshotChunkBytes ?? SNAPSHOT_CHUNK;
    this.openMode = openMode;
    this.#lockPath = lockPath;
  }

  /** Opens (or creates) the database and brings the hot tier back. */
  static async open(schema: AnySchema, tier: HotTier, options: StoreOptions): Promise<ColdTier> {
    // Checked before a Level instance exists: an instance opens itself in a microtask
    // (abstract-level's deferred open), which would drop the lock as described above.
    const lockPath = options.path === undefined ? undefined : canonicalPath(options.path);
    if (lockPath !== undefined) {
      if (held.has(lockPath))
        throw new LeanrecError(
          'E_LOCKED',
          `the database at ${options.path} is open in another store of this process`,
        );
      held.add(lockPath);
    }
    const cacheSize = options.levelCacheBytes ?? DEFAULT_LEVEL_CACHE;
    const writeBufferSize = options.levelWriteBufferBytes ?? DEFAULT_WRITE_BUFFER;
    const dbOptions = {
      keyEncoding: 'view',
      valueEncoding: 'view',
      cacheSize,
      writeBufferSize,
    } as const;
    let db: DB | undefined;
    try {
      db = await makeDatabase(options, dbOptions);
      const problem = databaseProblem(db);
      if (problem !== undefined) throw new LeanrecError('E_ARGUMENT', `openStore: ${problem}`);
      await db.open();
    } catch (err) {
      // A database refused here may have begun to open itself: it is closed again.
      if (err instanceof LeanrecError) await db?.close?.().catch(() => undefined);
      if (lockPath !== undefined) held.delete(lockPath);
      throw mapOpenError(err, options.path);
    }
    try {
      const meta = await readMeta(db);
      const ops: BatchOp[] = [];
      if (meta.schema === undefined) {
        meta.schema = schema.descriptor;
        meta.since = schema.groups.map(() => 0);
        meta.gen = 0;
        ops.push(putMeta('schema', meta.schema), putMeta('since', meta.since), putMeta('gen', 0));
      } else if (JSON.stringify(meta.schema) !== JSON.stringify(schema.descriptor)) {
        const diffs = schemaDifferences(meta.schema, schema.descriptor);
        if (diffs.length > 0)
          throw new LeanrecError(
            'E_SCHEMA',
            `the database at ${options.path ?? '(memory)'} was written with an incompatible schema: ${diffs.join('; ')}`,
          );
        const since = meta.since ?? [];
        for (let g = since.length; g < schema.groups.length; g++) since.push(meta.next ?? 0);
        meta.since = since;
        meta.schema = schema.descriptor;
        ops.push(putMeta('schema', meta.schema), putMeta('since', since));
      }
      if (ops.length > 0) await writeOps(db, ops, options.sync === true);
      const levelBytes = options.path === undefined ? 0 : cacheSize + writeBufferSize;
      let mode: OpenMode = 'new';
      const cold = (m: OpenMode) =>
        new ColdTier(db, schema, meta, options, m, levelBytes, lockPath);
      // An atomic ingest died before its last batch: its staged entries go, and with them
      // any reason to trust the snapshot (the hot tier is rebuilt from what stays).
      const recovered = meta.pending !== undefined;
      if (recovered) {
        const sync = options.sync === true;
        await undoStaged(db, schema, meta.pending!, (ops) => writeOps(db, ops, sync));
        await writeOps(db, [{ type: 'del', key: metaKey('pending') }], sync);
        delete meta.pending;
      }
      if (meta.next === undefined || meta.next === 0) {
        mode = 'new';
      } else if (
        !recovered &&
        meta.snap !== undefined &&
        meta.snap === meta.gen &&
        (await loadSnapshot(db, tier))
      ) {
        mode = 'snapshot';
      } else {
        if (meta.snap !== undefined) {
          // The snapshot is stale or incomplete: forget it, so that close() writes a new one.
          await db.del(metaKey('snap'), syncOpt(options.sync === true));
          delete meta.snap;
        }
        const c = cold('rebuild');
        await c.#rebuild(tier);
        tier.nextId = Math.max(tier.nextId, meta.next);
        tier.settle();
        return c;
      }
      tier.nextId = Math.max(tier.nextId, meta.next ?? 0);
      return cold(mode);
    } catch (err) {
      await db.close().catch(() => undefined);
      if (lockPath !== undefined) held.delete(lockPath);
      throw ioError(err, `opening the database at ${options.path ?? '(memory)'}`);
    }
  }

  // ── reads ───────────────────────────────────────────────────────────────

  #groupsFor(group: string | undefined): readonly ColdGroup[] {
    if (group === undefined) return this.#schema.groups;
    const g = this.#schema.group(group);
    if (g === undefined)
      throw new LeanrecError(
        'E_ARGUMENT',
        `unknown cold group "${group}" (groups: ${this.#schema.groups.map((x) => x.name).join(', ') || 'none'})`,
      );
    return [g];
  }

  /** Decodes a stored group value, or handles its absence. */
  #decodeGroup(
    id: number,
    g: ColdGroup,
    bytes: Uint8Array | undefined,
    keyText: () => string,
    cache = true,
  ): object {
    if (bytes === undefined) {
      // A group added to the schema after this record was written: all its fields absent.
      if (id < (this.#since[g.code] ?? 0)) return {};
      throw new LeanrecError(
        'E_CORRUPT',
        `record ${keyText()}: cold group "${g.name}" is missing from the database`,
        { key: keyText() },
      );
    }
    const raw = this.#codec.decode(bytes, () => `record ${keyText()}, cold group "${g.name}"`);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new LeanrecError(
        'E_CORRUPT',
        `record ${keyText()}: cold group "${g.name}" is not a record`,
        {
          key: keyText(),
        },
      );
    const value = this.#groupShapes[g.code]!.fromStored(
      raw as Record<string, unknown>,
      () => `record ${keyText()}, cold group "${g.name}"`,
    );
    // Cached objects are shared by every reader, so they are frozen; others are the caller's.
    if (cache && this.#cache.maxBytes > 0)
      this.#cache.set(id, g.code, deepFreeze(value), bytes.length);
    return value;
  }

  /** Cold fields of record `id`: one group, or every group merged. Synchronous. */
  read(id: number, group: string | undefined, keyText: () => string): Record<string, unknown> {
    const groups = this.#groupsFor(group);
    if (groups.length === 1)
      return this.#readGroup(id, groups[0]!, keyText) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const g of groups) mergeInto(out, this.#readGroup(id, g, keyText));
    return out;
  }

  #readGroup(id: number, g: ColdGroup, keyText: () => string): object {
    const hit = this.#cache.get(id, g.code);
    if (hit !== undefined) return hit;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#db.getSync(coldKey(g.code, id));
    } catch (cause) {
      if ((cause as { code?: string })?.code === 'LEVEL_NOT_SUPPORTED')
        throw new LeanrecError(
          'E_ARGUMENT',
          `reading record ${keyText()}: the database has no getSync(); use load() or loadMany()`,
          { cause },
        );
      throw ioError(cause, `reading record ${keyText()}`);
    }
    return this.#decodeGroup(id, g, bytes, keyText);
  }

  /** Like `read`, asynchronously. */
  async load(
    id: number,
    group: string | undefined,
    keyText: () => string,
  ): Promise<Record<string, unknown>> {
    const groups = this.#groupsFor(group);
    const out: Record<string, unknown> = {};
    // Hits are taken now: decoding the missing groups below may evict them from the cache.
    const hits = groups.map((g) => this.#cache.get(id, g.code));
    const missing = groups.filter((_, k) => hits[k] === undefined);
    let values: (Uint8Array | undefined)[] = [];
    const writes = this.#writes;
    if (missing.length > 0) {
      try {
        values = await this.#db.getMany(missing.map((g) => coldKey(g.code, id)));
      } catch (cause) {
        throw ioError(cause, `reading record ${keyText()}`);
      }
    }
    for (const [k, g] of groups.entries()) {
      const i = missing.indexOf(g);
      // What was read before a write completed may be older than it: not for the cache.
      const v =
        i < 0 ? hits[k]! : this.#decodeGroup(id, g, values[i], keyText, writes === this.#writes);
      if (groups.length === 1) return v as Record<string, unknown>;
      mergeInto(out, v);
    }
    return out;
  }

  /** Cold fields of many records, with `getMany` in batches of 256. */
  async loadMany(
    ids: readonly number[],
    group: string | undefined,
    keyTextAt: (i: number) => string,
    cache = true,
  ): Promise<Record<string, unknown>[]> {
    const groups = this.#groupsFor(group);
    const out: Record<string, unknown>[] = ids.map(() => ({}));
    for (const g of groups) {
      for (let start = 0; start < ids.length; start += GET_MANY_BATCH) {
        const end = Math.min(ids.length, start + GET_MANY_BATCH);
        const want: number[] = [];
        for (let i = start; i < end; i++) {
          const hit = this.#cache.get(ids[i]!, g.code);
          if (hit !== undefined) {
            if (groups.length === 1) out[i] = hit as Record<string, unknown>;
            else mergeInto(out[i]!, hit);
          } else want.push(i);
        }
        if (want.length === 0) continue;
        let values: (Uint8Array | undefined)[];
        const writes = this.#writes;
        try {
          values = await this.#db.getMany(want.map((i) => coldKey(g.code, ids[i]!)));
        } catch (cause) {
          throw ioError(cause, 'reading records');
        }
        const fresh = cache && writes === this.#writes;
        for (let k = 0; k < want.length; k++) {
          const i = want[k]!;
          const v = this.#decodeGroup(ids[i]!, g, values[k], () => keyTextAt(i), fresh);
          if (groups.length === 1) out[i] = v as Record<string, unknown>;
          else mergeInto(out[i]!, v);
        }
      }
    }
    return out;
  }

  // ── writes ──────────────────────────────────────────────────────────────

  /**
   * Writes one planned batch atomically. Nothing is written if it throws. With
   * `pending` (a batch of an atomic ingest), `m pending` is written with it: the first
   * id of the ingest, whose entries are staged until `commitStaged`.
   */
  async write(plan: readonly PlannedWrite[], nextId: number, pending?: number): Promise<void> {
    this.#writable('writing a batch');
    const ops: BatchOp[] = [];
    if (pending !== undefined) ops.push(putMeta('pending', pending));
    const groups = this.#schema.groups;
    // A database on disk copies each value when it takes the batch: the values can be
    // views into the codec's pack buffer. One in memory keeps them: each owns its bytes.
    const codec = this.#codec;
    const encode = this.#persistent
      ? (v: unknown) => codec.encodeView(v)
      : (v: unknown) => codec.encode(v);
    try {
      for (const p of plan) {
        if (p.superseded) continue;
        ops.push({ type: 'put', key: hotKey(p.id), value: encode(this.#hotShape.toStored(p.rec)) });
        for (const g of groups)
          ops.push({
            type: 'put',
            key: coldKey(g.code, p.id),
            value: encode(this.#groupShapes[g.code]!.toStored(p.rec)),
          });
      }
    } catch (cause) {
      this.#codec.rollback();
      throw cause instanceof LeanrecError ? cause : ioError(cause, 'writing a batch');
    }
    await this.#commit(ops, nextId, 'writing a batch');
    for (const p of plan) if (p.row >= 0) for (const g of groups) this.#cache.delete(p.id, g.code);
  }

  /** Deletes records by id, atomically. */
  async remove(ids: readonly number[]): Promise<void> {
    this.#writable('deleting records');
    const ops: BatchOp[] = [];
    for (const id of ids) {
      ops.push({ type: 'del', key: hotKey(id) });
      for (const g of this.#schema.groups) ops.push({ type: 'del', key: coldKey(g.code, id) });
    }
    await this.#commit(ops, this.#nextIdStored, 'deleting records');
    for (const id of ids) for (const g of this.#schema.groups) this.#cache.delete(id, g.code);
  }

  /**
   * The last batch of an atomic ingest: deletes the entries of the records it replaced
   * (`oldIds`) and `m pending`, in one LevelDB batch. From then on the staged entries
   * are ordinary ones. The batch's size grows with the number of replaced records; its
   * operations are generated as the batch is filled, not held in a list.
   */
  async commitStaged(oldIds: Uint32Array): Promise<void> {
    this.#writable('committing an atomic ingest');
    const groups = this.#schema.groups;
    function* dels(): Generator<BatchOp, void, undefined> {
      for (const id of oldIds) {
        yield { type: 'del', key: hotKey(id) };
        for (const g of groups) yield { type: 'del', key: coldKey(g.code, id) };
      }
    }
    await this.#commit(
      [{ type: 'del', key: metaKey('pending') }],
      this.#nextIdStored,
      'committing an atomic ingest',
      dels(),
    );
    for (const id of oldIds) for (const g of groups) this.#cache.delete(id, g.code);
  }

  /**
   * Undoes a failed atomic ingest that began at id `start`: deletes every entry with an
   * id ≥ `start` (in batches of 4,096), then `m pending`. Never throws: when the
   * database fails here (or an earlier failure left the tier unsure), later writes are
   * refused until the store is reopened, and the open undoes the ingest (the pending
   * entry is still there). Resolves `true` when the database's undo is done.
   */
  async abortStaged(start: number): Promise<boolean> {
    this.#cache.clear();
    if (this.#unsure !== undefined) return false;
    const what = 'undoing a failed atomic ingest';
    try {
      await undoStaged(this.#db, this.#schema, start, (ops) =>
        this.#commit(ops, this.#nextIdStored, what),
      );
      await this.#commit([{ type: 'del', key: metaKey('pending') }], this.#nextIdStored, what);
      return true;
    } catch (cause) {
      this.#unsure ??= ioError(cause, what);
      return false;
    }
  }

  /**
   * True once a write failed and whether it reached the database could not be read
   * back: writes are refused until the store is reopened.
   */
  get unsure(): boolean {
    return this.#unsure !== undefined;
  }

  #writable(what: string): void {
    if (this.#unsure !== undefined)
      throw new LeanrecError(
        'E_IO',
        `${what}: an earlier write failed and whether it reached the database is unknown; close and reopen the store`,
        { cause: this.#unsure },
      );
  }

  /**
   * Adds the metadata that goes with every write (new shared structures, the next id, a
   * new generation) to `ops` and writes them as one batch. Resolves when the batch is in
   * the database — also when the database reported a failure but `m gen` reads back as
   * this batch's generation (it was applied; only the acknowledgement was lost). Throws
   * `E_IO` when it is not there, after rolling back the codec's new structures.
   */
  async #commit(
    ops: BatchOp[],
    nextId: number,
    what: string,
    more?: Iterable<BatchOp>,
  ): Promise<void> {
    const pending = this.#codec.pending;
    if (pending !== undefined) ops.push(putMeta('structures', pending));
    if (nextId !== this.#nextIdStored) ops.push(putMeta('next', nextId));
    // A generation is never reused, not even one whose batch failed: a later read-back
    // must not mistake an older batch for this one.
    const gen = ++this.#gen;
    ops.push(putMeta('gen', gen));
    this.#dirty = true;
    try {
      await writeOps(this.#db, more === undefined ? ops : chain(ops, more), this.#sync);
    } catch (cause) {
      let applied: boolean;
      try {
        const stored = await this.#db.get(metaKey('gen'));
        applied = stored !== undefined && unpack(stored) === gen;
      } catch (readCause) {
        this.#unsure = ioError(readCause, `${what}: reading back whether it was applied`);
        applied = false;
      }
      if (!applied) {
        this.#writes++;
        this.#codec.rollback();
        throw ioError(cause, what);
      }
    }
    this.#writes++;
    this.#codec.commit();
    this.#nextIdStored = nextId;
  }

  /** Rows moved; ids did not: only the snapshot is stale (the generation is already bumped by writes). */
  async afterCompact(_tier: HotTier): Promise<void> {
    if (this.#dirty) return;
    this.#writable('compacting');
    await this.#commit([], this.#nextIdStored, 'compacting');
  }

  /**
   * Saves the hot snapshot (on-disk stores) and closes the database. The directory is
   * released whatever fails.
   * @throws LeanrecError `E_IO` when the snapshot or the close failed (the data is not
   * affected: the next open rebuilds the hot tier).
   */
  async close(tier: HotTier): Promise<void> {
    let failure: LeanrecError | undefined;
    try {
      if (this.#persistent && this.#dirty && this.#unsure === undefined)
        await this.#writeSnapshot(tier);
    } catch (cause) {
      failure = ioError(cause, 'writing the hot snapshot');
    }
    try {
      await this.#db.close();
    } catch (cause) {
      failure ??= ioError(cause, 'closing the database');
    } finally {
      if (this.#lockPath !== undefined) held.delete(this.#lockPath);
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Stores the hot snapshot and marks it current. Old chunks are deleted in the same
   * batch, so a crash leaves either the old snapshot or the new one.
   */
  async #writeSnapshot(tier: HotTier): Promise<void> {
    const { meta, parts } = tier.snapshot();
    const ops: BatchOp[] = [];
    for await (const key of this.#db.keys(SNAPSHOT_RANGE)) ops.push({ type: 'del', key });
    const header: Record<string, number> = {};
    for (const [name, arrays] of parts) {
      header[name] = arrays.length;
      arrays.forEach((bytes, i) => {
        const part = `${name}#${i}`;
        const size = this.#chunk;
        let chunk = 0;
        for (let off = 0; off < bytes.length || chunk === 0; off += size)
          ops.push({
            type: 'put',
            key: snapshotKey(part, chunk++),
            value: bytes.slice(off, off + size),
          });
      });
    }
    ops.push({
      type: 'put',
      key: snapshotKey('#meta', 0),
      value: pack({ ...meta, parts: header }),
    });
    // The generation too: after a failed batch the store's generation is ahead of the
    // stored one (generations are never reused), and the snapshot is of the store's state.
    ops.push(putMeta('gen', this.#gen), putMeta('snap', this.#gen));
    await writeOps(this.#db, ops, true);
    this.#dirty = false;
  }

  async #rebuild(tier: HotTier): Promise<void> {
    for await (const [key, value] of this.#db.iterator(HOT_RANGE)) {
      const id = idOfHotKey(key);
      const raw = this.#codec.decode(value, () => `hot entry of record id ${id}`);
      if (raw === null || typeof raw !== 'object')
        throw new LeanrecError('E_CORRUPT', `hot entry of record id ${id} is not a record`);
      const rec = this.#hotShape.fromStored(
        raw as Record<string, unknown>,
        () => `hot entry of record id ${id}`,
      );
      const row = tier.findRow(rec);
      if (row >= 0) throw duplicateKeyError(tier, row, id, rec);
      tier.insert(rec, id);
    }
  }

  /** Cache and LevelDB figures for `memory()`. */
  memory(): {
    parts: MemoryPart[];
    cacheBytes: number;
    cacheEntries: number;
    leveldbBytes: number;
  } {
    return {
      parts: [
        { name: 'cache', kind: 'cache', bytes: this.#cache.bytes },
        { name: 'leveldb:configured', kind: 'leveldb', bytes: this.#levelBytes },
      ],
      cacheBytes: this.#cache.bytes,
      cacheEntries: this.#cache.entries,
      leveldbBytes: this.#levelBytes,
    };
  }

  /** @internal For tests: the database. */
  get _db(): DB {
    return this.#db;
  }
}

/**
 * The database of a store: the caller's (`options.database`) or the built-in one. The
 * built-in modules are imported here, when a store needs one, so that importing leanrec
 * for a schema, a hot-only or an in-memory store loads neither LevelDB nor a native
 * binding.
 */
async function makeDatabase(
  options: StoreOptions,
  dbOptions: {
    keyEncoding: 'view';
    valueEncoding: 'view';
    cacheSize: number;
    writeBufferSize: number;
  },
): Promise<DB> {
  // On disk, msgpackr's native string extractor (msgpackr-extract, a `.node` addon) is
  // worth loading: msgpackr's main entry installs it in the module our codec uses
  // (codec.ts). Without a path it stays unloaded. Measured by bench/extractor.ts.
  if (options.path !== undefined) await import('msgpackr');
  if (options.database !== undefined) return options.database(options.path, { ...dbOptions });
  if (options.path === undefined) {
    const { MemoryLevel } = await import('memory-level');
    return new MemoryLevel<Uint8Array, Uint8Array>({
      keyEncoding: 'view',
      valueEncoding: 'view',
    }) as unknown as DB;
  }
  // classic-level itself: `level` only re-exports it on Node, and adds browser-level.
  const { ClassicLevel } = await import('classic-level');
  return new ClassicLevel<Uint8Array, Uint8Array>(options.path, dbOptions) as unknown as DB;
}

/** What makes `db` (from `options.database`) unfit for a store, if anything. */
function databaseProblem(db: DB): string | undefined {
  const ok =
    db !== null &&
    typeof db === 'object' &&
    typeof db.open === 'function' &&
    typeof db.close === 'function' &&
    typeof db.batch === 'function' &&
    typeof db.getMany === 'function' &&
    typeof db.keyEncoding === 'function' &&
    typeof db.valueEncoding === 'function';
  if (!ok) return 'options.database must return an abstract-level database';
  const k = db.keyEncoding().commonName;
  const v = db.valueEncoding().commonName;
  if (k !== 'view' || v !== 'view')
    return `the database from options.database must use the 'view' key and value encodings (it uses '${k}' and '${v}')`;
  return undefined;
}

async function readMeta(db: DB): Promise<Meta> {
  const names = ['schema', 'structures', 'next', 'gen', 'snap', 'since', 'pending'] as const;
  const values = await db.getMany(names.map((n) => metaKey(n)));
  const meta: Meta = {};
  names.forEach((n, i) => {
    const v = values[i];
    if (v === undefined) return;
    try {
      (meta as Record<string, unknown>)[n] = unpack(v);
    } catch (cause) {
      throw new LeanrecError('E_CORRUPT', `metadata entry "${n}" cannot be decoded`, { cause });
    }
  });
  return meta;
}

/**
 * Writes `ops` as one atomic batch. The chained form: abstract-level's array form checks
 * and copies every operation on the way in, which made it 4× slower here (63 × 3,000
 * puts: 2.1 s against 0.5 s). A batch that fails is closed and writes nothing.
 */
async function writeOps(db: DB, ops: Iterable<BatchOp>, sync: boolean): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await batch.write(syncOpt(sync) as never);
}

function* chain(a: Iterable<BatchOp>, b: Iterable<BatchOp>): Generator<BatchOp, void, undefined> {
  yield* a;
  yield* b;
}

/**
 * Deletes every hot and cold entry with an id ≥ `start` (what an atomic ingest staged),
 * `UNDO_BATCH` entries per `write`, so undoing a large ingest holds one batch of keys.
 */
async function undoStaged(
  db: DB,
  schema: AnySchema,
  start: number,
  write: (ops: BatchOp[]) => Promise<void>,
): Promise<void> {
  const ranges = rangesFrom(
    start,
    schema.groups.map((g) => g.code),
  );
  for (const r of ranges)
    for (;;) {
      const ops: BatchOp[] = [];
      for await (const key of db.keys({ ...r, limit: UNDO_BATCH })) ops.push({ type: 'del', key });
      if (ops.length === 0) break;
      await write(ops);
      if (ops.length < UNDO_BATCH) break;
    }
}

/** Batch options; `sync` is classic-level's (fsync before the write is acknowledged). */
function syncOpt(sync: boolean): object {
  return { sync };
}

function putMeta(name: string, value: unknown): BatchOp {
  return { type: 'put', key: metaKey(name), value: pack(value) };
}

/**
 * Restores the hot tier from the stored snapshot; false when there is none or it is
 * incomplete (the caller then rebuilds from the records). Each array is joined from its
 * chunks as soon as its last chunk is read, and handed to the tier without another copy,
 * so the snapshot is held about once while it is restored, not three times.
 */
async function loadSnapshot(db: DB, tier: HotTier): Promise<boolean> {
  const arrays = new Map<string, Uint8Array>();
  let part = '';
  let chunks: Uint8Array[] = [];
  const finish = () => {
    if (chunks.length > 0) arrays.set(part, concat(chunks));
    chunks = [];
  };
  // Keys sort by part, then chunk number: a part's chunks arrive together and in order.
  for await (const [key, value] of db.iterator(SNAPSHOT_RANGE)) {
    const k = parseSnapshotKey(key);
    if (k.part !== part) {
      finish();
      part = k.part;
    }
    if (k.chunk !== chunks.length) return false; // a chunk is missing
    chunks.push(value);
  }
  finish();
  const head = arrays.get('#meta');
  if (head === undefined) return false;
  const header = unpack(head) as {
    rowCount: number;
    size: number;
    nextId: number;
    parts: Record<string, number>;
    format?: number;
  };
  // An older format's key index may hash keys differently: rebuilt from the records.
  if (!snapshotUsable(tier.schema, header.format)) return false;
  const parts = new Map<string, Uint8Array[]>();
  for (const [name, count] of Object.entries(header.parts)) {
    const list: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = arrays.get(`${name}#${i}`);
      if (bytes === undefined) return false;
      list.push(bytes);
    }
    parts.set(name, list);
  }
  tier.restore(
    { rowCount: header.rowCount, size: header.size, nextId: header.nextId },
    parts,
    true,
  );
  return true;
}

/** The chunks joined, as a plain `Uint8Array` (a `Buffer` would slice as a view). */
function concat(list: Uint8Array[]): Uint8Array {
  if (list.length === 1) {
    const b = list[0]!;
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const out = new Uint8Array(list.reduce((s, b) => s + b.length, 0));
  let off = 0;
  for (const b of list) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

function mergeInto(out: Record<string, unknown>, part: object): void {
  for (const k of Object.keys(part))
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: (part as Record<string, unknown>)[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = (part as Record<string, unknown>)[k];
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v) && !(v instanceof Uint8Array)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

function mapOpenError(err: unknown, path: string | undefined): LeanrecError {
  if (err instanceof LeanrecError) return err;
  const e = err as { code?: string; cause?: { code?: string } };
  if (e?.code === 'LEVEL_LOCKED' || e?.cause?.code === 'LEVEL_LOCKED')
    return new LeanrecError(
      'E_LOCKED',
      `the database at ${path} is open in another store or process`,
      {
        cause: err,
      },
    );
  return new LeanrecError(
    'E_IO',
    `cannot open the database at ${path ?? '(memory)'}: ${(err as Error)?.message}`,
    {
      cause: err,
    },
  );
}

function ioError(cause: unknown, what: string): LeanrecError {
  if (cause instanceof LeanrecError) return cause;
  const e = cause as { code?: string };
  if (e?.code === 'LEVEL_DATABASE_NOT_OPEN')
    return new LeanrecError('E_CLOSED', `${what}: the database is closed`, { cause });
  return new LeanrecError('E_IO', `${what}: ${(cause as Error)?.message ?? String(cause)}`, {
    cause,
  });
}
