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
 * next rebuild cannot hold. {@link RoomCheck} counts what the batch adds and throws
 * `E_LIMIT` naming the field and the first record that does not fit; the checks inside
 * the columns stay as a last guard. It reads each concerned field of each record once
 * (open enums, lists, strings): on the real Debian index it costs what the enum-only
 * pre-check it replaced did.
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

/** What {@link RoomCheck} needs of the tier at each check. */
export interface RoomTier {
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

/** How a hot field takes room: which of the limits it concerns. */
interface RoomField {
  readonly index: number;
  readonly name: string;
  /** Also a name on Object.prototype: read as an own property only. */
  readonly guarded: boolean;
  readonly list: boolean;
  /** An open enum, or a list of them: new values take dictionary codes. */
  readonly openEnum: boolean;
  /** Strings interned in the pool: `string` fields and lists of them. */
  readonly pooled: boolean;
}

/**
 * The room check of one schema, built once per tier: only the fields that take room
 * (open enums, lists, strings), each read once per record.
 */
export class RoomCheck {
  readonly #fields: readonly RoomField[];

  constructor(schema: AnySchema) {
    const fields: RoomField[] = [];
    for (const { index, name, field } of schema.hotFields) {
      const list = field.kind === 'list';
      const item = (list ? field.inner : field) as AnyField;
      const openEnum = item.kind === 'enum' && item.values === undefined;
      const pooled = item.kind === 'string';
      if (list || openEnum || pooled)
        fields.push({ index, name, guarded: name in Object.prototype, list, openEnum, pooled });
    }
    this.#fields = fields;
  }

  /**
   * Throws `E_LIMIT` when applying `writes` would pass a limit of `tier`: rows, open
   * enum values (list items included), list item slots, string pool bytes. Reads only;
   * trusts that the records are valid. With `vals`, write n's hot values are
   * `vals[n × hot fields + i]` (as `RecordValidator.validateInto` hands them over).
   */
  check(
    tier: RoomTier,
    writes: readonly RoomWrite[],
    keyText: (rec: object) => string,
    vals?: readonly unknown[],
  ): void {
    const width = tier.columns.length;
    const limits = tier.limits;
    let rows = tier.rowCount - tier.freeCount;
    for (const w of writes) {
      if (w.superseded || w.row >= 0) continue;
      if (++rows > limits.rows)
        throw limitError(
          `the hot tier holds at most ${limits.rows} rows`,
          undefined,
          keyText(w.rec),
        );
    }
    const pool = tier.pool;
    // The pool: a cheap upper bound (3 UTF-8 bytes per UTF-16 unit, 5 for the prefix);
    // the exact count of new strings only when the bound does not fit.
    let bound = 0;
    for (const f of this.#fields) {
      const col = tier.columns[f.index]!;
      const list = f.list ? (col as ListColumn) : undefined;
      const dict = f.openEnum ? ((list?.items ?? col) as EnumColumn) : undefined;
      const room = dict === undefined ? 0 : MAX_ENUM_VALUES - dict.values.length;
      // A plain open enum takes at most one new value per record: with room for all of
      // them, nothing to look up (the common case, and the ingest's per-row cost).
      if (dict !== undefined && list === undefined && room >= writes.length) continue;
      const fresh = new Set<string>();
      /** True when `s` is one value too many for the dictionary. */
      const overflows = (s: string): boolean => {
        if (dict!.codeOf(s) >= 0 || fresh.has(s)) return false;
        fresh.add(s);
        return fresh.size > room;
      };
      let items = list?.itemCount ?? 0;
      for (let n = 0; n < writes.length; n++) {
        const w = writes[n]!;
        if (w.superseded) continue;
        const v =
          vals !== undefined
            ? vals[n * width + f.index]
            : f.guarded
              ? ownValue(w.rec, f.name)
              : (w.rec as Record<string, unknown>)[f.name];
        if (v === undefined) continue;
        if (list !== undefined) {
          items += (v as unknown[]).length;
          if (items > limits.listItems)
            throw limitError(
              `a list column holds at most ${limits.listItems} items (compact() reclaims those of replaced records)`,
              f.name,
              keyText(w.rec),
            );
        }
        if (dict !== undefined) {
          let over = false;
          if (!f.list) over = overflows(v as string);
          else for (const s of v as string[]) over ||= overflows(s);
          if (over)
            throw limitError(
              `an enum holds at most ${MAX_ENUM_VALUES} distinct values`,
              f.name,
              keyText(w.rec),
            );
        } else if (f.pooled) {
          if (!f.list) bound += 3 * (v as string).length + 5;
          else for (const s of v as string[]) bound += 3 * s.length + 5;
        }
      }
    }
    if (pool.byteLength + bound > limits.poolBytes) this.#checkPool(tier, writes, keyText);
  }

  /** The exact count of the new strings' bytes (near the limit only). */
  #checkPool(tier: RoomTier, writes: readonly RoomWrite[], keyText: (rec: object) => string) {
    const { pool, limits } = tier;
    let bytes = pool.byteLength;
    const fresh = new Set<string>();
    for (const f of this.#fields) {
      if (!f.pooled) continue;
      for (const w of writes) {
        if (w.superseded) continue;
        const v = ownValue(w.rec, f.name) as string | string[] | undefined;
        if (v === undefined) continue;
        for (const s of f.list ? (v as string[]) : [v as string]) {
          if (s.length === 0 || fresh.has(s) || pool.find(s) !== undefined) continue;
          fresh.add(s);
          const len = utf8Length(s);
          bytes += varintSize(len) + len;
          if (bytes > limits.poolBytes)
            throw limitError(
              `the string pool holds at most ${limits.poolBytes} bytes (compact() reclaims those of replaced records)`,
              f.name,
              keyText(w.rec),
            );
        }
      }
    }
  }
}
