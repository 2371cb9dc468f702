/**
 * The primary key index: 64-bit key hash → row. It never stores key bytes; a hash
 * match is confirmed by asking the {@link KeySource} to compare the row's key, so a
 * collision can never return a wrong row.
 *
 * ```
 * slot:   0    1    2    3    …  capacity − 1      capacity = power of two ≥ 16
 * rows:  [r+1][ 0 ][TOMB][r+1] …  Uint32Array      0 = empty, 0xFFFFFFFF = tombstone
 * tags:  [ t ][ 0 ][ 0  ][ t ] …  Uint8Array       t = hi >>> 24 (top 8 bits of the hash's hi half)
 *
 * home slot = lo & (capacity − 1); linear probing; a probe stops at the first empty slot
 * snapshot:  "KIX1" | u32 capacity | u32 size | u32 tombstones | rows (LE u32 × capacity) | tags
 * ```
 *
 * Invariants: size + tombstones ≤ 0.7 × capacity (so every probe meets an empty slot);
 * a live slot's row is < 0xFFFFFFFE; every live key sits in the probe run from its
 * home slot with no empty slot between. A tag mismatch skips the slot without calling
 * the source (255 of 256 non-matching live slots).
 */

import { LeanrecError } from '../errors.ts';
import { nextPow2, readU32sLE, writeU32sLE } from '../util/grow.ts';

/** What the index asks of the store: compare and re-hash keys of rows it holds. */
export interface KeySource {
  /** true when row's key equals the canonical key bytes key[0..keyEnd) */
  keyEquals(row: number, key: Uint8Array, keyEnd: number): boolean;
  /** writes the 64-bit hash of row's canonical key into out (used when the table grows or is rebuilt) */
  rowHash(row: number, out: Uint32Array): void;
}

/** A key held by its owner, compared with a row's key by {@link KeyIndex.findQuery}. */
export interface KeyQuery {
  /** true when row's key equals the query the owner holds */
  queryEquals(row: number): boolean;
}

const EMPTY = 0;
const TOMB = 0xffffffff;
/** The largest row the index can hold (row + 1 must differ from the tombstone). */
const MAX_ROW = 0xfffffffd;
const MAX_LOAD = 0.7;
const MIN_CAPACITY = 16;
const HEADER_BYTES = 16;
/** "KIX1" read as a little-endian u32. */
const MAGIC = 0x3158494b;

/** Slots needed so `count` keys stay within the load factor. */
function capacityFor(count: number): number {
  return Math.max(MIN_CAPACITY, nextPow2(Math.ceil((count + 1) / MAX_LOAD)));
}

/**
 * Open-addressing hash index from a key's 64-bit hash (`lo`, `hi`) to its row, with
 * verification through a {@link KeySource}. Methods trust their arguments: the caller
 * hashes the canonical key bytes with the store's `HashFn` and passes both halves.
 *
 * @example
 * ```ts
 * const index = new KeyIndex(source);
 * hash64(key, 0, keyEnd, h);
 * if (index.find(h[0], h[1], key, keyEnd) === -1) index.insert(h[0], h[1], row);
 * ```
 */
export class KeyIndex {
  readonly #source: KeySource;
  #rows: Uint32Array;
  #tags: Uint8Array;
  #mask: number;
  #size: number;
  #tombs: number;
  /** Most live + tombstone slots before the table is rehashed. */
  #limit: number;
  /** Hash scratch for rehashing (allocated once). */
  readonly #h: Uint32Array;

  /**
   * Creates an empty index sized for `expected` keys (default 0: the minimum of 16 slots).
   * @param source compares and re-hashes row keys; the index keeps it for its lifetime.
   */
  constructor(source: KeySource, expected = 0) {
    this.#source = source;
    this.#h = new Uint32Array(2);
    const cap = capacityFor(expected);
    this.#rows = new Uint32Array(cap);
    this.#tags = new Uint8Array(cap);
    this.#mask = cap - 1;
    this.#size = 0;
    this.#tombs = 0;
    this.#limit = Math.floor(cap * MAX_LOAD);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** Number of slots (a power of two). */
  get capacity(): number {
    return this.#rows.length;
  }

  /** Number of tombstones (removed keys whose slot is not reusable yet). */
  get tombstones(): number {
    return this.#tombs;
  }

  /** Bytes held by the table (5 per slot). */
  get byteLength(): number {
    return this.#rows.byteLength + this.#tags.byteLength;
  }

  /** The row of the key with hash (`lo`, `hi`) and canonical bytes `key[0..keyEnd)`, or -1. */
  find(lo: number, hi: number, key: Uint8Array, keyEnd: number): number {
    const slot = this.#findSlot(lo, hi, key, keyEnd);
    return slot < 0 ? -1 : this.#rows[slot]! - 1;
  }

  /**
   * The row of the key with hash (`lo`, `hi`) that `query` holds, or -1: as
   * {@link KeyIndex.find}, with candidates confirmed by `query.queryEquals(row)` instead
   * of against canonical key bytes (a lookup whose key was hashed without encoding it).
   */
  findQuery(lo: number, hi: number, query: KeyQuery): number {
    const rows = this.#rows;
    const tags = this.#tags;
    const mask = this.#mask;
    const tag = hi >>> 24;
    let i = lo & mask;
    for (;;) {
      const v = rows[i]!;
      if (v === EMPTY) return -1;
      if (tags[i] === tag && v !== TOMB && query.queryEquals(v - 1)) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /**
   * Adds `row` under hash (`lo`, `hi`). The caller guarantees the key is absent (look it
   * up first). Reuses the first tombstone on the probe run; rehashes (doubling when
   * needed) through `source.rowHash` when live + tombstones would pass 0.7.
   *
   * @throws LeanrecError `E_LIMIT` when `row` is above 0xFFFFFFFD.
   */
  insert(lo: number, hi: number, row: number): void {
    if (row > MAX_ROW || row < 0) {
      throw new LeanrecError('E_LIMIT', `row ${row} is beyond the key index's limit of ${MAX_ROW}`);
    }
    const rows = this.#rows;
    const mask = this.#mask;
    let i = lo & mask;
    for (;;) {
      const v = rows[i]!;
      if (v === EMPTY) break;
      if (v === TOMB) {
        rows[i] = row + 1;
        this.#tags[i] = hi >>> 24;
        this.#tombs--;
        this.#size++;
        return;
      }
      i = (i + 1) & mask;
    }
    if (this.#size + this.#tombs >= this.#limit) {
      this.#rehash(this.#size + 1);
      this.#place(lo, hi, row);
    } else {
      rows[i] = row + 1;
      this.#tags[i] = hi >>> 24;
    }
    this.#size++;
  }

  /** Removes the key with hash (`lo`, `hi`) and bytes `key[0..keyEnd)`; returns its row, or -1 if absent. */
  remove(lo: number, hi: number, key: Uint8Array, keyEnd: number): number {
    const slot = this.#findSlot(lo, hi, key, keyEnd);
    if (slot < 0) return -1;
    const rows = this.#rows;
    const row = rows[slot]! - 1;
    const mask = this.#mask;
    this.#size--;
    if (rows[(slot + 1) & mask] === EMPTY) {
      // No probe run continues past this slot: it and the tombstones before it can be
      // emptied outright.
      rows[slot] = EMPTY;
      let j = (slot - 1) & mask;
      while (rows[j] === TOMB) {
        rows[j] = EMPTY;
        this.#tombs--;
        j = (j - 1) & mask;
      }
    } else {
      rows[slot] = TOMB;
      this.#tombs++;
    }
    this.#tags[slot] = 0;
    return row;
  }

  /**
   * Points the existing key (`lo`, `hi`, `key[0..keyEnd)`) at `newRow` (e.g. an upsert
   * that moved the record). Returns false when the key is absent.
   *
   * @throws LeanrecError `E_LIMIT` when `newRow` is above 0xFFFFFFFD.
   */
  replaceRow(lo: number, hi: number, key: Uint8Array, keyEnd: number, newRow: number): boolean {
    if (newRow > MAX_ROW || newRow < 0) {
      throw new LeanrecError(
        'E_LIMIT',
        `row ${newRow} is beyond the key index's limit of ${MAX_ROW}`,
      );
    }
    const slot = this.#findSlot(lo, hi, key, keyEnd);
    if (slot < 0) return false;
    this.#rows[slot] = newRow + 1;
    return true;
  }

  /**
   * Empties the index and inserts every row of `rows`, hashed by `source.rowHash`, in a
   * table sized for `count` keys (after compaction or a restore). The rows' keys must
   * be distinct.
   */
  rebuild(rows: Iterable<number>, count: number): void {
    const cap = capacityFor(count);
    this.#rows = new Uint32Array(cap);
    this.#tags = new Uint8Array(cap);
    this.#mask = cap - 1;
    this.#limit = Math.floor(cap * MAX_LOAD);
    this.#size = 0;
    this.#tombs = 0;
    const h = this.#h;
    for (const row of rows) {
      this.#source.rowHash(row, h);
      this.insert(h[0]!, h[1]!, row);
    }
  }

  /** A snapshot of the table (see the layout above); restore with {@link KeyIndex.fromBytes}. */
  toBytes(): Uint8Array {
    const cap = this.#rows.length;
    const out = new Uint8Array(HEADER_BYTES + cap * 5);
    const header = new Uint32Array([MAGIC, cap, this.#size, this.#tombs]);
    writeU32sLE(header, 4, out, 0);
    writeU32sLE(this.#rows, cap, out, HEADER_BYTES);
    out.set(this.#tags, HEADER_BYTES + cap * 4);
    return out;
  }

  /**
   * Restores an index written by {@link KeyIndex.toBytes}, verifying through `source`.
   * The snapshot must come from the same hash function and rows as `source`.
   *
   * @throws LeanrecError `E_CORRUPT` when the bytes are not a key index snapshot.
   */
  static fromBytes(bytes: Uint8Array, source: KeySource): KeyIndex {
    const header = new Uint32Array(4);
    if (bytes.length < HEADER_BYTES) {
      throw new LeanrecError('E_CORRUPT', 'key index snapshot is truncated');
    }
    readU32sLE(bytes, 0, header, 4);
    const [magic, cap, size, tombs] = header as unknown as [number, number, number, number];
    if (
      magic !== MAGIC ||
      cap < MIN_CAPACITY ||
      (cap & (cap - 1)) !== 0 ||
      bytes.length !== HEADER_BYTES + cap * 5 ||
      size + tombs > Math.floor(cap * MAX_LOAD)
    ) {
      throw new LeanrecError('E_CORRUPT', 'key index snapshot has a bad header');
    }
    const index = new KeyIndex(source);
    index.#rows = new Uint32Array(cap);
    readU32sLE(bytes, HEADER_BYTES, index.#rows, cap);
    index.#tags = bytes.slice(HEADER_BYTES + cap * 4);
    index.#mask = cap - 1;
    index.#limit = Math.floor(cap * MAX_LOAD);
    let live = 0;
    let dead = 0;
    for (let i = 0; i < cap; i++) {
      const v = index.#rows[i]!;
      if (v === TOMB) dead++;
      else if (v !== EMPTY) live++;
    }
    if (live !== size || dead !== tombs) {
      throw new LeanrecError('E_CORRUPT', 'key index snapshot does not match its header');
    }
    index.#size = size;
    index.#tombs = tombs;
    return index;
  }

  /** The slot holding the key, or -1. The hot path: one tag byte filters most slots. */
  #findSlot(lo: number, hi: number, key: Uint8Array, keyEnd: number): number {
    const rows = this.#rows;
    const tags = this.#tags;
    const mask = this.#mask;
    const tag = hi >>> 24;
    let i = lo & mask;
    for (;;) {
      const v = rows[i]!;
      if (v === EMPTY) return -1;
      if (tags[i] === tag && v !== TOMB && this.#source.keyEquals(v - 1, key, keyEnd)) return i;
      i = (i + 1) & mask;
    }
  }

  /** Stores `row` at the first free slot of its probe run (no tombstones: fresh table). */
  #place(lo: number, hi: number, row: number): void {
    const rows = this.#rows;
    const mask = this.#mask;
    let i = lo & mask;
    while (rows[i] !== EMPTY) i = (i + 1) & mask;
    rows[i] = row + 1;
    this.#tags[i] = hi >>> 24;
  }

  /**
   * Rebuilds the table without tombstones for `live` keys: doubling when they would
   * fill more than half the load limit, else at the same size (a tombstone-heavy table
   * is cleaned, not grown).
   */
  #rehash(live: number): void {
    const oldRows = this.#rows;
    let cap = oldRows.length;
    if (live > this.#limit / 2) cap *= 2;
    while (live > Math.floor(cap * MAX_LOAD)) cap *= 2;
    this.#rows = new Uint32Array(cap);
    this.#tags = new Uint8Array(cap);
    this.#mask = cap - 1;
    this.#limit = Math.floor(cap * MAX_LOAD);
    this.#tombs = 0;
    const h = this.#h;
    const source = this.#source;
    for (let i = 0; i < oldRows.length; i++) {
      const v = oldRows[i]!;
      if (v === EMPTY || v === TOMB) continue;
      source.rowHash(v - 1, h);
      this.#place(h[0]!, h[1]!, v - 1);
    }
  }
}
