/** Nominal typing for numbers that must not mix with others (a pool offset is not a row). */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A byte offset into the string pool. */
export type PoolOffset = Brand<number, 'PoolOffset'>;
