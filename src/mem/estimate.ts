/**
 * Memory estimate before ingest, netdata-style: every part of a store is a per-row cost
 * times the row capacity, plus the string pool, the key index and the configured extras.
 *
 * ```
 * capacity   = records rounded up to 32, at least 16         (trimmed after ingest)
 * column     = bytes per row of its kind × capacity             string 4, enum 1–2, u8…f64 1–8,
 *                                                                flag 1 bit, bytes(n)/hex(n) n,
 *                                                                list 8 + items (own capacity)
 * presence   = 1 bit × capacity per optional field (32-bit words)
 * enum dict  = Σ (16 + value length) per enum
 * pool       = 1 + Σ distinct × (avg bytes + LEB128 length bytes)    (trimmed after ingest)
 * key index  = 5 B × slots, slots = power of two ≥ 16 with records ≤ ⌊0.7 × slots⌋
 * ids        = 4 B × capacity
 * tombstones = 1 bit × capacity + 64 B (free-row stack)
 * cold       = cache bound + LevelDB block cache + write buffer (as configured)
 * ```
 *
 * The figures match `store.memory()` after `store.ingest()` (which frees the pool's
 * intern table and trims its spare bytes); secondary indexes are built lazily by the
 * first query and are not counted unless `queried` is set.
 */

import type { AnyField } from '../schema/field.ts';
import type { AnySchema } from '../schema/schema.ts';
import { rowCapacity } from '../util/grow.ts';

/** What is known of one field: string/list-of-string figures, enum values, list items. */
export interface FieldFigures {
  /** Distinct values (strings: pool entries; enums: dictionary size). */
  distinct?: number;
  /** Average UTF-8 bytes of a distinct value (strings and enum values). */
  avgBytes?: number;
  /** Average items per record (lists). @defaultValue 4 */
  avgItems?: number;
}

/** Inputs of {@link estimate}. */
export interface EstimateOptions {
  /** Records the store will hold. */
  records: number;
  /**
   * Distinct strings across every string field (and list-of-string items) without
   * {@link EstimateOptions.perField} figures. Equal strings are stored once per store,
   * whatever the field. @defaultValue records × those fields (every value unique: an upper bound)
   */
  distinctStrings?: number;
  /** Average UTF-8 bytes of those distinct strings. @defaultValue 16 */
  avgStringBytes?: number;
  /** Figures per field, better than the global ones (see {@link FieldFigures}). */
  perField?: Readonly<Record<string, FieldFigures>>;
  /** Count the secondary indexes (built by the first query: 4 B × records each). @defaultValue false */
  queried?: boolean;
  /**
   * A cold tier on disk: adds the cache bound and LevelDB's configured buffers.
   * @defaultValue false
   */
  cold?: boolean;
  /** Cold-record cache bound (counted at its bound). @defaultValue 4 MiB */
  cacheBytes?: number;
  /** LevelDB block cache. @defaultValue 2 MiB */
  levelCacheBytes?: number;
  /** LevelDB write buffer. @defaultValue 1 MiB */
  levelWriteBufferBytes?: number;
}

/** One part of an estimate. */
export interface EstimatePart {
  name: string;
  bytes: number;
  /** How `bytes` was computed, e.g. `"4 B × 65,536 rows"`. */
  formula: string;
}

/** The result of {@link estimate}. */
export interface Estimate {
  /** Everything, cold extras included. */
  total: number;
  /** The hot tier alone (compare with `store.memory().hot`). */
  hot: number;
  parts: EstimatePart[];
  /** The whole computation in one line. */
  formula: string;
}

/** Default average bytes of a string when nothing is known. */
export const DEFAULT_AVG_STRING_BYTES = 16;
/** Default dictionary size of an open enum when nothing is known. */
export const DEFAULT_ENUM_VALUES = 16;
/** Default items per list when nothing is known. */
export const DEFAULT_LIST_ITEMS = 4;
const DEFAULT_CACHE = 4 * 1024 * 1024;
const DEFAULT_LEVEL_CACHE = 2 * 1024 * 1024;
const DEFAULT_WRITE_BUFFER = 1024 * 1024;
const NUMBER_BYTES: Record<string, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f32: 4, f64: 8 };

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Row capacity for `n` rows after ingest (the tier trims its arrays to it). */
function capacity(n: number): number {
  return rowCapacity(n);
}

/** Bytes of a bitset holding `bits` bits, trimmed like the rows: 32-bit words. */
function bitsetBytes(bits: number): number {
  return bits <= 0 ? 0 : 4 * Math.ceil(rowCapacity(bits) / 32);
}

/** Key-index slots after `n` inserts: the smallest power of two ≥ 16 with n ≤ ⌊0.7 × slots⌋. */
function keySlots(n: number): number {
  let cap = 16;
  while (n > Math.floor(cap * 0.7)) cap *= 2;
  return cap;
}

/**
 * Estimates what a store of `schema` holding `options.records` records costs, part by
 * part, each part with its formula. Within a few percent of `store.memory()` after
 * `ingest` when the string figures are right; the string pool is the part that depends
 * on them, so pass per-field figures measured on a sample when you can.
 *
 * @example
 * ```ts
 * import { schema, t } from 'leanrec';
 * import { estimate } from 'leanrec/mem';
 *
 * const S = schema({ key: ['name'], hot: { name: t.string(), size: t.u32() } });
 * const e = estimate(S, { records: 100_000, perField: { name: { distinct: 100_000, avgBytes: 12 } } });
 * e.total;    // 3,823,285 (≈ 3.6 MiB)
 * e.parts[0]; // { name: 'column:name', bytes: 400000, formula: '4 B × 100,000 rows' }
 * ```
 */
export function estimate(schema: AnySchema, options: EstimateOptions): Estimate {
  const records = Math.max(0, Math.floor(options.records));
  const cap = capacity(records);
  const perField = options.perField ?? {};
  const parts: EstimatePart[] = [];
  const rows = `${fmt(cap)} rows`;

  /** String fields (or list-of-string items) without their own figures: counted globally. */
  let globalStringFields = 0;
  /** Pool pieces from per-field figures. */
  const pool: { name: string; distinct: number; avg: number }[] = [];
  const enums: { name: string; values: number; avg: number }[] = [];

  const stringFigures = (name: string, perRecord: number): void => {
    const f = perField[name];
    if (f?.distinct !== undefined || f?.avgBytes !== undefined) {
      pool.push({
        name,
        distinct: f.distinct ?? Math.ceil(records * perRecord),
        avg: f.avgBytes ?? options.avgStringBytes ?? DEFAULT_AVG_STRING_BYTES,
      });
    } else globalStringFields += perRecord;
  };

  /** Bytes and formula of a column of `field` over `n` slots (rows or items). */
  const columnCost = (field: AnyField, name: string, n: number, unit: string) => {
    const k = field.kind;
    if (k === 'string') return { bytes: 4 * n, formula: `4 B × ${fmt(n)} ${unit}` };
    if (k === 'enum') {
      const values = field.values?.length ?? perField[name]?.distinct ?? DEFAULT_ENUM_VALUES;
      const w = values > 256 ? 2 : 1;
      return { bytes: w * n, formula: `${w} B × ${fmt(n)} ${unit}` };
    }
    if (k === 'flag') return { bytes: bitsetBytes(n), formula: `1 bit × ${fmt(n)} ${unit}` };
    if (k === 'bytes' || k === 'hex') {
      const b = n * field.width;
      return { bytes: b, formula: `${field.width} B × ${fmt(n)} ${unit}` };
    }
    const nb = NUMBER_BYTES[k];
    if (nb !== undefined) return { bytes: nb * n, formula: `${nb} B × ${fmt(n)} ${unit}` };
    return { bytes: 0, formula: `${k}: not a hot column` };
  };

  for (const info of schema.hotFields) {
    const { name, field } = info;
    if (field.kind === 'list') {
      const inner = field.inner as AnyField;
      const avgItems = perField[name]?.avgItems ?? DEFAULT_LIST_ITEMS;
      const itemCap = capacity(Math.ceil(records * avgItems));
      const items = columnCost(inner, name, itemCap, 'items');
      parts.push({
        name: `column:${name}`,
        bytes: 8 * cap + items.bytes,
        formula: `8 B × ${rows} + ${items.formula} (${avgItems} per record)`,
      });
      if (inner.kind === 'string') stringFigures(name, avgItems);
      if (inner.kind === 'enum') enumFigures(name, inner);
    } else {
      const c = columnCost(field, name, cap, 'rows');
      parts.push({ name: `column:${name}`, ...c });
      if (field.kind === 'string') stringFigures(name, 1);
      if (field.kind === 'enum') enumFigures(name, field);
    }
    if (field.isOptional)
      parts.push({
        name: `presence:${name}`,
        bytes: bitsetBytes(cap),
        formula: `1 bit × ${rows}`,
      });
  }

  function enumFigures(name: string, field: AnyField): void {
    const closed = field.values;
    if (closed !== undefined) {
      const len = closed.reduce((s, v) => s + v.length, 0);
      enums.push({ name, values: closed.length, avg: closed.length ? len / closed.length : 0 });
    } else {
      const f = perField[name];
      enums.push({
        name,
        values: f?.distinct ?? DEFAULT_ENUM_VALUES,
        avg: f?.avgBytes ?? 8,
      });
    }
  }

  for (const e of enums) {
    parts.push({
      name: `enum-dictionary:${e.name}`,
      bytes: Math.round(e.values * (16 + e.avg)),
      formula: `${fmt(e.values)} values × (16 + ${e.avg.toFixed(1)} B)`,
    });
  }

  // The string pool: one byte for "", then each distinct string once.
  const globalAvg = options.avgStringBytes ?? DEFAULT_AVG_STRING_BYTES;
  const globalDistinct =
    globalStringFields > 0
      ? (options.distinctStrings ?? Math.ceil(records * globalStringFields))
      : 0;
  if (globalDistinct > 0) pool.push({ name: '*', distinct: globalDistinct, avg: globalAvg });
  let poolBytes = 1;
  const poolTerms: string[] = ['1 B'];
  for (const p of pool) {
    const entry = p.avg + varintSize(Math.round(p.avg));
    poolBytes += p.distinct * entry;
    poolTerms.push(
      `${fmt(p.distinct)} × (${p.avg.toFixed(1)} + ${varintSize(Math.round(p.avg))}) B${p.name === '*' ? '' : ` [${p.name}]`}`,
    );
  }
  parts.push({ name: 'pool', bytes: Math.round(poolBytes), formula: poolTerms.join(' + ') });

  const slots = keySlots(records);
  parts.push({ name: 'key-index', bytes: 5 * slots, formula: `5 B × ${fmt(slots)} slots` });
  parts.push({ name: 'ids', bytes: 4 * cap, formula: `4 B × ${rows}` });
  parts.push({
    name: 'tombstones',
    bytes: bitsetBytes(cap) + 64,
    formula: `1 bit × ${rows} + 64 B free-row stack`,
  });
  if (options.queried) {
    const n = schema.hotFields.filter((f) => f.field.isIndexed && f.field.kind !== 'list').length;
    if (n > 0)
      parts.push({
        name: 'secondary-indexes',
        bytes: 4 * records * n,
        formula: `4 B × ${fmt(records)} records × ${n} indexed fields`,
      });
  }
  const hot = parts.reduce((s, p) => s + p.bytes, 0);

  if (options.cold) {
    const cache = options.cacheBytes ?? DEFAULT_CACHE;
    const lc = options.levelCacheBytes ?? DEFAULT_LEVEL_CACHE;
    const wb = options.levelWriteBufferBytes ?? DEFAULT_WRITE_BUFFER;
    parts.push({ name: 'cache', bytes: cache, formula: `cacheBytes bound ${fmt(cache)} B` });
    parts.push({
      name: 'leveldb:configured',
      bytes: lc + wb,
      formula: `block cache ${fmt(lc)} B + write buffer ${fmt(wb)} B`,
    });
  }
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  return {
    total,
    hot,
    parts,
    formula: `${parts.map((p) => p.name).join(' + ')} = ${fmt(total)} B (${fmt(records)} records, capacity ${rows})`,
  };
}
