/**
 * fast-check arbitraries of invalid records: valid records of a schema with exactly one
 * field wrong (of the wrong type, out of range, not in a closed enum, a lone surrogate,
 * missing, or not in the schema), named so that a test can check the error names it.
 * One table keyed by {@link FieldKind} gives the wrong values of each kind.
 */
import fc from 'fast-check';
import type { AnyField, FieldKind } from '../schema/field.ts';
import type { AnySchema } from '../schema/schema.ts';
import { allFields, arbitraryRecord, define, U32_MAX, type ValueOptions } from './values.ts';

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
