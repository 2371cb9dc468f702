/**
 * `npm run bench`, contender "apache-arrow": the hot fields of every record (those of
 * leanrec's `debianPackages` hot tier) in an Arrow table, strings of few values
 * dictionary-encoded with Int8 indices (architecture, section, priority, multi-arch),
 * the rest as Utf8 / Uint32 / Bool columns; a `Map` from `package\0version\0architecture`
 * to the row, as a user would write it. No cold fields: W5 and W6 are n/a.
 *
 * W3: `map.get` with the key built per lookup, then package, version, section through
 * the columns' `get(row)`. W4: a plain loop over each dictionary vector's Int8 index
 * array (the scan an Arrow compute kernel does), checking the validity bitmap of a row
 * that matches when the chunk has nulls. W4 also times the same scans over a plain
 * `Int8Array` of dictionary codes (-1 for absent), with no Arrow object in the loop:
 * `scanPriorityCodes`, `scanGamesAllCodes`.
 */
import {
  Bool,
  type Data,
  Dictionary,
  Int8,
  Table,
  Uint32,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { plainKey } from '../lib/debian.ts';
import { rate } from '../lib/harness.ts';
import { runWorkloads } from '../lib/suite.ts';

type Dict = Dictionary<Utf8, Int8>;
const dict = (): Dict => new Dictionary(new Utf8(), new Int8());
/** The hot fields of `debianPackages`, each with its Arrow type. */
const TYPES = {
  package: () => new Utf8(),
  version: () => new Utf8(),
  architecture: dict,
  section: dict,
  priority: dict,
  source: () => new Utf8(),
  sourceVersion: () => new Utf8(),
  installedSize: () => new Uint32(),
  size: () => new Uint32(),
  multiArch: dict,
  essential: () => new Bool(),
  protected: () => new Bool(),
  important: () => new Bool(),
  buildEssential: () => new Bool(),
};
type Field = keyof typeof TYPES;
const FLAGS = new Set<Field>(['essential', 'protected', 'important', 'buildEssential']);

const map = new Map<string, number>();
/** The whole table stays alive, as a user's would (W2 counts every column). */
let table: Table;
let rows = 0;
let pkgV: Vector;
let verV: Vector;
let secV: Vector<Dict>;
let priV: Vector<Dict>;
let archV: Vector<Dict>;

// W4 — the dictionary indices of each chunk, its validity bitmap, and its codes of `values`.
/** The index of `v` in a chunk's dictionary, or -2 (matches no Int8 index) when absent. */
function codeIn(d: Data<Dict>, v: string): number {
  const values = d.dictionary!.toArray() as string[];
  const i = values.indexOf(v);
  return i < 0 ? -2 : i;
}
/** Rows of `d` whose index is `a` or `b` (a plain loop over the Int8 indices). */
function countAnyOf(d: Data<Dict>, a: number, b: number): number {
  const idx = d.values as Int8Array;
  const len = d.length;
  let n = 0;
  if (d.nullCount === 0) {
    for (let i = 0; i < len; i++) {
      const c = idx[i]!;
      if (c === a || c === b) n++;
    }
    return n;
  }
  const nulls = d.nullBitmap!;
  for (let i = 0; i < len; i++) {
    const c = idx[i]!;
    if ((c === a || c === b) && ((nulls[i >> 3]! >> (i & 7)) & 1) === 1) n++;
  }
  return n;
}

/** Rows where `ds`'s index is `x` and `da`'s is `y` (chunks of the same rows). */
function countBoth(ds: Data<Dict>, x: number, da: Data<Dict>, y: number): number {
  const s = ds.values as Int8Array;
  const a = da.values as Int8Array;
  const len = ds.length;
  const sn = ds.nullCount === 0 ? undefined : ds.nullBitmap!;
  const an = da.nullCount === 0 ? undefined : da.nullBitmap!;
  let n = 0;
  for (let i = 0; i < len; i++)
    if (
      s[i] === x &&
      a[i] === y &&
      (sn === undefined || ((sn[i >> 3]! >> (i & 7)) & 1) === 1) &&
      (an === undefined || ((an[i >> 3]! >> (i & 7)) & 1) === 1)
    )
      n++;
  return n;
}

// W4, plain Int8 codes: one contiguous array per column, -1 where the value is absent.
function codesOf(v: Vector<Dict>, values: string[]): Int8Array {
  const out = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = v.get(i);
    out[i] = s === null ? -1 : values.indexOf(s);
  }
  return out;
}

function codesAnyOf(codes: Int8Array, a: number, b: number): number {
  let n = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === a || c === b) n++;
  }
  return n;
}

function codesBoth(s: Int8Array, x: number, a: Int8Array, y: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === x && a[i] === y) n++;
  return n;
}

/** The distinct values of `v` in first-seen order (nulls left out). */
function distinct(v: Vector<Dict>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const s = v.get(i);
    if (s !== null) seen.add(s);
  }
  return [...seen];
}

await runWorkloads({
  async ingest(records) {
    const cols = Object.fromEntries(Object.keys(TYPES).map((f) => [f, [] as unknown[]]));
    const fields = Object.keys(TYPES) as Field[];
    for await (const r of records) {
      for (const f of fields) cols[f]!.push(FLAGS.has(f) ? r[f] === true : (r[f] ?? null));
      map.set(plainKey(r.package, r.version, r.architecture), rows++);
    }
    table = new Table(
      Object.fromEntries(fields.map((f) => [f, vectorFromArray(cols[f]!, TYPES[f]())])),
    );
    const child = (name: Field): Vector => table.getChild(name)!;
    [pkgV, verV, secV, priV, archV] = [
      child('package'),
      child('version'),
      child('section'),
      child('priority'),
      child('architecture'),
    ];
    return rows;
  },
  lookup(p, v, a) {
    const row = map.get(plainKey(p, v, a))!;
    return (
      (pkgV.get(row) as string).length +
      (verV.get(row) as string).length +
      ((secV.get(row) as string | null)?.length ?? 0)
    );
  },
  countPriority() {
    let n = 0;
    for (const d of priV.data) n += countAnyOf(d, codeIn(d, 'required'), codeIn(d, 'important'));
    return n;
  },
  countGamesAll() {
    let n = 0;
    // Both columns were built from arrays of the same length: their chunks line up.
    for (let k = 0; k < secV.data.length; k++) {
      const ds = secV.data[k]!;
      const da = archV.data[k]!;
      n += countBoth(ds, codeIn(ds, 'games'), da, codeIn(da, 'all'));
    }
    return n;
  },
  async extra(out) {
    const priValues = ['required', 'important', 'standard', 'optional', 'extra'];
    const priCodes = codesOf(priV, priValues);
    const secValues = distinct(secV);
    const secCodes = codesOf(secV, secValues);
    const archValues = distinct(archV);
    const archCodes = codesOf(archV, archValues);
    const [required, important] = [priValues.indexOf('required'), priValues.indexOf('important')];
    const [games, all] = [secValues.indexOf('games'), archValues.indexOf('all')];
    out['scanPriorityCodes'] = rate(
      () => (out['priorityCountCodes'] = codesAnyOf(priCodes, required, important)),
      rows,
    );
    out['scanGamesAllCodes'] = rate(
      () => (out['gamesAllCountCodes'] = codesBoth(secCodes, games, archCodes, all)),
      rows,
    );
  },
});
