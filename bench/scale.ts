/**
 * `npm run bench:scale`: how leanrec's cost grows from 250 k to 10 M records, next to plain
 * objects until they no longer fit in the default heap. One child per (contender, size,
 * run), `--expose-gc`, default heap, on synthetic indexes made from the real one
 * (bench/lib/synthetic.ts): `leanrec` the hot tier (contenders/scale-leanrec.ts), `plain`
 * one object per record in a `Map` (scale-plain.ts; a run that runs out of heap is
 * reported with how far it got, and not retried), `leanrec-disk` the full store on disk.
 *
 * Environment: `SCALE_SIZES` (default 250000,1000000,4000000,10000000), `BENCH_RUNS` (runs
 * ≤ 1 M, default 3), `SCALE_BIG_RUNS` (runs above 1 M, default 3), `SCALE_CONTENDERS`
 * (default leanrec,plain,leanrec-disk), `SCALE_DISK_SIZES` (default 250000,1000000),
 * `SCALE_TIMEOUT_S` (cap of one child, default 900), `LEANREC_DEBIAN_PACKAGES`,
 * `SCALE_SEED`, `BENCH_SEED`, `SCALE_OUT` (result file name, default `scale`).
 *
 * The 100 M step (hot-only, one run, tens of minutes, ~10 GB): `SCALE_SIZES=250000,100000000
 * SCALE_CONTENDERS=leanrec BENCH_RUNS=1 SCALE_BIG_RUNS=1 SCALE_TIMEOUT_S=5400
 * SCALE_OUT=scale-100m npm run bench:scale`; checked against {@link FLAT_100M}× of 250 k.
 * Writes bench/results/<SCALE_OUT>.{json,md}.
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { type Attempt, runChild } from './lib/child-run.ts';
import { packagesPath } from './lib/debian.ts';
import {
  environment,
  markdownTable,
  mb,
  median,
  ms,
  perSec,
  type Result,
  SEED,
  textTable,
  times,
  verdict,
  writeResults,
} from './lib/harness.ts';
import { SCALE_SEED } from './lib/synthetic.ts';

const list = (env: string | undefined, dflt: string): number[] =>
  (env ?? dflt)
    .split(',')
    .map((s) => Number(s.trim().replaceAll('_', '')))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
const SIZES = list(process.env['SCALE_SIZES'], '250000,1000000,4000000,10000000').sort(
  (a, b) => a - b,
);
const RUNS_SMALL = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3) || 3);
const RUNS_BIG = Math.max(1, Number(process.env['SCALE_BIG_RUNS'] ?? 3) || 3);
const DISK_SIZES = new Set(list(process.env['SCALE_DISK_SIZES'], '250000,1000000'));
const TIMEOUT_MS = 1000 * (Number(process.env['SCALE_TIMEOUT_S'] ?? 900) || 900);
const CONTENDERS = (process.env['SCALE_CONTENDERS'] ?? 'leanrec,plain,leanrec-disk')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');

/** The target of the issue: bytes/record at the largest size ÷ at the smallest. */
const FLAT_TARGET = 1.2;
/** Acceptance: the hot tier at 10 M records under 1.5 GB. */
const HOT_LIMIT = 1.5e9;
const ACCEPT_SIZE = 10_000_000;
/** The 100 M step: cost per record (ingest time, bytes) at 100 M ÷ at 250 k, at most this. */
const FLAT_100M = 1.1;
const BIG_SIZE = 100_000_000;
const OUT = process.env['SCALE_OUT'] ?? 'scale';

const SCRIPTS: Record<string, { script: string; args: string[] }> = {
  leanrec: { script: 'bench/contenders/scale-leanrec.ts', args: ['hot'] },
  'leanrec-disk': { script: 'bench/contenders/scale-leanrec.ts', args: ['disk'] },
  plain: { script: 'bench/contenders/scale-plain.ts', args: [] },
};
for (const c of CONTENDERS) if (SCRIPTS[c] === undefined) throw new Error(`unknown contender ${c}`);

const loadavg = (): string => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
};
const runsAt = (size: number) => (size <= 1_000_000 ? RUNS_SMALL : RUNS_BIG);
const fmtN = (n: number) =>
  n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : `${n}`;

const file = packagesPath();
const t0 = performance.now();
const load0 = loadavg();
process.stderr.write(
  `bench:scale on ${file}: sizes ${SIZES.map(fmtN).join(', ')}; ${CONTENDERS.join(', ')}; ` +
    `${RUNS_SMALL} run(s) ≤ 1 M, ${RUNS_BIG} above; load ${load0}\n`,
);

/** Attempts by contender, then size. */
const attempts = new Map<string, Map<number, Attempt[]>>(CONTENDERS.map((c) => [c, new Map()]));

for (const size of SIZES) {
  const runs = runsAt(size);
  for (let r = 1; r <= runs; r++)
    for (const c of CONTENDERS) {
      if (c === 'leanrec-disk' && !DISK_SIZES.has(size)) continue;
      const done = attempts.get(c)!.get(size) ?? [];
      // A run that ran out of heap or time stops at the same point every time: not retried.
      if (done.some((a) => a.outcome !== 'ok')) continue;
      const { script, args } = SCRIPTS[c]!;
      let nextNote = 1 << 20;
      const label = `${fmtN(size)} ${c} run ${r}/${runs}`;
      const a = await runChild(script, [String(size), ...args], TIMEOUT_MS, (n, t) => {
        if (n >= nextNote && n < size) {
          process.stderr.write(`    ${label}: ${fmtN(n)} records, ${(t / 1000).toFixed(0)} s\n`);
          while (nextNote <= n) nextNote += 1 << 20;
        }
      });
      done.push(a);
      attempts.get(c)!.set(size, done);
      process.stderr.write(
        `  ${label}: ${a.outcome} in ${(a.wallMs / 1000).toFixed(1)} s${a.outcome === 'ok' ? '' : ` — ${describe(a)}`}\n`,
      );
      if (a.outcome === 'error')
        process.stderr.write(`${a.stderrTail.map((l) => `    | ${l}`).join('\n')}\n`);
    }
}
const wallMs = performance.now() - t0;
const load1 = loadavg();

function describe(a: Attempt): string {
  const at = `${a.records.toLocaleString('en-US')} records`;
  const after = `${(a.ingestWallMs / 1000).toFixed(0)} s`;
  switch (a.outcome) {
    case 'ok':
      return 'ok';
    case 'oom':
      return `out of memory (V8 heap limit) after ${at} (last progress line), ${after} into the ingest (heapUsed ${mb(a.heapUsed)} at the last progress line)`;
    case 'timeout':
      return `stopped at the ${TIMEOUT_MS / 1000} s cap: ${at} after ${after} of ingest`;
    case 'error':
      return `failed (exit ${a.code ?? a.signal}) at ${at}: ${a.stderrTail.at(-1) ?? ''}`;
  }
}

// ── derived figures ─────────────────────────────────────────────────────────────────────

/** Medians over the ok runs of these figures of each child; per-record ones divide by the size. */
const FIGURES = [
  'ingestPerSec',
  'generatorPerSec',
  'total',
  'hot',
  'hotUsed',
  'residentDelta',
  'lookupsPerSec',
  'peakRss',
  'rssBefore',
  'diskBytes',
  'closeMs',
] as const;
type Row = { size: number; contender: string; runs: number; ok: number; status: string } & Record<
  (typeof FIGURES)[number] | 'perRecordAllocated' | 'perRecordUsed' | 'perRecordResident',
  number
>;

const num = (r: Result, k: string) => Number(r[k]);
const medOf = (rs: readonly Result[], f: (r: Result) => number) => median(rs.map(f));
const rows: Row[] = [];
for (const size of SIZES)
  for (const c of CONTENDERS) {
    const as = attempts.get(c)!.get(size);
    if (as === undefined) continue;
    const ok = as.filter((a) => a.outcome === 'ok').map((a) => a.result!);
    const failed = as.find((a) => a.outcome !== 'ok');
    const status =
      failed === undefined
        ? `ok (${ok.length} run${ok.length === 1 ? '' : 's'})`
        : ok.length > 0
          ? `${ok.length} ok, then ${describe(failed)}`
          : describe(failed);
    const fig = Object.fromEntries(FIGURES.map((k) => [k, medOf(ok, (r) => num(r, k))]));
    rows.push({
      size,
      contender: c,
      runs: as.length,
      ok: ok.length,
      status,
      ...(fig as Record<(typeof FIGURES)[number], number>),
      perRecordAllocated: medOf(ok, (r) => num(r, 'total') / size),
      perRecordUsed: medOf(ok, (r) => num(r, 'hotUsed') / size),
      perRecordResident: medOf(ok, (r) => num(r, 'residentDelta') / size),
    });
  }

const cell = (x: number, f: (x: number) => string) => (Number.isNaN(x) ? '—' : f(x));
const bytes = (x: number) => `${x.toFixed(1)} B`;
const mainRows: string[][] = [
  [
    'records',
    'contender',
    'ingest rec/s',
    'memory().total',
    'B/record allocated',
    'B/record used',
    'heap+ext Δ / record',
    'lookups/s',
    'peak RSS',
    'status',
  ],
  ...rows.map((r) => [
    fmtN(r.size),
    r.contender,
    cell(r.ingestPerSec, perSec),
    cell(r.total, mb),
    cell(r.perRecordAllocated, bytes),
    cell(r.perRecordUsed, bytes),
    cell(r.perRecordResident, bytes),
    cell(r.lookupsPerSec, perSec),
    cell(r.peakRss, mb),
    r.status,
  ]),
];

// Flatness of leanrec's hot tier: largest size ÷ smallest size.
const lean = rows.filter((r) => r.contender === 'leanrec' && r.ok > 0);
const first = lean[0];
const last = lean[lean.length - 1];
const flat = (k: 'perRecordAllocated' | 'perRecordUsed' | 'perRecordResident') =>
  first !== undefined && last !== undefined ? last[k] / first[k] : Number.NaN;
const flatAllocated = flat('perRecordAllocated');
const flatUsed = flat('perRecordUsed');
const flatResident = flat('perRecordResident');
const span =
  first !== undefined && last !== undefined ? `${fmtN(last.size)} ÷ ${fmtN(first.size)}` : '—';
const at10M = lean.find((r) => r.size === ACCEPT_SIZE);
const at100M = lean.find((r) => r.size === BIG_SIZE);
const at250k = lean.find((r) => r.size === 250_000);
/** Per-record cost at 100 M ÷ at 250 k (time per record is 1 ÷ the ingest rate). */
const big = (f: (r: Row) => number): number =>
  at100M === undefined || at250k === undefined ? Number.NaN : f(at100M) / f(at250k);
const bigTime = big((r) => 1 / r.ingestPerSec);
const bigBytes = big((r) => r.perRecordAllocated);
const bigUsed = big((r) => r.perRecordUsed);
const bigLookup = big((r) => 1 / r.lookupsPerSec);
const bigRow = (label: string, x: number, target: boolean): string[] => [
  `${label}, 100 M ÷ 250 k`,
  at100M === undefined ? 'not run' : cell(x, times),
  target ? `≤ ${FLAT_100M}×` : '(shown)',
  !target || Number.isNaN(x) ? '—' : verdict(x <= FLAT_100M),
];

const flatRow = (label: string, x: number): string[] => [
  `${label}, ${span}`,
  cell(x, times),
  `≤ ${FLAT_TARGET}×`,
  Number.isNaN(x) ? '—' : verdict(x <= FLAT_TARGET),
];
const hotRow = (label: string, x: number | undefined): string[] => [
  `hot tier at 10 M records: ${label}`,
  x === undefined ? 'not run' : mb(x),
  '< 1.5 GB',
  x === undefined ? '—' : verdict(x < HOT_LIMIT),
];
const verdictRows: string[][] = [
  ['measure', 'value', 'target', 'verdict'],
  flatRow('bytes/record, memory().total (allocated)', flatAllocated),
  flatRow('bytes/record in use (row parts scaled to the rows held)', flatUsed),
  flatRow('bytes/record, heap+external after gc − before ingest', flatResident),
  hotRow('memory().hot', at10M?.hot),
  hotRow('heap+external after gc − before ingest', at10M?.residentDelta),
  bigRow('ingest time per record', bigTime, true),
  bigRow('bytes/record, memory().total (allocated)', bigBytes, true),
  bigRow('bytes/record in use', bigUsed, true),
  bigRow('time per point lookup', bigLookup, false),
];

// Where leanrec's bytes go, per record, at each size (last ok run of each size).
const GROUPS: [string, (name: string) => boolean][] = [
  ['string columns (4 B/row)', (n) => /^column:(package|version|source|sourceVersion)$/.test(n)],
  ['number columns', (n) => /^column:(installedSize|size)$/.test(n)],
  ['enum columns', (n) => /^column:(architecture|section|priority|multiArch)$/.test(n)],
  [
    'flag + presence bitsets',
    (n) =>
      n.startsWith('presence:') ||
      /^column:(essential|protected|important|buildEssential)$/.test(n),
  ],
  ['ids + tombstones', (n) => n === 'ids' || n === 'tombstones'],
  ['string pool', (n) => n === 'pool' || n === 'pool:intern-table'],
  ['key index', (n) => n === 'key-index'],
  ['secondary indexes', (n) => n === 'secondary-indexes'],
];
const leanBySize = SIZES.map((size) => {
  const as =
    attempts
      .get('leanrec')
      ?.get(size)
      ?.filter((a) => a.outcome === 'ok') ?? [];
  return { size, r: as[as.length - 1]?.result };
}).filter((x) => x.r !== undefined);
const breakdownRows: string[][] = [
  ['part (B/record)', ...leanBySize.map((x) => fmtN(x.size))],
  ...GROUPS.map(([name, match]) => [
    name,
    ...leanBySize.map(({ size, r }) => {
      const parts = r!['parts'] as Record<string, number>;
      let b = 0;
      for (const [k, v] of Object.entries(parts)) if (match(k)) b += v;
      return bytes(b / size);
    }),
  ]),
  ['row capacity / rows', ...leanBySize.map(({ size, r }) => times(num(r!, 'capacity') / size))],
  [
    'key index load',
    ...leanBySize.map(({ size, r }) => {
      const slots = ((r!['parts'] as Record<string, number>)['key-index'] ?? Number.NaN) / 5;
      return (size / slots).toFixed(2);
    }),
  ],
  ['generator alone (rec/s)', ...leanBySize.map(({ r }) => perSec(num(r!, 'generatorPerSec')))],
  ['RSS before ingest', ...leanBySize.map(({ r }) => mb(num(r!, 'rssBefore')))],
];

const diskRows = rows.filter((r) => r.contender === 'leanrec-disk' && r.ok > 0);
const diskTable = [
  ['records', 'ingest rec/s', 'disk size', 'disk B/record', 'close (snapshot)', 'memory().total'],
  ...diskRows.map((r) => [
    fmtN(r.size),
    perSec(r.ingestPerSec),
    mb(r.diskBytes),
    bytes(r.diskBytes / r.size),
    ms(r.closeMs),
    mb(r.total),
  ]),
];
const diskText = diskRows.length === 0 ? '' : textTable(diskTable);

const firstOk = [...attempts.values()]
  .flatMap((m) => [...m.values()].flat())
  .find((a) => a.outcome === 'ok')?.result;
const header =
  `Input: synthetic indexes made from ${file} (${firstOk?.['templates'] ?? '?'} real records; ` +
  `names suffixed per copy, versions shuffled with seed ${SCALE_SEED}, lookup seed ${SEED}). ` +
  `${environment()}. Default heap (no --max-old-space-size; V8 heap limit ${(getHeapStatistics().heap_size_limit / 2 ** 20).toFixed(0)} MiB${process.env['NODE_OPTIONS'] ? `, NODE_OPTIONS=${process.env['NODE_OPTIONS']}` : ''}). Runs per size: ${RUNS_SMALL} at ≤ 1 M, ` +
  `${RUNS_BIG} above (medians of the runs that finished); a run that ran out of heap or time is not retried. ` +
  `Load average (1, 5, 15 min) ${load0} → ${load1}; total ${ms(wallMs)}. MB = 10^6 bytes. ` +
  `${new Date().toISOString().slice(0, 10)}.`;
const notes = [
  'B/record allocated = `memory().total` ÷ records (the typed arrays as allocated: columns grow by doubling).',
  'B/record used = the same with the row-proportional parts (columns, bitsets, ids) scaled from their row capacity to the rows held; pool and key index as allocated.',
  'heap+ext Δ = heapUsed + external after two gc() minus the same before ingest, in the same process (the real records the generator copies are held in both).',
  'Ingest rates include making each synthetic record (leanrec: an object spread of a real record; plain: fresh strings for every field); "generator alone" gives that cost for leanrec.',
  'Plain objects hold every field of the paragraph as fresh flat strings (no sliced-string retention), so they are smaller than the readline objects of bench:hot: a favourable case for plain.',
];

console.log(
  `\n${header}\n\n${textTable(mainRows)}\n\n${textTable(verdictRows)}\n\n` +
    `leanrec hot tier, bytes per record by part:\n${textTable(breakdownRows)}\n` +
    (diskText === ''
      ? ''
      : `\nleanrec full store (cold groups in LevelDB on disk):\n${diskText}\n`),
);
console.log(`(bench:scale took ${ms(wallMs)}; load ${load0} → ${load1})`);

writeResults(
  OUT,
  {
    file,
    seed: SCALE_SEED,
    lookupSeed: SEED,
    environment: environment(),
    date: new Date().toISOString(),
    sizes: SIZES,
    runs: { small: RUNS_SMALL, big: RUNS_BIG },
    loadAverage: [load0, load1],
    wallMs,
    attempts: Object.fromEntries(
      [...attempts].map(([c, m]) => [c, Object.fromEntries([...m].map(([s, as]) => [s, as]))]),
    ),
    derived: { rows, flatAllocated, flatUsed, flatResident, span },
  },
  `${[
    `# Scale: leanrec from ${fmtN(SIZES[0] ?? 0)} to ${fmtN(SIZES.at(-1) ?? 0)} records${CONTENDERS.length > 1 ? ', next to plain objects' : ''}`,
    header,
    markdownTable(mainRows),
    notes.map((n) => `- ${n}`).join('\n'),
    markdownTable(verdictRows),
    'leanrec hot tier, bytes per record by part (`memory().parts`, last run of each size):',
    markdownTable(breakdownRows),
    ...(diskRows.length === 0
      ? []
      : [
          'leanrec full store (`openStore(debianPackages, { path })`, cold groups in LevelDB on disk, temp dir):',
          markdownTable(diskTable),
        ]),
  ].join('\n\n')}\n`,
);
