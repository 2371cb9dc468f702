import { LeanrecError } from '../errors.ts';
import { Field, makeField } from './field.ts';

/** Largest number of values an enum can hold (codes are at most 16 bits). */
export const MAX_ENUM_VALUES = 65536;

/** The JSON-like values a `t.json()` field holds. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Field type builders. Every builder returns an immutable {@link Field}; chain
 * `.optional()` and `.indexed()` on it.
 *
 * @example
 * ```ts
 * const S = schema({
 *   key: ['name', 'version'],
 *   hot: { name: t.string(), version: t.string(), arch: t.enum(['amd64', 'all']), size: t.u32() },
 *   cold: { description: t.string().optional() },
 * })
 * ```
 */
export const t = {
  /** A UTF-8 string, interned in the hot tier's string pool. Lone surrogates are rejected. */
  string: (): Field<string> => makeField('string'),
  /**
   * A low-cardinality string stored as a dictionary code (1 byte, widening to 2).
   * With `values` the set is closed (other values are invalid) and the type is their
   * literal union; without, any string is accepted and the dictionary grows (≤ 65,536).
   */
  enum: <const V extends readonly string[] = readonly string[]>(
    values?: V,
  ): Field<string[] extends V ? string : V[number]> => {
    if (values !== undefined) {
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || !v.isWellFormed()))
        throw new LeanrecError('E_SCHEMA', 't.enum(values): values must be an array of strings');
      if (new Set(values).size !== values.length)
        throw new LeanrecError('E_SCHEMA', 't.enum(values): duplicate value');
      if (values.length > MAX_ENUM_VALUES)
        throw new LeanrecError(
          'E_SCHEMA',
          `t.enum(values): ${values.length} values, at most ${MAX_ENUM_VALUES}`,
        );
    }
    return makeField('enum', { values: values ? Object.freeze([...values]) : undefined });
  },
  /** A boolean stored as one bit per record. */
  flag: (): Field<boolean> => makeField('flag'),
  /** Unsigned 8-bit integer (0…255). */
  u8: (): Field<number> => makeField('u8'),
  /** Unsigned 16-bit integer (0…65,535). */
  u16: (): Field<number> => makeField('u16'),
  /** Unsigned 32-bit integer (0…4,294,967,295). */
  u32: (): Field<number> => makeField('u32'),
  /** Signed 32-bit integer. */
  i32: (): Field<number> => makeField('i32'),
  /**
   * 32-bit float: stored rounded to float32 (`Math.fround`); a key or a filter value is
   * rounded the same way, so `0.1` finds the row holding `fround(0.1)`. NaN and ±Infinity
   * are accepted; a finite number that float32 cannot hold (|v| ≥ 2^128 − 2^103, which
   * would round to ±Infinity) is invalid (`E_INVALID_RECORD`).
   */
  f32: (): Field<number> => makeField('f32'),
  /** 64-bit float (any JS number, NaN and ±Infinity included). */
  f64: (): Field<number> => makeField('f64'),
  /** Exactly `n` raw bytes (a `Uint8Array`; read back as a `Uint8Array`). */
  bytes: (n: number): Field<Uint8Array> => makeField('bytes', { width: checkWidth(n, 'bytes') }),
  /** A string of exactly `2n` lowercase hex digits, stored as `n` raw bytes. */
  hex: (n: number): Field<string> => makeField('hex', { width: checkWidth(n, 'hex') }),
  /** A list of a scalar type (not a list, not optional). */
  list: <T>(inner: Field<T, false>): Field<T[]> => {
    if (!(inner instanceof Field))
      throw new LeanrecError('E_SCHEMA', 't.list(inner): inner must be a field type');
    if (inner.kind === 'list' || inner.kind === 'json')
      throw new LeanrecError('E_SCHEMA', `t.list(inner): a list cannot hold ${inner.kind}`);
    if (inner.isOptional)
      throw new LeanrecError('E_SCHEMA', 't.list(inner): list items cannot be optional');
    return makeField('list', { inner });
  },
  /**
   * Any JSON-like value (null, booleans, numbers, strings, arrays, plain objects).
   * Cold fields only: it is stored as msgpack in the cold tier.
   */
  json: json as JsonBuilder,
} as const;

/**
 * `t.json()` types as `Field<Json>`; `t.json<T>()` as `Field<T>`. Two call signatures
 * rather than a defaulted type parameter: inside `schema({...})` the contextual type
 * `Field<any>` would otherwise infer `T = any`.
 */
interface JsonBuilder {
  (): Field<Json>;
  <T extends Json>(): Field<T>;
}

function json(): Field<Json> {
  return makeField('json');
}

function checkWidth(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new LeanrecError(
      'E_SCHEMA',
      `t.${what}(n): n must be an integer from 1 to 65535, got ${n}`,
    );
  return n;
}
