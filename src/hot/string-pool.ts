/**
 * The string pool: every string of a store, once, as UTF-8 in one growable byte array.
 *
 * ```
 * bytes:  [00][len][b y t e s …][len][b y t e s …] …          free capacity …
 *          ^0  ^PoolOffset a     ^PoolOffset b                ^byteLength (used)
 *          ""  len = LEB128 varint (1 byte below 128, ≤ 5 bytes), minimal encoding
 *
 * intern table (open addressing, linear probing, power-of-two slots, load ≤ 0.7):
 *   slots: Uint32Array   offset + 1 of an entry, 0 = empty slot
 *   los:   Uint32Array   low 32 bits of the entry's hash64, compared before the bytes
 *   home slot = lo & (slots.length - 1)
 * ```
 *
 * Invariants: offset 0 is the empty string (one 0x00 byte) and is never in the table;
 * every other entry is distinct and non-empty while strings are only added through
 * `intern*`; an entry never moves, so a `PoolOffset` stays valid for the pool's life
 * (compaction builds a new pool with {@link StringPool.internFrom}); the pool never
 * passes 2^32 − 1 bytes, so `offset + 1` fits in a u32 slot. The table can be dropped
 * after ingest and is rebuilt from the entries on the next `intern*`/`find`.
 */

import { LeanrecError } from '../errors.ts';
import type { PoolOffset } from '../util/brand.ts';
import { nextPow2 } from '../util/grow.ts';
import { type HashFn, hash64 } from '../util/hash.ts';
import { readUtf8, utf8Length, writeUtf8 } from '../util/utf8.ts';

/** Options of {@link StringPool}. */
export interface StringPoolOptions {
  /**
   * The hash used by the intern table (only its low half is used).
   * @defaultValue {@link hash64}
   */
  hash?: HashFn;
  /**
   * Initial capacity of the byte array, in bytes (rounded up to a power of two).
   * @defaultValue 1024
   */
  initialBytes?: number;
  /**
   * @internal For tests only: a byte limit below the real one (2^32 − 1; a larger value
   * is ignored), so a test can reach the limit without a 4 GiB pool.
   * @defaultValue 2^32 − 1
   */
  maxBytes?: number;
}

/** Byte figures of a {@link StringPool}, see {@link StringPool.memory}. */
export interface StringPoolMemory {
  /** Bytes used by entries (including the empty string's byte). */
  poolBytes: number;
  /** Bytes allocated for the byte array (used + spare capacity). */
  poolCapacityBytes: number;
  /** Bytes of the intern table (0 after {@link StringPool.dropInternTable}). */
  internTableBytes: number;
}

/** The pool's byte limit: offsets and `offset + 1` must fit in a u32. */
const MAX_POOL_BYTES = 0xffffffff;
const MAX_LOAD = 0.7;
const MIN_TABLE = 16;
/** Copies shorter than this use a JS loop (no subarray allocation). */
const SHORT_COPY = 32;
const EMPTY_OFFSET = 0 as PoolOffset;
const EMPTY_TABLE = new Uint32Array(0);

/** Bytes of the minimal LEB128 encoding of `n` (0 ≤ n < 2^35). */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Decodes the LEB128 varint at `b[off]`; the caller guarantees it is complete. */
function readVarint(b: Uint8Array, off: number): number {
  let x = b[off]!;
  if (x < 0x80) return x;
  let n = x & 0x7f;
  let scale = 0x80;
  for (;;) {
    x = b[++off]!;
    n += (x & 0x7f) * scale; // multiply, not shift: lengths may exceed 2^31
    if (x < 0x80) return n;
    scale *= 0x80;
  }
}

/**
 * One pool per store: interned strings as UTF-8, addressed by {@link PoolOffset}.
 * A string column is a `Uint32Array` of offsets into it. Methods trust their
 * arguments (offsets from this pool, well-formed strings, ranges inside their
 * arrays): the store checks at its public boundary.
 *
 * @example
 * ```ts
 * const pool = new StringPool();
 * const a = pool.intern('bash');
 * pool.intern('bash') === a; // true
 * pool.read(a);              // 'bash'
 * ```
 */
export class StringPool {
  #bytes: Uint8Array;
  #used: number;
  /** Entries, the empty string included. */
  #count: number;
  readonly #hash: HashFn;
  readonly #h: Uint32Array;
  #slots: Uint32Array;
  #los: Uint32Array;
  #mask: number;
  /** Entries in the table. */
  #filled: number;
  /** Most entries the table may hold before it doubles (load ≤ 0.7). */
  #limit: number;
  /** False after `dropInternTable`/`fromBytes`: rebuild before the next lookup. */
  #tableValid: boolean;
  /** Slot where the last failed `#lookup` stopped: where the key goes. */
  #freeSlot: number;
  /** Encoding space for `find`, so a lookup never grows the pool. */
  #scratch: Uint8Array;
  /** The byte limit ({@link MAX_POOL_BYTES} unless a test lowered it). */
  readonly #max: number;

  /** Creates a pool holding only the empty string (offset 0). */
  constructor(options: StringPoolOptions = {}) {
    this.#max = Math.min(MAX_POOL_BYTES, options.maxBytes ?? MAX_POOL_BYTES);
    this.#bytes = new Uint8Array(
      Math.min(this.#max, nextPow2(Math.max(16, options.initialBytes ?? 1024))),
    );
    this.#used = 1; // bytes[0] = 0x00: the empty string
    this.#count = 1;
    this.#hash = options.hash ?? hash64;
    this.#h = new Uint32Array(2);
    this.#slots = EMPTY_TABLE;
    this.#los = EMPTY_TABLE;
    this.#mask = -1;
    this.#filled = 0;
    this.#limit = 0;
    this.#tableValid = false;
    this.#freeSlot = -1;
    this.#scratch = new Uint8Array(64);
  }

  /** The live backing array. Replaced when the pool grows: re-read it after any `intern*`. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Bytes used by entries, from offset 0 (the empty string's byte included). */
  get byteLength(): number {
    return this.#used;
  }

  /** Number of distinct strings held, the empty string included. */
  get count(): number {
    return this.#count;
  }

  /**
   * The offset of `s`, adding it when absent. Equal strings get the same offset; `''`
   * is always 0. The caller guarantees `s` is well-formed (see `isWellFormed`).
   *
   * @throws LeanrecError `E_LIMIT` when the pool would pass 2^32 − 1 bytes.
   */
  intern(s: string): PoolOffset {
    const n = s.length;
    if (n === 0) return EMPTY_OFFSET;
    if (!this.#tableValid) this.#rebuildTable();
    // The length prefix size is known from n alone for all but a few lengths.
    let prefix = varintSize(n);
    if (prefix !== varintSize(3 * n)) prefix = varintSize(utf8Length(s));
    const at = this.#used + prefix;
    let room = 3 * n;
    if (at + room > this.#bytes.length) {
      if (at + room > this.#max) {
        // Near the limit: a string the pool holds already needs no room at all.
        const held = this.find(s);
        if (held !== undefined) return held;
        room = utf8Length(s);
      }
      this.#ensure(at + room);
    }
    // Encode in place past the used part; commit only if the string is new.
    const b = this.#bytes;
    const end = writeUtf8(s, b, at);
    const h = this.#h;
    this.#hash(b, at, end, h);
    const lo = h[0]!;
    const found = this.#lookup(b, at, end, lo);
    if (found >= 0) return found as PoolOffset;
    return this.#commit(this.#used, end - at, lo);
  }

  /**
   * The offset of the string whose UTF-8 bytes are `bytes[start..end)`, adding it when
   * absent. The caller guarantees valid UTF-8.
   *
   * @throws LeanrecError `E_LIMIT` when the pool would pass 2^32 − 1 bytes.
   */
  internBytes(bytes: Uint8Array, start: number, end: number): PoolOffset {
    const len = end - start;
    if (len === 0) return EMPTY_OFFSET;
    if (!this.#tableValid) this.#rebuildTable();
    const h = this.#h;
    this.#hash(bytes, start, end, h);
    const lo = h[0]!;
    const found = this.#lookup(bytes, start, end, lo);
    if (found >= 0) return found as PoolOffset;
    const off = this.#used;
    const at = off + varintSize(len);
    // If `bytes` is this pool's array, the old array survives growth with the same bytes.
    this.#ensure(at + len);
    const b = this.#bytes;
    if (len < SHORT_COPY) {
      for (let i = 0; i < len; i++) b[at + i] = bytes[start + i]!;
    } else {
      b.set(bytes.subarray(start, end), at);
    }
    return this.#commit(off, len, lo);
  }

  /** Interns the entry `off` of `other` (bytes copied, never decoded). Used by compaction. */
  internFrom(other: StringPool, off: PoolOffset): PoolOffset {
    const ob = other.#bytes;
    const len = readVarint(ob, off);
    const start = off + varintSize(len);
    return this.internBytes(ob, start, start + len);
  }

  /** The offset of `s` if the pool holds it, else `undefined`; never adds. */
  find(s: string): PoolOffset | undefined {
    const n = s.length;
    if (n === 0) return EMPTY_OFFSET;
    if (!this.#tableValid) this.#rebuildTable();
    if (this.#scratch.length < 3 * n) this.#scratch = new Uint8Array(nextPow2(3 * n));
    const sb = this.#scratch;
    const end = writeUtf8(s, sb, 0);
    const h = this.#h;
    this.#hash(sb, 0, end, h);
    const found = this.#lookup(sb, 0, end, h[0]!);
    return found >= 0 ? (found as PoolOffset) : undefined;
  }

  /** The offset of the string with UTF-8 bytes `bytes[start..end)`, or `undefined`; never adds. */
  findBytes(bytes: Uint8Array, start: number, end: number): PoolOffset | undefined {
    if (end === start) return EMPTY_OFFSET;
    if (!this.#tableValid) this.#rebuildTable();
    const h = this.#h;
    this.#hash(bytes, start, end, h);
    const found = this.#lookup(bytes, start, end, h[0]!);
    return found >= 0 ? (found as PoolOffset) : undefined;
  }

  /** Decodes the string at `off` (ASCII fast path for short strings). */
  read(off: PoolOffset): string {
    const b = this.#bytes;
    const first = b[off]!;
    if (first < 0x80) return readUtf8(b, off + 1, off + 1 + first);
    const len = readVarint(b, off);
    const start = off + varintSize(len);
    return readUtf8(b, start, start + len);
  }

  /** UTF-8 byte length of the string at `off` (not counting its length prefix). */
  byteLengthOf(off: PoolOffset): number {
    return readVarint(this.#bytes, off);
  }

  /** Index in {@link StringPool.bytes} of the first byte of the string at `off`. */
  bytesStart(off: PoolOffset): number {
    const first = this.#bytes[off]!;
    return first < 0x80 ? off + 1 : off + varintSize(readVarint(this.#bytes, off));
  }

  /** True when the string at `off` has exactly the UTF-8 bytes `buf[start..end)`. */
  equalsBytes(off: PoolOffset, buf: Uint8Array, start: number, end: number): boolean {
    const b = this.#bytes;
    let len = b[off]!;
    let p = off + 1;
    if (len >= 0x80) {
      len = readVarint(b, off);
      p = off + varintSize(len);
    }
    if (len !== end - start) return false;
    for (let i = 0; i < len; i++) {
      if (b[p + i] !== buf[start + i]) return false;
    }
    return true;
  }

  /**
   * Frees the intern table (to save memory once ingest is over). Reads keep working;
   * the next `intern*`/`find*` rebuilds the table by scanning the entries.
   */
  dropInternTable(): void {
    this.#slots = EMPTY_TABLE;
    this.#los = EMPTY_TABLE;
    this.#mask = -1;
    this.#filled = 0;
    this.#limit = 0;
    this.#tableValid = false;
  }

  /**
   * Gives back the spare capacity: the byte array shrinks to the bytes in use. The next
   * intern grows it again by doubling. Call when a bulk load is done.
   */
  trim(): void {
    if (this.#bytes.length > this.#used) this.#bytes = this.#bytes.slice(0, this.#used);
  }

  /** Byte figures: used and allocated pool bytes, and the intern table's bytes. */
  memory(): StringPoolMemory {
    return {
      poolBytes: this.#used,
      poolCapacityBytes: this.#bytes.byteLength,
      internTableBytes: this.#slots.byteLength + this.#los.byteLength,
    };
  }

  /** A copy of the used bytes: the whole pool's snapshot (offsets stay valid on restore). */
  toBytes(): Uint8Array {
    return this.#bytes.slice(0, this.#used);
  }

  /**
   * Restores a pool from {@link StringPool.toBytes} output (offsets unchanged). The bytes
   * are copied, unless `own` (the caller gives them away). The intern table is rebuilt
   * lazily, on the first `intern*`/`find*`.
   *
   * @throws LeanrecError `E_CORRUPT` when the bytes are not a sequence of entries
   * starting with the empty string.
   */
  static fromBytes(bytes: Uint8Array, options: StringPoolOptions = {}, own = false): StringPool {
    const n = bytes.length;
    if (n === 0 || bytes[0] !== 0) {
      throw new LeanrecError(
        'E_CORRUPT',
        'string pool snapshot does not start with the empty string',
      );
    }
    if (n > MAX_POOL_BYTES) {
      throw new LeanrecError('E_CORRUPT', `string pool snapshot of ${n} bytes exceeds the limit`);
    }
    let count = 1;
    let off = 1;
    while (off < n) {
      let len = 0;
      let scale = 1;
      let p = off;
      for (;;) {
        if (p >= n || p - off >= 5) {
          throw new LeanrecError(
            'E_CORRUPT',
            `string pool entry at offset ${off} has a bad length`,
          );
        }
        const x = bytes[p++]!;
        len += (x & 0x7f) * scale;
        scale *= 0x80;
        if (x < 0x80) break;
      }
      if (len === 0 || p - off !== varintSize(len) || p + len > n) {
        throw new LeanrecError('E_CORRUPT', `string pool entry at offset ${off} has a bad length`);
      }
      off = p + len;
      count++;
    }
    const pool = new StringPool({ ...options, initialBytes: 16 });
    pool.#bytes = own ? bytes : bytes.slice();
    pool.#used = n;
    pool.#count = count;
    return pool;
  }

  /**
   * Probes for the entry equal to `buf[start..end)` with hash low half `lo`.
   * Returns its offset, or -1 after leaving the empty slot that ends the probe in
   * `#freeSlot`. Trusts: the table is valid and `end > start`.
   */
  #lookup(buf: Uint8Array, start: number, end: number, lo: number): number {
    const slots = this.#slots;
    const los = this.#los;
    const mask = this.#mask;
    if (mask < 0) {
      this.#freeSlot = -1;
      return -1;
    }
    let i = lo & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) {
        this.#freeSlot = i;
        return -1;
      }
      if (los[i] === lo && this.equalsBytes((v - 1) as PoolOffset, buf, start, end)) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /**
   * Writes the length prefix of a new entry at `off` whose `len` string bytes are
   * already in place after it, and records it in the table (using `#freeSlot` from
   * the failed lookup unless the table must grow).
   */
  #commit(off: number, len: number, lo: number): PoolOffset {
    const b = this.#bytes;
    let p = off;
    let n = len;
    while (n >= 0x80) {
      b[p++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 0x80);
    }
    b[p++] = n;
    this.#used = p + len;
    this.#count++;
    if (this.#filled >= this.#limit) {
      this.#resizeTable(this.#slots.length === 0 ? MIN_TABLE : this.#slots.length * 2);
      this.#place(off + 1, lo);
    } else {
      this.#slots[this.#freeSlot] = off + 1;
      this.#los[this.#freeSlot] = lo;
    }
    this.#filled++;
    return off as PoolOffset;
  }

  /** Stores `value` (offset + 1) with hash `lo` in the first empty slot of its probe run. */
  #place(value: number, lo: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = lo & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = value;
    this.#los[i] = lo;
  }

  /** Reallocates the table with `size` slots and re-places its entries (their `lo` is kept). */
  #resizeTable(size: number): void {
    const oldSlots = this.#slots;
    const oldLos = this.#los;
    this.#slots = new Uint32Array(size);
    this.#los = new Uint32Array(size);
    this.#mask = size - 1;
    this.#limit = Math.floor(size * MAX_LOAD);
    for (let i = 0; i < oldSlots.length; i++) {
      const v = oldSlots[i]!;
      if (v !== 0) this.#place(v, oldLos[i]!);
    }
  }

  /** Builds the table from scratch by scanning every entry (after a drop or a restore). */
  #rebuildTable(): void {
    const entries = this.#count - 1;
    const size = Math.max(MIN_TABLE, nextPow2(Math.ceil((entries + 1) / MAX_LOAD)));
    this.#slots = new Uint32Array(size);
    this.#los = new Uint32Array(size);
    this.#mask = size - 1;
    this.#limit = Math.floor(size * MAX_LOAD);
    const b = this.#bytes;
    const h = this.#h;
    const used = this.#used;
    let off = 1;
    while (off < used) {
      const len = readVarint(b, off);
      const start = off + varintSize(len);
      this.#hash(b, start, start + len, h);
      this.#place(off + 1, h[0]!);
      off = start + len;
    }
    this.#filled = entries;
    this.#tableValid = true;
  }

  /**
   * Makes the byte array hold at least `need` bytes (doubling, capped at the limit).
   * @throws LeanrecError `E_LIMIT` past 2^32 − 1 bytes or when the allocation fails.
   */
  #ensure(need: number): void {
    const old = this.#bytes;
    if (need <= old.length) return;
    if (need > this.#max) {
      throw new LeanrecError(
        'E_LIMIT',
        `string pool would need ${need} bytes; the limit is ${this.#max}`,
      );
    }
    const cap = Math.min(this.#max, Math.max(2 * old.length, nextPow2(need)));
    let next: Uint8Array;
    try {
      next = new Uint8Array(cap);
    } catch (cause) {
      throw new LeanrecError('E_LIMIT', `cannot allocate a string pool of ${cap} bytes`, { cause });
    }
    next.set(old.subarray(0, this.#used));
    this.#bytes = next;
  }
}
