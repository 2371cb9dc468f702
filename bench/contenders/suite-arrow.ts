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
import { readPackages } from 'leanrec/debian';
import { plainKey } from '../lib/debian.ts';
import { emit, rate, status } from '../lib/harness.ts';
import {
  FILE,
  freshPassRate,
  LOOKUP_PASSES,
  LOOKUPS,
  passRate,
  queryKeys,
  residentAfter,
  settled,
  sink,
} from '../lib/suite.ts';

type Dict = Dictionary<Utf8, Int8>;
const dict = (): Dict => new Dictionary(new Utf8(), new Int8());

// W1
const before = settled();
const t0 = performance.now();
const cols = {
  package: [] as string[],
  version: [] as string[],
  architecture: [] as string[],
  section: [] as (string | null)[],
  priority: [] as (string | null)[],
  source: [] as (string | null)[],
  sourceVersion: [] as (string | null)[],
  installedSize: [] as (number | null)[],
  size: [] as (number | null)[],
  multiArch: [] as (string | null)[],
  essential: [] as boolean[],
  protected: [] as boolean[],
  important: [] as boolean[],
  buildEssential: [] as boolean[],
};
const map = new Map<string, number>();
let rows = 0;
for await (const r of readPackages(FILE)) {
  cols.package.push(r.package);
  cols.version.push(r.version);
  cols.architecture.push(r.architecture);
  cols.section.push(r.section ?? null);
  cols.priority.push(r.priority ?? null);
  cols.source.push(r.source ?? null);
  cols.sourceVersion.push(r.sourceVersion ?? null);
  cols.installedSize.push(r.installedSize ?? null);
  cols.size.push(r.size ?? null);
  cols.multiArch.push(r.multiArch ?? null);
  cols.essential.push(r.essential === true);
  cols.protected.push(r.protected === true);
  cols.important.push(r.important === true);
  cols.buildEssential.push(r.buildEssential === true);
  map.set(plainKey(r.package, r.version, r.architecture), rows++);
}
let table: Table | undefined = new Table({
  package: vectorFromArray(cols.package, new Utf8()),
  version: vectorFromArray(cols.version, new Utf8()),
  architecture: vectorFromArray(cols.architecture, dict()),
  section: vectorFromArray(cols.section, dict()),
  priority: vectorFromArray(cols.priority, dict()),
  source: vectorFromArray(cols.source, new Utf8()),
  sourceVersion: vectorFromArray(cols.sourceVersion, new Utf8()),
  installedSize: vectorFromArray(cols.installedSize, new Uint32()),
  size: vectorFromArray(cols.size, new Uint32()),
  multiArch: vectorFromArray(cols.multiArch, dict()),
  essential: vectorFromArray(cols.essential, new Bool()),
  protected: vectorFromArray(cols.protected, new Bool()),
  important: vectorFromArray(cols.important, new Bool()),
  buildEssential: vectorFromArray(cols.buildEssential, new Bool()),
});
for (const k of Object.keys(cols)) (cols as Record<string, unknown[]>)[k] = [];
const ingestMs = performance.now() - t0;
const peakRss = status('VmHWM');

// W2
const w2 = residentAfter(before, settled(), 0);

const child = (name: string): Vector => table!.getChild(name)!;
const pkgV = child('package');
const verV = child('version');
const secV = child('section') as Vector<Dict>;
const priV = child('priority') as Vector<Dict>;
const archV = child('architecture') as Vector<Dict>;

// W3
const q = await queryKeys();
const lookups = passRate(LOOKUPS, LOOKUP_PASSES, (i) => {
  const row = map.get(plainKey(q.package[i]!, q.version[i]!, q.architecture[i]!))!;
  return (
    (pkgV.get(row) as string).length +
    (verV.get(row) as string).length +
    ((secV.get(row) as string | null)?.length ?? 0)
  );
});
const lookupsFresh = freshPassRate(q, LOOKUP_PASSES, (k, i) => {
  const row = map.get(plainKey(k.package[i]!, k.version[i]!, k.architecture[i]!))!;
  return (
    (pkgV.get(row) as string).length +
    (verV.get(row) as string).length +
    ((secV.get(row) as string | null)?.length ?? 0)
  );
});

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

let priorityCount = 0;
let gamesAllCount = 0;
const scanPriority = rate(() => {
  let n = 0;
  for (const d of priV.data) n += countAnyOf(d, codeIn(d, 'required'), codeIn(d, 'important'));
  priorityCount = n;
}, rows);
const scanGamesAll = rate(() => {
  let n = 0;
  // Both columns were built from arrays of the same length: their chunks line up.
  for (let k = 0; k < secV.data.length; k++) {
    const ds = secV.data[k]!;
    const da = archV.data[k]!;
    n += countBoth(ds, codeIn(ds, 'games'), da, codeIn(da, 'all'));
  }
  gamesAllCount = n;
}, rows);

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
const priValues = ['required', 'important', 'standard', 'optional', 'extra'];
const priCodes = codesOf(priV, priValues);
/** The distinct values of `v` in first-seen order (nulls left out). */
function distinct(v: Vector<Dict>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const s = v.get(i);
    if (s !== null) seen.add(s);
  }
  return [...seen];
}
const secValues = distinct(secV);
const secCodes = codesOf(secV, secValues);
const archValues = distinct(archV);
const archCodes = codesOf(archV, archValues);
let priorityCountCodes = 0;
let gamesAllCountCodes = 0;
const scanPriorityCodes = rate(() => {
  priorityCountCodes = codesAnyOf(
    priCodes,
    priValues.indexOf('required'),
    priValues.indexOf('important'),
  );
}, rows);
const scanGamesAllCodes = rate(() => {
  gamesAllCountCodes = codesBoth(
    secCodes,
    secValues.indexOf('games'),
    archCodes,
    archValues.indexOf('all'),
  );
}, rows);

table = undefined;
emit({
  records: rows,
  queryRecords: q.records,
  ingestMs,
  peakRss,
  ...w2,
  lookups,
  lookupsFresh,
  scanPriority,
  scanGamesAll,
  priorityCount,
  gamesAllCount,
  scanPriorityCodes,
  scanGamesAllCodes,
  priorityCountCodes,
  gamesAllCountCodes,
  sink: sink.value,
});
