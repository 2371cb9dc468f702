/**
 * fast-check arbitraries derived from any schema: valid values per field kind, valid
 * records, invalid records with exactly one wrong field, and random schemas.
 *
 * One table keyed by {@link FieldKind} builds the value arbitrary of each kind, so a new
 * kind fails to compile here until it has an arbitrary. Records are built with
 * `Object.defineProperty`, so hostile field names (`__proto__`, `constructor`…) become
 * own data properties of a plain object, exactly as `JSON.parse` would make them.
 */
import fc from 'fast-check';
import { LeanrecError } from '../errors.ts';
import type { AnyField, FieldKind, FieldMap, NumberKind, ScalarKind } from '../schema/field.ts';
import type { Infer, InferField } from '../schema/infer.ts';
import { type AnySchema, RESERVED_VIEW_NAMES, schema } from '../schema/schema.ts';
import { type Json, MAX_ENUM_VALUES, t } from '../schema/t.ts';

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

/** Options of {@link arbitrarySchema}. */
export interface SchemaOptions {
  /**
   * Whether field and group names sometimes are hostile (`__proto__`, `constructor`,
   * `toString`, `prototype`, `hasOwnProperty`, `valueOf`).
   * @defaultValue true
   */
  readonly hostileNames?: boolean;
  /**
   * Largest number of non-key hot fields.
   * @defaultValue 6
   */
  readonly maxHotFields?: number;
  /**
   * Largest number of cold groups (0 gives hot-only schemas).
   * @defaultValue 3
   */
  readonly maxColdGroups?: number;
  /**
   * Largest number of values of a closed `t.enum([...])` (at most 65,536). Past 6, sizes
   * are drawn from 1 to this, with 256, 257 and the maximum itself often, so that closed
   * enums cross their code width; the extra values are `~0`, `~1`…
   * @defaultValue 6
   */
  readonly maxEnumValues?: number;
}

const U32_MAX = 0xffffffff;

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

function define(obj: object, name: string, value: unknown): void {
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

/** Every field of a schema, hot then cold groups in order. */
function allFields(s: AnySchema): { name: string; field: AnyField }[] {
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

/** An invalid record and the one field that makes it invalid. */
export interface InvalidRecord {
  /** The record: valid except for `field`. */
  readonly record: Record<string, unknown>;
  /** The wrong field: missing, of the wrong type, out of range, or not in the schema. */
  readonly field: string;
  /** What is wrong, for test output (`'missing'`, `'wrong type'`, `'out of range'`…). */
  readonly reason: string;
}

type BadArb = (f: AnyField) => fc.Arbitrary<{ value: unknown; reason: string }>;

const bad = (reason: string, arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ value, reason }));
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map(([s, c]) => s + String.fromCharCode(c));
const notNumber = fc.constantFrom<unknown>('1', null, true, [], {}, 1n);
const intOutOfRange = (min: number, max: number) =>
  fc.oneof(
    bad('out of range', fc.constantFrom(min - 1, max + 1, min - 2 ** 40, max + 2 ** 40)),
    bad('not an integer', fc.constantFrom(min + 0.5, Number.NaN, Number.POSITIVE_INFINITY)),
    bad('wrong type', notNumber),
  );

/** One entry per field kind: arbitrary wrong values for a field of that kind. */
const badArbs: { [K in FieldKind]: BadArb } = {
  string: () =>
    fc.oneof(
      bad('lone surrogate', loneSurrogate),
      bad('wrong type', fc.constantFrom<unknown>(1, null, true, ['a'], {}, new Uint8Array(1))),
    ),
  enum: (f) =>
    f.values === undefined
      ? fc.oneof(
          bad('lone surrogate', loneSurrogate),
          bad('wrong type', fc.constantFrom<unknown>(0, null, false, ['a'])),
        )
      : fc.oneof(
          bad(
            'not in the enum',
            fc.string({ maxLength: 6 }).filter((s) => !f.values!.includes(s)),
          ),
          bad('wrong type', fc.constantFrom<unknown>(0, null, false, [f.values[0]])),
        ),
  flag: () => bad('wrong type', fc.constantFrom<unknown>(0, 1, 'true', null, [])),
  u8: () => intOutOfRange(0, 0xff),
  u16: () => intOutOfRange(0, 0xffff),
  u32: () => intOutOfRange(0, U32_MAX),
  i32: () => intOutOfRange(-0x80000000, 0x7fffffff),
  f32: () =>
    fc.oneof(
      bad('wrong type', notNumber),
      // Finite, but float32 would round it to ±Infinity.
      bad('out of range', fc.constantFrom(2 ** 128 - 2 ** 103, -(2 ** 128), Number.MAX_VALUE)),
    ),
  f64: () => bad('wrong type', notNumber),
  bytes: (f) =>
    fc.oneof(
      bad(
        'wrong length',
        fc
          .integer({ min: 0, max: f.width + 3 })
          .filter((n) => n !== f.width)
          .map((n) => new Uint8Array(n)),
      ),
      bad('wrong type', fc.constantFrom<unknown>('00', [0], null, 0)),
    ),
  hex: (f) =>
    fc.oneof(
      bad('uppercase', fc.constant('AB'.repeat(f.width))),
      bad('not hex', fc.constant('zz'.repeat(f.width))),
      bad(
        'wrong length',
        fc.constantFrom('0'.repeat(2 * f.width - 1), '0'.repeat(2 * f.width + 2)),
      ),
      bad('wrong type', fc.constantFrom<unknown>(0, null, new Uint8Array(f.width))),
    ),
  list: (f) =>
    fc.oneof(
      bad('wrong type', fc.constantFrom<unknown>('a', 0, null, {})),
      badArbs[f.inner!.kind](f.inner!).map(({ value, reason }) => ({
        value: [value],
        reason: `list item: ${reason}`,
      })),
    ),
  json: () =>
    fc.oneof(
      bad('lone surrogate', loneSurrogate),
      bad(
        'lone surrogate',
        loneSurrogate.map((s) => ({ k: [s] })),
      ),
      bad(
        'not JSON',
        fc.constantFrom<unknown>(1n, () => 0, new Date(0), new Map(), Symbol('x')),
      ),
    ),
};

/**
 * Arbitrary of records that are valid except for exactly one field, named by `field`:
 * a value of the wrong type, out of range, not in a closed enum, a string with a lone
 * surrogate, a missing required field, or an extra field the schema does not declare.
 * Validating one must fail with `E_INVALID_RECORD` naming `field`.
 *
 * @example
 * ```ts
 * await fc.assert(fc.asyncProperty(arbitraryInvalidRecord(S), async ({ record, field }) => {
 *   const err = await store.put(record).catch((e) => e);
 *   assert.equal(err.code, 'E_INVALID_RECORD');
 *   assert.equal(err.field, field);
 * }));
 * ```
 */
export function arbitraryInvalidRecord<S extends AnySchema>(
  s: S,
  options: ValueOptions = {},
): fc.Arbitrary<InvalidRecord> {
  const fields = allFields(s);
  const names = new Set(fields.map((f) => f.name));
  const wrongValue = fc.integer({ min: 0, max: fields.length - 1 }).chain((i) => {
    const { name, field } = fields[i]!;
    return badArbs[field.kind](field).map(({ value, reason }) => ({ name, value, reason }));
  });
  const required = fields.filter((f) => !f.field.isOptional);
  const kinds: fc.Arbitrary<{ name: string; value: unknown; reason: string }>[] = [
    wrongValue,
    fc
      .string({ minLength: 1, maxLength: 6 })
      .filter((n) => !names.has(n))
      .chain((name) =>
        fc
          .jsonValue({ maxDepth: 1 })
          .map((value) => ({ name, value: value ?? 0, reason: 'unknown field' })),
      ),
  ];
  if (required.length > 0)
    kinds.push(
      fc
        .constantFrom(...required)
        .map((f) => ({ name: f.name, value: undefined, reason: 'missing' })),
    );
  return fc
    .tuple(arbitraryRecord(s, options), fc.oneof(...kinds))
    .map(([valid, { name, value, reason }]) => {
      const record: Record<string, unknown> = {};
      const v = valid as Record<string, unknown>;
      for (const k of Object.keys(v)) if (k !== name) define(record, k, v[k]);
      if (value !== undefined) define(record, name, value);
      return { record, field: name, reason };
    });
}

const PLAIN_NAMES = [
  'name',
  'version',
  'arch',
  'size',
  'a',
  'b',
  'c',
  'x_1',
  'é',
  '𝒳 y',
  'Ünï',
  'n9',
];
const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'prototype',
  'hasOwnProperty',
  'valueOf',
];
const GROUP_NAMES = ['text', 'deps', 'g', 'cold', 'ß'];
const KEY_KINDS: readonly ScalarKind[] = [
  'string',
  'enum',
  'flag',
  'u8',
  'u16',
  'u32',
  'i32',
  'hex',
  'bytes',
];
const SCALAR_KINDS: readonly ScalarKind[] = [
  'string',
  'enum',
  'flag',
  'u8',
  'u16',
  'u32',
  'i32',
  'f32',
  'f64',
  'bytes',
  'hex',
];

type Builder = (
  kind: FieldKind,
  extra: { values: string[] | undefined; width: number; inner: ScalarKind },
) => AnyField;

const build: Builder = (kind, { values, width, inner }) => {
  switch (kind) {
    case 'enum':
      return values === undefined ? t.enum() : t.enum(values);
    case 'bytes':
      return t.bytes(width);
    case 'hex':
      return t.hex(width);
    case 'list':
      return t.list(build(inner, { values, width, inner: 'string' }) as never);
    default:
      return (t[kind] as () => AnyField)();
  }
};

/** Closed enum value sets: 1–6 drawn strings, padded to up to `maxValues` values. */
function enumValuesArb(maxValues: number): fc.Arbitrary<string[]> {
  const drawn = fc.uniqueArray(
    fc.oneof(fc.constantFrom('amd64', 'all', ''), fc.string({ maxLength: 5, unit: 'grapheme' })),
    {
      minLength: 1,
      maxLength: 6,
    },
  );
  if (maxValues < 6) return drawn.map((vals) => vals.slice(0, maxValues));
  if (maxValues === 6) return drawn;
  const sizes = [256, 257, maxValues].filter((n) => n <= maxValues);
  const size = fc.oneof(fc.constantFrom(...sizes), fc.integer({ min: 1, max: maxValues }));
  return fc.tuple(drawn, size).map(([vals, n]) => {
    const set = new Set(vals.slice(0, n));
    for (let i = 0; set.size < n; i++) set.add(`~${i}`);
    return [...set];
  });
}

function fieldArb(
  kinds: readonly FieldKind[],
  opts: { optional: boolean; indexed: boolean; maxEnumValues: number },
): fc.Arbitrary<AnyField> {
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      values: fc.option(enumValuesArb(opts.maxEnumValues), { nil: undefined }),
      width: fc.constantFrom(1, 2, 4, 20, 32),
      inner: fc.constantFrom(...SCALAR_KINDS),
      optional: opts.optional ? fc.boolean() : fc.constant(false),
      indexed: opts.indexed ? fc.boolean() : fc.constant(false),
    })
    .map(({ kind, values, width, inner, optional, indexed }) => {
      let f = build(kind, { values, width, inner });
      if (optional) f = f.optional();
      if (indexed) f = f.indexed();
      return f;
    });
}

/**
 * Arbitrary of valid schemas: 1–4 key fields of keyable scalar kinds (string, enum,
 * flag, integers, hex, bytes), up to `maxHotFields` more hot fields of every hot kind
 * (optional and indexed sometimes), and 0 to `maxColdGroups` cold groups of 1–3 fields
 * of any kind, json included. Names come from a small alphabet with non-ASCII names
 * and, unless disabled, hostile ones (`__proto__`, `constructor`, `toString`,
 * `prototype`…).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitrarySchema().chain((S) => fc.tuple(fc.constant(S), arbitraryRecord(S))),
 *   ([S, r]) => { new RecordValidator(S).validate(r); }));
 * ```
 */
export function arbitrarySchema(options: SchemaOptions = {}): fc.Arbitrary<AnySchema> {
  const maxHot = options.maxHotFields ?? 6;
  const maxGroups = options.maxColdGroups ?? 3;
  const maxEnumValues = options.maxEnumValues ?? 6;
  if (!Number.isInteger(maxEnumValues) || maxEnumValues < 1 || maxEnumValues > MAX_ENUM_VALUES)
    throw new LeanrecError(
      'E_ARGUMENT',
      `arbitrarySchema: maxEnumValues must be an integer from 1 to ${MAX_ENUM_VALUES}, got ${maxEnumValues}`,
    );
  const pool = options.hostileNames === false ? PLAIN_NAMES : [...PLAIN_NAMES, ...HOSTILE_NAMES];
  const groupPool =
    options.hostileNames === false ? GROUP_NAMES : [...GROUP_NAMES, '__proto__', 'constructor'];
  const hotKinds: FieldKind[] = [...SCALAR_KINDS, 'list'];
  const allKinds: FieldKind[] = [...hotKinds, 'json'];
  return fc
    .record({
      names: fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }),
      keys: fc.array(fieldArb(KEY_KINDS, { optional: false, indexed: true, maxEnumValues }), {
        minLength: 1,
        maxLength: 4,
      }),
      hot: fc.array(fieldArb(hotKinds, { optional: true, indexed: true, maxEnumValues }), {
        maxLength: maxHot,
      }),
      groups: fc.array(
        fc.array(fieldArb(allKinds, { optional: true, indexed: false, maxEnumValues }), {
          minLength: 1,
          maxLength: 3,
        }),
        {
          maxLength: maxGroups,
        },
      ),
      groupNames: fc.shuffledSubarray(groupPool, {
        minLength: groupPool.length,
        maxLength: groupPool.length,
      }),
      plainCold: fc.boolean(),
    })
    .map(({ names, keys, hot, groups, groupNames, plainCold }) => {
      // Hostile names that are also view methods stay out of the hot tier.
      const hotNames = names.filter((n) => !RESERVED_VIEW_NAMES.has(n));
      let next = 0;
      const fresh = () => hotNames[next++] ?? `f${next}`;
      const hotMap: Record<string, AnyField> = {};
      const key: string[] = [];
      for (const f of keys) {
        const n = fresh();
        key.push(n);
        define(hotMap, n, f);
      }
      for (const f of hot) define(hotMap, fresh(), f);
      const cold: Record<string, FieldMap> = {};
      groups.forEach((fields, gi) => {
        const g: Record<string, AnyField> = {};
        for (const f of fields) define(g, fresh(), f);
        define(cold, groupNames[gi] ?? `g${gi}`, g);
      });
      const only = Object.keys(cold);
      const coldDef = plainCold && only.length === 1 ? cold[only[0]!]! : cold;
      return schema({ key: key as never, hot: hotMap, cold: coldDef }) as unknown as AnySchema;
    });
}
