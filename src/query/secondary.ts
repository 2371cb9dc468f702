/**
 * Secondary indexes on hot fields declared `.indexed()`: for each, the live rows sorted
 * by the field's value key, so an equality or range condition is two binary searches
 * and a walk over a contiguous run of postings.
 *
 *   rows:  Uint32Array [ r7 r2 r9 | r1 r4 | r3 … ]   sorted by valueKey(row), then row
 *                        └ value a ┘ └ b ┘
 *   valueKey: string → pool offset (strings are interned: equal ⇔ same offset)
 *             enum → code; number → the number; flag → 0/1
 *
 * Built lazily on first use and dropped by any write (rebuilt on the next query), so
 * writes never pay for it.
 */
import type { EnumColumn, FlagColumn, NumberColumn, StringColumn } from '../hot/columns.ts';
import type { HotTier } from '../hot/tier.ts';
import type { FieldInfo } from '../schema/schema.ts';

interface Postings {
  rows: Uint32Array;
  keyOf: (row: number) => number;
}

const EMPTY = new Uint32Array(0);

const INDEXABLE = new Set(['string', 'enum', 'flag', 'u8', 'u16', 'u32', 'i32', 'f32', 'f64']);

export class SecondaryIndexes {
  readonly #tier: HotTier;
  readonly #fields: ReadonlySet<FieldInfo>;
  readonly #built = new Map<FieldInfo, Postings>();

  constructor(tier: HotTier) {
    this.#tier = tier;
    this.#fields = new Set(
      tier.schema.hotFields.filter((f) => f.field.isIndexed && INDEXABLE.has(f.field.kind)),
    );
  }

  /** Drops every built index (called on every write). */
  invalidate(): void {
    if (this.#built.size > 0) this.#built.clear();
  }

  /** True when `cond` on `f` can be answered from an index. */
  applies(f: FieldInfo, cond: unknown): boolean {
    if (!this.#fields.has(f)) return false;
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond))
      return f.field.kind !== 'string' && f.field.kind !== 'enum' && f.field.kind !== 'flag';
    return true;
  }

  /** ANDs `acc` with the rows matching `cond` (a value, values, or a numeric range). */
  and(acc: Uint32Array, f: FieldInfo, cond: unknown): void {
    const p = this.#postings(f);
    const hits = new Uint32Array(acc.length);
    const mark = (lo: number, hi: number) => {
      for (let i = lo; i < hi; i++) {
        const r = p.rows[i]!;
        hits[r >>> 5]! |= 1 << (r & 31);
      }
    };
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
      const c = cond as { gt?: number; gte?: number; lt?: number; lte?: number };
      // Every bound given must hold; NaN values (sorted last) fail every bound.
      const bounds = [c.gt, c.gte, c.lt, c.lte].filter((b) => b !== undefined);
      if (bounds.some((b) => Number.isNaN(b))) {
        acc.fill(0);
        return;
      }
      let lo = 0;
      let hi = bounds.length === 0 ? p.rows.length : lower(p, Number.NaN);
      if (c.gte !== undefined) lo = Math.max(lo, lower(p, c.gte));
      if (c.gt !== undefined) lo = Math.max(lo, upper(p, c.gt));
      if (c.lte !== undefined) hi = Math.min(hi, upper(p, c.lte));
      if (c.lt !== undefined) hi = Math.min(hi, lower(p, c.lt));
      mark(lo, hi);
    } else {
      for (const v of Array.isArray(cond) ? cond : [cond]) {
        const k = this.#keyOfValue(f, v);
        if (k === undefined) continue;
        mark(lower(p, k), upper(p, k));
      }
    }
    for (let w = 0; w < acc.length; w++) acc[w]! &= hits[w]!;
  }

  /**
   * Rows whose value equals `value`, in row order, straight from the postings (no
   * bitset): the fast path of a filter with one equality on an indexed field.
   */
  rowsEqual(f: FieldInfo, value: unknown): Uint32Array {
    const p = this.#postings(f);
    const k = this.#keyOfValue(f, value);
    if (k === undefined) return EMPTY;
    return p.rows.subarray(lower(p, k), upper(p, k));
  }

  /** True when `f` has an index. */
  has(f: FieldInfo): boolean {
    return this.#fields.has(f);
  }

  /** Bytes held by built indexes. */
  get byteLength(): number {
    let n = 0;
    for (const p of this.#built.values()) n += p.rows.byteLength;
    return n;
  }

  #keyOfValue(f: FieldInfo, v: unknown): number | undefined {
    const col = this.#tier.columns[f.index]!;
    switch (f.field.kind) {
      case 'string':
        return this.#tier.pool.find(v as string);
      case 'enum': {
        const c = (col as EnumColumn).codeOf(v as string);
        return c < 0 ? undefined : c;
      }
      case 'flag':
        return v ? 1 : 0;
      default: {
        // Round through the column's type, as stored values were.
        const one = new ((col as NumberColumn).data.constructor as new (n: number) => Float64Array)(
          1,
        );
        one[0] = v as number;
        return one[0];
      }
    }
  }

  #postings(f: FieldInfo): Postings {
    let p = this.#built.get(f);
    if (p !== undefined) return p;
    const tier = this.#tier;
    const col = tier.columns[f.index]!;
    let keyOf: (row: number) => number;
    switch (f.field.kind) {
      case 'string': {
        const d = (col as StringColumn).data;
        keyOf = (r) => d[r]!;
        break;
      }
      case 'enum': {
        const d = (col as EnumColumn).codes;
        keyOf = (r) => d[r]!;
        break;
      }
      case 'flag': {
        const b = (col as FlagColumn).bits;
        keyOf = (r) => (b.get(r) ? 1 : 0);
        break;
      }
      default: {
        const d = (col as NumberColumn).data;
        keyOf = (r) => d[r]!;
      }
    }
    const pres = tier.presence[f.index];
    const rows = new Uint32Array(tier.size);
    let n = 0;
    for (let r = 0; r < tier.rowCount; r++)
      if (!tier.free.get(r) && (pres === undefined || pres.get(r))) rows[n++] = r;
    const sorted = rows.subarray(0, n).sort((a, b) => compareKeys(keyOf(a), keyOf(b)) || a - b);
    p = { rows: sorted.slice(), keyOf };
    this.#built.set(f, p);
    return p;
  }
}

/**
 * Total order of value keys: numeric order, -0 equal to 0, NaN after everything (a
 * plain `x - y` comparator is inconsistent with NaN, and the sort result undefined).
 */
function compareKeys(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
}

/** First position whose key is not below `k` (in the order of {@link compareKeys}). */
function lower(p: Postings, k: number): number {
  const nan = Number.isNaN(k);
  let lo = 0;
  let hi = p.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = p.keyOf(p.rows[mid]!);
    if (nan ? !Number.isNaN(x) : x < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose key is above `k` (in the order of {@link compareKeys}). */
function upper(p: Postings, k: number): number {
  if (Number.isNaN(k)) return p.rows.length;
  let lo = 0;
  let hi = p.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p.keyOf(p.rows[mid]!) <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
