/**
 * Package queries (parse.ts) evaluated on a store's hot tier, to a bitset of rows.
 *
 * Every node narrows a bitset of candidate rows in place (`filter(acc)`):
 *
 *   and   children in turn, cheapest first (cold last)  acc = acc & a & b …
 *   or    each child on the rows no earlier one took  acc = a | (rest & b) | …
 *   not   the child on a copy                         acc = acc & ~child(acc)
 *   leaf  hot:  a test per distinct value (enum dictionary entry, pooled string, version),
 *               then one table look-up per candidate row
 *         cold: the record's group is read only for rows still set in `acc`, so cold
 *               groups load only for what the hot fields could not decide
 *
 * Field names resolve against the schema (fields.ts); a package reference matches by
 * name and version on hot columns, and reads `provides` only for the rows that did not.
 */
import type { EnumColumn, FlagColumn, NumberColumn, StringColumn } from '../hot/columns.ts';
import type { HotTier } from '../hot/tier.ts';
import { UNDECIDED } from './bytes.ts';
import { type FieldRef, resolveField } from './fields.ts';
import { matchRows } from './filter.ts';
import { parseQuery, type QueryNode, type QueryOp } from './parse.ts';
import { type TextTest, textTest } from './predicate.ts';
import { parseRelations } from './relations.ts';

/**
 * Reads one cold group of a live row (synchronously, through the store's cache). With
 * `ifContains`, the same read but `undefined` (nothing decoded) for a row whose group's
 * stored bytes do not contain `needle`: a package reference skips the rows whose
 * `Provides` cannot name it.
 */
export type ColdReader = ((row: number, group: string) => Record<string, unknown>) & {
  ifContains?: (
    row: number,
    group: string,
    needle: Uint8Array,
  ) => Record<string, unknown> | undefined;
};

interface Plan {
  /**
   * Rough cost per row, to order children: 0 word or dictionary scans, 1 per-row
   * look-ups, 2 string tests, 3 cold reads (the only plans the hot tier cannot decide).
   */
  readonly cost: number;
  /** Clears the rows of `acc` that do not match. */
  filter(acc: Uint32Array): void;
}

/** Row by row over the set bits of `acc`, keeping those for which `keep(row)` holds. */
function eachSet(acc: Uint32Array, keep: (row: number) => boolean): void {
  for (let w = 0; w < acc.length; w++) {
    let bits = acc[w]!;
    if (bits === 0) continue;
    let out = 0;
    while (bits !== 0) {
      const j = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      if (keep(w * 32 + j)) out |= 1 << j;
    }
    acc[w] = out;
  }
}

/** A test memoised per distinct key (pool offset, number): run once per distinct value. */
function memo<K>(test: TextTest, text: (k: K) => string): (k: K) => boolean {
  const seen = new Map<K, boolean>();
  return (k) => {
    let m = seen.get(k);
    if (m === undefined) {
      m = test(text(k));
      seen.set(k, m);
    }
    return m;
  };
}

/** Set bits of `acc`. */
function countSet(acc: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < acc.length; w++) {
    let x = acc[w]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return n;
}

/**
 * A string test memoised per pool offset, for the `candidates` rows about to be tested:
 * a byte per offset of the pool (0 not yet tested, 1 false, 2 true) when the rows are
 * many for the pool's size — no Map entry per distinct string — else a Map, so that a
 * selective query does not allocate and clear a table the size of the pool.
 */
function poolMemo(
  t: TextTest,
  pool: HotTier['pool'],
  candidates: number,
): (off: number) => boolean {
  if (candidates * 64 < pool.byteLength || pool.byteLength > 64 << 20)
    return memo<number>(t, (off) => pool.read(off as never));
  const seen = new Uint8Array(pool.byteLength);
  return (off) => {
    let m = seen[off]!;
    if (m === 0) {
      m = t(pool.read(off as never)) ? 2 : 1;
      seen[off] = m;
    }
    return m === 2;
  };
}

/**
 * The string-column plan: each candidate row's first present column of `indexes` (several
 * share one pool: `$Source` reads `source`, else `package`) tested by pool offset — on its
 * bytes when the test has a byte form, else decoded once per distinct string.
 */
function stringPlan(tier: HotTier, indexes: readonly number[], t: TextTest): Plan {
  const pool = tier.pool;
  const absent = t('') ? 1 : 0;
  const cols = indexes.map((i) => (tier.columns[i] as StringColumn).data);
  const single = indexes.length === 1 && tier.presence[indexes[0]!] === undefined;
  // The column's offset for `row`, or -1 when every column of the chain is absent there.
  const offsetOf = (row: number): number => {
    for (let k = 0; k < indexes.length; k++) {
      const p = tier.presence[indexes[k]!];
      if (p === undefined || p.get(row)) return cols[k]![row]!;
    }
    return -1;
  };
  if (t.exact !== undefined) {
    // Equality: one pool look-up, then offsets compared (no string decoded).
    const want = pool.find(t.exact) ?? -2;
    const data = cols[0]!;
    return {
      cost: 1,
      filter(acc) {
        for (let w = 0; w < acc.length; w++) {
          let bits = acc[w]!;
          if (bits === 0) continue;
          let out = 0;
          while (bits !== 0) {
            const j = 31 - Math.clz32(bits & -bits);
            bits &= bits - 1;
            const row = w * 32 + j;
            const off = single ? data[row]! : offsetOf(row);
            if (off < 0 ? absent === 1 : off === want) out |= 1 << j;
          }
          acc[w] = out;
        }
      },
    };
  }
  const bytesTest = t.bytes;
  return {
    cost: 2,
    filter(acc) {
      // Built on first need: a byte test that decides every row needs no memo at all.
      const candidates = countSet(acc);
      let memoTest: ((off: number) => boolean) | undefined;
      const test = (off: number): boolean => (memoTest ??= poolMemo(t, pool, candidates))(off);
      const b = pool.bytes;
      const data = cols[0]!;
      for (let w = 0; w < acc.length; w++) {
        let bits = acc[w]!;
        if (bits === 0) continue;
        let out = 0;
        while (bits !== 0) {
          const j = 31 - Math.clz32(bits & -bits);
          bits &= bits - 1;
          const row = w * 32 + j;
          const off = single ? data[row]! : offsetOf(row);
          let m = absent;
          if (off >= 0) {
            if (bytesTest === undefined) m = test(off) ? 1 : 0;
            else {
              let len = b[off]!;
              let start = off + 1;
              if (len >= 0x80) {
                len = pool.byteLengthOf(off as never);
                start = pool.bytesStart(off as never);
              }
              m = bytesTest(b, start, start + len);
              if (m === UNDECIDED) m = test(off) ? 1 : 0;
            }
          }
          if (m === 1) out |= 1 << j;
        }
        acc[w] = out;
      }
    },
  };
}

/** Compiles one field condition against a resolved field. */
function fieldPlan(tier: HotTier, ref: FieldRef, t: TextTest, cold: ColdReader): Plan {
  const cols = tier.columns;
  const present = (i: number, row: number): boolean => tier.presence[i]?.get(row) ?? true;
  switch (ref.at) {
    case 'enum': {
      const col = cols[ref.index] as EnumColumn;
      const name = tier.schema.hotFields[ref.index]!.name;
      const eq = ref.archEquals;
      // One test per dictionary entry, then the store's enum scan over the codes.
      const wanted =
        t.exact !== undefined && eq === undefined
          ? [t.exact]
          : col.values.filter((v) =>
              eq !== undefined ? v === eq || (v === 'all' && eq !== 'source') : t(v),
            );
      const absent = eq === undefined && t('');
      const p = tier.presence[ref.index]?.words;
      return {
        cost: 0,
        filter(acc) {
          const bits = matchRows(tier, { [name]: wanted }, undefined);
          if (absent && p !== undefined)
            for (let w = 0; w < bits.length; w++) bits[w]! |= ~(p[w] ?? 0);
          for (let w = 0; w < acc.length; w++) acc[w]! &= bits[w]!;
        },
      };
    }
    case 'string':
      return stringPlan(tier, ref.indexes, t);
    case 'number': {
      const data = (cols[ref.index] as NumberColumn).data;
      const test = memo<number>(t, String);
      const absent = t('');
      return {
        cost: 1,
        filter: (acc) => eachSet(acc, (r) => (present(ref.index, r) ? test(data[r]!) : absent)),
      };
    }
    case 'flag': {
      const words = (cols[ref.index] as FlagColumn).bits.words;
      const yes = t('yes') ? -1 : 0;
      const no = t('') ? -1 : 0;
      return {
        cost: 0,
        filter(acc) {
          for (let w = 0; w < acc.length; w++) {
            const f = words[w] ?? 0;
            acc[w]! &= (f & yes) | (~f & no);
          }
        },
      };
    }
    case 'hot': {
      const test = memo<string>(t, (s) => s);
      return { cost: 2, filter: (acc) => eachSet(acc, (r) => test(ref.text(tier, r))) };
    }
    case 'constant': {
      const m = t(ref.value);
      return { cost: 0, filter: (acc) => (m ? undefined : acc.fill(0)) };
    }
    case 'cold':
      return {
        cost: 3,
        filter: (acc) =>
          eachSet(acc, (r) => {
            const text = ref.text(cold(r, ref.group));
            return ref.relation ? relationTest(text, t) : t(text);
          }),
      };
  }
}

/** A relation field matches when one of its relations' package names passes the test. */
function relationTest(text: string, t: TextTest): boolean {
  if (text === '') return t('');
  // A name that is not in the text is in none of its relations: no parse needed.
  if (t.exact !== undefined && !text.includes(t.exact)) return false;
  try {
    for (const group of parseRelations(text)) for (const r of group) if (t(r.name)) return true;
  } catch {
    return t(text); // a field that is no relation list: its whole text
  }
  return false;
}

/** `name (op version) {arch}`: that package, or one that Provides it. */
function packagePlan(
  tier: HotTier,
  q: { name: string; op?: QueryOp; version?: string; architecture?: string },
  cold: ColdReader,
): Plan {
  const s = tier.schema;
  const version = q.op === undefined ? () => true : textTest(q.op, q.version ?? '', 'version');
  const byName = fieldPlan(tier, resolveField(s, 'Name'), exactly(q.name), cold);
  const byVersion = fieldPlan(tier, resolveField(s, 'Version'), version, cold);
  const arch =
    q.architecture === undefined
      ? undefined
      : fieldPlan(tier, resolveField(s, '$Architecture', q.architecture), () => false, cold);
  const provides = s.byName.get('provides');
  const versions = (s.byName.get('version') ?? s.hotFields[0]!).index;
  return {
    cost: provides === undefined ? 1 : 3,
    filter(acc) {
      arch?.filter(acc);
      const named = acc.slice();
      byName.filter(named);
      byVersion.filter(named);
      if (provides !== undefined && provides.group !== undefined) {
        for (let w = 0; w < acc.length; w++) acc[w]! &= ~named[w]!;
        const data = (tier.columns[versions] as StringColumn).data;
        const group = provides.group;
        const needle = new TextEncoder().encode(q.name);
        const ifContains = cold.ifContains;
        eachSet(acc, (r) => {
          const g = ifContains === undefined ? cold(r, group) : ifContains(r, group, needle);
          if (g === undefined) return false; // its group does not hold the name
          const text = g.provides;
          if (typeof text !== 'string' || !text.includes(q.name)) return false;
          try {
            for (const g of parseRelations(text))
              for (const p of g)
                if (p.name === q.name && (p.op === undefined || p.op === '='))
                  if (version(p.version ?? tier.pool.read(data[r]! as never))) return true;
          } catch {}
          return false;
        });
      } else acc.fill(0);
      for (let w = 0; w < acc.length; w++) acc[w]! |= named[w]!;
    },
  };
}

/** Plain string equality, marked so that hot columns answer it from pool offsets or enum codes. */
function exactly(value: string): TextTest {
  const t: TextTest = (s) => s === value;
  t.exact = value;
  return t;
}

/** Cheap and hot first: later children only see the rows earlier ones let through. */
const byCost = (a: Plan, b: Plan): number => a.cost - b.cost;

function plan(tier: HotTier, q: QueryNode, cold: ColdReader): Plan {
  switch (q.type) {
    case 'and': {
      const items = q.items.map((i) => plan(tier, i, cold)).sort(byCost);
      return {
        cost: Math.max(...items.map((i) => i.cost)),
        filter(acc) {
          for (const i of items) i.filter(acc);
        },
      };
    }
    case 'or': {
      const items = q.items.map((i) => plan(tier, i, cold)).sort(byCost);
      return {
        cost: Math.max(...items.map((i) => i.cost)),
        filter(acc) {
          const rest = acc.slice();
          acc.fill(0);
          for (const item of items) {
            const m = rest.slice();
            item.filter(m);
            for (let w = 0; w < acc.length; w++) {
              acc[w]! |= m[w]!;
              rest[w]! &= ~m[w]!;
            }
          }
        },
      };
    }
    case 'not': {
      const item = plan(tier, q.item, cold);
      return {
        cost: item.cost,
        filter(acc) {
          const m = acc.slice();
          item.filter(m);
          for (let w = 0; w < acc.length; w++) acc[w]! &= ~m[w]!;
        },
      };
    }
    case 'field': {
      const eq = q.field === '$Architecture' && q.op === '=' ? q.value : undefined;
      const ref = resolveField(tier.schema, q.field, eq);
      return fieldPlan(tier, ref, textTest(q.op, q.value ?? '', ref.kind), cold);
    }
    case 'package':
      return packagePlan(tier, q, cold);
    case 'key': {
      const s = tier.schema;
      if (s.keyFields.map((f) => f.name).join() === 'package,version,architecture') {
        // The schema's own key: one look-up in the key index.
        const key = { package: q.package, version: q.version, architecture: q.architecture };
        return {
          cost: 0,
          filter(acc) {
            let row = -1;
            try {
              row = tier.findRow(key);
            } catch {} // a value the key columns cannot hold: no such record
            const keep = row >= 0 && ((acc[row >>> 5] ?? 0) & (1 << (row & 31))) !== 0;
            acc.fill(0);
            if (keep) acc[row >>> 5] = 1 << (row & 31);
          },
        };
      }
      const parts: Plan[] = [
        fieldPlan(tier, resolveField(s, 'Name'), exactly(q.package), cold),
        fieldPlan(tier, resolveField(s, 'Version'), exactly(q.version), cold),
        fieldPlan(tier, resolveField(s, 'Architecture'), exactly(q.architecture), cold),
      ];
      return {
        cost: 1,
        filter(acc) {
          for (const p of parts) p.filter(acc);
        },
      };
    }
  }
}

/**
 * @internal The live rows of `tier` matching `query` (a bitset, 32 rows a word).
 * @throws LeanrecError `E_PARSE` for a bad query text; `E_ARGUMENT` for a field the
 * schema does not have.
 */
export function queryRows(tier: HotTier, query: QueryNode | string, cold: ColdReader): Uint32Array {
  const tree = typeof query === 'string' ? parseQuery(query) : query;
  const p = plan(tier, tree, cold);
  const acc = matchRows(tier, undefined, undefined);
  p.filter(acc);
  return acc;
}
