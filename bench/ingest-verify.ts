/**
 * W1 (ingest) and W6 (verify) of `npm run bench`, for plain objects and leanrec only,
 * with the suite's own contender scripts (so the figures are the suite's), and
 * optionally leanrec from another checkout side by side (a before/after in one run):
 *
 * ```sh
 * flock /tmp/leanrec-bench.lock node --conditions=leanrec-source --import tsx bench/ingest-verify.ts
 * BENCH_BASELINE=/path/to/old/checkout BENCH_RUNS=5 flock /tmp/leanrec-bench.lock node … bench/ingest-verify.ts
 * ```
 *
 * The baseline checkout needs `node_modules` (a symlink to this one's will do). Runs are
 * interleaved; each ratio is taken run by run, then the median. Prints a table; writes
 * nothing. Peak RSS during ingest is `VmHWM` above the process's RSS before it opened
 * its store (both after gc), as the target states it.
 */
import { relative } from 'node:path';
import {
  type Contender,
  loadAverage,
  mb,
  median,
  ms,
  type Result,
  ROOT,
  RUNS,
  runSuite,
  textTable,
  times,
} from './lib/harness.ts';

const PLAIN = 'plain objects + Map';
const LEANREC = 'leanrec';
const BASE = 'leanrec (baseline)';
const baseline = process.env['BENCH_BASELINE'];

const contenders: Contender[] = [
  { name: PLAIN, script: 'bench/contenders/suite-plain.ts' },
  { name: LEANREC, script: 'bench/contenders/suite-leanrec.ts' },
];
if (baseline !== undefined)
  contenders.push({
    name: BASE,
    script: relative(ROOT, `${baseline}/bench/contenders/suite-leanrec.ts`),
  });

const load0 = loadAverage();
const runs = runSuite(contenders);
const load1 = loadAverage();

const num = (r: Result, k: string): number => Number(r[k]);
/** Derived figures of one run. */
const figures = (r: Result): Record<string, number> => ({
  ingestMs: num(r, 'ingestMs'),
  peakAbove: num(r, 'peakRss') - num(r, 'rssBefore'),
  verifyMs: num(r, 'verifyMs'),
  verifyPeakAbove: num(r, 'verifyPeakAbove'),
  unsatisfied: num(r, 'unsatisfied'),
});
const rows = new Map([...runs].map(([n, rs]) => [n, rs.map(figures)]));
const med = (n: string, k: string) => median(rows.get(n)!.map((f) => f[k]!));
/** `n`'s figure ÷ plain's, run by run, then the median (below 1: better than plain). */
const vsPlain = (n: string, k: string) =>
  median(rows.get(n)!.map((f, i) => f[k]! / rows.get(PLAIN)![i]![k]!));

const measures: [string, string, (v: number) => string][] = [
  ['ingestMs', 'W1 ingest time', ms],
  ['peakAbove', 'W1 peak RSS above before-open', mb],
  ['verifyMs', 'W6 verify time', ms],
  ['verifyPeakAbove', 'W6 verify peak RSS above its start', mb],
  ['unsatisfied', 'W6 unsatisfied groups', String],
];
const names = contenders.map((c) => c.name);
const table = [
  ['measure', ...names],
  ...measures.map(([k, label, f]) => [
    label,
    ...names.map((n) =>
      n === PLAIN || k === 'unsatisfied'
        ? f(med(n, k))
        : `${f(med(n, k))} · ${times(vsPlain(n, k))} plain`,
    ),
  ]),
];
console.log(
  `\n${RUNS} runs per contender, interleaved; medians; "· n× plain" = the figure ÷ plain's, run by run, then the median. Load average ${load0} → ${load1}.\n\n${textTable(table)}\n`,
);
