/**
 * fast-check arbitraries of valid data of any schema: values per field kind and whole
 * records. (Invalid records: `invalid.ts`; random schemas: `schemas.ts`.)
 *
 * One table keyed by {@link FieldKind} builds the value arbitrary of each kind, so a new
 * kind fails to compile here until it has an arbitrary. Records are built with
 * `Object.defineProperty`, so hostile field names (`__proto__`, `constructor`…) become
 * own data properties of a plain object, exactly as `JSON.parse` would make them.
 */
import fc from 'fast-check';
import { LeanrecError } from '../errors.ts';
import type { AnyField, FieldKind, NumberKind } from '../schema/field.ts';
import type { Infer, InferField } from '../schema/infer.ts';
import type { AnySchema } from '../schema/schema.ts';
import type { Json } from '../schema/t.ts';

/** How strings are drawn: a fast-check string unit, or any arbitrary of single characters. */
export type StringUnit =
  | 'grapheme'
  | 'grapheme-composite'
  | 'grapheme-ascii'
  | 'binary'
  | 'binary-ascii'
  | fc.Arbitrary<string>;

/** Options of {@link arbitraryValue} and {@link arbitraryRecord}. */
export interface ValueOptions {
  /**
   * Longest string, in units (`string`, open `enum`, list items, json strings).
   * @defaultValue 12
   */
  readonly maxStringLength?: number;
  /**
   * How string characters are drawn. Every unit yields well-formed strings only: lone
   * surrogates that `'binary'` may produce are replaced by U+FFFD.
   * @defaultValue `'grapheme'` (any Unicode grapheme, astral planes included)
   */
  readonly stringUnit?: StringUnit;
  /**
   * Longest list.
   * @defaultValue 5
   */
  readonly maxListLength?: number;
  /**
   * Deepest nesting of json values.
   * @defaultValue 3
   */
  readonly maxJsonDepth?: number;
  /**
   * How many distinct values an open `t.enum()` (and a list of them) draws from: values
   * `v0`, `é1`, `𝒳 2`… up to `distinctValues − 1`. Large enough (≥ 257) and with enough
   * records, the data crosses the enum's code width (1 byte up to 256 values, 2 from 257);
   * past 65,536 distinct values it crosses the enum limit (`E_LIMIT`). Without it, open
   * enums draw random strings of at most 6 units.
   * @defaultValue undefined (random strings)
   */
  readonly distinctValues?: number;
  /**
   * Draw numbers mostly (3 in 4) at the edges of their type instead of anywhere: for
   * integers the minimum, the maximum and their neighbours (and -1, 0, 1 for `i32`, 2^31
   * for `u32`); for `f32` ±3.4028234663852886e38, the smallest subnormal and normal
   * magnitudes, 2^24 and its neighbour, ±0, ±Infinity and NaN (all exact float32, so a
   * value reads back as drawn); for `f64` ±`Number.MAX_VALUE`, ±`Number.MIN_VALUE`,
   * ±`Number.MAX_SAFE_INTEGER`, 2^32 ± 1, `Number.EPSILON`, ±0, ±Infinity and NaN.
   * @defaultValue false
   */
  readonly numberEdges?: boolean;
}

/** Options of {@link arbitraryRecord}. */
export interface RecordOptions extends ValueOptions {
  /**
   * Probability-free switch: when `'always'`, optional fields are always present; when
   * `'never'`, always absent; by default each is independently present or absent.
   * @defaultValue `'random'`
   */
  readonly optionals?: 'random' | 'always' | 'never';
}

/** @internal The largest u32. */
export const U32_MAX = 0xffffffff;

function stringArb(o: ValueOptions, maxLength = o.maxStringLength ?? 12): fc.Arbitrary<string> {
  const unit = o.stringUnit ?? 'grapheme';
  const s = fc.string({ unit, maxLength });
  // 'binary' units and user arbitraries can yield lone surrogates; the library rejects them.
  return typeof unit === 'string' && unit.startsWith('grapheme')
    ? s
    : s.map((x) => x.toWellFormed());
}

function bounded(min: number, max: number, arb: fc.Arbitrary<number>): fc.Arbitrary<number> {
  // Bounds are where columns overflow: draw them often.
  return fc.oneof(
    { arbitrary: fc.constantFrom(min, max), weight: 1 },
    { arbitrary: arb, weight: 3 },
  );
}

function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const F32_MAX = 3.4028234663852886e38;
/** Edge values of each number kind, for {@link ValueOptions.numberEdges}. */
const NUMBER_EDGES: { [K in NumberKind]: readonly number[] } = {
  u8: [0, 1, 0xfe, 0xff],
  u16: [0, 1, 0xfffe, 0xffff],
  u32: [0, 1, 0x7fffffff, 0x80000000, U32_MAX - 1, U32_MAX],
  i32: [-0x80000000, -0x7fffffff, -1, 0, 1, 0x7ffffffe, 0x7fffffff],
  f32: [
    F32_MAX,
    -F32_MAX,
    2 ** -149,
    -(2 ** -149),
    2 ** -126,
    2 ** 24,
    2 ** 24 - 1,
    0,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ],
  f64: [
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 32 - 1,
    2 ** 32 + 1,
    Number.EPSILON,
    0,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ],
};

/** `arb`, or mostly the kind's edges when `o.numberEdges` is set. */
function number(
  kind: NumberKind,
  o: ValueOptions,
  arb: fc.Arbitrary<number>,
): fc.Arbitrary<number> {
  if (o.numberEdges !== true) return arb;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...NUMBER_EDGES[kind]), weight: 3 },
    { arbitrary: arb, weight: 1 },
  );
}

const ENUM_PREFIXES = ['v', 'é', '𝒳 '];

/** Value `i` of an open enum drawn with {@link ValueOptions.distinctValues}. */
function enumValue(i: number): string {
  return `${ENUM_PREFIXES[i % 3]}${i}`;
}

function distinctValues(o: ValueOptions): number | undefined {
  const n = o.distinctValues;
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1)
    throw new LeanrecError(
      'E_ARGUMENT',
      `arbitraryValue: distinctValues must be a positive integer, got ${n}`,
    );
  return n;
}

type ValueArb = (f: AnyField, o: ValueOptions) => fc.Arbitrary<unknown>;

/** One entry per field kind: the arbitrary of valid values for a field of that kind. */
const valueArbs: { [K in FieldKind]: ValueArb } = {
  string: (_f, o) => stringArb(o),
  enum: (f, o) => {
    if (f.values === undefined) {
      const n = distinctValues(o);
      if (n !== undefined) return fc.nat({ max: n - 1 }).map(enumValue);
      return stringArb(o, Math.min(o.maxStringLength ?? 12, 6));
    }
    if (f.values.length === 0)
      throw new LeanrecError('E_ARGUMENT', 'arbitraryValue: t.enum([]) has no valid value');
    return fc.constantFrom(...f.values);
  },
  flag: () => fc.boolean(),
  u8: (_f, o) => number('u8', o, bounded(0, 0xff, fc.integer({ min: 0, max: 0xff }))),
  u16: (_f, o) => number('u16', o, bounded(0, 0xffff, fc.integer({ min: 0, max: 0xffff }))),
  u32: (_f, o) =>
    number(
      'u32',
      o,
      bounded(
        0,
        U32_MAX,
        fc
          .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
          .map(([hi, lo]) => hi * 0x10000 + lo),
      ),
    ),
  i32: (_f, o) => number('i32', o, bounded(-0x80000000, 0x7fffffff, fc.integer())),
  // fc.float() yields exact float32 values, -0, NaN and ±Infinity included.
  f32: (_f, o) => number('f32', o, fc.float()),
  f64: (_f, o) => number('f64', o, fc.double()),
  bytes: (f) => fc.uint8Array({ minLength: f.width, maxLength: f.width }),
  hex: (f) => fc.uint8Array({ minLength: f.width, maxLength: f.width }).map(hexOf),
  list: (f, o) => fc.array(arbitraryValue(f.inner!, o), { maxLength: o.maxListLength ?? 5 }),
  json: (_f, o) => jsonArb(o),
};

function jsonArb(o: ValueOptions): fc.Arbitrary<Json> {
  const str = stringArb(o);
  const { tree } = fc.letrec<{ tree: Json }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: o.maxJsonDepth ?? 3 },
      fc.constant(null),
      fc.boolean(),
      // JSON numbers: finite, and no -0 (JSON.stringify(-0) is "0").
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)),
      fc.integer(),
      str,
      fc.array(tie('tree'), { maxLength: 4 }),
      fc
        .uniqueArray(fc.tuple(str, tie('tree')), { maxLength: 4, selector: ([k]) => k })
        .map((entries) => {
          const obj: { [key: string]: Json } = {};
          for (const [k, v] of entries) define(obj, k, v);
          return obj;
        }),
    ),
  }));
  return tree;
}

export function define(obj: object, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Arbitrary of valid values for one field type, ignoring `.optional()` (it never yields
 * `undefined`). Strings are well-formed Unicode (astral and empty included); enums draw
 * from their closed set or short strings for an open set; numbers include their bounds
 * (u32 up to 4,294,967,295, both i32 bounds); `f32` values are exact float32; `f64`
 * includes -0, NaN and ±Infinity; `bytes(n)` is a `Uint8Array` of n bytes; `hex(n)` is
 * 2n lowercase digits; lists may be empty; json values are plain JSON.
 *
 * @throws LeanrecError `E_ARGUMENT` for `t.enum([])`, which has no valid value.
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { t } from 'leanrec';
 * import { arbitraryValue } from 'leanrec/testing';
 * fc.assert(fc.property(arbitraryValue(t.u8()), (n) => n >= 0 && n <= 255));
 * ```
 */
export function arbitraryValue<F extends AnyField>(
  field: F,
  options: ValueOptions = {},
): fc.Arbitrary<InferField<F>> {
  return valueArbs[field.kind](field, options) as fc.Arbitrary<InferField<F>>;
}

/** @internal Every field of a schema, hot then cold groups in order. */
export function allFields(s: AnySchema): { name: string; field: AnyField }[] {
  return [...s.hotFields, ...s.groups.flatMap((g) => g.fields)].map((i) => ({
    name: i.name,
    field: i.field,
  }));
}

/**
 * Arbitrary of valid records of a schema: every hot and cold field, with values from
 * {@link arbitraryValue}; an absent optional field has no key at all. Records are plain
 * objects whose fields are own data properties (a field named `__proto__` is a real
 * property, as `JSON.parse` makes it).
 *
 * @example
 * ```ts
 * const S = schema({ key: ['name'], hot: { name: t.string(), size: t.u32().optional() } });
 * await fc.assert(fc.asyncProperty(arbitraryRecord(S, { maxStringLength: 8 }), async (r) => {
 *   const store = await openStore(S, { cold: false });
 *   await store.put(r);
 *   assert.deepEqual(store.get(r)?.toObject(), r);
 * }));
 * ```
 */
export function arbitraryRecord<S extends AnySchema>(
  s: S,
  options: RecordOptions = {},
): fc.Arbitrary<Infer<S>> {
  const fields = allFields(s);
  const mode = options.optionals ?? 'random';
  const parts = fields.map(({ field }) => {
    const arb = arbitraryValue(field, options) as fc.Arbitrary<unknown>;
    if (!field.isOptional || mode === 'always') return arb;
    if (mode === 'never') return fc.constant(undefined);
    return fc.option(arb, { nil: undefined });
  });
  return fc.tuple(...parts).map((values) => {
    const rec: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++)
      if (values[i] !== undefined) define(rec, fields[i]!.name, values[i]);
    return rec as Infer<S>;
  });
}
