/**
 * `npm run bench`, contender "leanrec" (argument `hot-only`: "leanrec hot-only").
 *
 * - leanrec: `openStore(debianPackages, { path })` in a temp directory, default options
 *   (record cache 4 MiB, LevelDB block cache 2 MiB + write buffer 1 MiB), ingest of
 *   `readPackages`. W2 is taken twice: as ingest leaves the store, and — the figure the
 *   suite compares — after reading cold groups until the record cache is full at its
 *   default bound; LevelDB's configured buffers count as native memory.
 * - hot-only: `openStore(debianPackages, { cold: false })`: the hot tier alone (cold
 *   fields are validated, then dropped). No W5, no W6. W1b: records/s of `ingest` of the
 *   index's records parsed beforehand into an array, into a fresh hot-only store.
 *
 * W3: `get`, then package, version, section (also with fresh key strings per pass). W4: `count` with the filter (a scan of the
 * enum columns). W6: `verifyDependencies` on the store W1 built. W5: `get` + `cold` of
 * groups control (description, maintainer) and relations (depends): uncached on a reopen
 * with `cacheBytes: 0`, cached on a reopen with `cacheBytes` 64 MiB after a warm-up pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from 'leanrec';
import {
  type DebianPackage,
  debianPackages,
  readPackages,
  verifyDependencies,
} from 'leanrec/debian';
import { DEFAULT_CACHE_BYTES } from '../../src/store/options.ts';
import { emit, gcTwice, median, rate, status } from '../lib/harness.ts';
import {
  COLD_KEYS,
  COLD_PASSES,
  FILE,
  freshPassRate,
  LOOKUP_PASSES,
  LOOKUPS,
  measureVerify,
  passRate,
  queryKeys,
  residentAfter,
  settled,
  sink,
} from '../lib/suite.ts';

type PackagesStore = Store<typeof debianPackages>;

const hotOnly = process.argv[2] === 'hot-only';
const CACHED_BYTES = 64 * 1024 * 1024;
const dir = hotOnly ? undefined : mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-'));
const out: Record<string, unknown> = {};
try {
  // The modules a store on disk loads on its first open (classic-level, msgpackr, lru-cache,
  // the cold tier) are loaded before the baseline, as the other contenders' libraries are
  // by their static imports: W2 counts the store, not the library's code (≈ 1.7 MB of heap).
  if (dir !== undefined) {
    const warm = mkdtempSync(join(tmpdir(), 'leanrec-bench-warm-'));
    await (await openStore(debianPackages, { path: warm })).close();
    rmSync(warm, { recursive: true, force: true });
  }
  // W1
  const before = settled();
  const t0 = performance.now();
  let store: PackagesStore = await openStore(
    debianPackages,
    dir === undefined ? { cold: false } : { path: dir },
  );
  const { written } = await store.ingest(readPackages(FILE));
  out['ingestMs'] = performance.now() - t0;
  out['peakRss'] = status('VmHWM');
  out['records'] = store.size;
  out['written'] = written;

  // W2
  let m = store.memory();
  Object.assign(out, residentAfter(before, settled(), m.leveldb));
  out['memTotal'] = m.total;
  out['memHot'] = m.hot;
  out['memLeveldb'] = m.leveldb;
  if (!hotOnly) {
    out['residentAfterIngest'] = out['resident'];
    out['cacheAfterIngest'] = m.cache;
    let rows = 0;
    for (const v of store.where(undefined, { reuse: true })) {
      v.cold('control');
      v.cold('relations');
      if ((++rows & 255) === 0 && store.memory().cache >= 0.95 * DEFAULT_CACHE_BYTES) break;
    }
    m = store.memory();
    Object.assign(out, residentAfter(before, settled(), m.leveldb));
    out['cacheFillRows'] = rows;
    out['memTotal'] = m.total;
    out['memCache'] = m.cache;
    out['memCacheEntries'] = m.cacheEntries;
  }

  // W3
  const q = await queryKeys();
  out['queryRecords'] = q.records;
  const key = (i: number) => ({
    package: q.package[i]!,
    version: q.version[i]!,
    architecture: q.architecture[i]!,
  });
  out['lookups'] = passRate(LOOKUPS, LOOKUP_PASSES, (i) => {
    const v = store.get(key(i))!;
    return v.package.length + v.version.length + (v.section?.length ?? 0);
  });
  out['lookupsFresh'] = freshPassRate(q, LOOKUP_PASSES, (k, i) => {
    const v = store.get({
      package: k.package[i]!,
      version: k.version[i]!,
      architecture: k.architecture[i]!,
    })!;
    return v.package.length + v.version.length + (v.section?.length ?? 0);
  });

  // W4
  out['scanPriority'] = rate(() => {
    out['priorityCount'] = store.count({ priority: ['required', 'important'] });
  }, store.size);
  out['scanGamesAll'] = rate(() => {
    out['gamesAllCount'] = store.count({ section: 'games', architecture: 'all' });
  }, store.size);

  if (dir !== undefined) {
    // W6
    Object.assign(out, await measureVerify(async () => (await verifyDependencies(store)).length));
    await store.close();
    out['diskBytes'] = Number(
      execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0],
    );

    // W5
    const coldFetch = (i: number): number => {
      const v = store.get(key(i))!;
      const c = v.cold('control');
      const r = v.cold('relations');
      return (c.description?.length ?? 0) + (c.maintainer?.length ?? 0) + (r.depends?.length ?? 0);
    };
    store = await openStore(debianPackages, { path: dir, cacheBytes: 0 });
    out['coldUncached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);
    await store.close();
    store = await openStore(debianPackages, { path: dir, cacheBytes: CACHED_BYTES });
    out['coldCached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);
    out['cachedBytes'] = store.memory().cache;
  }
  await store.close();
  if (hotOnly) {
    // W1b: the hot insert path alone — the index's records parsed beforehand, then one
    // `ingest` of the array into a fresh hot-only store (validation included). The median
    // of 3 runs, after one warm-up run.
    const recs: DebianPackage[] = [];
    for await (const r of readPackages(FILE)) recs.push(r);
    const rates: number[] = [];
    for (let k = 0; k < 4; k++) {
      gcTwice();
      const t = performance.now();
      const s = await openStore(debianPackages, { cold: false });
      await s.ingest(recs);
      const dt = performance.now() - t;
      if (k > 0) rates.push(recs.length / (dt / 1000));
      await s.close();
    }
    out['ingestParsed'] = median(rates);
  }
  out['sink'] = sink.value;
} finally {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
emit(out);
