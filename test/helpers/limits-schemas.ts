/**
 * Schemas and records of the boundary tests that a second process reads too
 * (limits-child.ts): both sides must agree on them.
 */
import { type AnySchema, schema, t } from 'leanrec';

/** Six optional cold fields: each subset of them is one msgpackr structure. */
export const Optional = schema({
  key: ['id'],
  hot: { id: t.u32() },
  cold: {
    f0: t.string().optional(),
    f1: t.u32().optional(),
    f2: t.string().optional(),
    f3: t.u32().optional(),
    f4: t.string().optional(),
    f5: t.u32().optional(),
  },
});

/**
 * Record `i` of {@link Optional}: the fields of bit set `i + 1`, so records 0…62 bring
 * one new structure each ({id} is the first structure of a store, theirs come after).
 */
export function optionalRecord(i: number): Record<string, unknown> {
  const r: Record<string, unknown> = { id: i };
  const mask = (i % 63) + 1;
  for (let b = 0; b < 6; b++)
    if ((mask >> b) & 1) r[`f${b}`] = b % 2 === 0 ? `v${i}-${b}` : i * 10 + b;
  return r;
}

/** A JSON cold field: a JSON object with a key set of its own is one new structure. */
export const Jsons = schema({
  key: ['id'],
  hot: { id: t.u32() },
  cold: { data: t.json() },
});

/**
 * Record `i` of {@link Jsons}: one object with a key set no other record has, so each
 * record brings one new structure (after {id} and {data}, the store's first two).
 */
export function jsonRecord(i: number): Record<string, unknown> {
  return { id: i, data: { [`k${i}`]: i, [`s${i}`]: `text ${i}` } };
}

/**
 * A record of {@link Jsons} whose one value holds `n` objects with new key sets (nested
 * in a list and in each other), so one encode brings `n` new structures.
 */
export function manyShapesRecord(i: number, n: number): Record<string, unknown> {
  const list: unknown[] = [];
  for (let j = 0; j < n; j++)
    list.push(j % 5 === 4 ? { [`m${i}_${j}`]: { [`n${i}_${j}`]: j } } : { [`m${i}_${j}`]: j });
  return { id: i, data: { [`outer${i}`]: list } };
}

/** Schemas by name, for the child process. */
export const childSchemas: Record<string, { schema: AnySchema; key: string }> = {
  optional: { schema: Optional, key: 'id' },
  jsons: { schema: Jsons, key: 'id' },
};
