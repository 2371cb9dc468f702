/**
 * `npm run bench`, contender "leanrec" (argument `hot-only`: "leanrec hot-only").
 *
 * - leanrec: `openStore(debianPackages, { path })` in a temp directory, default options
 *   (record cache 4 MiB, LevelDB block cache 2 MiB + write buffer 1 MiB). W2 is taken as
 *   ingest leaves the store, then — the figure the suite compares — after reading cold
 *   groups until the record cache is full at its default bound; LevelDB's configured
 *   buffers count as native memory.
 * - hot-only: `openStore(debianPackages, { cold: false })`: the hot tier alone (cold
 *   fields are validated, then dropped). No W5, no W6. W1b: records/s of `ingest` of the
 *   index's records parsed beforehand into an array, into a fresh hot-only store.
 *
 * W3: `get`, then package, version, section. W4: `count` with the filter (a scan of the
 * enum columns). W6: `verifyDependencies` on the store W1 built. W5: `get` + `cold` of
 * groups control (description, maintainer) and relations (depends): uncached on a reopen
 * with `cacheBytes: 0`, cached on a reopen with `cacheBytes` 64 MiB. Then, on the same
 * 10,000 keys: `cold()` alone on views resolved beforehand (uncached and cached) and
 * `loadMany` in batches of 256 without the cache; and W8, reopen: from the hot snapshot
 * `close()` wrote (median of 3, and the resident memory after it), then once more after
 * deleting the snapshot's mark, so that the hot tier is rebuilt from the records in LevelDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openStore, type Store, type StoreOptions } from 'leanrec';
import {
  type DebianPackage,
  debianPackages,
  readPackages,
  verifyDependencies,
} from 'leanrec/debian';
import { DEFAULT_CACHE_BYTES } from '../../src/store/options.ts';
import { gcTwice, median } from '../lib/harness.ts';
import {
  COLD_KEYS,
  COLD_PASSES,
  diskBytes,
  FILE,
  type Out,
  passRate,
  type Queries,
  residentAfter,
  runWorkloads,
  settled,
  sink,
} from '../lib/suite.ts';

type PackagesStore = Store<typeof debianPackages>;
type View = NonNullable<ReturnType<PackagesStore['get']>>;

const hotOnly = process.argv[2] === 'hot-only';
/** The record cache of W5's cached passes. */
const CACHED_BYTES = 64 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-'));
let store: PackagesStore;

/** Opens the store on disk with `options`; returns the open's time. */
async function open(options: StoreOptions = {}): Promise<number> {
  const t = performance.now();
  store = await openStore(debianPackages, { ...options, path: dir });
  return performance.now() - t;
}
/** Closes the store and opens it again with `options`; returns the open's time. */
async function reopen(options: StoreOptions = {}): Promise<number> {
  await store.close();
  return open(options);
}
/** How the last open got its hot tier: 'snapshot' or 'rebuild' (a store internal). */
const openMode = () => (store as { _cold?: { openMode?: string } })._cold?.openMode ?? '?';
/** W5's read of one record: description, maintainer (group control), depends (relations). */
function coldOf(v: View): number {
  const c = v.cold('control');
  const r = v.cold('relations');
  return (c.description?.length ?? 0) + (c.maintainer?.length ?? 0) + (r.depends?.length ?? 0);
}

/** W2 after reading cold groups until the record cache is full at its default bound. */
async function fillCache(out: Out): Promise<void> {
  out['memTotalAfterIngest'] = store.memory().total;
  let rows = 0;
  for (const v of store.where(undefined, { reuse: true })) {
    coldOf(v);
    if ((++rows & 255) === 0 && store.memory().cache >= 0.95 * DEFAULT_CACHE_BYTES) break;
  }
  const m = store.memory();
  out['cacheFillRows'] = rows;
  out['memTotal'] = m.total;
  out['memCache'] = m.cache;
  out['memCacheEntries'] = m.cacheEntries;
}

/**
 * On W5's 10,000 keys: `cold()` alone on views resolved beforehand, uncached and cached,
 * `loadMany` without the cache; then W8, the reopens.
 */
async function coldAndReopen(out: Out, q: Queries): Promise<void> {
  const ks = q.package
    .slice(0, COLD_KEYS)
    .map((p, i) => ({ package: p, version: q.version[i]!, architecture: q.architecture[i]! }));
  await reopen({ cacheBytes: 0 });
  let views = ks.map((k) => store.get(k)!);
  out['coldViewsUncached'] = passRate(COLD_KEYS, COLD_PASSES, (i) => coldOf(views[i]!));
  const loadMany = async (): Promise<number> => {
    const t = performance.now();
    for (let i = 0; i < views.length; i += 256)
      for (const r of await store.loadMany(views.slice(i, i + 256), undefined, { cache: false }))
        sink.value +=
          (r.description?.length ?? 0) + (r.maintainer?.length ?? 0) + (r.depends?.length ?? 0);
    return views.length / ((performance.now() - t) / 1000);
  };
  await loadMany(); // warm-up
  const lm: number[] = [];
  for (let i = 0; i < COLD_PASSES; i++) lm.push(await loadMany());
  out['loadMany'] = median(lm);
  await reopen({ cacheBytes: CACHED_BYTES });
  views = ks.map((k) => store.get(k)!);
  out['coldViewsCached'] = passRate(COLD_KEYS, COLD_PASSES, (i) => coldOf(views[i]!));
  views = [];

  // W8: reopen from the snapshot close() writes (resident: above the process with the
  // store closed), then with the snapshot's mark deleted.
  await store.close();
  // Drop the closed store (its record cache is still full), so that the baseline lacks it.
  store = undefined as unknown as PackagesStore;
  const base = settled();
  const snap: number[] = [];
  for (let i = 0; i < 3; i++) snap.push(i === 0 ? await open() : await reopen());
  out['reopenSnapshotMs'] = median(snap);
  out['snapshotMode'] = openMode();
  out['residentReopen'] = residentAfter(base, settled(), 0)['resident'];
  await store.close();
  const raw = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await raw.open();
  await raw.del('msnap');
  await raw.close();
  out['reopenRebuildMs'] = await open();
  out['rebuildMode'] = openMode();
}

// The modules a store on disk loads on its first open (classic-level, msgpackr, lru-cache,
// the cold tier) are loaded before the baseline, as the other contenders' libraries are
// by their static imports: W2 counts the store, not the library's code (≈ 1.7 MB of heap).
if (!hotOnly) {
  const warm = mkdtempSync(join(tmpdir(), 'leanrec-bench-warm-'));
  await (await openStore(debianPackages, { path: warm })).close();
  rmSync(warm, { recursive: true, force: true });
}

await runWorkloads({
  async ingest(records) {
    store = await openStore(debianPackages, hotOnly ? { cold: false } : { path: dir });
    await store.ingest(records);
    return store.size;
  },
  native: () => store.memory().leveldb,
  async settle(out) {
    const m = store.memory();
    out['memHot'] = m.hot;
    out['memLeveldb'] = m.leveldb;
    out['memTotal'] = m.total;
    out['parts'] = Object.fromEntries(m.parts.map((p) => [p.name, p.bytes]));
    if (!hotOnly) await fillCache(out);
  },
  lookup(p, v, a) {
    const r = store.get({ package: p, version: v, architecture: a })!;
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  },
  countPriority: () => store.count({ priority: ['required', 'important'] }),
  countGamesAll: () => store.count({ section: 'games', architecture: 'all' }),
  ...(hotOnly
    ? {}
    : {
        verify: async () => (await verifyDependencies(store)).length,
        fetch: (p: string, v: string, a: string) =>
          coldOf(store.get({ package: p, version: v, architecture: a })!),
        async uncached(out: Out) {
          await store.close();
          out['diskBytes'] = diskBytes(dir);
          await open({ cacheBytes: 0 });
        },
        cached: () => reopen({ cacheBytes: CACHED_BYTES }).then(() => {}),
      }),
  async extra(out, q) {
    if (!hotOnly) {
      out['cachedBytes'] = store.memory().cache;
      return coldAndReopen(out, q);
    }
    await store.close();
    // W1b: the hot insert path alone — the records parsed beforehand, then one `ingest` of
    // the array into a fresh hot-only store (validation included); median of 3 after a warm-up.
    const recs: DebianPackage[] = [];
    for await (const r of readPackages(FILE)) recs.push(r);
    const rates: number[] = [];
    for (let k = 0; k < 4; k++) {
      gcTwice();
      const t = performance.now();
      const s = await openStore(debianPackages, { cold: false });
      await s.ingest(recs);
      if (k > 0) rates.push(recs.length / ((performance.now() - t) / 1000));
      await s.close();
    }
    out['ingestParsed'] = median(rates);
  },
  async dispose() {
    await store?.close(); // closing twice is a no-op
    rmSync(dir, { recursive: true, force: true });
  },
});
