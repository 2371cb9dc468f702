/**
 * `npm run bench`: the heap benchmark suite on the real Debian index
 * ($LEANREC_DEBIAN_PACKAGES, else the pinned bookworm main amd64 copy).
 *
 * Contenders (bench/contenders/suite-*.ts), each run in its own `node --expose-gc`
 * process that builds its state (W1) and runs W2…W6 on it (bench/lib/suite.ts):
 * plain objects + Map, lmdb-js (whole records, msgpackr shared structures), better-sqlite3
 * (hot columns + msgpackr cold blob, primary key), apache-arrow (the hot fields only,
 * dictionary-encoded, a `Map` key → row), leanrec (hot tier + LevelDB cold tier) and
 * leanrec hot-only. Workloads: W1 ingest, W2 resident memory after gc, W3 100,000
 * point lookups, W4 hot scans, W5 cold fetch of 10,000 keys uncached and cached, W6 full
 * dependency verify. `BENCH_RUNS` runs (≥ 3), interleaved; medians; ratios to leanrec
 * taken run by run, then their median; the targets of the suite checked from those ratios.
 *
 * Writes bench/results/latest.{md,json}, latest-memory.svg and latest-throughput.svg,
 * and the table between the `bench:latest` markers of README.md.
 *
 * `BENCH_ONLY=apache-arrow,plain,hot-only` (names or words of names, comma-separated) runs only
 * those contenders beside leanrec, to iterate on a change: the tables are printed, no
 * file is written.
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

const ALL: Contender[] = [
  { name: PLAIN, script: 'bench/contenders/suite-plain.ts' },
  { name: LMDB, script: 'bench/contenders/suite-lmdb.ts' },
  { name: SQLITE, script: 'bench/contenders/suite-sqlite.ts' },
  { name: ARROW, script: 'bench/contenders/suite-arrow.ts' },
  { name: LEANREC, script: 'bench/contenders/suite-leanrec.ts' },
  { name: HOT_ONLY, script: 'bench/contenders/suite-leanrec.ts', args: ['hot-only'] },
];
const ONLY = process.env['BENCH_ONLY']?.split(',').map((s) => s.trim().toLowerCase());
const CONTENDERS = ALL.filter(
  (c) =>
    ONLY === undefined ||
    c.name === LEANREC ||
    ONLY.some((o) => c.name.toLowerCase() === o || c.name.toLowerCase().split(' ').includes(o)),
);
const NAMES = CONTENDERS.map((c) => c.name);

/** How a figure reads: bytes and times are better lower, rates higher; counts are checks. */
type Kind = 'bytes' | 'ms' | 'rate' | 'count';

interface Metric {
  /** The result key every contender emits. */
  key: string;
  label: string;
  kind: Kind;
  /** Show leanrec's advantage beside each contender's figure. */
  ratio: boolean;
  /** Why a contender has no figure. */
  na?: Partial<Record<string, string>>;
  /** A word after a contender's figure. */
  note?: Partial<Record<string, string>>;
  /** leanrec's figure to compare with, when leanrec has none under `key`. */
  ours?: string;
}

const NO_COLD = { [HOT_ONLY]: 'n/a (no cold tier)', [ARROW]: 'n/a (hot fields only)' };
const ARROW_ONLY = { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [LEANREC]: '—', [HOT_ONLY]: '—' };
const METRICS: Metric[] = [
  { key: 'ingestMs', label: 'W1 ingest: open → last record written', kind: 'ms', ratio: true },
  { key: 'peakRss', label: 'W1 peak RSS during ingest (VmHWM)', kind: 'bytes', ratio: true },
  {
    key: 'ingestParsed',
    label: 'W1b hot-only ingest of the records parsed beforehand (records/s)',
    kind: 'rate',
    ratio: false,
    na: { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—', [LEANREC]: '—' },
  },
  {
    key: 'resident',
    label: 'W2 resident after gc: heap + external above before-open + native buffers',
    kind: 'bytes',
    ratio: true,
    note: { [LEANREC]: '(record cache full at its default 4 MiB)' },
  },
  {
    key: 'memTotal',
    label: 'W2 store.memory().total: hot tier + record cache (decoded size) + LevelDB configured',
    kind: 'bytes',
    ratio: false,
    na: { [PLAIN]: '—', [LMDB]: '—', [SQLITE]: '—', [ARROW]: '—' },
  },
  { key: 'heapUsed', label: 'W2 heapUsed above before-open', kind: 'bytes', ratio: false },
  { key: 'external', label: 'W2 external above before-open', kind: 'bytes', ratio: false },
  {
    key: 'arrayBuffers',
    label: 'W2 arrayBuffers above before-open (part of external)',
    kind: 'bytes',
    ratio: false,
  },
  {
    key: 'native',
    label: 'W2 native buffers outside V8, as configured',
    kind: 'bytes',
    ratio: false,
    note: { [LEANREC]: '(LevelDB cache + write buffer)', [SQLITE]: '(page cache)' },
  },
  { key: 'rss', label: 'W2 RSS after gc', kind: 'bytes', ratio: false },
  { key: 'rssAnon', label: 'W2 RSS after gc: anonymous', kind: 'bytes', ratio: false },
  {
    key: 'rssFile',
    label: 'W2 RSS after gc: file-backed (code, mapped files)',
    kind: 'bytes',
    ratio: false,
  },
  {
    key: 'lookups',
    label: `W3 point lookups/s: get + package, version, section (${LOOKUPS.toLocaleString('en-US')} keys)`,
    kind: 'rate',
    ratio: true,
  },
  {
    key: 'lookupsFresh',
    label: 'W3 point lookups/s, fresh key strings each pass (no cached string hash)',
    kind: 'rate',
    ratio: true,
  },
  {
    key: 'scanPriority',
    label: 'W4 hot scan rows/s: priority ∈ {required, important}',
    kind: 'rate',
    ratio: true,
  },
  {
    key: 'scanGamesAll',
    label: 'W4 hot scan rows/s: section = games ∧ architecture = all',
    kind: 'rate',
    ratio: true,
  },
  {
    key: 'scanPriorityCodes',
    label: 'W4 priority scan as a plain loop over an Int8Array of dictionary codes',
    kind: 'rate',
    ratio: true,
    ours: 'scanPriority',
    na: ARROW_ONLY,
  },
  {
    key: 'scanGamesAllCodes',
    label: 'W4 games ∧ all scan as a plain loop over two Int8Arrays of dictionary codes',
    kind: 'rate',
    ratio: true,
    ours: 'scanGamesAll',
    na: ARROW_ONLY,
  },
  {
    key: 'coldUncached',
    label: `W5 cold fetch/s, uncached: description + maintainer + depends (${COLD_KEYS.toLocaleString('en-US')} keys)`,
    kind: 'rate',
    ratio: true,
    na: NO_COLD,
    note: { [PLAIN]: '(in RAM)' },
  },
  {
    key: 'coldCached',
    label: 'W5 cold fetch/s, cached',
    kind: 'rate',
    ratio: true,
    na: NO_COLD,
    note: { [PLAIN]: '(in RAM)' },
  },
  {
    key: 'verifyMs',
    label: 'W6 verify Pre-Depends + Depends of every package: time',
    kind: 'ms',
    ratio: true,
    na: NO_COLD,
  },
  {
    key: 'verifyPeakAbove',
    label: 'W6 verify: peak RSS above the RSS at its start',
    kind: 'bytes',
    ratio: true,
    na: NO_COLD,
  },
  {
    key: 'unsatisfied',
    label: 'W6 verify: unsatisfied groups found',
    kind: 'count',
    ratio: false,
    na: NO_COLD,
  },
  {
    key: 'diskBytes',
    label: 'size on disk',
    kind: 'bytes',
    ratio: false,
    na: { [PLAIN]: '—', [HOT_ONLY]: '—', [ARROW]: '—' },
  },
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

/** W1b's target: hot-only ingest of parsed records, records per second (absolute). */
const INGEST_PARSED_MIN = 250_000;

// ── run ─────────────────────────────────────────────────────────────────────────────────

const t0 = performance.now();
const load0 = loadAverage();
process.stderr.write(
  `npm run bench on ${FILE}: ${CONTENDERS.length} contenders × ${RUNS} runs, interleaved\n`,
);
const runs = runSuite(CONTENDERS);
const load1 = loadAverage();
const wallMs = performance.now() - t0;

const runsOf = (name: string): Result[] => runs.get(name) ?? [];
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
      return kind === 'rate' ? l / c : c / l;
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
    case 'count':
      return String(v);
  }
}

function cell(m: Metric, name: string): string {
  const v = fig(name, m.key);
  if (Number.isNaN(v)) return m.na?.[name] ?? 'n/a';
  let s = format(m.kind, v);
  const note = m.note?.[name];
  if (note !== undefined) s += ` ${note}`;
  if (m.ratio && name !== LEANREC) {
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
  ...(NAMES.includes(HOT_ONLY)
    ? [
        [
          HOT_ONLY,
          `W1b ingest of parsed records ≥ ${perSec(INGEST_PARSED_MIN)}`,
          format('rate', fig(HOT_ONLY, 'ingestParsed')),
          '—',
          format('rate', fig(HOT_ONLY, 'ingestParsed')),
          verdict(fig(HOT_ONLY, 'ingestParsed') >= INGEST_PARSED_MIN),
        ],
      ]
    : []),
];

/** Counts every run of every contender must agree on (where it has them). */
function agreement(): string {
  const keys = ['records', 'queryRecords', 'priorityCount', 'gamesAllCount', 'unsatisfied'];
  const same: Record<string, string> = {
    priorityCountCodes: 'priorityCount',
    gamesAllCountCodes: 'gamesAllCount',
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
  `${RUNS} runs per contender, interleaved, each run one \`node --expose-gc\` process that ingests (W1) and then runs W2–W6 on what it built; ` +
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
  'W5 uncached / cached: leanrec — `get` + `cold()` of groups control and relations, reopened with `cacheBytes: 0` / with 64 MiB after a warm-up pass; lmdb-js — `get` (whole record) without / with its `cache: true` record cache; better-sqlite3 — the blob by key, msgpackr-decoded, with the default page cache / `cache_size` raised to 256 MiB; plain — every field is in RAM, one rate shown in both rows.',
  'W6: leanrec runs `verifyDependencies` on its store; the others run the same algorithm over plain records (bench/lib/verify-reference.ts): plain over its objects, lmdb-js over two `getRange` passes, better-sqlite3 over two passes of `SELECT package, version, cold`. Peak RSS: `VmHWM` reset (`/proc/self/clear_refs`) just before. Hot-only leanrec has no cold tier: no W5, no W6.',
  agreement(),
];

const command = '`npm run bench` (`BENCH_RUNS=5 npm run bench` for more runs)';
console.log(
  `\n${header}\n\n${textTable(mainRows)}\n\n${legend}\n\nTargets:\n${textTable(targetRows)}\n\n${notes.join('\n\n')}\n`,
);

// ── files ───────────────────────────────────────────────────────────────────────────────

if (ONLY !== undefined) {
  console.log(`BENCH_ONLY=${process.env['BENCH_ONLY']}: a partial run, no file written.`);
  process.exit(0);
}

const bars = (keys: { key: string; label: string }[], value: (v: number) => number) =>
  keys.flatMap(({ key, label }) =>
    NAMES.map(
      (n): Bar => ({
        group: label,
        series: n,
        value: value(fig(n, key)),
        label: format(METRICS.find((m) => m.key === key)!.kind, fig(n, key)),
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
    contenders: CONTENDERS,
    results: Object.fromEntries(runs),
    targets: TARGETS.map((t) => {
      const kind = METRICS.find((m) => m.key === t.key)!.kind;
      const measured = advantage(t.vs, t.key, kind);
      return { ...t, measured, met: measured >= t.min };
    }),
  },
  [
    '# Benchmark suite: leanrec vs plain objects, lmdb-js, better-sqlite3',
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
    `${RUNS} runs, ${date.slice(0, 10)}, ${machine}; whole suite ${ms(wallMs)}.`,
    '',
    table,
    '',
    legend,
    '',
    '![Memory of each contender on the Debian index](bench/results/latest-memory.svg)',
    END,
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, a) + block + readme.slice(b + END.length));
}
console.log(
  `Wrote bench/results/latest.{md,json}, latest-memory.svg, latest-throughput.svg${a >= 0 && b > a ? ', README.md (bench:latest block)' : ''}.`,
);
console.log(`(npm run bench took ${ms(performance.now() - t0)})`);
