/**
 * The hot tier's hard limits, and the check that refuses a batch which would pass one
 * before any of it is written (to LevelDB or to the columns).
 *
 * ```
 * limit          value            why
 * rows           2^32 − 2         a key index slot holds row + 1, and 0xFFFFFFFF is its tombstone
 * poolBytes      2^32 − 1         string columns hold u32 pool offsets (and the table offset + 1)
 * listItems      2^32 − 1         a list column's starts and lengths are u32s
 * enum values    65,536           codes are at most 16 bits (MAX_ENUM_VALUES)
 * ```
 *
 * Why a check before the write: the columns, the pool and the key index only find out
 * that they are full in the middle of applying a batch, after the cold tier has stored
 * it; failing there would leave a half-written row in RAM and records on disk that the
 * next rebuild cannot hold. {@link checkRoom} counts what the batch adds and throws
 * `E_LIMIT` naming the field and the first record that does not fit; the checks inside
 * the columns stay as a last guard.
 */
import { LeanrecError } from '../errors.ts';
import type { AnyField } from '../schema/field.ts';
import type { AnySchema } from '../schema/schema.ts';
import { MAX_ENUM_VALUES } from '../schema/t.ts';
import { ownValue } from '../schema/validate.ts';
import { utf8Length } from '../util/utf8.ts';
import type { Column, EnumColumn, ListColumn } from './columns.ts';
import type { StringPool } from './string-pool.ts';

/** The hot tier's capacity limits (see the table above). */
export interface HotLimits {
  /** Most rows (live and tombstones) the tier holds. */
  readonly rows: number;
  /** Most bytes of the string pool (entries and garbage until `compact()`). */
  readonly poolBytes: number;
  /** Most item slots of one list column (live and garbage until `compact()`). */
  readonly listItems: number;
}

/** The production limits. */
export const HOT_LIMITS: HotLimits = Object.freeze({
  rows: 0xfffffffe,
  poolBytes: 0xffffffff,
  listItems: 0xffffffff,
});

/**
 * The limits in force: `lower` may only lower them (a test starts near a limit that is
 * too large to reach for real); anything else is ignored, so production limits cannot
 * be raised.
 */
export function resolveLimits(lower: Partial<HotLimits> | undefined): HotLimits {
  if (lower === undefined) return HOT_LIMITS;
  const pick = (k: keyof HotLimits) => {
    const v = lower[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0
      ? Math.min(v, HOT_LIMITS[k])
      : HOT_LIMITS[k];
  };
  return Object.freeze({
    rows: pick('rows'),
    poolBytes: pick('poolBytes'),
    listItems: pick('listItems'),
  });
}

/** One write of a planned batch, as the check sees it. */
export interface RoomWrite {
  readonly rec: object;
  /** Existing row, or -1 for a new record. */
  readonly row: number;
  /** Replaced by a later record of the batch: never applied. */
  readonly superseded: boolean;
}

/** What {@link checkRoom} needs of the tier. */
export interface RoomTier {
  readonly schema: AnySchema;
  readonly limits: HotLimits;
  readonly columns: readonly Column[];
  readonly pool: StringPool;
  readonly rowCount: number;
  /** Freed rows a new record reuses before the tier grows. */
  readonly freeCount: number;
}

/** Bytes of the minimal LEB128 encoding of `n` (the pool's length prefix). */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

function limitError(what: string, field: string | undefined, key: string): LeanrecError {
  return new LeanrecError(
    'E_LIMIT',
    `record ${key}: ${field === undefined ? '' : `field "${field}": `}${what}; the batch was not written`,
    field === undefined ? { key } : { field, key },
  );
}

/**
 * Throws `E_LIMIT` when applying `writes` would pass a limit of `tier`: rows, open enum
 * values (list items included), list item slots, string pool bytes. Reads only; trusts
 * that the records are valid.
 */
export function checkRoom(
  tier: RoomTier,
  writes: readonly RoomWrite[],
  keyText: (rec: object) => string,
): void {
  const { limits, schema } = tier;
  let rows = tier.rowCount - tier.freeCount;
  for (const w of writes) {
    if (w.superseded || w.row >= 0) continue;
    if (++rows > limits.rows)
      throw limitError(`the hot tier holds at most ${limits.rows} rows`, undefined, keyText(w.rec));
  }
  // The pool: a cheap upper bound first (3 UTF-8 bytes per UTF-16 unit, 5 for the
  // prefix); the exact count of new strings only when the bound does not fit.
  let bound = 0;
  const hot = schema.hotFields;
  for (let i = 0; i < hot.length; i++) {
    const { name, field } = hot[i]!;
    const col = tier.columns[i]!;
    if (field.kind === 'enum' && field.values === undefined)
      checkEnum(col as EnumColumn, name, writes, keyText, false);
    else if (field.kind === 'list') {
      const list = col as ListColumn;
      let items = list.itemCount;
      for (const w of writes) {
        if (w.superseded) continue;
        const v = ownValue(w.rec, name) as unknown[] | undefined;
        if (v === undefined) continue;
        items += v.length;
        if (items > limits.listItems)
          throw limitError(
            `a list column holds at most ${limits.listItems} items (compact() reclaims those of replaced records)`,
            name,
            keyText(w.rec),
          );
      }
      const inner = field.inner as AnyField;
      if (inner.kind === 'enum' && inner.values === undefined)
        checkEnum(list.items as EnumColumn, name, writes, keyText, true);
    }
    if (isPooled(field)) bound += poolBound(name, field.kind === 'list', writes);
  }
  const pool = tier.pool;
  if (pool.byteLength + bound <= limits.poolBytes) return;
  let bytes = pool.byteLength;
  const fresh = new Set<string>();
  for (let i = 0; i < hot.length; i++) {
    const { name, field } = hot[i]!;
    if (!isPooled(field)) continue;
    for (const w of writes) {
      if (w.superseded) continue;
      const v = ownValue(w.rec, name) as string | string[] | undefined;
      if (v === undefined) continue;
      for (const s of field.kind === 'list' ? (v as string[]) : [v as string]) {
        if (s.length === 0 || fresh.has(s) || pool.find(s) !== undefined) continue;
        fresh.add(s);
        const len = utf8Length(s);
        bytes += varintSize(len) + len;
        if (bytes > limits.poolBytes)
          throw limitError(
            `the string pool holds at most ${limits.poolBytes} bytes (compact() reclaims those of replaced records)`,
            name,
            keyText(w.rec),
          );
      }
    }
  }
}

/** Strings interned in the pool: `string` fields and lists of them. */
function isPooled(field: AnyField): boolean {
  return field.kind === 'string' || (field.kind === 'list' && field.inner?.kind === 'string');
}

function poolBound(name: string, list: boolean, writes: readonly RoomWrite[]): number {
  let bound = 0;
  for (const w of writes) {
    if (w.superseded) continue;
    const v = ownValue(w.rec, name) as string | string[] | undefined;
    if (v === undefined) continue;
    if (!list) bound += 3 * (v as string).length + 5;
    else for (const s of v as string[]) bound += 3 * s.length + 5;
  }
  return bound;
}

/** Refuses the batch when an open enum (or list of them) would pass 65,536 values. */
function checkEnum(
  col: EnumColumn,
  name: string,
  writes: readonly RoomWrite[],
  keyText: (rec: object) => string,
  list: boolean,
): void {
  const room = MAX_ENUM_VALUES - col.values.length;
  const fresh = new Set<string>();
  for (const w of writes) {
    if (w.superseded) continue;
    const v = ownValue(w.rec, name) as string | string[] | undefined;
    if (v === undefined) continue;
    for (const s of list ? (v as string[]) : [v as string]) {
      if (col.codeOf(s) >= 0 || fresh.has(s)) continue;
      fresh.add(s);
      if (fresh.size > room)
        throw limitError(
          `an enum holds at most ${MAX_ENUM_VALUES} distinct values`,
          name,
          keyText(w.rec),
        );
    }
  }
}
