/**
 * The one model of filters: what `where(filter)` and `count(filter)` mean on plain
 * records, and the arbitrary that draws filters from a table of values per field.
 * Every conformance test that queries a store compares it with {@link matches}.
 */
import fc from 'fast-check';
import type { Rec } from './modes.ts';

/** Equal as a stored value: bytes by content, NaN equal to NaN, −0 equal to 0. */
export function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return Buffer.from(a).equals(Buffer.from(b));
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Whether `record` matches `filter`: every condition holds; a value, one of a list of
 * values, or a range (`gt`/`gte`/`lt`/`lte`, all given bounds hold); an absent optional
 * matches nothing. An equality on an f32 field compares with the value rounded to f32
 * (`f32Fields`), as the store keeps it.
 */
export function matches(
  record: Rec,
  filter: Rec | undefined,
  f32Fields: ReadonlySet<string> = new Set(),
): boolean {
  if (filter === undefined) return true;
  for (const [k, c] of Object.entries(filter)) {
    const v = record[k];
    if (v === undefined) return false;
    const eq = (x: unknown) => same(v, f32Fields.has(k) ? Math.fround(x as number) : x);
    if (Array.isArray(c)) {
      if (!c.some(eq)) return false;
    } else if (c !== null && typeof c === 'object' && !(c instanceof Uint8Array)) {
      const x = v as number;
      const g = c as Record<string, number>;
      if (g.gt !== undefined && !(x > g.gt)) return false;
      if (g.gte !== undefined && !(x >= g.gte)) return false;
      if (g.lt !== undefined && !(x < g.lt)) return false;
      if (g.lte !== undefined && !(x <= g.lte)) return false;
    } else if (!eq(c)) return false;
  }
  return true;
}

/** What filters are drawn from: values per field, the numeric fields, the range bounds. */
export interface FilterSpace {
  values: Record<string, readonly unknown[]>;
  numeric: ReadonlySet<string>;
  bounds: readonly number[];
}

/**
 * Filters of up to three fields, each a value, a list of 1–3 values, or (numeric fields)
 * a range: at most one lower bound (`gt`/`gte`) and one upper (`lt`/`lte`), drawn from the
 * bounds and the field's own values (so that a bound often equals a stored value, where
 * `gt` and `gte` differ), now and then with a second bound on one side (`{ gt, gte }`).
 */
export function filterArb(space: FilterSpace): fc.Arbitrary<Rec> {
  const condition = (field: string) => {
    const vals = space.values[field]!;
    const arbs: fc.Arbitrary<unknown>[] = [
      fc.constantFrom(...vals),
      fc.uniqueArray(fc.constantFrom(...vals), { minLength: 1, maxLength: 3 }),
    ];
    if (space.numeric.has(field)) {
      const bound = fc.oneof(
        fc.constantFrom(...space.bounds),
        fc.constantFrom(...(vals as number[])),
      );
      const side = (ops: string[]) => fc.option(fc.tuple(fc.constantFrom(...ops), bound));
      arbs.push(
        fc
          .tuple(
            side(['gt', 'gte']),
            side(['lt', 'lte']),
            fc.option(side(['gt', 'gte', 'lt', 'lte']), { freq: 4 }),
          )
          .map(([lower, upper, extra]) => {
            const r: Record<string, number> = {};
            for (const b of [lower, upper, extra ?? null])
              if (b !== null && !(b[0] in r)) r[b[0]] = b[1];
            return r;
          }),
      );
    }
    return fc.oneof(...arbs);
  };
  return fc
    .uniqueArray(fc.constantFrom(...Object.keys(space.values)), { maxLength: 3 })
    .chain((fields) => fc.tuple(...fields.map((f) => condition(f).map((c) => [f, c] as const))))
    .map((entries) => Object.fromEntries(entries) as Rec);
}
