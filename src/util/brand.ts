/** Nominal typing for numbers that must not mix (a row is not an id is not a pool offset). */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A position in the hot tier's columns. Changes on `compact()`. */
export type Row = Brand<number, 'Row'>;
/** A record's stable identity (u32, monotonic, persisted); never reused. */
export type Id = Brand<number, 'Id'>;
/** A byte offset into the string pool. */
export type PoolOffset = Brand<number, 'PoolOffset'>;
