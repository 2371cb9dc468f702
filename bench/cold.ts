/**
 * `npm run bench:cold`: the on-disk store (hot tier + cold groups in LevelDB) against
 * lmdb-js holding whole records, and against the peak of a plain-object parse, on the
 * real Debian index ($LEANREC_DEBIAN_PACKAGES, else the pinned bookworm main amd64 copy).
 *
 * Contenders (bench/contenders/cold-*.ts, and hot-parse-only.ts for the parse's own peak),
 * each in its own process, ≥ 3 runs, interleaved.
 * Cold reads fetch description + maintainer (group `control`) and depends (group
 * `relations`) for 10,000 keys of the shared seeded sequence. "cold() only" times
 * `view.cold()` on views resolved beforehand; "get + cold()" times key → fields, the
 * same work as one lmdb `get`. Ratios are taken run by run, then the median.
 * Writes bench/results/cold.{json,md}.
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
process.stderr.write(`bench:cold on ${file}, ${RUNS} runs per contender\n`);
const runs = runSuite([
  { name: 'parse-only', script: 'bench/contenders/hot-parse-only.ts' },
  { name: 'plain', script: 'bench/contenders/cold-plain.ts' },
  { name: 'leanrec', script: 'bench/contenders/cold-leanrec.ts' },
  { name: 'lmdb', script: 'bench/contenders/cold-lmdb.ts' },
]);
const load1 = loadAverage();
const P = runs.get('plain')!;
const L = runs.get('leanrec')!;
const D = runs.get('lmdb')!;
const F = runs.get('parse-only')!;
const n = (r: Result, k: string) => Number(r[k]);
/** Per run i: f(leanrec_i, lmdb_i, plain_i); then the median over runs. */
const perRun = (f: (l: Result, d: Result, p: Result) => number): number =>
  median(L.map((l, i) => f(l, D[i]!, P[i]!)));

const peakRatio = perRun((l, _d, p) => n(l, 'peakRss') / n(p, 'peakRss'));
const peakAbove = (r: Result, i: number) => n(r, 'peakRss') - n(F[i]!, 'peakRss');
const peakAboveRatio = median(L.map((l, i) => peakAbove(l, i) / peakAbove(P[i]!, i)));
const residentStore = med(L, 'residentStore');
const reopenRatio = perRun((l) => n(l, 'reopenRebuildMs') / n(l, 'reopenSnapshotMs'));
const vsLmdb = (k: string, dk: string) => perRun((l, d) => n(l, k) / n(d, dk));
const uncachedFirstRatio = vsLmdb('uncachedFirst', 'getFirst');
const uncachedRatio = vsLmdb('uncached', 'get');
const uncachedGetRatio = vsLmdb('uncachedGet', 'get');
const loadManyRatio = vsLmdb('loadMany', 'get');
const cached = med(L, 'cached');
const cachedGet = med(L, 'cachedGet');

const rows: string[][] = [
  ['measure', 'leanrec', 'lmdb-js', 'plain objects', 'ratio', 'target', 'verdict'],
  [
    'ingest time (read + parse + write)',
    ms(med(L, 'ingestMs')),
    ms(med(D, 'ingestMs')),
    `${ms(med(P, 'loadMs'))} (parse into objects)`,
    `${times(perRun((l, d) => n(l, 'ingestMs') / n(d, 'ingestMs')))} lmdb's time`,
    '—',
    '—',
  ],
  [
    'peak RSS during ingest (VmHWM)',
    mb(med(L, 'peakRss')),
    mb(med(D, 'peakRss')),
    mb(med(P, 'peakRss')),
    `${times(peakRatio)} plain's`,
    '≤ 0.5× plain',
    verdict(peakRatio <= 0.5),
  ],
  [
    'peak RSS above the parse-only peak (same readline read, nothing kept)',
    mb(median(L.map(peakAbove))),
    mb(median(D.map(peakAbove))),
    mb(median(P.map(peakAbove))),
    `${times(peakAboveRatio)} plain's`,
    '(≤ 0.5× plain)',
    verdict(peakAboveRatio <= 0.5),
  ],
  [
    'RSS after imports, before the work (node + tsx + modules)',
    mb(med(L, 'baseRss')),
    '—',
    '—',
    '—',
    '—',
    `parse-only peak: ${mb(med(F, 'peakRss'))}`,
  ],
  [
    'peak RSS, sampled every 20 ms',
    mb(med(L, 'peakRssSampled')),
    mb(med(D, 'peakRssSampled')),
    mb(med(P, 'peakRssSampled')),
    '—',
    '—',
    '—',
  ],
  [
    'resident after ingest: heap+external after gc, above before-open',
    mb(med(L, 'residentV8')),
    mb(med(D, 'residentV8')),
    mb(med(P, 'residentV8')),
    '—',
    '—',
    '—',
  ],
  [
    'whole store after ingest: the above + LevelDB cache & write buffer (configured)',
    `${mb(residentStore)} (${mb(med(L, 'residentV8'))} + ${mb(med(L, 'memLeveldb'))})`,
    '(mmap, in RSS)',
    '—',
    '—',
    '≤ 12 MB',
    verdict(residentStore <= 12e6),
  ],
  [
    'memory().total after ingest (hot + cache + LevelDB configured)',
    `${mb(med(L, 'memTotal'))} (hot ${mb(med(L, 'memHot'))})`,
    '—',
    '—',
    '—',
    '—',
    '—',
  ],
  [
    'RSS after ingest (after gc)',
    mb(med(L, 'rssAfter')),
    mb(med(D, 'rssAfter')),
    mb(med(P, 'rssAfter')),
    '—',
    '—',
    '—',
  ],
  [
    'resident after reopen (snapshot): heap+external above before-open',
    mb(med(L, 'residentV8Reopen')),
    '—',
    '—',
    '—',
    '—',
    '—',
  ],
  ['size on disk', mb(med(L, 'diskBytes')), mb(med(D, 'diskBytes')), '—', '—', '—', '—'],
  [
    'reopen: snapshot vs rebuild from the h entries',
    `${ms(med(L, 'reopenSnapshotMs'))} vs ${ms(med(L, 'reopenRebuildMs'))}`,
    `${ms(med(D, 'reopenMs'))} (open)`,
    '—',
    `${times(reopenRatio)} faster`,
    '≥ 10× faster',
    verdict(reopenRatio >= 10),
  ],
  [
    'cold reads/s, uncached, first pass after open: cold() | lmdb get',
    perSec(med(L, 'uncachedFirst')),
    perSec(med(D, 'getFirst')),
    '—',
    times(uncachedFirstRatio),
    '≥ 1.0× lmdb',
    verdict(uncachedFirstRatio >= 1),
  ],
  [
    'cold reads/s, uncached (cacheBytes: 0), steady: cold() | lmdb get',
    perSec(med(L, 'uncached')),
    perSec(med(D, 'get')),
    '—',
    times(uncachedRatio),
    '≥ 1.0× lmdb',
    verdict(uncachedRatio >= 1),
  ],
  [
    'key → fields/s, uncached, steady: get + cold() | lmdb get',
    perSec(med(L, 'uncachedGet')),
    perSec(med(D, 'get')),
    '—',
    times(uncachedGetRatio),
    '(≥ 1.0× lmdb)',
    verdict(uncachedGetRatio >= 1),
  ],
  [
    'loadMany in batches of 256 (get + loadMany, cache: false)',
    perSec(med(L, 'loadMany')),
    perSec(med(D, 'get')),
    '—',
    times(loadManyRatio),
    '—',
    '—',
  ],
  [
    'cold reads/s, cached (2nd+ pass): cold()',
    perSec(cached),
    '—',
    '—',
    '—',
    '≥ 1 M/s',
    verdict(cached >= 1e6),
  ],
  [
    'key → fields/s, cached: get + cold()',
    perSec(cachedGet),
    '—',
    '—',
    '—',
    '(≥ 1 M/s)',
    verdict(cachedGet >= 1e6),
  ],
];

const last = L[L.length - 1]!;
const header =
  `Input: ${file} (${last['records']} records). ${environment()}; load average ${load0} → ${load1}. ` +
  `${RUNS} runs per contender, each in its own process; medians; ratios per run. ` +
  `10,000 reads per pass, seed ${SEED}; steady = median of 5 passes. MB = 10^6 bytes. ` +
  `${new Date().toISOString().slice(0, 10)}.`;
const notes = [
  `Open modes seen: snapshot reopen → "${last['snapshotMode']}", after deleting \`m snap\` → "${last['rebuildMode']}".`,
  `Cached pass: cacheBytes 256 MiB, ${last['cacheEntries']} entries, ${mb(Number(last['cacheBytesUsed']))} counted.`,
  'lmdb-js: default options plus `sharedStructuresKey`; it has no record cache, so its steady rate is its uncached rate (pages in the OS cache).',
];
console.log(`\n${header}\n\n${textTable(rows)}\n\n${notes.join('\n')}\n`);
console.log(`(bench:cold took ${ms(performance.now() - t0)})`);
writeResults(
  'cold',
  {
    file,
    seed: SEED,
    environment: environment(),
    loadAverage: [load0, load1],
    date: new Date().toISOString(),
    runs: Object.fromEntries(runs),
  },
  [
    '# Cold tier: leanrec on disk vs lmdb-js',
    '',
    header,
    '',
    markdownTable(rows),
    '',
    ...notes,
    '',
  ].join('\n'),
);
