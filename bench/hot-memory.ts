/**
 * `npm run bench:hot`: the hot tier against plain objects, on the real Debian index
 * ($LEANREC_DEBIAN_PACKAGES, else the pinned bookworm main amd64 copy).
 *
 * Contenders (bench/contenders/hot-*.ts), each in its own process, ≥ 3 runs, interleaved:
 * - plain: readline parse, one object per paragraph with every field, a Map by
 *   `package\0version\0arch` (what apps do today);
 * - parse-only: the same read keeping nothing — the floor every contender pays;
 * - leanrec: `openStore(Hot, { cold: false })` with the hot fields of bench/lib/debian.ts.
 *
 * Resident memory = heapUsed + external after two gc() minus the parse-only process's
 * figure; ratios are taken run by run (run i of each contender), then the median.
 * Writes bench/results/hot-memory.{json,md}.
 */

import { packagesPath } from './lib/debian.ts';
import {
  environment,
  loadAverage,
  markdownTable,
  mb,
  med,
  median,
  ms,
  perSec,
  type Result,
  RUNS,
  runSuite,
  SEED,
  textTable,
  times,
  verdict,
  writeResults,
} from './lib/harness.ts';

const file = packagesPath();
const t0 = performance.now();
const load0 = loadAverage();
process.stderr.write(`bench:hot on ${file}, ${RUNS} runs per contender\n`);
const runs = runSuite([
  { name: 'parse-only', script: 'bench/contenders/hot-parse-only.ts' },
  { name: 'plain', script: 'bench/contenders/hot-plain.ts' },
  { name: 'leanrec', script: 'bench/contenders/hot-leanrec.ts' },
]);
const load1 = loadAverage();
const P = runs.get('plain')!;
const F = runs.get('parse-only')!;
const L = runs.get('leanrec')!;

/** Per run i: f(plain_i, leanrec_i, parseOnly_i); then the median over runs. */
const perRun = (f: (p: Result, l: Result, o: Result) => number): number =>
  median(P.map((p, i) => f(p, L[i]!, F[i]!)));
const n = (r: Result, k: string) => Number(r[k]);

const residentPlain = perRun((p, _l, o) => n(p, 'resident') - n(o, 'resident'));
const residentLean = perRun((_p, l, o) => n(l, 'resident') - n(o, 'resident'));
const residentRatio = perRun(
  (p, l, o) => (n(p, 'resident') - n(o, 'resident')) / (n(l, 'resident') - n(o, 'resident')),
);
const total = med(L, 'total');
const floor = med(L, 'floor');
const floorRatio = perRun((_p, l) => n(l, 'total') / n(l, 'floor'));
const speed = (k: string) => ({
  plain: med(P, k),
  lean: med(L, k),
  ratio: perRun((p, l) => n(l, k) / n(p, k)),
});
const lookups = speed('lookupsPerSec');
const scanPrio = speed('scanPriority');
const scanGames = speed('scanGamesAll');

const rows: string[][] = [
  ['measure', 'plain', 'leanrec', 'ratio', 'target', 'verdict'],
  [
    'resident (heap+external after gc − parse-only)',
    mb(residentPlain),
    mb(residentLean),
    `${times(residentRatio)} less`,
    '≤ 6 MB',
    verdict(residentLean <= 6e6),
  ],
  ['memory().total', '—', mb(total), '—', '≤ 5 MB', verdict(total <= 5e6)],
  [
    'memory().total / floor',
    '—',
    `${mb(total)} / ${mb(floor)}`,
    times(floorRatio),
    '≤ 1.3× floor',
    verdict(floorRatio <= 1.3),
  ],
  [
    'point lookups/s (get + package, version, section)',
    perSec(lookups.plain),
    perSec(lookups.lean),
    times(lookups.ratio),
    '≥ 1.5× plain',
    verdict(lookups.ratio >= 1.5),
  ],
  [
    'scan rows/s: priority ∈ {required, important}',
    perSec(scanPrio.plain),
    perSec(scanPrio.lean),
    times(scanPrio.ratio),
    '≥ 50× plain',
    verdict(scanPrio.ratio >= 50),
  ],
  [
    'scan rows/s: section = games & architecture = all',
    perSec(scanGames.plain),
    perSec(scanGames.lean),
    times(scanGames.ratio),
    '≥ 50× plain',
    verdict(scanGames.ratio >= 50),
  ],
  [
    'load (read + parse + build)',
    ms(med(P, 'loadMs')),
    ms(med(L, 'loadMs')),
    times(perRun((p, l) => n(l, 'loadMs') / n(p, 'loadMs'))),
    '—',
    `parse-only: ${ms(med(F, 'parseMs'))}`,
  ],
  [
    'peak RSS of the process (VmHWM)',
    mb(med(P, 'peakRss')),
    mb(med(L, 'peakRss')),
    '—',
    '—',
    `parse-only: ${mb(med(F, 'peakRss'))}`,
  ],
  [
    'heap+external after gc (absolute)',
    mb(med(P, 'resident')),
    mb(med(L, 'resident')),
    '—',
    '—',
    `parse-only: ${mb(med(F, 'resident'))}`,
  ],
];

const last = L[L.length - 1]!;
const floorText =
  `Floor of the layout: ${mb(floor)} = distinct string bytes ${mb(med(L, 'floorStrings'))} ` +
  `(${med(L, 'distinctStrings')} distinct strings over package, version, source, sourceVersion) + ` +
  `fixed width ${mb(med(L, 'floorFixed'))} (${last['bytesPerRow']} B + ${last['bitsPerRow']} bits per row × ` +
  `${last['records']} rows) + key index ${mb(med(L, 'floorIndex'))} (4 B × ${last['slots']} slots).`;
const parts = Object.entries(last['parts'] as Record<string, number>).sort((a, b) => b[1] - a[1]);
const partTotal = parts.reduce((s, [, b]) => s + b, 0);
const partRows = [
  ['part', 'bytes', 'share'],
  ...parts
    .filter(([, b]) => b > 0)
    .slice(0, 12)
    .map(([name, b]) => [
      name,
      b.toLocaleString('en-US'),
      `${((100 * b) / partTotal).toFixed(1)} %`,
    ]),
  ['(all parts)', partTotal.toLocaleString('en-US'), '100 %'],
];
const header =
  `Input: ${file} (${last['records']} records). ${environment()}; load average ${load0} → ${load1}. ` +
  `${RUNS} runs per contender, each in its own process; medians; ratios per run; ` +
  `rates: median of 5 lookup passes / 7 scan slices in each run. Seed ${SEED}. MB = 10^6 bytes. ${new Date().toISOString().slice(0, 10)}.`;

console.log(
  `\n${header}\n\n${textTable(rows)}\n\n${floorText}\n\nleanrec memory().parts (top):\n${textTable(partRows)}\n`,
);
console.log(`(bench:hot took ${ms(performance.now() - t0)})`);
writeResults(
  'hot-memory',
  {
    file,
    seed: SEED,
    environment: environment(),
    date: new Date().toISOString(),
    runs: Object.fromEntries(runs),
    loadAverage: [load0, load1],
    derived: {
      residentPlain,
      residentLean,
      residentRatio,
      total,
      floor,
      floorRatio,
      lookups,
      scanPrio,
      scanGames,
    },
  },
  [
    '# Hot tier: leanrec vs plain objects',
    '',
    header,
    '',
    markdownTable(rows),
    '',
    floorText,
    '',
    '`memory().parts` of leanrec (top):',
    '',
    markdownTable(partRows),
    '',
  ].join('\n'),
);
