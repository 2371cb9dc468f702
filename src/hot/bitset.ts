/**
 * A growable bitset over rows: flags and presence bits of optional fields.
 *
 * ```
 * words:  Uint32Array   [ word 0 ][ word 1 ] …        capacity = words.length * 32 bits
 * bit i:  words[i >>> 5] & (1 << (i & 31))            bit 0 = least significant bit of word 0
 * snapshot (toBytes):   words as little-endian u32s, 4 bytes per word
 * ```
 *
 * Invariants: `words.length` is 0 or a power of two; bits past the capacity read as 0,
 * so `get` never throws. `set` grows the words by doubling; `clear`/`assign(i, false)`
 * past the capacity do nothing. A scan reads 32 rows per word.
 */

import { LeanrecError } from '../errors.ts';
import { grow, readU32sLE, rowCapacity, trim, writeU32sLE } from '../util/grow.ts';

/** Number of set bits in a 32-bit word (SWAR popcount). */
function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * A set of non-negative integers (rows) stored as one bit each in a growable
 * `Uint32Array`.
 *
 * @example
 * ```ts
 * const essential = new Bitset();
 * essential.set(3);
 * for (let r = essential.nextSet(0); r !== -1; r = essential.nextSet(r + 1)) console.log(r);
 * ```
 */
export class Bitset {
  #words: Uint32Array;

  /** Creates an empty bitset with room for at least `nBits` bits (default 0: no memory). */
  constructor(nBits = 0) {
    this.#words = new Uint32Array(0);
    if (nBits > 0) this.ensure(nBits);
  }

  /** The live word array (32 rows per word). Replaced when the bitset grows: do not keep it across `set`/`ensure`. */
  get words(): Uint32Array {
    return this.#words;
  }

  /** Bits of capacity (`words.length * 32`). */
  get capacity(): number {
    return this.#words.length * 32;
  }

  /** Bytes held by the word array. */
  get byteLength(): number {
    return this.#words.byteLength;
  }

  /** Makes room for bits `0..nBits)` (new bits are 0). */
  ensure(nBits: number): void {
    const need = (nBits + 31) >>> 5;
    if (need > this.#words.length) this.#words = grow(this.#words, need);
  }

  /**
   * Frees the words past bit `nBits` (rounded up as `rowCapacity` rounds rows). The
   * caller guarantees no bit past `nBits` is set; a later `ensure`/`set` grows again.
   */
  trim(nBits: number): void {
    this.#words = trim(this.#words, Math.ceil(rowCapacity(nBits) / 32));
  }

  /** True when bit `i` is set (false past the capacity). */
  get(i: number): boolean {
    return ((this.#words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  /** Sets bit `i`, growing the words if needed. */
  set(i: number): void {
    const w = i >>> 5;
    if (w >= this.#words.length) this.#words = grow(this.#words, w + 1);
    this.#words[w]! |= 1 << (i & 31);
  }

  /** Clears bit `i` (nothing to do past the capacity). */
  clear(i: number): void {
    const w = i >>> 5;
    if (w < this.#words.length) this.#words[w]! &= ~(1 << (i & 31));
  }

  /** Sets bit `i` when `value` is true, clears it otherwise. */
  assign(i: number, value: boolean): void {
    if (value) this.set(i);
    else this.clear(i);
  }

  /** Clears every bit (keeps the capacity). */
  clearAll(): void {
    this.#words.fill(0);
  }

  /** Number of set bits among bits `0..nBits)` (all bits when omitted). */
  count(nBits?: number): number {
    const words = this.#words;
    let full = words.length;
    let tailMask = 0;
    if (nBits !== undefined && nBits < full * 32) {
      full = nBits >>> 5;
      tailMask = (nBits & 31) === 0 ? 0 : (1 << (nBits & 31)) - 1;
    }
    let n = 0;
    for (let w = 0; w < full; w++) {
      const v = words[w]!;
      if (v !== 0) n += popcount(v);
    }
    if (tailMask !== 0) n += popcount(words[full]! & tailMask);
    return n;
  }

  /**
   * The smallest set bit ≥ `from` and < `end` (default: the capacity), or -1 when
   * there is none. Allocation-free iteration:
   * `for (let r = b.nextSet(0, n); r !== -1; r = b.nextSet(r + 1, n))`.
   */
  nextSet(from: number, end?: number): number {
    const words = this.#words;
    const limit = end === undefined ? words.length * 32 : Math.min(end, words.length * 32);
    if (from < 0) from = 0;
    if (from >= limit) return -1;
    let w = from >>> 5;
    let v = words[w]! & (-1 << (from & 31));
    const lastWord = (limit - 1) >>> 5;
    while (v === 0) {
      if (++w > lastWord) return -1;
      v = words[w]!;
    }
    const bit = w * 32 + (31 - Math.clz32(v & -v)); // not w << 5: rows may pass 2^31
    return bit < limit ? bit : -1;
  }

  /** Calls `fn(row)` for every set bit below `limit`, in increasing order. */
  forEachSet(limit: number, fn: (row: number) => void): void {
    const words = this.#words;
    const nWords = Math.min(words.length, (limit + 31) >>> 5);
    for (let w = 0; w < nWords; w++) {
      let v = words[w]!;
      while (v !== 0) {
        const low = v & -v;
        const row = w * 32 + (31 - Math.clz32(low));
        if (row >= limit) return;
        fn(row);
        v ^= low;
      }
    }
  }

  /** In place: keeps only the bits also set in `other` (bits past `other`'s capacity are cleared). */
  and(other: Bitset): void {
    const a = this.#words;
    const b = other.#words;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) a[i]! &= b[i]!;
    if (a.length > n) a.fill(0, n);
  }

  /** In place: adds every bit set in `other` (growing to its capacity if needed). */
  or(other: Bitset): void {
    const b = other.#words;
    if (b.length > this.#words.length) this.#words = grow(this.#words, b.length);
    const a = this.#words;
    for (let i = 0; i < b.length; i++) a[i]! |= b[i]!;
  }

  /** In place: clears every bit set in `other`. */
  andNot(other: Bitset): void {
    const a = this.#words;
    const b = other.#words;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) a[i]! &= ~b[i]!;
  }

  /** An independent copy with the same capacity. */
  clone(): Bitset {
    const copy = new Bitset();
    copy.#words = this.#words.slice();
    return copy;
  }

  /**
   * A snapshot of the words: little-endian u32s, `4 * ceil(nBits / 32)` bytes (all
   * words when `nBits` is omitted).
   */
  toBytes(nBits?: number): Uint8Array {
    const nWords =
      nBits === undefined ? this.#words.length : Math.min(this.#words.length, (nBits + 31) >>> 5);
    const out = new Uint8Array(nWords * 4);
    writeU32sLE(this.#words, nWords, out, 0);
    return out;
  }

  /**
   * Restores a bitset written by {@link Bitset.toBytes}. The capacity is rounded up to a
   * power of two of words.
   *
   * @throws LeanrecError `E_CORRUPT` when the length is not a multiple of 4.
   */
  static fromBytes(bytes: Uint8Array): Bitset {
    if (bytes.length % 4 !== 0) {
      throw new LeanrecError(
        'E_CORRUPT',
        `bitset snapshot of ${bytes.length} bytes is not whole u32 words`,
      );
    }
    const nWords = bytes.length / 4;
    const b = new Bitset(nWords * 32);
    readU32sLE(bytes, 0, b.#words, nWords);
    return b;
  }
}
