import type { AnyField, Field, FieldMap } from './field.ts';
import type { Schema } from './schema.ts';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

/** The value type of one field. */
export type InferField<F> = F extends Field<infer T, boolean> ? T : never;

type RequiredKeys<M extends FieldMap> = {
  [K in keyof M]: M[K] extends Field<unknown, true> ? never : K;
}[keyof M];
type OptionalKeys<M extends FieldMap> = Exclude<keyof M, RequiredKeys<M>>;

/** The object type of a field map: required fields present, optional ones may be absent. */
export type InferFields<M extends FieldMap> = Simplify<
  { -readonly [K in RequiredKeys<M>]: InferField<M[K]> } & {
    -readonly [K in OptionalKeys<M>]?: InferField<M[K]>;
  }
>;

/** Cold groups of a schema as a map from group name to field map. */
export type ColdGroupsOf<S> = S extends Schema<FieldMap, infer G, readonly string[]> ? G : never;

/** Names of a schema's cold groups. */
export type GroupName<S> = keyof ColdGroupsOf<S> & string;

/** All cold fields of a schema, merged. */
export type ColdFieldsOf<S> = [keyof ColdGroupsOf<S>] extends [never]
  ? {}
  : UnionToIntersection<ColdGroupsOf<S>[keyof ColdGroupsOf<S>]>;

/** The field map of cold group `G` of schema `S`. */
export type GroupFields<S, G> = G extends keyof ColdGroupsOf<S>
  ? ColdGroupsOf<S>[G] extends FieldMap
    ? ColdGroupsOf<S>[G]
    : never
  : never;

/** The hot fields of a record of schema `S`. */
export type InferHot<S> =
  S extends Schema<infer H, object, readonly string[]> ? InferFields<H> : never;

/** The fields of cold group `G` of schema `S` (all cold fields merged when `G` is omitted). */
export type InferCold<S, G extends GroupName<S> | undefined = undefined> = G extends string
  ? InferFields<GroupFields<S, G>>
  : InferFields<ColdFieldsOf<S> extends FieldMap ? ColdFieldsOf<S> : {}>;

/** A whole record of schema `S`: hot fields and every cold field. */
export type Infer<S> =
  S extends Schema<infer H, object, readonly string[]>
    ? Simplify<InferFields<H & (ColdFieldsOf<S> extends FieldMap ? ColdFieldsOf<S> : {})>>
    : never;

/** The key object of schema `S`: the key fields and their values. */
export type InferKey<S> =
  S extends Schema<infer H, object, infer K>
    ? Simplify<{ -readonly [P in K[number]]: InferField<H[P]> }>
    : never;

export type { AnyField };
