/**
 * The hot tier: every hot column of one store, plus the row bookkeeping.
 *
 *   row:       0 1 2 3 4 5 …            (position in every column; nothing stores it)
 *   ids:       Uint32Array              stable record id per row (never reused)
 *   free:      Bitset                   1 = the row is a tombstone, free for reuse
 *   presence:  Bitset per optional field  1 = the value is present
 *   columns:   one per hot field (see columns.ts)
 *   keys:      KeyIndex over the key fields' canonical bytes
 *
 * Invariants: `rowCount` is the high-water mark; rows ≥ rowCount are unused; a row is
 * live iff `row < rowCount && !free.get(row)`; `size` counts live rows; freed rows are
 * reused before the tier grows.
 *
 * Methods marked "trusted" assume the record was validated at the store's boundary.
 */
import { LeanrecError } from '../errors.ts';
import { KeyIndex, type KeyQuery, type KeySource } from '../keys/key-index.ts';
import type { AnySchema } from '../schema/schema.ts';
import { ownValue } from '../schema/validate.ts';
import { grow, nextPow2, rowCapacity, trimRows } from '../util/grow.ts';
import { type HashFn, hash64, hashAsciiKey } from '../util/hash.ts';
import { loneSurrogates } from '../util/utf8.ts';
import { Bitset } from './bitset.ts';
import { ByteWriter } from './byte-writer.ts';
import { type Column, type EnumColumn, isWhole, makeColumn, type StringColumn } from './columns.ts';
import { type HotLimits, RoomCheck, type RoomWrite, resolveLimits } from './limits.ts';
import { SNAPSHOT_FORMAT } from './snapshot-format.ts';
import { StringPool } from './string-pool.ts';

/** {@link HotTier.findRow}: a key string had a lone surrogate (the key can match no row). */
export const NOT_WELL_FORMED = -2;

/** {@link HotTier.findRowAscii}: the key is not one it can look up (use `findRow`). */
export const NOT_ASCII = -3;

/** Options of a hot tier. */
export interface HotTierOptions {
  /** The 64-bit key hash. Injectable so tests can force collisions. @defaultValue hash64 */
  hash?: HashFn;
  /**
   * @internal For tests only: lower limits than {@link HOT_LIMITS} (never higher), so a
   * test can reach a limit that is too large to reach for real (2^32 rows, a 4 GiB pool).
   */
  limits?: Partial<HotLimits>;
}

/** One named part of the hot tier's memory. */
export interface TierMemoryPart {
  name: string;
  kind: 'column' | 'pool' | 'index' | 'bitset' | 'rows';
  bytes: number;
}

export class HotTier implements KeySource, KeyQuery {
  readonly schema: AnySchema;
  /** The capacity limits in force (production ones unless a test lowered them). */
  readonly limits: HotLimits;
  pool: StringPool;
  /** Columns by hot field index. Replaced as a whole by `compact()`/`restore()`. */
  columns: Column[];
  /** Presence bitsets by hot field index (`undefined` for required fields). */
  presence: (Bitset | undefined)[];
  ids: Uint32Array;
  free: Bitset;
  keys: KeyIndex;
  rowCount = 0;
  size = 0;
  nextId = 0;
  /** Freed rows waiting for reuse (a stack). */
  #freeRows = new Uint32Array(16);
  #freeCount = 0;
  readonly #hash: HashFn;
  readonly #keyIdx: readonly number[];
  readonly #names: readonly string[];
  readonly #guarded: readonly boolean[];
  /** Query key bytes. */
  readonly #qw = new ByteWriter();
  /** Row key bytes (compared against the query). */
  readonly #rw = new ByteWriter();
  readonly #h = new Uint32Array(2);
  readonly #room: RoomCheck;
  /**
   * The key is made of string and enum fields only, none named like an `Object.prototype`
   * member, and hashed by {@link hash64}: {@link HotTier.findRowAscii} can look it up.
   */
  readonly #asciiKey: boolean;
  /** Per key field: true when its column is a pool string column (else an enum column). */
  readonly #keyPooled: readonly boolean[];
  readonly #keyNames: readonly string[];
  /** The key strings of the lookup under way (emptied after it), for `queryEquals`. */
  readonly #qs: string[];

  constructor(schema: AnySchema, options: HotTierOptions = {}) {
    this.schema = schema;
    this.#hash = options.hash ?? hash64;
    this.limits = resolveLimits(options.limits);
    this.pool = new StringPool({ maxBytes: this.limits.poolBytes });
    this.columns = this.#makeColumns(this.pool);
    this.presence = schema.hotFields.map((f) => (f.field.isOptional ? new Bitset() : undefined));
    this.ids = new Uint32Array(16);
    this.free = new Bitset();
    this.#keyIdx = schema.keyFields.map((f) => f.index);
    this.#names = schema.hotFields.map((f) => f.name);
    this.#guarded = schema.hotFields.map((f) => f.name in Object.prototype);
    this.keys = new KeyIndex(this);
    this.#room = new RoomCheck(schema);
    const kf = schema.keyFields;
    this.#asciiKey = kf.every(
      (f) => (f.field.kind === 'string' || f.field.kind === 'enum') && !this.#guarded[f.index],
    );
    this.#keyPooled = kf.map((f) => f.field.kind === 'string');
    this.#keyNames = kf.map((f) => f.name);
    this.#qs = kf.map(() => '');
  }

  #makeColumns(pool: StringPool): Column[] {
    const limits = this.limits;
    return this.schema.hotFields.map((f) => makeColumn(f.field, { pool, limits }, f.name));
  }

  // ── keys ────────────────────────────────────────────────────────────────

  /** KeySource: true when `row`'s key bytes equal `key[0..keyEnd)`. */
  keyEquals(row: number, key: Uint8Array, keyEnd: number): boolean {
    const idx = this.#keyIdx;
    let pos = 0;
    for (let k = 0; k < idx.length; k++) {
      pos = this.columns[idx[k]!]!.matchKey(row, key, pos);
      if (pos < 0 || pos > keyEnd) return false;
    }
    return pos === keyEnd;
  }

  /** KeySource: the hash of `row`'s key. */
  rowHash(row: number, out: Uint32Array): void {
    const w = this.#rw;
    w.pos = 0;
    for (const i of this.#keyIdx) this.columns[i]!.writeRowKey(row, w);
    this.#hash(w.buf, 0, w.pos, out);
  }

  /** The hash of the key last encoded: `[lo, hi]` (read before the next encode). */
  get keyHash(): Uint32Array {
    return this.#h;
  }

  /** Trusted: the row of the key last encoded by {@link HotTier.encodeKeyAt}, or -1. */
  findEncoded(): number {
    return this.keys.find(this.#h[0]!, this.#h[1]!, this.#qw.buf, this.#qw.pos);
  }

  /**
   * Trusted: encodes the key of the record whose hot values are `vals[base + i]` (i = hot
   * field index, as `RecordValidator.validateInto` hands them over) into the query buffer
   * and hashes it into {@link HotTier.keyHash}. A batch encodes each record's key once this
   * way, then probes ({@link HotTier.findEncoded}), compares
   * ({@link HotTier.encodedEqualsAt}) and inserts with that one hash.
   */
  encodeKeyAt(vals: readonly unknown[], base: number): void {
    const w = this.#qw;
    this.#writeKeyAt(vals, base, w);
    this.#hash(w.buf, 0, w.pos, this.#h);
  }

  /** Trusted: true when the key of the record with hot values at `vals[base…]` has the bytes last encoded (the hash is kept). */
  encodedEqualsAt(vals: readonly unknown[], base: number): boolean {
    const q = this.#qw;
    const w = this.#rw;
    this.#writeKeyAt(vals, base, w);
    if (w.pos !== q.pos) return false;
    for (let i = 0; i < w.pos; i++) if (w.buf[i] !== q.buf[i]) return false;
    return true;
  }

  #writeKeyAt(vals: readonly unknown[], base: number, w: ByteWriter): void {
    w.pos = 0;
    const idx = this.#keyIdx;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      this.columns[i]!.writeKey(vals[base + i], w);
    }
  }

  /** Trusted: encodes the key fields of `obj` into the query buffer and hashes them. */
  #encodeKey(obj: object): void {
    const w = this.#qw;
    this.#writeKeyOf(obj, w);
    this.#hash(w.buf, 0, w.pos, this.#h);
  }

  /** Trusted: writes the key fields of `obj` into `w` from its start. */
  #writeKeyOf(obj: object, w: ByteWriter): void {
    w.pos = 0;
    const idx = this.#keyIdx;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const v = this.#guarded[i]
        ? ownValue(obj, this.#names[i]!)
        : (obj as Record<string, unknown>)[this.#names[i]!];
      this.columns[i]!.writeKey(v, w);
    }
  }

  /**
   * Trusted: the row holding the key of `obj` (a record or a key object), or -1; or
   * {@link NOT_WELL_FORMED} when a key string of at most `LONG_ENCODE` units had a lone
   * surrogate (no stored key can hold one: the caller reports the field). This lets a
   * lookup check its key strings while encoding them instead of scanning them first.
   */
  findRow(obj: object): number {
    const lone = loneSurrogates.count;
    this.#encodeKey(obj);
    if (loneSurrogates.count !== lone) return NOT_WELL_FORMED;
    return this.keys.find(this.#h[0]!, this.#h[1]!, this.#qw.buf, this.#qw.pos);
  }

  /**
   * Trusted only to be an object: the row holding the key of `obj`, or -1, looked up
   * without encoding the key when every key value is an ASCII string of under 128 units:
   * they are hashed from their UTF-16 units ({@link hashAsciiKey}, the same hash as their
   * encoded bytes; an injected hash gets the bytes written out) and compared with the
   * rows' pool bytes and enum values. Returns
   * {@link NOT_ASCII} for any other key (a value that is not a string, a non-ASCII or
   * long string, a key with other field kinds): `findRow` then answers, after the caller
   * has checked the key. A -1 here says nothing about the key's validity (a closed enum
   * value may be unknown): the caller checks a key that found no row.
   */
  findRowAscii(obj: object): number {
    if (!this.#asciiKey) return NOT_ASCII;
    const names = this.#keyNames;
    const qs = this.#qs;
    const n = names.length;
    let row = NOT_ASCII;
    let k = 0;
    for (; k < n; k++) {
      const v = (obj as Record<string, unknown>)[names[k]!];
      if (typeof v !== 'string') break;
      qs[k] = v;
    }
    const h = this.#h;
    if (k === n && (this.#hash === hash64 ? hashAsciiKey(qs, n, h) : this.#hashAsciiWith(qs, n, h)))
      row = this.keys.findQuery(h[0]!, h[1]!, this);
    for (let j = 0; j < k; j++) qs[j] = ''; // holds no caller's string past the call
    return row;
  }

  /**
   * {@link hashAsciiKey} for an injected hash (tests forcing collisions): the key bytes
   * written out, then hashed. False for a string that is not ASCII or has 128 units or more.
   */
  #hashAsciiWith(qs: readonly string[], n: number, out: Uint32Array): boolean {
    const w = this.#qw;
    w.pos = 0;
    for (let k = 0; k < n; k++) {
      const s = qs[k]!;
      const m = s.length;
      if (m > 0x7f) return false;
      w.byte(m);
      w.ensure(m);
      for (let i = 0; i < m; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) return false;
        w.buf[w.pos++] = c;
      }
    }
    this.#hash(w.buf, 0, w.pos, out);
    return true;
  }

  /**
   * KeyQuery: true when `row`'s key equals the ASCII key strings of the lookup under way
   * ({@link HotTier.findRowAscii}). A pool entry of an ASCII string of m < 128 units is
   * the byte m then the units themselves: compared unit by unit, nothing decoded.
   */
  queryEquals(row: number): boolean {
    const qs = this.#qs;
    const idx = this.#keyIdx;
    const pooled = this.#keyPooled;
    for (let k = 0; k < qs.length; k++) {
      const s = qs[k]!;
      const col = this.columns[idx[k]!]!;
      if (pooled[k]) {
        const off = (col as StringColumn).data[row]!;
        const b = this.pool.bytes;
        const m = s.length;
        if (b[off] !== m) return false;
        for (let i = 0; i < m; i++) if (b[off + 1 + i] !== s.charCodeAt(i)) return false;
      } else {
        const e = col as EnumColumn;
        if (e.values[e.codes[row]!] !== s) return false;
      }
    }
    return true;
  }

  /** The canonical key bytes of `obj` as a binary string (for maps keyed by record key). */
  keyString(obj: object): string {
    this.#encodeKey(obj);
    return Buffer.from(this.#qw.buf.buffer, this.#qw.buf.byteOffset, this.#qw.pos).toString(
      'latin1',
    );
  }

  // ── rows ────────────────────────────────────────────────────────────────

  /** Freed rows waiting for reuse: new records take them before the tier grows. */
  get freeCount(): number {
    return this.#freeCount;
  }

  /**
   * Throws `E_LIMIT` (naming the field and the record) when applying `writes` would pass
   * a limit; reads only, so a refused batch leaves everything as it was. See limits.ts.
   * `vals`: the writes' hot values, write n's at `n × hot fields` (see `encodeKeyAt`).
   */
  checkRoom(
    writes: readonly RoomWrite[],
    keyText: (rec: object) => string,
    vals?: readonly unknown[],
  ): void {
    this.#room.check(this, writes, keyText, vals);
  }

  /** True when `row` holds a live record. */
  isLive(row: number): boolean {
    return row >= 0 && row < this.rowCount && !this.free.get(row);
  }

  /**
   * Trusted: adds a record whose key is absent; returns its row. `lo`/`hi`, when given,
   * are its key's hash (from {@link HotTier.encodeKeyAt}): the key is then not re-encoded
   * from the row.
   */
  insert(rec: object, id: number, lo?: number, hi?: number): number {
    const row = this.#takeRow();
    this.ids[row] = id;
    this.#writeFields(row, rec);
    if (lo === undefined || hi === undefined) {
      this.rowHash(row, this.#h);
      lo = this.#h[0]!;
      hi = this.#h[1]!;
    }
    this.keys.insert(lo, hi, row);
    this.size++;
    if (id >= this.nextId) this.nextId = id + 1;
    return row;
  }

  /**
   * Trusted: {@link HotTier.insert} of the record whose hot values are `vals[base + i]`
   * (see {@link HotTier.encodeKeyAt}), with its key's hash `lo`/`hi`.
   */
  insertAt(vals: readonly unknown[], base: number, id: number, lo: number, hi: number): number {
    const row = this.#takeRow();
    this.ids[row] = id;
    this.#writeValues(row, vals, base);
    this.keys.insert(lo, hi, row);
    this.size++;
    if (id >= this.nextId) this.nextId = id + 1;
    return row;
  }

  /** Trusted: replaces the hot fields of a live row whose key equals the record's (hot values at `vals[base…]`). */
  updateAt(row: number, vals: readonly unknown[], base: number): void {
    this.#writeValues(row, vals, base);
  }

  /** Trusted: deletes a live row (tombstone; the row is reused by a later insert). */
  remove(row: number): void {
    this.hide(row);
    this.release(row);
  }

  /**
   * Trusted: hides a live row from lookups, scans and `size` without freeing it for
   * reuse — the record an atomic ingest has replaced, until the ingest commits
   * (`release`) or fails (`unhide`). Its columns keep the old values; its free bit is
   * set, so scans skip it, but it is not on the free-row stack, so no insert takes it.
   */
  hide(row: number): void {
    this.rowHash(row, this.#h);
    const w = this.#rw;
    this.keys.remove(this.#h[0]!, this.#h[1]!, w.buf.slice(0, w.pos), w.pos);
    this.free.set(row);
    this.size--;
  }

  /** Trusted: makes a row hidden by `hide` live again (its key must be absent). */
  unhide(row: number): void {
    this.free.clear(row);
    this.rowHash(row, this.#h);
    this.keys.insert(this.#h[0]!, this.#h[1]!, row);
    this.size++;
  }

  /** Trusted: frees a row hidden by `hide` for reuse (it becomes an ordinary tombstone). */
  release(row: number): void {
    if (this.#freeCount >= this.#freeRows.length)
      this.#freeRows = grow(this.#freeRows, this.#freeCount + 1);
    this.#freeRows[this.#freeCount++] = row;
  }

  /** Reads hot field `i` of `row` (`undefined` when an optional value is absent). */
  read(row: number, i: number): unknown {
    const p = this.presence[i];
    if (p !== undefined && !p.get(row)) return undefined;
    return this.columns[i]!.get(row);
  }

  #ensureRows(rows: number): void {
    if (rows <= this.ids.length) return;
    const cap = nextPow2(rows);
    this.ids = grow(this.ids, cap);
    for (const c of this.columns) c.ensure(cap);
    for (const p of this.presence) p?.ensure(cap);
    this.free.ensure(cap);
  }

  /** A row for a new record: a freed one, else the next (its free bit cleared). */
  #takeRow(): number {
    let row: number;
    if (this.#freeCount > 0) row = this.#freeRows[--this.#freeCount]!;
    else {
      row = this.rowCount;
      if (row >= this.limits.rows)
        throw new LeanrecError('E_LIMIT', `the hot tier holds at most ${this.limits.rows} rows`);
      this.#ensureRows(row + 1);
      this.rowCount = row + 1;
    }
    this.free.clear(row);
    return row;
  }

  #writeValues(row: number, vals: readonly unknown[], base: number): void {
    const columns = this.columns;
    const presence = this.presence;
    for (let i = 0; i < columns.length; i++) {
      const v = vals[base + i];
      const p = presence[i];
      if (v === undefined) {
        p!.clear(row);
        continue;
      }
      p?.set(row);
      columns[i]!.set(row, v);
    }
  }

  #writeFields(row: number, rec: object): void {
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      const v = this.#guarded[i]
        ? ownValue(rec, names[i]!)
        : (rec as Record<string, unknown>)[names[i]!];
      const p = this.presence[i];
      if (v === undefined) {
        p!.clear(row);
        continue;
      }
      p?.set(row);
      this.columns[i]!.set(row, v);
    }
  }

  /**
   * Frees the string pool's interning table (rebuilt on the next write) and spare bytes;
   * call after ingest. The per-row arrays (columns, presence and free bits, ids) are
   * trimmed to the rows held too, so the cost per record does not depend on where the
   * row count falls between two powers of two — but only once the rows have doubled
   * since the last trim: small writes that follow each other would otherwise copy every
   * array twice per call (trim, then grow back).
   */
  settle(): void {
    this.pool.dropInternTable();
    this.pool.trim();
    if (this.rowCount >= 2 * this.#trimmedAt) this.#trimRows();
  }

  /** Row count at the last trim of the per-row arrays. */
  #trimmedAt = 0;

  /** Shrinks every per-row array to `rowCapacity(rowCount)`. */
  #trimRows(): void {
    const n = this.rowCount;
    this.ids = trimRows(this.ids, n);
    for (const c of this.columns) c.trim(n);
    for (const p of this.presence) p?.trim(n);
    this.free.trim(n);
    this.#trimmedAt = n;
  }

  /**
   * Moves live rows to the front in row order, drops tombstones, rebuilds the string
   * pool without garbage and the key index. Ids are kept. Returns the old row of each
   * new row.
   */
  compact(): Uint32Array {
    const n = this.size;
    const oldRows = new Uint32Array(n);
    let k = 0;
    for (let r = 0; r < this.rowCount; r++) if (!this.free.get(r)) oldRows[k++] = r;
    const pool = new StringPool({ maxBytes: this.limits.poolBytes });
    const cols = this.#makeColumns(pool);
    const cap = rowCapacity(n);
    for (const c of cols) c.ensure(cap);
    const presence = this.presence.map((p) => (p === undefined ? undefined : new Bitset()));
    for (const p of presence) p?.ensure(cap);
    const ids = new Uint32Array(cap);
    for (let to = 0; to < n; to++) {
      const from = oldRows[to]!;
      ids[to] = this.ids[from]!;
      for (let i = 0; i < cols.length; i++) {
        const p = this.presence[i];
        if (p !== undefined) {
          if (!p.get(from)) continue;
          presence[i]!.set(to);
        }
        cols[i]!.copyRow(this.columns[i]!, from, to);
      }
    }
    pool.dropInternTable();
    pool.trim(); // its byte array grew by doubling: compact() leaves no spare bytes
    this.pool = pool;
    this.columns = cols;
    this.presence = presence;
    this.ids = ids;
    this.free = new Bitset();
    this.free.ensure(cap);
    this.rowCount = n;
    this.#freeCount = 0;
    this.#freeRows = new Uint32Array(16);
    this.keys.rebuild(rowsUpTo(n), n);
    this.#trimRows(); // list items were grown by doubling
    return oldRows;
  }

  /** Exact allocated bytes of each part. */
  memory(): TierMemoryPart[] {
    const parts: TierMemoryPart[] = [];
    const hot = this.schema.hotFields;
    for (let i = 0; i < hot.length; i++) {
      const f = hot[i]!;
      parts.push({
        name: `column:${f.name}`,
        kind: 'column',
        bytes: this.columns[i]!.byteLength(),
      });
      const p = this.presence[i];
      if (p) parts.push({ name: `presence:${f.name}`, kind: 'bitset', bytes: p.byteLength });
    }
    const pm = this.pool.memory();
    parts.push({ name: 'pool', kind: 'pool', bytes: pm.poolCapacityBytes });
    parts.push({ name: 'pool:intern-table', kind: 'index', bytes: pm.internTableBytes });
    parts.push({ name: 'key-index', kind: 'index', bytes: this.keys.byteLength });
    parts.push({ name: 'ids', kind: 'rows', bytes: this.ids.byteLength });
    parts.push({
      name: 'tombstones',
      kind: 'bitset',
      bytes: this.free.byteLength + this.#freeRows.byteLength,
    });
    return parts;
  }

  /** Raw arrays of the whole tier, for a snapshot (see `restore`). */
  snapshot(): {
    meta: { rowCount: number; size: number; nextId: number; format: number };
    parts: Map<string, Uint8Array[]>;
  } {
    const parts = new Map<string, Uint8Array[]>();
    parts.set('pool', [this.pool.toBytes()]);
    parts.set('ids', [new Uint8Array(this.ids.buffer, 0, this.rowCount * 4)]);
    parts.set('free', [this.free.toBytes()]);
    parts.set('keys', [this.keys.toBytes()]);
    const hot = this.schema.hotFields;
    for (let i = 0; i < hot.length; i++) {
      parts.set(`c:${hot[i]!.name}`, this.columns[i]!.parts());
      const p = this.presence[i];
      if (p) parts.set(`p:${hot[i]!.name}`, [p.toBytes()]);
    }
    // The format tells an open whether the key index hashes keys as this code does.
    const meta = {
      rowCount: this.rowCount,
      size: this.size,
      nextId: this.nextId,
      format: SNAPSHOT_FORMAT,
    };
    return { meta, parts };
  }

  /**
   * Restores the tier from a `snapshot()`. Hot fields absent from the snapshot (added
   * optional fields) restore as absent on every row. With `own`, the caller gives the
   * arrays away: those of the exact size become the tier's arrays without a copy, so a
   * snapshot read from disk is held once, not twice, while it is restored.
   */
  restore(
    meta: { rowCount: number; size: number; nextId: number },
    parts: Map<string, Uint8Array[]>,
    own = false,
  ): void {
    const pool = StringPool.fromBytes(
      parts.get('pool')?.[0] ?? new Uint8Array([0]),
      { maxBytes: this.limits.poolBytes },
      own,
    );
    const cols = this.#makeColumns(pool);
    const n = meta.rowCount;
    const cap = rowCapacity(n);
    const hot = this.schema.hotFields;
    for (let i = 0; i < hot.length; i++) {
      const name = hot[i]!.name;
      const cp = parts.get(`c:${name}`);
      if (cp) cols[i]!.restore(cp, cap, own);
      else cols[i]!.reset(cap);
    }
    this.presence = hot.map((f) => {
      if (!f.field.isOptional) return undefined;
      const pp = parts.get(`p:${f.name}`);
      const b = pp?.[0] ? Bitset.fromBytes(pp[0]) : new Bitset();
      b.ensure(cap);
      return b;
    });
    this.pool = pool;
    this.columns = cols;
    const idBytes = parts.get('ids')?.[0] ?? new Uint8Array(0);
    if (own && isWhole(idBytes, cap * 4)) this.ids = new Uint32Array(idBytes.buffer);
    else {
      this.ids = new Uint32Array(cap);
      new Uint8Array(this.ids.buffer).set(idBytes.subarray(0, cap * 4));
    }
    const fb = parts.get('free')?.[0];
    this.free = fb ? Bitset.fromBytes(fb) : new Bitset();
    this.free.ensure(cap);
    this.rowCount = n;
    this.size = meta.size;
    this.nextId = meta.nextId;
    this.#freeCount = 0;
    for (let r = 0; r < n; r++) {
      if (!this.free.get(r)) continue;
      if (this.#freeCount >= this.#freeRows.length)
        this.#freeRows = grow(this.#freeRows, this.#freeCount + 1);
      this.#freeRows[this.#freeCount++] = r;
    }
    const kb = parts.get('keys')?.[0];
    if (kb) this.keys = KeyIndex.fromBytes(kb, this);
    else this.keys.rebuild(this.liveRows(), this.size);
    this.#trimRows(); // bitsets and older snapshots may hold spare capacity
  }

  /** Iterates live rows in row order. */
  *liveRows(): Generator<number, void, undefined> {
    for (let r = 0; r < this.rowCount; r++) if (!this.free.get(r)) yield r;
  }
}

function* rowsUpTo(n: number): Generator<number, void, undefined> {
  for (let r = 0; r < n; r++) yield r;
}
