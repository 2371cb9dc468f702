/**
 * The child side of `npm run bench` (bench/run.ts): what every suite contender
 * (bench/contenders/suite-*.ts) measures, the same way. One process per contender and
 * run: it builds its state once (W1) and runs the other workloads on it, in order.
 *
 * - W1 ingest: time from open to the last record written, and the process's peak RSS
 *   (`VmHWM`) — the first thing the process does, so the peak is the ingest's own;
 * - W2 resident memory after gc: heapUsed, external, arrayBuffers above the process's own
 *   figures before open, RSS, and `resident` = heap + external above before-open + the
 *   native buffers the store holds outside V8 as configured ({@link residentAfter});
 * - W3 point lookups of hot fields, W5 cold fetches: passes over the shared seeded key
 *   sequence ({@link queryKeys}, {@link passRate});
 * - W4 hot scans: {@link rate} of a full count over all rows;
 * - W6 verify: time, and peak RSS above the RSS at its start (`VmHWM` reset first,
 *   {@link measureVerify}).
 *
 * Every contender reads the index with `readPackages` (leanrec's deb822 parser, which
 * copies every value into a flat string), so ingest differs only in what is built.
 */
import { writeFileSync } from 'node:fs';
import { parseDeb822 } from 'leanrec/debian';
import { flatCopy } from '../../src/util/utf8.ts';
import { packagesPath } from './debian.ts';
import { gcTwice, median, pickIndices, SEED, status } from './harness.ts';

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
export function residentAfter(
  before: Settled,
  now: Settled,
  native: number,
): Record<string, number> {
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
  const pkg: string[] = [];
  const ver: string[] = [];
  const arch: string[] = [];
  for await (const p of parseDeb822(file)) {
    let a = '';
    let b = '';
    let c = '';
    for (const [name, value] of p.fields)
      if (name === 'Package') a = value;
      else if (name === 'Version') b = value;
      else if (name === 'Architecture') c = value;
    pkg.push(a);
    ver.push(b);
    arch.push(c);
  }
  const idx = pickIndices(pkg.length, LOOKUPS, SEED);
  return {
    package: Array.from(idx, (i) => pkg[i]!),
    version: Array.from(idx, (i) => ver[i]!),
    architecture: Array.from(idx, (i) => arch[i]!),
    records: pkg.length,
  };
}

/** What the workloads' functions return is added here, so no work can be optimised away. */
export const sink = { value: 0 };

/**
 * Queries per second of `fn(i)` over queries `0…count-1`: one warm-up pass over the
 * first `min(count, 10,000)`, then the median of `passes` timed passes.
 */
export function passRate(count: number, passes: number, fn: (i: number) => number): number {
  const pass = (n: number): number => {
    let s = 0;
    const t = performance.now();
    for (let i = 0; i < n; i++) s += fn(i);
    const dt = performance.now() - t;
    sink.value += s;
    return n / (dt / 1000);
  };
  pass(Math.min(count, 10_000));
  return median(Array.from({ length: passes }, () => pass(count)));
}

/** A copy of the key sequence made of new strings (no hash V8 cached on the old ones). */
export function freshQueries(q: Queries, count = q.package.length): Queries {
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
export function freshPassRate(
  q: Queries,
  passes: number,
  fn: (k: Queries, i: number) => number,
): number {
  const pass = (n: number): number => {
    const k = freshQueries(q, n);
    let s = 0;
    const t = performance.now();
    for (let i = 0; i < n; i++) s += fn(k, i);
    const dt = performance.now() - t;
    sink.value += s;
    return n / (dt / 1000);
  };
  pass(Math.min(q.package.length, 10_000));
  return median(Array.from({ length: passes }, () => pass(q.package.length)));
}

/**
 * Resets the kernel's peak-RSS mark (`VmHWM`) to the current RSS (Linux ≥ 4.0:
 * `echo 5 > /proc/self/clear_refs`). Returns false when that is not possible.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * W6: runs `verify` (which returns the number of unsatisfied groups) and measures its
 * time and its peak RSS above the RSS at its start (NaN when the peak cannot be reset).
 */
export async function measureVerify(
  verify: () => number | Promise<number>,
): Promise<{ verifyMs: number; verifyPeakAbove: number; unsatisfied: number }> {
  gcTwice();
  const canReset = resetPeakRss();
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
