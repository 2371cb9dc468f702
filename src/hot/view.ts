/**
 * Record views. Per schema, one class is built once: its prototype has a getter per hot
 * field; an instance holds only its tier, row and id. Reading a getter reads the column.
 *
 * A view is valid until its record is deleted or the store is compacted; `$id` lets the
 * cold tier find the record whatever its row.
 */
import type { FieldKind } from '../schema/field.ts';
import type { FieldInfo } from '../schema/schema.ts';
import type { HotTier } from './tier.ts';

/** Symbol slots of a view (symbols, so they never clash with a field name). */
export const TIER: unique symbol = Symbol('leanrec.tier');
export const ROW: unique symbol = Symbol('leanrec.row');
export const ID: unique symbol = Symbol('leanrec.id');

/** The shape every view has, whatever its schema. */
export interface ViewBase {
  readonly [TIER]: HotTier;
  [ROW]: number;
  [ID]: number;
  /** The hot fields as a plain object (optional fields absent when absent). */
  toObject(): Record<string, unknown>;
}

type Reader = (tier: HotTier, row: number) => unknown;

/**
 * One reader factory per kind. Each returns a closure made from its own function
 * literal, so a call site reading one field only ever sees one column class.
 */
const readers: { [K in FieldKind]: (i: number, optional: boolean) => Reader } = {
  string: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  enum: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  flag: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  u8: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  u16: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  u32: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  i32: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  f32: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  f64: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  bytes: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  hex: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  list: (i, o) => (o ? (t, r) => t.read(r, i) : (t, r) => t.columns[i]!.get(r)),
  json: (i) => (t, r) => t.read(r, i),
};

/** Extra members a store adds to its view class (cold access). */
export type ViewMethods = Record<string, (this: ViewBase, ...args: never[]) => unknown>;

/** A view constructor. */
export type ViewClass = new (tier: HotTier, row: number, id: number) => ViewBase;

/**
 * Builds the view class of a schema's hot fields.
 *
 * @param methods - members added to the prototype (a store adds `cold`, `load`, `record`…).
 */
export function makeViewClass(fields: readonly FieldInfo[], methods: ViewMethods = {}): ViewClass {
  class View {
    readonly [TIER]: HotTier;
    [ROW]: number;
    [ID]: number;
    constructor(tier: HotTier, row: number, id: number) {
      this[TIER] = tier;
      this[ROW] = row;
      this[ID] = id;
    }
  }
  const proto = View.prototype as unknown as Record<PropertyKey, unknown>;
  const rs: Reader[] = [];
  for (const f of fields) {
    const read = readers[f.field.kind](f.index, f.field.isOptional);
    rs.push(read);
    Object.defineProperty(proto, f.name, {
      get(this: ViewBase) {
        return read(this[TIER], this[ROW]);
      },
      enumerable: true,
      configurable: false,
    });
  }
  const names = fields.map((f) => f.name);
  Object.defineProperty(proto, 'toObject', {
    value: function toObject(this: ViewBase): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      const tier = this[TIER];
      const row = this[ROW];
      for (let i = 0; i < rs.length; i++) {
        const v = rs[i]!(tier, row);
        if (v !== undefined) setOwn(out, names[i]!, v);
      }
      return out;
    },
    enumerable: false,
  });
  for (const [name, fn] of Object.entries(methods))
    Object.defineProperty(proto, name, { value: fn, enumerable: false });
  return View as unknown as ViewClass;
}

/** Sets `obj[name] = v` as an own data property, even for `__proto__`. */
export function setOwn(obj: Record<string, unknown>, name: string, v: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(obj, name, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else obj[name] = v;
}
