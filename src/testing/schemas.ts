/**
 * fast-check arbitraries of random schemas: key fields of every keyable kind, hot fields
 * of every hot kind, cold groups of any kind, with plain, non-ASCII and hostile names,
 * and closed enums that cross their code width.
 */
import fc from 'fast-check';
import { LeanrecError } from '../errors.ts';
import type { AnyField, FieldKind, FieldMap, ScalarKind } from '../schema/field.ts';
import { type AnySchema, RESERVED_VIEW_NAMES, schema } from '../schema/schema.ts';
import { MAX_ENUM_VALUES, t } from '../schema/t.ts';
import { define } from './values.ts';

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
 * const schemaAndRecord = arbitrarySchema().chain((S) => fc.tuple(fc.constant(S), arbitraryRecord(S)));
 * await fc.assert(fc.asyncProperty(schemaAndRecord, async ([S, r]) => {
 *   const store = await openStore(S); // in memory
 *   await store.put(r);
 *   assert.ok(store.has(r));
 *   await store.close();
 * }));
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
