/**
 * The hot fields of a row of one tier against a row of another (two stores of one
 * schema), for `diff`: the fields whose values differ, compared on the columns without
 * making views or decoding strings where the column allows it.
 *
 *   presence     an optional field present on one side only differs; absent on both is equal
 *   string       the two pools' UTF-8 bytes compared (each store has its own pool)
 *   enum         the dictionary values of the two codes (each store has its own codes)
 *   numbers      the typed-array values (NaN equal to NaN, as `sameValue`)
 *   flag         the bits
 *   other kinds  both values read and compared with `sameValue`
 */
import type { EnumColumn, FlagColumn, NumberColumn, StringColumn } from '../hot/columns.ts';
import type { StringPool } from '../hot/string-pool.ts';
import type { HotTier } from '../hot/tier.ts';

type Same = (ra: number, rb: number) => boolean;

const NUMBERS = new Set(['u8', 'u16', 'u32', 'i32', 'f32', 'f64']);

/** True when string `x` of pool `p` has the same bytes as string `y` of pool `q`. */
function samePooled(p: StringPool, x: number, q: StringPool, y: number): boolean {
  const n = p.byteLengthOf(x as never);
  if (n !== q.byteLengthOf(y as never)) return false;
  const a = p.bytes;
  const b = q.bytes;
  const i = p.bytesStart(x as never);
  const j = q.bytesStart(y as never);
  for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/**
 * A function pushing onto `out` the names of the hot fields (schema order) whose values
 * differ between row `ra` of `ta` and row `rb` of `tb`; `same` compares values of the
 * kinds read whole.
 */
export function hotDiffer(
  ta: HotTier,
  tb: HotTier,
  same: (x: unknown, y: unknown) => boolean,
): (ra: number, rb: number, out: string[]) => void {
  const tests: { name: string; i: number; same: Same }[] = ta.schema.hotFields.map((f) => {
    const i = f.index;
    const ca = ta.columns[i]!;
    const cb = tb.columns[i]!;
    const k = f.field.kind;
    let test: Same;
    if (k === 'string') {
      const da = (ca as StringColumn).data;
      const db = (cb as StringColumn).data;
      test = (ra, rb) => samePooled(ta.pool, da[ra]!, tb.pool, db[rb]!);
    } else if (k === 'enum') {
      const ea = ca as EnumColumn;
      const eb = cb as EnumColumn;
      test = (ra, rb) => ea.values[ea.codes[ra]!] === eb.values[eb.codes[rb]!];
    } else if (NUMBERS.has(k)) {
      const da = (ca as NumberColumn).data;
      const db = (cb as NumberColumn).data;
      test = (ra, rb) => {
        const x = da[ra]!;
        const y = db[rb]!;
        return x === y || (Number.isNaN(x) && Number.isNaN(y));
      };
    } else if (k === 'flag') {
      const fa = ca as FlagColumn;
      const fb = cb as FlagColumn;
      test = (ra, rb) => fa.get(ra) === fb.get(rb);
    } else test = (ra, rb) => same(ta.read(ra, i), tb.read(rb, i));
    return { name: f.name, i, same: test };
  });
  return (ra, rb, out) => {
    for (const t of tests) {
      const pa = ta.presence[t.i];
      if (pa !== undefined) {
        const x = pa.get(ra);
        if (x !== tb.presence[t.i]!.get(rb)) {
          out.push(t.name);
          continue;
        }
        if (!x) continue;
      }
      if (!t.same(ra, rb)) out.push(t.name);
    }
  };
}
