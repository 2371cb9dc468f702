/**
 * `npm run bench`: the benchmark suite on the real Debian index ($LEANREC_DEBIAN_PACKAGES,
 * else the pinned bookworm main amd64 copy), every contender reading it with leanrec's
 * deb822 parser into the records of one schema, `debianPackages`.
 *
 * Contenders (one module per family in bench/contenders/), each run in its own
 * `node --expose-gc` process that builds its state (W1) and runs the workloads on it
 * (bench/lib/suite.ts): plain objects + Map, lmdb-js (whole records, msgpackr shared
 * structures), better-sqlite3 (hot columns + msgpackr cold blob, primary key),
 * apache-arrow (the hot fields only, dictionary-encoded, a `Map` key → row), leanrec (hot
 * tier + LevelDB cold tier) and leanrec hot-only. Workloads: W1 ingest, W1b hot-only ingest
 * of parsed records, W2 resident memory after gc, W3 100,000 point lookups (W3 fresh keys:
 * new key strings each pass), W4 hot scans (W4 Int8 loop: Arrow's codes as plain arrays),
 * W5 cold fetch of 10,000 keys uncached and cached, W6 full dependency verify, W7 parse
 * throughput (bench/contenders/parse.ts: `parseDeb822` and `readPackages` vs a readline
 * parser, in the leanrec and plain columns), W8 reopen from the hot snapshot vs rebuilding
 * the hot tier from LevelDB. `BENCH_RUNS` runs (≥ 3; 1 or 2 for a quick look, which writes
 * nothing), interleaved; medians; ratios to leanrec taken run by run, then their median.
 *
 * Writes bench/results/latest.{md,json}, latest-memory.svg and latest-throughput.svg,
 * and the headline table between the `bench:latest` markers of README.md.
 *
 * `BENCH_ONLY=apache-arrow,plain,parse` (names or words of names, comma-separated) runs
 * only those contenders beside leanrec (`parse`: W7), to iterate on a change: the tables
 * are printed, no file is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Bar, groupedBarChart } from './lib/chart.ts';
import {
  type Contender,
  environment,
  loadAverage,
  markdownTable,
  mb,
  med,
  median,
  ms,
  perSec,
  type Result,
  ROOT,
  RUNS,
  runSuite,
  SEED,
  textTable,
  times,
  verdict,
  writeResults,
} from './lib/harness.ts';
import { COLD_KEYS, FILE, LOOKUPS } from './lib/suite.ts';

const PLAIN = 'plain objects + Map';
const LMDB = 'lmdb-js';
const SQLITE = 'better-sqlite3';
const ARROW = 'apache-arrow';
const LEANREC = 'leanrec';
const HOT_ONLY = 'leanrec hot-only';
const PARSE = 'parse';

const ALL: Contender[] = [
  { name: PLAIN, script: 'bench/contenders/plain.ts' },
  { name: LMDB, script: 'bench/contenders/lmdb.ts' },
  { name: SQLITE, script: 'bench/contenders/sqlite.ts' },
  { name: ARROW, script: 'bench/contenders/arrow.ts' },
  { name: LEANREC, script: 'bench/contenders/leanrec.ts' },
  { name: HOT_ONLY, script: 'bench/contenders/leanrec.ts', args: ['hot-only'] },
  { name: PARSE, script: 'bench/contenders/parse.ts' },
];
const ONLY = process.env['BENCH_ONLY']?.split(',').map((s) => s.trim().toLowerCase());
const SELECTED = ALL.filter(
  (c) =>
    ONLY === undefined ||
    c.name === LEANREC ||
    ONLY.some((o) => c.name.toLowerCase() === o || c.name.toLowerCase().split(' ').includes(o)),
);
/** The columns: every selected contender but the parse run (its figures join two columns). */
const NAMES = SELECTED.map((c) => c.name).filter((n) => n !== PARSE);
/** Files are written from a full run only. */
const FULL = ONLY === undefined && RUNS >= 3;

/** How a figure reads: bytes and times are better lower, rates (and MB/s) higher; counts are checks. */
type Kind = 'bytes' | 'ms' | 'rate' | 'MB/s' | 'count';
/** Rates: higher is better. */
const higher = (k: Kind) => k === 'rate' || k === 'MB/s';

interface Metric {
  /** The result key every contender emits. */
  key: string;
  label: string;
  kind: Kind;
  /** Show leanrec's advantage beside each contender's figure. */
  ratio?: boolean;
  /** Why a contender has no figure. */
  na?: Partial<Record<string, string>>;
  /** A word after a contender's figure. */
  note?: Partial<Record<string, string>>;
  /** leanrec's figure to compare with, when leanrec has none under `key`. */
  ours?: string;
  /** The workload's name in README's headline table (leanrec vs the best other contender). */
  headline?: string;
}

/** A row of the main table. */
const metric = (key: string, kind: Kind, label: string, o: Partial<Metric> = {}): Metric => ({
  key,
  kind,
  label,
  ...o,
});
const NO_COLD = { [HOT_ONLY]: 'n/a (no cold tier)', [ARROW]: 'n/a (hot fields only)' };
const ARROW_ONLY = { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [LEANREC]: '—', [HOT_ONLY]: '—' };
const LEANREC_ONLY = { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—', [HOT_ONLY]: '—' };
const IN_RAM = { [PLAIN]: '(in RAM)' };
const METRICS: Metric[] = [
  metric('ingestMs', 'ms', 'W1 ingest: open → last record written', {
    ratio: true,
    headline: 'W1 ingest time',
  }),
  metric('peakRss', 'bytes', 'W1 peak RSS during ingest (VmHWM)', {
    ratio: true,
    headline: 'W1 peak RSS',
  }),
  metric(
    'ingestParsed',
    'rate',
    'W1b hot-only ingest of the records parsed beforehand (records/s)',
    { na: { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—', [LEANREC]: '—' } },
  ),
  metric(
    'resident',
    'bytes',
    'W2 resident after gc: heap + external above before-open + native buffers',
    {
      ratio: true,
      note: { [LEANREC]: '(record cache full at its default 4 MiB)', [LMDB]: '(+ its memory map)' },
      headline: 'W2 resident memory',
    },
  ),
  metric(
    'memTotal',
    'bytes',
    'W2 store.memory().total: hot tier + record cache (decoded size) + LevelDB configured',
    { na: { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—' } },
  ),
  metric('heapUsed', 'bytes', 'W2 heapUsed above before-open'),
  metric('external', 'bytes', 'W2 external above before-open'),
  metric('arrayBuffers', 'bytes', 'W2 arrayBuffers above before-open (part of external)'),
  metric('native', 'bytes', 'W2 native buffers outside V8, as configured', {
    note: { [LEANREC]: '(LevelDB cache + write buffer)', [SQLITE]: '(page cache)' },
  }),
  metric('rss', 'bytes', 'W2 RSS after gc'),
  metric('rssAnon', 'bytes', 'W2 RSS after gc: anonymous'),
  metric('rssFile', 'bytes', 'W2 RSS after gc: file-backed (code, mapped files)'),
  metric(
    'lookups',
    'rate',
    `W3 point lookups/s: get + package, version, section (${LOOKUPS.toLocaleString('en-US')} keys)`,
    { ratio: true, headline: 'W3 point lookups' },
  ),
  metric(
    'lookupsFresh',
    'rate',
    'W3 point lookups/s, fresh key strings each pass (no cached string hash)',
    { ratio: true },
  ),
  metric('scanPriority', 'rate', 'W4 hot scan rows/s: priority ∈ {required, important}', {
    ratio: true,
    headline: 'W4 hot scan (priority)',
  }),
  metric('scanGamesAll', 'rate', 'W4 hot scan rows/s: section = games ∧ architecture = all', {
    ratio: true,
    headline: 'W4 hot scan (games ∧ all)',
  }),
  metric(
    'scanPriorityCodes',
    'rate',
    'W4 priority scan as a plain loop over an Int8Array of dictionary codes',
    { ratio: true, ours: 'scanPriority', na: ARROW_ONLY },
  ),
  metric(
    'scanGamesAllCodes',
    'rate',
    'W4 games ∧ all scan as a plain loop over two Int8Arrays of dictionary codes',
    { ratio: true, ours: 'scanGamesAll', na: ARROW_ONLY },
  ),
  metric(
    'coldUncachedFirst',
    'rate',
    `W5 cold fetch/s, uncached, first pass after open: description + maintainer + depends (${COLD_KEYS.toLocaleString('en-US')} keys)`,
    { ratio: true, na: NO_COLD, note: IN_RAM },
  ),
  metric('coldUncached', 'rate', 'W5 cold fetch/s, uncached, steady (after a warm-up pass)', {
    ratio: true,
    na: NO_COLD,
    note: IN_RAM,
    headline: 'W5 cold fetch, uncached',
  }),
  metric('coldCached', 'rate', 'W5 cold fetch/s, cached', {
    ratio: true,
    na: NO_COLD,
    note: IN_RAM,
    headline: 'W5 cold fetch, cached',
  }),
  metric('coldViewsUncached', 'rate', 'W5 cold() alone on views resolved beforehand, uncached', {
    na: LEANREC_ONLY,
  }),
  metric('coldViewsCached', 'rate', 'W5 cold() alone on views resolved beforehand, cached', {
    na: LEANREC_ONLY,
  }),
  metric('loadMany', 'rate', 'W5 loadMany in batches of 256, uncached (cache: false)', {
    na: LEANREC_ONLY,
  }),
  metric('verifyMs', 'ms', 'W6 verify Pre-Depends + Depends of every package: time', {
    ratio: true,
    na: NO_COLD,
    headline: 'W6 dependency verify',
  }),
  metric('verifyPeakAbove', 'bytes', 'W6 verify: peak RSS above the RSS at its start', {
    ratio: true,
    na: NO_COLD,
  }),
  metric('unsatisfied', 'count', 'W6 verify: unsatisfied groups found', { na: NO_COLD }),
  metric(
    'parseMbps',
    'MB/s',
    'W7 parse of the uncompressed text: leanrec parseDeb822 | plain a readline parser',
    {
      ratio: true,
      na: { [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—', [HOT_ONLY]: '—' },
      note: { [PLAIN]: '(readline)' },
      headline: 'W7 deb822 parse',
    },
  ),
  metric('readMbps', 'MB/s', 'W7 readPackages: parse + records of debianPackages', {
    na: LEANREC_ONLY,
  }),
  metric('reopenSnapshotMs', 'ms', 'W8 reopen from the hot snapshot', { na: LEANREC_ONLY }),
  metric('reopenRebuildMs', 'ms', 'W8 reopen rebuilding the hot tier from the records in LevelDB', {
    na: LEANREC_ONLY,
  }),
  metric(
    'residentReopen',
    'bytes',
    'W8 resident after a snapshot reopen: heap + external above the process with the store closed',
    { na: LEANREC_ONLY },
  ),
  metric('diskBytes', 'bytes', 'size on disk', {
    na: { [PLAIN]: '—', [HOT_ONLY]: '—', [ARROW]: '—' },
  }),
];

/** The suite's targets: leanrec's advantage over a contender on a measure, at least `min`. */
const TARGETS: { vs: string; key: string; min: number; text: string }[] = [
  { vs: PLAIN, key: 'resident', min: 25, text: 'resident memory ≥ 25× smaller' },
  { vs: PLAIN, key: 'lookups', min: 1.5, text: 'point lookups ≥ 1.5× faster' },
  {
    vs: PLAIN,
    key: 'lookupsFresh',
    min: 1.5,
    text: 'point lookups, fresh key strings ≥ 1.5× faster',
  },
  { vs: PLAIN, key: 'scanPriority', min: 3, text: 'hot scan (priority) ≥ 3× faster' },
  { vs: PLAIN, key: 'scanGamesAll', min: 3, text: 'hot scan (games, all) ≥ 3× faster' },
  { vs: SQLITE, key: 'lookups', min: 5, text: 'point lookups ≥ 5× faster' },
  { vs: SQLITE, key: 'scanPriority', min: 5, text: 'hot scan (priority) ≥ 5× faster' },
  { vs: SQLITE, key: 'scanGamesAll', min: 5, text: 'hot scan (games, all) ≥ 5× faster' },
  { vs: LMDB, key: 'resident', min: 1, text: "resident memory ≤ lmdb-js's" },
  { vs: LMDB, key: 'scanPriority', min: 10, text: 'hot scan (priority) ≥ 10× faster' },
  { vs: LMDB, key: 'scanGamesAll', min: 10, text: 'hot scan (games, all) ≥ 10× faster' },
  { vs: ARROW, key: 'scanPriority', min: 1.2, text: 'hot scan (priority) ≥ 1.2× faster' },
  { vs: ARROW, key: 'scanGamesAll', min: 1.2, text: 'hot scan (games, all) ≥ 1.2× faster' },
  {
    vs: ARROW,
    key: 'scanPriorityCodes',
    min: 1.2,
    text: 'hot scan (priority) ≥ 1.2× a plain Int8 code loop',
  },
  {
    vs: ARROW,
    key: 'scanGamesAllCodes',
    min: 1.2,
    text: 'hot scan (games, all) ≥ 1.2× a plain Int8 code loop',
  },
];

/** Targets on leanrec's own figures: a figure against a bound. */
const OWN: { name: string; key: string; text: string; ok: (v: number) => boolean }[] = [
  {
    name: HOT_ONLY,
    key: 'ingestParsed',
    text: 'W1b ingest of parsed records ≥ 250.0 k/s',
    ok: (v) => v >= 250_000,
  },
  {
    name: HOT_ONLY,
    key: 'memTotal',
    text: 'W2 memory().total of the hot tier ≤ 5 MB',
    ok: (v) => v <= 5e6,
  },
  { name: LEANREC, key: 'coldViewsCached', text: 'W5 cached cold() ≥ 1 M/s', ok: (v) => v >= 1e6 },
  {
    name: LEANREC,
    key: 'reopenSpeedup',
    text: 'W8 snapshot reopen ≥ 10× faster than a rebuild',
    ok: (v) => v >= 10,
  },
];

// ── run ─────────────────────────────────────────────────────────────────────────────────

const t0 = performance.now();
const load0 = loadAverage();
process.stderr.write(
  `npm run bench on ${FILE}: ${SELECTED.length} contenders × ${RUNS} runs, interleaved\n`,
);
const runs = runSuite(SELECTED);
const load1 = loadAverage();
const wallMs = performance.now() - t0;

const runsOf = (name: string): Result[] => runs.get(name) ?? [];
// W7's figures join the columns they compare: parseDeb822 and readPackages under leanrec,
// the readline parser under plain (run i with run i, as every ratio is taken).
runsOf(PARSE).forEach((p, i) => {
  Object.assign(runsOf(LEANREC)[i] ?? {}, {
    parseMbps: p['parseDeb822Mbps'],
    readMbps: p['readPackagesMbps'],
    parseRecords: p['parseDeb822Paragraphs'],
    readRecords: p['readPackagesParagraphs'],
  });
  Object.assign(runsOf(PLAIN)[i] ?? {}, {
    parseMbps: p['readlineMbps'],
    parseRecords: p['readlineParagraphs'],
  });
});
for (const r of runsOf(LEANREC))
  r['reopenSpeedup'] = Number(r['reopenRebuildMs']) / Number(r['reopenSnapshotMs']);
const metricOf = (key: string): Metric => METRICS.find((m) => m.key === key)!;
const fig = (name: string, key: string): number => med(runsOf(name), key);

/**
 * leanrec's advantage over `name` on `key` (against leanrec's `ours`, default the same
 * key), run by run, then the median (> 1: leanrec better).
 */
function advantage(name: string, key: string, kind: Kind, ours = key): number {
  const ref = runsOf(LEANREC);
  return median(
    runsOf(name).map((r, i) => {
      const c = Number(r[key]);
      const l = Number(ref[i]?.[ours]);
      return higher(kind) ? l / c : c / l;
    }),
  );
}

function format(kind: Kind, v: number): string {
  switch (kind) {
    case 'bytes':
      return mb(v);
    case 'ms':
      return ms(v);
    case 'rate':
      return perSec(v);
    case 'MB/s':
      return `${v.toFixed(1)} MB/s`;
    case 'count':
      return String(v);
  }
}

/** A contender's figure with its note, without the ratio. */
function value(m: Metric, name: string): string {
  const v = fig(name, m.key);
  if (Number.isNaN(v)) return m.na?.[name] ?? 'n/a';
  const note = m.note?.[name];
  return note === undefined ? format(m.kind, v) : `${format(m.kind, v)} ${note}`;
}

function cell(m: Metric, name: string): string {
  let s = value(m, name);
  if (m.ratio && name !== LEANREC && !Number.isNaN(fig(name, m.key))) {
    const a = advantage(name, m.key, m.kind, m.ours);
    if (Number.isFinite(a)) s += ` · ${times(a)}`;
  }
  return s;
}

const mainRows: string[][] = [
  ['measure', ...NAMES],
  ...METRICS.map((m) => [m.label, ...NAMES.map((n) => cell(m, n))]),
];

const targetRows: string[][] = [
  ['vs', 'target for leanrec', 'leanrec', 'contender', 'measured', 'verdict'],
  ...TARGETS.filter((t) => NAMES.includes(t.vs)).map((t) => {
    const m = metricOf(t.key);
    const a = advantage(t.vs, t.key, m.kind, m.ours);
    return [
      t.vs,
      t.text,
      format(m.kind, fig(LEANREC, m.ours ?? t.key)),
      format(m.kind, fig(t.vs, t.key)),
      `${times(a)} (target ≥ ${t.min}×)`,
      verdict(a >= t.min),
    ];
  }),
  ...OWN.filter((t) => NAMES.includes(t.name) && !Number.isNaN(fig(t.name, t.key))).map((t) => {
    const v = fig(t.name, t.key);
    const shown = t.key === 'reopenSpeedup' ? times(v) : format(metricOf(t.key).kind, v);
    return [t.name, t.text, shown, '—', shown, verdict(t.ok(v))];
  }),
];

/**
 * README's headline table: per workload, leanrec against the contender with the best
 * figure on it (hot-only leanrec is leanrec, not a contender), and leanrec's advantage.
 */
function headlineRows(): string[][] {
  const rows = [['workload', 'leanrec', 'best other contender', 'leanrec’s advantage']];
  for (const m of METRICS.filter((x) => x.headline !== undefined)) {
    const others = NAMES.filter((n) => n !== LEANREC && n !== HOT_ONLY)
      .map((n) => ({ n, v: fig(n, m.key) }))
      .filter((o) => !Number.isNaN(o.v))
      .sort((a, b) => (higher(m.kind) ? b.v - a.v : a.v - b.v));
    const best = others[0];
    if (best === undefined || Number.isNaN(fig(LEANREC, m.key))) continue;
    const a = advantage(best.n, m.key, m.kind);
    rows.push([m.headline!, value(m, LEANREC), `${best.n}: ${value(m, best.n)}`, times(a)]);
  }
  return rows;
}

/** Counts every run of every contender must agree on (where it has them). */
function agreement(): string {
  const keys = ['records', 'queryRecords', 'priorityCount', 'gamesAllCount', 'unsatisfied'];
  const same: Record<string, string> = {
    priorityCountCodes: 'priorityCount',
    gamesAllCountCodes: 'gamesAllCount',
    parseRecords: 'records',
    readRecords: 'records',
  };
  const out: string[] = [];
  let ok = true;
  for (const k of keys) {
    const seen = new Set<number>();
    for (const n of NAMES)
      for (const r of runsOf(n))
        for (const rk of [k, ...Object.keys(same).filter((x) => same[x] === k)]) {
          const v = Number(r[rk]);
          if (r[rk] !== undefined && !Number.isNaN(v)) seen.add(v);
        }
    if (seen.size !== 1) ok = false;
    out.push(`${k} ${[...seen].join(' / ')}`);
  }
  const ix = runsOf(SQLITE).every(
    (r) =>
      r['priorityCountIndexed'] === r['priorityCount'] &&
      r['gamesAllCountIndexed'] === r['gamesAllCount'],
  );
  return `${ok && ix ? 'All contenders and runs agree' : 'MISMATCH between contenders or runs'}: ${out.join(', ')}.`;
}

const records = fig(LEANREC, 'records');
const date = new Date().toISOString();
const machine = `${environment()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const header =
  `Input: ${FILE} (${records} records). ${machine}. ` +
  `${RUNS} runs per contender, interleaved, each run one \`node --expose-gc\` process that ingests (W1) and then runs the other workloads on what it built (W7: one more process per run); ` +
  `medians of the runs. Seed ${SEED}. MB = 10^6 bytes. Load average ${load0} → ${load1}. ` +
  `Whole suite: ${ms(wallMs)}. ${date.slice(0, 10)}.`;
const legend =
  '`· n×` = leanrec’s advantage over that contender, run by run, then the median: the contender’s ' +
  'figure ÷ leanrec’s for memory and times, leanrec’s ÷ the contender’s for rates — above 1, leanrec is ' +
  'better; below 1, worse (the hot-only column is compared with full leanrec too).';
const ix = runsOf(SQLITE);
const notes = [
  'W2 `resident`: heapUsed + external after two gc(), above the same process before it opened its store (every contender’s library loaded before: leanrec opens and closes a store on disk first, as the others’ modules come with their static imports), plus memory the store keeps outside V8 by configuration: LevelDB’s block cache and write buffer (leanrec), SQLite’s page cache bound (`cache_size`; better-sqlite3’s default is 16 MB). lmdb-js keeps its data in a memory map: those pages are file-backed, shown in “RSS … file-backed”, not counted as resident. Full leanrec is measured after reading cold groups until its record cache is full at the default 4 MiB bound ' +
    `(as ingest leaves it: ${mb(fig(LEANREC, 'residentAfterIngest'))}; the cache counts ${mb(fig(LEANREC, 'memCache'))}: the decoded groups' size in V8's heap).`,
  `W1 reads the index with \`readPackages\` (leanrec’s deb822 parser) in every contender. lmdb-js: default options + \`sharedStructuresKey\`; better-sqlite3: WAL, \`synchronous = NORMAL\`, one transaction per 1,000 rows.`,
  'W3 and W5 use the same seeded key sequence (indices into the file’s records, keys re-read from the file as fresh strings); median of 3 passes of 100,000 lookups / 5 passes of 10,000 fetches, after a warm-up pass. “Fresh key strings” gives every pass its own new copy of the key strings, made before its clock starts, so no hash cached by an earlier pass helps. apache-arrow: a `Map` from the joined key to the row, then `get(row)` on its columns. W4: median of 7 timed slices of whole-table counts.',
  'W4 per contender: plain — a loop over the objects; lmdb-js — `getRange` over every record (it has no other way to filter on a field); better-sqlite3 — `SELECT count(*) … WHERE …` with no index but the primary key (full table scans, as leanrec’s; the filters stand for ad-hoc queries); apache-arrow — a plain loop over the dictionary vectors’ Int8 index arrays (validity checked on a match where a chunk has nulls), and the same loop over plain `Int8Array`s of codes (the “plain Int8 code loop” rows); leanrec — `store.count(filter)` over the enum columns. ' +
    `For reference, better-sqlite3 with an index made for each filter (built in ${ms(med(ix, 'indexMs'))}): ${perSec(med(ix, 'scanPriorityIndexed'))} and ${perSec(med(ix, 'scanGamesAllIndexed'))} table rows per second of query (plan: ${String(ix[0]?.['planPriorityIndexed'] ?? '?')}).`,
  'W5 uncached / cached: leanrec — `get` + `cold()` of groups control and relations, reopened with `cacheBytes: 0` / with 64 MiB after a warm-up pass; lmdb-js — `get` (whole record) after a reopen without / with its `cache: true` record cache; better-sqlite3 — the blob by key, msgpackr-decoded, with the default page cache / `cache_size` raised to 256 MiB; plain — every field is in RAM: the same reads, measured twice. “First pass after open”: the first pass after the uncached set-up, before any warm-up. leanrec alone: the same 10,000 keys read through `cold()` on views resolved before the clock starts, and through `loadMany` in batches of 256.',
  'W6: leanrec runs `verifyDependencies` on its store; the others run the same algorithm over plain records (bench/lib/verify-reference.ts): plain over its objects, lmdb-js over two `getRange` passes, better-sqlite3 over two passes of `SELECT package, version, cold`. Peak RSS: `VmHWM` reset (`/proc/self/clear_refs`) just before. Hot-only leanrec has no cold tier: no W5, no W6.',
  `W7 (bench/contenders/parse.ts): the index decompressed into memory, then parsed from 64 KiB chunks by \`parseDeb822\`, \`readPackages\` and a readline + \`indexOf(':')\` parser (the “plain” column), in turns in one process; median of 3 rounds after a warm-up; ${fig(PARSE, 'parseMB').toFixed(1)} MB of text.`,
  `W8: leanrec reopens its store (closed by \`close()\`, which stores the hot snapshot) three times, median; then deletes the snapshot's mark with a raw LevelDB handle and opens once more, rebuilding the hot tier from the records (open modes seen: ${String(runsOf(LEANREC)[0]?.['snapshotMode'] ?? '?')}, ${String(runsOf(LEANREC)[0]?.['rebuildMode'] ?? '?')}).`,
  agreement(),
];

/** The largest parts of leanrec hot-only's `memory()` (else full leanrec's), from its last run. */
function partRows(): string[][] {
  const last = (runsOf(HOT_ONLY).at(-1) ?? runsOf(LEANREC).at(-1))?.['parts'];
  const parts = Object.entries((last ?? {}) as Record<string, number>).sort((x, y) => y[1] - x[1]);
  const total = parts.reduce((sum, [, b]) => sum + b, 0);
  return [
    ['part', 'bytes', 'share'],
    ...parts
      .filter(([, b]) => b > 0)
      .slice(0, 12)
      .map(([n, b]) => [n, b.toLocaleString('en-US'), `${((100 * b) / total).toFixed(1)} %`]),
    ['(all parts)', total.toLocaleString('en-US'), '100 %'],
  ];
}
const partsTitle = `\`memory().parts\` of ${runsOf(HOT_ONLY).length > 0 ? HOT_ONLY : LEANREC} after W2 (largest)`;

const command = '`npm run bench` (`BENCH_RUNS=5 npm run bench` for more runs)';
const headline = headlineRows();
console.log(
  `\n${header}\n\n${textTable(mainRows)}\n\n${legend}\n\nTargets:\n${textTable(targetRows)}\n\n` +
    `Headline:\n${textTable(headline)}\n\n${partsTitle}:\n${textTable(partRows())}\n\n${notes.join('\n\n')}\n`,
);

// ── files ───────────────────────────────────────────────────────────────────────────────

if (!FULL) {
  console.log('A partial run (BENCH_ONLY, or BENCH_RUNS < 3): no file written.');
  process.exit(0);
}

const bars = (keys: { key: string; label: string }[], value: (v: number) => number) =>
  keys.flatMap(({ key, label }) =>
    NAMES.map(
      (n): Bar => ({
        group: label,
        series: n,
        value: value(fig(n, key)),
        label: format(metricOf(key).kind, fig(n, key)),
      }),
    ),
  );
const subtitle = `Debian bookworm main amd64, ${records} packages; medians of ${RUNS} runs`;
const memorySvg = await groupedBarChart(
  bars(
    [
      { key: 'resident', label: 'W2 resident after gc' },
      { key: 'peakRss', label: 'W1 peak RSS during ingest' },
    ],
    (b) => b / 1e6,
  ),
  { title: 'Memory (MB, lower is better)', subtitle, axis: 'MB', series: NAMES },
);
const throughputSvg = await groupedBarChart(
  bars(
    [
      { key: 'lookups', label: 'W3 point lookups/s' },
      { key: 'scanPriority', label: 'W4 scan rows/s (priority)' },
      { key: 'scanGamesAll', label: 'W4 scan rows/s (games, all)' },
      { key: 'coldUncached', label: 'W5 cold fetch/s, uncached' },
      { key: 'coldCached', label: 'W5 cold fetch/s, cached' },
    ],
    (v) => v,
  ),
  {
    title: 'Throughput (per second, log scale, higher is better)',
    subtitle,
    axis: 'per second',
    log: true,
    series: NAMES,
  },
);
const dir = join(ROOT, 'bench/results');
writeFileSync(join(dir, 'latest-memory.svg'), memorySvg);
writeFileSync(join(dir, 'latest-throughput.svg'), throughputSvg);

const table = markdownTable(mainRows);
writeResults(
  'latest',
  {
    file: FILE,
    seed: SEED,
    runs: RUNS,
    environment: machine,
    loadAverage: [load0, load1],
    date,
    wallMs,
    command: 'npm run bench',
    contenders: SELECTED,
    results: Object.fromEntries(runs),
    targets: TARGETS.map((t) => {
      const m = metricOf(t.key);
      const measured = advantage(t.vs, t.key, m.kind, m.ours);
      return { ...t, measured, met: measured >= t.min };
    }),
  },
  [
    '# Benchmark suite: leanrec vs plain objects, lmdb-js, better-sqlite3, apache-arrow',
    '',
    `Command: ${command}.`,
    '',
    header,
    '',
    table,
    '',
    legend,
    '',
    '## Targets',
    '',
    markdownTable(targetRows),
    '',
    `## ${partsTitle}`,
    '',
    markdownTable(partRows()),
    '',
    '## How each figure is taken',
    '',
    ...notes.flatMap((n) => [`- ${n}`]),
    '',
    '![memory](latest-memory.svg)',
    '',
    '![throughput](latest-throughput.svg)',
    '',
  ].join('\n'),
);

// README.md: only what stands between the markers is rewritten.
const readmePath = join(ROOT, 'README.md');
const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';
const readme = readFileSync(readmePath, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a >= 0 && b > a) {
  const block = [
    START,
    `Debian bookworm main amd64 (${records} packages), medians of ${RUNS} runs, ${date.slice(0, 10)}, ${machine}, load average ${load0} → ${load1}; ` +
      'leanrec’s advantage: the other’s figure ÷ leanrec’s for memory and times, leanrec’s ÷ the other’s for rates. ' +
      'Every figure, contender and method: [bench/results/latest.md](bench/results/latest.md).',
    '',
    markdownTable(headline),
    END,
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, a) + block + readme.slice(b + END.length));
}
console.log(
  `Wrote bench/results/latest.{md,json}, latest-memory.svg, latest-throughput.svg${a >= 0 && b > a ? ', README.md (bench:latest block)' : ''}.`,
);
console.log(`(npm run bench took ${ms(performance.now() - t0)})`);
