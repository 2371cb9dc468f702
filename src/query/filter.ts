/**
 * Filters → row bitsets. Each condition of a filter is turned into a bitset of the
 * rows it matches (a word of 32 rows at a time where the column allows), the bitsets are
 * ANDed with the live rows, and the result is counted or walked. Nothing is decoded.
 *
 *   filter { priority: ['required', 'important'], essential: true, size: { lt: 1e6 } }
 *     priority  → code mask [0,1,1,0,…] → scan Uint8Array codes   → bits
 *     essential → flag words, as they are                          → bits
 *     size      → range test over the Uint32Array                   → bits
 *     result    = live & bits & bits & bits
 */
import { LeanrecError } from '../errors.ts';
import type {
  EnumColumn,
  FixedBytesColumn,
  FlagColumn,
  NumberColumn,
  StringColumn,
} from '../hot/columns.ts';
import type { HotTier } from '../hot/tier.ts';
import { MAX_VALUE_ROWS } from '../hot/value-rows.ts';
import type { FieldKind } from '../schema/field.ts';
import type { FieldInfo } from '../schema/schema.ts';
import { checkFor, describeValue } from '../schema/validate.ts';
import type { SecondaryIndexes } from './secondary.ts';

/** A numeric range condition. Bounds that are absent do not constrain. */
export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** Condition on one field: a value, a list of values (any of), or a range (numbers). */
export type Condition<T> = T | readonly T[] | (T extends number ? Range : never);

/** A filter: conditions on hot fields, all of which must hold. */
export type Filter<H> = { [K in keyof H]?: Condition<NonNullable<H[K]>> };

type Apply = (acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown) => void;

const isRange = (c: unknown): c is Range =>
  c !== null &&
  typeof c === 'object' &&
  !Array.isArray(c) &&
  !(c instanceof Uint8Array) &&
  Object.keys(c).every((k) => k === 'gt' || k === 'gte' || k === 'lt' || k === 'lte');

/** Values of an equality/any-of condition, each checked against the field type. */
function valuesOf(f: FieldInfo, cond: unknown): unknown[] {
  const vals = Array.isArray(cond) ? cond : [cond];
  const check = checkFor(f.field);
  for (const v of vals)
    if (!check(v))
      throw new LeanrecError(
        'E_ARGUMENT',
        `filter on "${f.name}": ${describeValue(v)} is not a valid ${f.field.kind} value`,
        { field: f.name },
      );
  return vals;
}

/** AND `acc` with the rows whose `match(row)` is true (rows in words already 0 are skipped). */
function andPredicate(acc: Uint32Array, match: (row: number) => boolean): void {
  for (let w = 0; w < acc.length; w++) {
    let bits = acc[w]!;
    if (bits === 0) continue;
    const base = w << 5;
    let keep = 0;
    while (bits !== 0) {
      const j = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      if (match(base + j)) keep |= 1 << j;
    }
    acc[w] = keep;
  }
}

function applyNumber(acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown): void {
  const data = (tier.columns[f.index] as NumberColumn).data;
  if (isRange(cond)) {
    for (const [k, v] of Object.entries(cond))
      if (typeof v !== 'number')
        throw new LeanrecError(
          'E_ARGUMENT',
          `filter on "${f.name}": range bound ${k} must be a number`,
          {
            field: f.name,
          },
        );
    // Every bound given must hold (`{ gt: 3, gte: 1 }` means > 3); NaN fails every bound.
    const { gt, gte, lt, lte } = cond;
    andPredicate(acc, (r) => {
      const x = data[r]!;
      return (
        (gt === undefined || x > gt) &&
        (gte === undefined || x >= gte) &&
        (lt === undefined || x < lt) &&
        (lte === undefined || x <= lte)
      );
    });
    return;
  }
  let vals = valuesOf(f, cond) as number[];
  // An f32 column holds Math.fround of what was written: compare in its own precision.
  if (f.field.kind === 'f32') vals = vals.map(Math.fround);
  if (vals.length === 1) {
    const v = vals[0]!;
    andPredicate(acc, Number.isNaN(v) ? (r) => Number.isNaN(data[r]!) : (r) => data[r] === v);
  } else {
    const set = new Set(vals);
    andPredicate(acc, (r) => set.has(data[r]!));
  }
}

/** True on little-endian hosts, where byte i of a u32 view is row base+i. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function applyEnum(acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown): void {
  const col = tier.columns[f.index] as EnumColumn;
  const wanted: number[] = [];
  for (const v of valuesOf(f, cond)) {
    const code = col.codeOf(v as string);
    if (code >= 0 && !wanted.includes(code)) wanted.push(code);
  }
  if (wanted.length === 0) {
    acc.fill(0);
    return;
  }
  if (wanted.length <= MAX_VALUE_ROWS && andValueRows(acc, col, wanted)) return;
  const codes = col.codes;
  if (codes instanceof Uint8Array && LITTLE_ENDIAN && wanted.length <= 4) {
    andByteCodes(acc, codes, wanted);
    return;
  }
  const mask = new Uint8Array(col.values.length + 1);
  for (const c of wanted) mask[c] = 1;
  for (let w = 0; w < acc.length; w++) {
    const a = acc[w]!;
    if (a === 0) continue;
    const base = w << 5;
    let bits = 0;
    for (let j = 0; j < 32; j++) bits |= mask[codes[base + j]!]! << j;
    acc[w] = a & bits;
  }
}

/**
 * ANDs `acc` with the union of the row bitsets of `wanted` (value-rows.ts), 32 rows per
 * word; false (acc untouched) when the column cannot hold a bitset for each of them.
 */
function andValueRows(acc: Uint32Array, col: EnumColumn, wanted: readonly number[]): boolean {
  const sets: Uint32Array[] = [];
  for (const c of wanted) {
    const set = col.rowsOf(c);
    if (set === undefined) return false;
    sets.push(set.words);
  }
  // The bitsets cover the whole code array, so every word of acc (rows < rowCount) is in
  // them; the loops are written out for one and two values, the common filters.
  const n = acc.length;
  if (sets.length === 1) {
    const a = sets[0]!;
    for (let w = 0; w < n; w++) acc[w]! &= a[w]!;
  } else if (sets.length === 2) {
    const a = sets[0]!;
    const b = sets[1]!;
    for (let w = 0; w < n; w++) acc[w]! &= a[w]! | b[w]!;
  } else
    for (let w = 0; w < n; w++) {
      let any = 0;
      for (const s of sets) any |= s[w]!;
      acc[w]! &= any;
    }
  return true;
}

/**
 * ANDs `acc` with the rows whose one-byte code is one of `wanted` (≤ 4), four rows per
 * step: each u32 of the code array is XORed with the wanted code in every byte, and a
 * byte that became zero is a match (the exact zero-byte test, no false positives).
 *
 *   codes (u32 view) [ r3 r2 r1 r0 ] ^ [ c c c c ] → zero byte ⇔ match → 4 bits of acc
 */
function andByteCodes(acc: Uint32Array, codes: Uint8Array, wanted: readonly number[]): void {
  const c32 = new Uint32Array(codes.buffer, codes.byteOffset, codes.length >>> 2);
  const r0 = Math.imul(wanted[0]!, 0x01010101);
  const r1 = Math.imul(wanted[1] ?? wanted[0]!, 0x01010101);
  const r2 = Math.imul(wanted[2] ?? wanted[0]!, 0x01010101);
  const r3 = Math.imul(wanted[3] ?? wanted[0]!, 0x01010101);
  for (let w = 0; w < acc.length; w++) {
    const a = acc[w]!;
    if (a === 0) continue;
    const q0 = w << 3;
    let bits = 0;
    for (let q = 0; q < 8; q++) {
      // Past the array (only in the last word, past rowCount) reads as 0; acc is 0 there.
      const x = c32[q0 + q] ?? 0;
      const m = zeroBytes(x ^ r0) | zeroBytes(x ^ r1) | zeroBytes(x ^ r2) | zeroBytes(x ^ r3);
      bits |=
        (((m >>> 7) & 1) | ((m >>> 14) & 2) | ((m >>> 21) & 4) | ((m >>> 28) & 8)) << (q << 2);
    }
    acc[w] = a & bits;
  }
}

/** High bit of each byte of `y` set exactly where that byte is zero. */
function zeroBytes(y: number): number {
  return ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
}

function applyString(acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown): void {
  const data = (tier.columns[f.index] as StringColumn).data;
  const offs: number[] = [];
  for (const v of valuesOf(f, cond)) {
    const off = tier.pool.find(v as string);
    if (off !== undefined) offs.push(off);
  }
  if (offs.length === 0) acc.fill(0);
  else if (offs.length === 1) {
    const o = offs[0]!;
    andPredicate(acc, (r) => data[r] === o);
  } else {
    const set = new Set(offs);
    andPredicate(acc, (r) => set.has(data[r]!));
  }
}

function applyFlag(acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown): void {
  const vals = valuesOf(f, cond) as boolean[];
  const wantTrue = vals.includes(true);
  const wantFalse = vals.includes(false);
  if (wantTrue && wantFalse) return;
  const words = (tier.columns[f.index] as FlagColumn).bits.words;
  for (let w = 0; w < acc.length; w++) acc[w]! &= wantTrue ? (words[w] ?? 0) : ~(words[w] ?? 0);
}

function applyFixed(acc: Uint32Array, tier: HotTier, f: FieldInfo, cond: unknown): void {
  const col = tier.columns[f.index] as FixedBytesColumn;
  const wanted = valuesOf(f, cond).map((v) =>
    typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('hex'),
  );
  const set = new Set(wanted);
  const hex = f.field.kind === 'hex';
  andPredicate(acc, (r) => {
    const v = col.get(r);
    return set.has(hex ? (v as string) : Buffer.from(v as Uint8Array).toString('hex'));
  });
}

const noFilter =
  (kind: string): Apply =>
  (_acc, _tier, f) => {
    throw new LeanrecError('E_ARGUMENT', `cannot filter on ${kind} field "${f.name}"`, {
      field: f.name,
    });
  };

/** One condition evaluator per field kind. */
const appliers: { [K in FieldKind]: Apply } = {
  string: applyString,
  enum: applyEnum,
  flag: applyFlag,
  u8: applyNumber,
  u16: applyNumber,
  u32: applyNumber,
  i32: applyNumber,
  f32: applyNumber,
  f64: applyNumber,
  bytes: applyFixed,
  hex: applyFixed,
  list: noFilter('list'),
  json: noFilter('json'),
};

/**
 * The live rows of the tier as a bitset (one bit per row up to rowCount): in the front of
 * `scratch` when it is long enough (a view, no new buffer), else in a fresh array.
 */
function liveWords(tier: HotTier, scratch: Uint32Array | undefined): Uint32Array {
  const n = tier.rowCount;
  const len = (n + 31) >>> 5;
  const acc =
    scratch !== undefined && scratch.length >= len
      ? scratch.subarray(0, len)
      : new Uint32Array(len);
  const free = tier.free.words;
  for (let w = 0; w < acc.length; w++) acc[w] = ~(free[w] ?? 0);
  if (n & 31) acc[acc.length - 1]! &= (1 << (n & 31)) - 1;
  return acc;
}

/**
 * @internal Evaluates a filter to a bitset of matching live rows. With `scratch` (at least
 * `ceil(rowCount / 32)` words) the result is a view of it, overwritten by the next call
 * that passes the same scratch: `count()` reuses one array instead of allocating an
 * ArrayBuffer per call (each counts as external memory, and enough of them make V8 run
 * full collections for external-memory pressure).
 *
 * @throws LeanrecError `E_ARGUMENT` for an unknown or cold field, a list/json field, or
 * a value of the wrong type.
 */
export function matchRows(
  tier: HotTier,
  filter: object | undefined,
  secondary: SecondaryIndexes | undefined,
  scratch?: Uint32Array,
): Uint32Array {
  const acc = liveWords(tier, scratch);
  if (filter === undefined) return acc;
  if (filter === null || typeof filter !== 'object')
    throw new LeanrecError('E_ARGUMENT', 'a filter must be an object of field conditions');
  for (const name of Object.keys(filter)) {
    const cond = (filter as Record<string, unknown>)[name];
    if (cond === undefined) continue;
    const f = tier.schema.byName.get(name);
    if (f === undefined)
      throw new LeanrecError('E_ARGUMENT', `filter names unknown field "${name}"`, { field: name });
    if (f.tier !== 'hot')
      throw new LeanrecError(
        'E_ARGUMENT',
        `filter on cold field "${name}": only hot fields can be filtered`,
        {
          field: name,
        },
      );
    const p = tier.presence[f.index];
    if (p !== undefined) {
      const words = p.words;
      for (let w = 0; w < acc.length; w++) acc[w]! &= words[w] ?? 0;
    }
    if (secondary?.applies(f, cond)) secondary.and(acc, f, cond);
    else appliers[f.field.kind](acc, tier, f, cond);
  }
  return acc;
}

/** @internal Number of set bits. */
export function popcount(words: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < words.length; w++) {
    let x = words[w]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}
