/**
 * `npm run bench:query`: package queries and diffs on the real Debian index
 * ($LEANREC_DEBIAN_PACKAGES, else the pinned bookworm main amd64 copy).
 *
 *   Q1  the issue's four queries in-process: store.query vs the same filters over plain
 *       objects — hand-written predicates over records, and a per-record interpreter of the
 *       query tree (what aptly does) over the paragraphs' fields; 5 warm-up runs, then
 *       medians of QUERY_RUNS (31)
 *   Q2  `leanrec query <db> '<query>'` as a process vs `aptly snapshot search s '<query>'`
 *       (wall time and peak RSS by /usr/bin/time, interleaved, medians of CLI_RUNS); aptly
 *       needs APTLY_CONFIG naming a config whose snapshot `s` holds the same index
 *       (README "Package queries" says how to make one); without it Q2 is skipped
 *   Q3  diffStores of two opened stores of the real index (the second an edited copy):
 *       time, and peak RSS above the two opened stores (VmHWM reset before the diff)
 *
 * Writes bench/results/query.{json,md}. Run under `flock /tmp/leanrec-bench.lock`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from 'leanrec';
import {
  compareVersions,
  type DebianPackage,
  debianPackages,
  diffStores,
  parseQuery,
  readPackages,
} from 'leanrec/debian';
import { compileGlob } from '../src/query/glob.ts';
import { readIndex } from '../test/helpers/debian-index.ts';
import { editIndex } from '../test/helpers/index-edits.ts';
import { modelFilter } from '../test/helpers/query-model.ts';
import { environment, gcTwice, median, ROOT, status, writeResults } from './lib/harness.ts';

const FILE =
  process.env['LEANREC_DEBIAN_PACKAGES'] ??
  join(ROOT, '../shared/data/debian-bookworm-main-amd64-Packages.gz');
const QUERY_RUNS = Number(process.env['QUERY_RUNS'] ?? 31);
const CLI_RUNS = Number(process.env['CLI_RUNS'] ?? 5);
const APTLY = process.env['APTLY_CONFIG'];
const load = () => loadavg()[0]!.toFixed(2);

const lib = compileGlob('lib*-dev');
const QUERIES: [string, (r: DebianPackage) => boolean][] = [
  ['Priority (required)', (r) => r.priority === 'required'],
  [
    'Section (games), $Architecture (all)',
    (r) => r.section === 'games' && r.architecture === 'all',
  ],
  ['Name (% lib*-dev), Section (libdevel)', (r) => lib.test(r.package) && r.section === 'libdevel'],
  [
    '$Version (>= 2.0), Section (utils)',
    (r) => compareVersions(r.version, '2.0') >= 0 && r.section === 'utils',
  ],
];

function timeMs(fn: () => number): { ms: number; n: number } {
  const ts: number[] = [];
  let n = 0;
  for (let i = 0; i < 5; i++) fn(); // warm-up: JIT and caches, not timed
  for (let i = 0; i < QUERY_RUNS; i++) {
    const t = performance.now();
    n = fn();
    ts.push(performance.now() - t);
  }
  return { ms: median(ts), n };
}

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'leanrec-bench-query-'));
  dirs.push(d);
  return d;
};

async function main(): Promise<void> {
  console.log(`# query bench — ${environment()}; index ${FILE}`);
  const records: DebianPackage[] = [];
  for await (const r of readPackages(FILE)) records.push(r);
  const paragraphs = readIndex(FILE).map((r) => r.fields);
  const dbA = temp();
  const a = await openStore(debianPackages, { path: dbA });
  await a.ingest(records);

  // Q1
  const q1: Record<string, unknown>[] = [];
  console.log(`\nQ1 in-process, medians of ${QUERY_RUNS} (load ${load()})`);
  for (const [q, plain] of QUERIES) {
    const tree = parseQuery(q);
    const ours = timeMs(() => {
      let n = 0;
      for (const _ of a.query(tree, { reuse: true })) n++;
      return n;
    });
    const hand = timeMs(() => records.filter(plain).length);
    const interp = timeMs(() => {
      const m = modelFilter(tree);
      return paragraphs.filter(m).length;
    });
    if (ours.n !== hand.n || ours.n !== interp.n)
      throw new Error(`${q}: ${ours.n} / ${hand.n} / ${interp.n}`);
    const row = {
      query: q,
      matches: ours.n,
      leanrecMs: ours.ms,
      plainPredicateMs: hand.ms,
      plainInterpreterMs: interp.ms,
      vsPredicate: hand.ms / ours.ms,
      vsInterpreter: interp.ms / ours.ms,
      load: load(),
    };
    q1.push(row);
    console.log(
      `  ${q.padEnd(40)} ${String(ours.n).padStart(5)}  leanrec ${ours.ms.toFixed(2)} ms  predicates ${hand.ms.toFixed(2)} ms (${row.vsPredicate.toFixed(1)}×)  interpreter ${interp.ms.toFixed(2)} ms (${row.vsInterpreter.toFixed(1)}×)`,
    );
  }
  await a.close();

  // Q2
  const q2: Record<string, unknown>[] = [];
  const usesDist = existsSync(join(ROOT, 'dist/cli/main.js'));
  if (APTLY === undefined || !existsSync(APTLY)) console.log('\nQ2 skipped: set APTLY_CONFIG');
  else {
    console.log(
      `\nQ2 processes (${usesDist ? 'dist/' : 'tsx source'}), medians of ${CLI_RUNS}, interleaved`,
    );
    const run = (cmd: string[]): { s: number; mb: number; lines: number } => {
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...cmd], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      const [s, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      return {
        s: s!,
        mb: (kb! * 1024) / 1e6,
        lines: r.stdout.split('\n').filter((l) => l !== '').length,
      };
    };
    for (const [q] of QUERIES) {
      const ours: { s: number; mb: number; lines: number }[] = [];
      const theirs: typeof ours = [];
      for (let i = 0; i < CLI_RUNS; i++) {
        ours.push(run([process.execPath, join(ROOT, 'bin/leanrec.js'), 'query', dbA, q]));
        theirs.push(run(['aptly', `-config=${APTLY}`, 'snapshot', 'search', 's', q]));
      }
      const row = {
        query: q,
        leanrecS: median(ours.map((x) => x.s)),
        leanrecMB: median(ours.map((x) => x.mb)),
        aptlyS: median(theirs.map((x) => x.s)),
        aptlyMB: median(theirs.map((x) => x.mb)),
        lines: [ours[0]!.lines, theirs[0]!.lines],
        load: load(),
      };
      q2.push(row);
      console.log(
        `  ${q.padEnd(40)} leanrec ${row.leanrecS.toFixed(2)} s ${row.leanrecMB.toFixed(0)} MB   aptly ${row.aptlyS.toFixed(2)} s ${row.aptlyMB.toFixed(0)} MB   ratio ${(row.leanrecS / row.aptlyS).toFixed(2)}  lines ${row.lines.join('/')}  (load ${row.load})`,
      );
    }
  }

  // Q3
  console.log('\nQ3 diffStores of two opened stores of the real index');
  const { records: edited, expected } = editIndex(records, 997);
  const b0 = await openStore(debianPackages, { path: temp() });
  await b0.ingest(edited);
  await b0.close();
  edited.length = 0;
  const a2 = await openStore(debianPackages, { path: dbA });
  const b = await openStore(debianPackages, { path: dirs[1]! });
  records.length = 0;
  paragraphs.length = 0;
  const q3: Record<string, unknown>[] = [];
  for (const cold of [false, true]) {
    for (let i = 0; i < 3; i++) {
      gcTwice();
      const base = status('VmRSS');
      writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
      const t = performance.now();
      let n = 0;
      for await (const _ of diffStores(a2, b, { cold })) n++;
      const ms = performance.now() - t;
      const above = status('VmHWM') - base;
      q3.push({ cold, ms, aboveMB: above / 1e6, entries: n, load: load() });
      console.log(
        `  cold ${String(cold).padEnd(5)} ${ms.toFixed(0)} ms, peak RSS +${(above / 1e6).toFixed(1)} MB, ${n} entries (load ${load()})`,
      );
    }
  }
  const full = expected.length;
  await a2.close();
  await b.close();
  const summary = (cold: boolean) => {
    const rs = q3.filter((r) => r.cold === cold);
    return {
      ms: median(rs.map((r) => r.ms as number)),
      aboveMB: median(rs.map((r) => r.aboveMB as number)),
    };
  };
  const md = [
    `# query bench — ${environment()}`,
    '',
    '| query | matches | leanrec ms | predicates ms | × | interpreter ms | × | load |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...q1.map(
      (r) =>
        `| \`${r.query}\` | ${r.matches} | ${(r.leanrecMs as number).toFixed(2)} | ${(r.plainPredicateMs as number).toFixed(2)} | ${(r.vsPredicate as number).toFixed(1)} | ${(r.plainInterpreterMs as number).toFixed(2)} | ${(r.vsInterpreter as number).toFixed(1)} | ${r.load} |`,
    ),
    '',
    ...(q2.length === 0
      ? []
      : [
          `| query (process, ${usesDist ? 'dist' : 'tsx'}) | leanrec s | MB | aptly s | MB | ratio | load |`,
          '|---|---:|---:|---:|---:|---:|---:|',
          ...q2.map(
            (r) =>
              `| \`${r.query}\` | ${(r.leanrecS as number).toFixed(2)} | ${(r.leanrecMB as number).toFixed(0)} | ${(r.aptlyS as number).toFixed(2)} | ${(r.aptlyMB as number).toFixed(0)} | ${((r.leanrecS as number) / (r.aptlyS as number)).toFixed(2)} | ${r.load} |`,
          ),
          '',
        ]),
    `diffStores, ${full} expected differences: hot fields only ${summary(false).ms.toFixed(0)} ms, +${summary(false).aboveMB.toFixed(1)} MB; with cold groups ${summary(true).ms.toFixed(0)} ms, +${summary(true).aboveMB.toFixed(1)} MB (medians of 3, peak RSS above the two opened stores)`,
  ].join('\n');
  writeResults('query', { environment: environment(), q1, q2, q3 }, md);
  console.log(`\n${md}`);
}

try {
  await main();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
