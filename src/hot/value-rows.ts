/**
 * Row bitsets of single enum values: the rows whose code is c, one bit per row, made the
 * first time a filter asks for c and kept exact on every write after. A filter on an
 * enum then ANDs n/32 words instead of comparing n codes (a count of
 * `priority ∈ {required, important}` over 63,440 rows reads 2 × 1,983 words).
 *
 *   codes  [ 3 0 3 1 … ]          (Uint8Array / Uint16Array, one code per row)
 *   set 3  words[0] = 0b…0101     bit r ⇔ codes[r] === 3, for every r < codes.length
 *
 * Invariant: a bitset made for code c has bit r set exactly when `codes[r] === c`, for
 * every row of the code array (live or not, present or not: the tier's live and presence
 * bitsets are ANDed by the query). The column keeps it so: {@link ValueRows.move} on
 * every `set`, {@link ValueRows.grew} when the code array grows (new rows read code 0),
 * {@link ValueRows.trim} when it is cut, {@link ValueRows.clear} whenever the codes
 * are replaced (restore, reset).
 *
 * Memory: at most {@link MAX_VALUE_ROWS} bitsets per column, 1 bit per row each — never
 * more than the one byte per row of the codes themselves. Past the cap, filters on other
 * values scan the codes (query/filter.ts).
 */
import { Bitset } from './bitset.ts';

/** Most row bitsets one enum column keeps (8 × 1 bit per row = its codes' 1 byte per row). */
export const MAX_VALUE_ROWS = 8;

/** The row bitsets of one enum column, by code. */
export class ValueRows {
  readonly #sets: (Bitset | undefined)[] = [];
  #held = 0;

  /** Number of bitsets held. */
  get held(): number {
    return this.#held;
  }

  /** Bytes held by the bitsets. */
  get byteLength(): number {
    let n = 0;
    for (const s of this.#sets) if (s !== undefined) n += s.byteLength;
    return n;
  }

  /**
   * The row bitset of `code` over `codes`, made now when it is the first ask;
   * `undefined` when the column already holds {@link MAX_VALUE_ROWS} bitsets.
   */
  of(code: number, codes: Uint8Array | Uint16Array): Bitset | undefined {
    const have = this.#sets[code];
    if (have !== undefined) return have;
    if (this.#held >= MAX_VALUE_ROWS) return undefined;
    const set = new Bitset(codes.length);
    const words = set.words;
    const n = codes.length;
    for (let w = 0, base = 0; base < n; w++, base += 32) {
      const end = Math.min(32, n - base);
      let bits = 0;
      for (let j = 0; j < end; j++) if (codes[base + j] === code) bits |= 1 << j;
      words[w] = bits;
    }
    this.#sets[code] = set;
    this.#held++;
    return set;
  }

  /** Row `row`'s code changes from `from` to `to`. */
  move(row: number, from: number, to: number): void {
    if (from === to) return;
    this.#sets[from]?.clear(row);
    this.#sets[to]?.set(row);
  }

  /** The code array grew from `from` to `to` rows: the new rows read code 0. */
  grew(from: number, to: number): void {
    const zero = this.#sets[0];
    if (zero === undefined) return;
    for (let r = from; r < to; r++) zero.set(r);
  }

  /** The code array was cut to `rows` rows: no bit at or past it may stay set. */
  trim(rows: number): void {
    for (const set of this.#sets) {
      if (set === undefined) continue;
      const words = set.words;
      const w = rows >>> 5;
      if (w < words.length) {
        if (rows & 31) words[w]! &= (1 << (rows & 31)) - 1;
        else words[w] = 0;
        words.fill(0, w + 1);
      }
      set.trim(rows);
    }
  }

  /** Drops every bitset (the codes were replaced). */
  clear(): void {
    this.#sets.length = 0;
    this.#held = 0;
  }
}
