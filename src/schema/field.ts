/**
 * A field type is a small immutable object: its kind, whether it may be absent, whether
 * it has a secondary index, and per-kind parameters. The TypeScript value type is carried
 * by a type-only phantom member (`~type`) that {@link Infer} reads; nothing of it exists
 * at run time.
 */

/** Every kind of field. Each layer keeps one table keyed by this union. */
export type FieldKind =
  | 'string'
  | 'enum'
  | 'flag'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'i32'
  | 'f32'
  | 'f64'
  | 'bytes'
  | 'hex'
  | 'list'
  | 'json';

/** Kinds that can stand inside `t.list()` and in a key. */
export type ScalarKind = Exclude<FieldKind, 'list' | 'json'>;

/** Fixed-width numeric kinds. */
export type NumberKind = 'u8' | 'u16' | 'u32' | 'i32' | 'f32' | 'f64';

/** @internal Kind-specific parameters of a field. */
export interface FieldParams {
  /** `enum`: the closed set of values, in code order; `undefined` for an open set. */
  readonly values?: readonly string[] | undefined;
  /** `bytes` / `hex`: the number of raw bytes. */
  readonly width?: number | undefined;
  /** `list`: the item type. */
  readonly inner?: Field<unknown, boolean> | undefined;
}

/** Builds a field; set by the class's static block (the constructor is private). */
let construct: (kind: FieldKind, params: FieldParams) => Field;

/**
 * @internal A new required, unindexed field of `kind`: what the `t` builders return.
 */
export function makeField<T>(kind: FieldKind, params: FieldParams = {}): Field<T> {
  return construct(kind, params) as Field<T>;
}

/**
 * A field type. Create with the `t` builders (`t.string()`, `t.u32().optional()`…).
 *
 * @typeParam T - the value type a record holds for this field.
 * @typeParam O - `true` when the field may be absent.
 */
export class Field<T = unknown, O extends boolean = false> {
  /** Type-only: the value type. Never set at run time. */
  declare readonly '~type': T;
  /** Type-only: whether the field is optional. Never set at run time. */
  declare readonly '~optional': O;

  /** The field kind. */
  readonly kind: FieldKind;
  /** True when the field may be absent from a record. */
  readonly isOptional: O;
  /** True when a secondary index is kept for the field (hot fields only). */
  readonly isIndexed: boolean;
  /** `enum`: closed set of values, or `undefined` for an open set. */
  readonly values: readonly string[] | undefined;
  /** `bytes`/`hex`: byte width; 0 for other kinds. */
  readonly width: number;
  /** `list`: the item field. */
  readonly inner: Field<unknown, boolean> | undefined;

  static {
    construct = (kind, params) => new Field(kind, params);
  }

  // Private rather than tagged internal, so that the declarations do not offer a public
  // `new Field()`: fields come from the `t` builders (through `makeField`).
  private constructor(
    kind: FieldKind,
    params: FieldParams = {},
    optional = false as O,
    indexed = false,
  ) {
    this.kind = kind;
    this.isOptional = optional;
    this.isIndexed = indexed;
    this.values = params.values;
    this.width = params.width ?? 0;
    this.inner = params.inner;
    Object.freeze(this);
  }

  /** The same field, allowed to be absent from a record. */
  optional(): Field<T, true> {
    return new Field<T, true>(this.kind, this.#params(), true, this.isIndexed);
  }

  /** The same field with a secondary index (hot fields only), used by `where`/`count`. */
  indexed(): Field<T, O> {
    return new Field<T, O>(this.kind, this.#params(), this.isOptional, true);
  }

  #params(): FieldParams {
    return { values: this.values, width: this.width, inner: this.inner };
  }
}

/** Any field, whatever its value type. */
export type AnyField = Field<any, boolean>;

/** A map from field name to field type. */
export type FieldMap = { readonly [name: string]: AnyField };

/**
 * JSON-safe description of one field type: what a database stores of its schema
 * (see `SchemaDescriptor`), and what the schema's fingerprint hashes.
 */
export interface FieldDescriptor {
  kind: string;
  optional: boolean;
  indexed: boolean;
  values?: string[];
  width?: number;
  inner?: FieldDescriptor;
}

/** Describes one field type as JSON-safe data, properties in the order above. */
export function describeFieldType(f: AnyField): FieldDescriptor {
  const d: FieldDescriptor = { kind: f.kind, optional: f.isOptional, indexed: f.isIndexed };
  if (f.values !== undefined) d.values = [...f.values];
  if (f.width !== 0) d.width = f.width;
  if (f.inner !== undefined) d.inner = describeFieldType(f.inner);
  return d;
}

/** @internal Human-readable type of a field, used in error messages (`u16`, `enum(a|b)`, `list<string>`). */
export function describeField(f: Field<unknown, boolean>): string {
  switch (f.kind) {
    case 'enum':
      return f.values
        ? `enum(${f.values.slice(0, 8).join('|')}${f.values.length > 8 ? '|…' : ''})`
        : 'enum';
    case 'bytes':
      return `bytes(${f.width})`;
    case 'hex':
      return `hex(${f.width})`;
    case 'list':
      return `list<${f.inner ? describeField(f.inner) : '?'}>`;
    default:
      return f.kind;
  }
}
