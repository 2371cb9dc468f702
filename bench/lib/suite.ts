/**
 * The child side of `npm run bench` (bench/run.ts): the workloads, run the same way for
 * every contender. A contender module (bench/contenders/*.ts, one per family) builds a
 * {@link Subject} — how to ingest into its state and how to query it — and hands it to
 * {@link runWorkloads}, which runs, in one process, in this order:
 *
 * - W1 ingest of `readPackages` (leanrec's deb822 parser, the same records for everyone):
 *   time from open to the last record written, and the process's peak RSS (`VmHWM`) —
 *   the first work the process does, so the peak is the ingest's own;
 * - W2 resident memory after gc: heapUsed, external, arrayBuffers above the figures before
 *   open, RSS, and `resident` = heap + external above before-open + the native buffers the
 *   state keeps outside V8 as configured ({@link residentAfter});
 * - W3 point lookups of package, version, section, with the shared key sequence and with
 *   fresh copies of its strings per pass ({@link queryKeys}, {@link passRate});
 * - W4 whole-table counts of two filters ({@link rate});
 * - W6 dependency verify: time, and peak RSS above the RSS at its start;
 * - W5 cold fetches (description, maintainer, depends): a first pass, steady passes, then
 *   steady passes with the contender's cache on;
 * - then the contender's own extra figures ({@link Subject.extra}).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type DebianPackage, parseDeb822, readPackages } from 'leanrec/debian';
import { flatCopy } from '../../src/util/utf8.ts';
import { packagesPath } from './debian.ts';
import { emit, gcTwice, median, pickIndices, rate, SEED, status } from './harness.ts';

/** W3: point lookups per pass (keys drawn with replacement from all records). */
export const LOOKUPS = 100_000;
/** W3: timed passes (after one warm-up pass over the first 10,000 keys). */
export const LOOKUP_PASSES = 3;
/** W5: keys per cold-fetch pass (the first ones of the lookup sequence). */
export const COLD_KEYS = 10_000;
/** W5: timed passes (after one warm-up pass, which also fills a cache). */
export const COLD_PASSES = 5;

/** The Packages index every contender reads. */
export const FILE = packagesPath();

/** The figures a child reports. */
export type Out = Record<string, unknown>;

/** A contender's state and the ways to query it; see the module comment for the order. */
export interface Subject {
  /** W1: builds the state from the index's records; returns how many it holds. */
  ingest(records: AsyncIterable<DebianPackage>): Promise<number>;
  /** W2: bytes the state keeps outside V8's counters, as configured (default 0). */
  native?(): number;
  /** W2: after the first figures, bring the state to what W2 compares (W2 is then taken again). */
  settle?(out: Out): Promise<void>;
  /** W3: finds the record of a key; returns the lengths of package, version and section. */
  lookup(pkg: string, version: string, arch: string): number;
  /** W4: rows whose priority is required or important. */
  countPriority(): number;
  /** W4: rows whose section is games and architecture all. */
  countGamesAll(): number;
  /** W6: verifies Pre-Depends and Depends of every package; returns the unsatisfied groups. */
  verify?(): number | Promise<number>;
  /** W5: fetches a key's description, maintainer and depends; returns their lengths. */
  fetch?(pkg: string, version: string, arch: string): number;
  /** W5: set-up before the uncached passes (e.g. a reopen without a record cache). */
  uncached?(out: Out): Promise<void>;
  /** W5: set-up before the cached passes. */
  cached?(): Promise<void>;
  /** The contender's own figures, after W5. */
  extra?(out: Out, q: Queries): Promise<void>;
  /** Releases everything (temp directories); runs even when a workload throws. */
  dispose?(): Promise<void> | void;
}

/** Runs every workload on `s` and prints the figures as the one JSON line of the process. */
export async function runWorkloads(s: Subject): Promise<never> {
  const out: Out = {};
  try {
    const before = settled();
    const t0 = performance.now();
    out['records'] = await s.ingest(readPackages(FILE));
    out['ingestMs'] = performance.now() - t0;
    out['peakRss'] = status('VmHWM');

    Object.assign(out, residentAfter(before, settled(), s.native?.() ?? 0));
    if (s.settle !== undefined) {
      out['residentAfterIngest'] = out['resident'];
      await s.settle(out);
      Object.assign(out, residentAfter(before, settled(), s.native?.() ?? 0));
    }

    const q = await queryKeys();
    out['queryRecords'] = q.records;
    out['lookups'] = passRate(LOOKUPS, LOOKUP_PASSES, (i) =>
      s.lookup(q.package[i]!, q.version[i]!, q.architecture[i]!),
    );
    out['lookupsFresh'] = freshPassRate(q, LOOKUP_PASSES, (k, i) =>
      s.lookup(k.package[i]!, k.version[i]!, k.architecture[i]!),
    );

    const rows = out['records'] as number;
    out['scanPriority'] = rate(() => (out['priorityCount'] = s.countPriority()), rows);
    out['scanGamesAll'] = rate(() => (out['gamesAllCount'] = s.countGamesAll()), rows);

    if (s.verify !== undefined) Object.assign(out, await measureVerify(s.verify));

    const fetch = s.fetch;
    if (fetch !== undefined) {
      const f = (i: number) => fetch(q.package[i]!, q.version[i]!, q.architecture[i]!);
      await s.uncached?.(out);
      out['coldUncachedFirst'] = timedPass(COLD_KEYS, f);
      out['coldUncached'] = passRate(COLD_KEYS, COLD_PASSES, f);
      await s.cached?.();
      out['coldCached'] = passRate(COLD_KEYS, COLD_PASSES, f);
    }
    await s.extra?.(out, q);
    out['sink'] = sink.value;
  } finally {
    await s.dispose?.();
  }
  emit(out);
}

/** Memory figures after two full GCs, in bytes. */
export interface Settled {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
}

/** `process.memoryUsage()` and /proc/self/status RSS parts after two full GCs. */
export function settled(): Settled {
  gcTwice();
  const m = process.memoryUsage();
  return {
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    rssAnon: status('RssAnon'),
    rssFile: status('RssFile'),
  };
}

/**
 * W2 figures of `now` against the process's `before` (taken before open): deltas of
 * heapUsed, external and arrayBuffers; RSS and its parts as they are; and `resident` =
 * Δ heapUsed + Δ external + `native` (bytes the store keeps outside V8's counters, as
 * configured: LevelDB's block cache and write buffer, SQLite's page cache).
 */
export function residentAfter(before: Settled, now: Settled, native: number): Out {
  const heapUsed = now.heapUsed - before.heapUsed;
  const external = now.external - before.external;
  return {
    resident: heapUsed + external + native,
    native,
    heapUsed,
    external,
    arrayBuffers: now.arrayBuffers - before.arrayBuffers,
    rss: now.rss,
    rssAnon: now.rssAnon,
    rssFile: now.rssFile,
    rssBefore: before.rss,
  };
}

/** The shared key sequence: the parts of each query key, as fresh strings. */
export interface Queries {
  package: string[];
  version: string[];
  architecture: string[];
  /** Records in the index (the indices were drawn from [0, records)). */
  records: number;
}

/**
 * The shared seeded key sequence: {@link LOOKUPS} indices from {@link pickIndices} into
 * the index's records in file order, resolved by reading the file again (so the query
 * strings share nothing with what the contender built, as keys coming from elsewhere).
 */
export async function queryKeys(file = FILE): Promise<Queries> {
  const all: [string, string, string][] = [];
  for await (const p of parseDeb822(file)) {
    const k: [string, string, string] = ['', '', ''];
    for (const [name, value] of p.fields)
      if (name === 'Package') k[0] = value;
      else if (name === 'Version') k[1] = value;
      else if (name === 'Architecture') k[2] = value;
    all.push(k);
  }
  const idx = pickIndices(all.length, LOOKUPS, SEED);
  const part = (j: number) => Array.from(idx, (i) => all[i]![j]!);
  return { package: part(0), version: part(1), architecture: part(2), records: all.length };
}

/** What the workloads' functions return is added here, so no work can be optimised away. */
export const sink = { value: 0 };

/** Queries per second of one pass of `fn(0…n-1)`, no warm-up. */
export function timedPass(n: number, fn: (i: number) => number): number {
  let s = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) s += fn(i);
  const dt = performance.now() - t;
  sink.value += s;
  return n / (dt / 1000);
}

/**
 * Queries per second of `fn(i)` over queries `0…count-1`: one warm-up pass over the
 * first `min(count, 10,000)`, then the median of `passes` timed passes.
 */
export function passRate(count: number, passes: number, fn: (i: number) => number): number {
  timedPass(Math.min(count, 10_000), fn);
  return median(Array.from({ length: passes }, () => timedPass(count, fn)));
}

/** A copy of the key sequence made of new strings (no hash V8 cached on the old ones). */
function freshQueries(q: Queries, count: number): Queries {
  const copy = (a: string[]) => Array.from({ length: count }, (_, i) => flatCopy(a[i]!));
  return {
    package: copy(q.package),
    version: copy(q.version),
    architecture: copy(q.architecture),
    records: q.records,
  };
}

/**
 * W3 with fresh key strings: as {@link passRate}, but every pass (and the warm-up) gets
 * its own new copy of the key strings, made before its clock starts — keys as they
 * arrive from a parser or a request, whose hash no earlier lookup has cached.
 */
function freshPassRate(q: Queries, passes: number, fn: (k: Queries, i: number) => number): number {
  const pass = (n: number): number => {
    const k = freshQueries(q, n);
    return timedPass(n, (i) => fn(k, i));
  };
  pass(Math.min(q.package.length, 10_000));
  return median(Array.from({ length: passes }, () => pass(q.package.length)));
}

/**
 * W6: runs `verify` (which returns the number of unsatisfied groups) and measures its
 * time and its peak RSS above the RSS at its start: the kernel's peak mark (`VmHWM`) is
 * reset first (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0; NaN where that fails).
 */
async function measureVerify(verify: () => number | Promise<number>): Promise<Out> {
  gcTwice();
  let canReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    canReset = false;
  }
  const start = status('VmRSS');
  const t0 = performance.now();
  const unsatisfied = await verify();
  const verifyMs = performance.now() - t0;
  return {
    verifyMs,
    verifyPeakAbove: canReset ? status('VmHWM') - start : Number.NaN,
    unsatisfied,
  };
}

/** Bytes on disk under `dir` (`du -sb`). */
export function diskBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}
