/**
 * Cold suite, contender "leanrec": an on-disk store of {@link Full} (hot fields + cold
 * groups `control` and `relations`) in a temp directory.
 *
 * 1. ingest: time, peak RSS (VmHWM, and RSS sampled every 20 ms), then resident memory
 *    (heap+external after gc above the figure before opening, RSS) and `memory()`;
 * 2. reopen with the snapshot written by `close()`, then without it (`m snap` deleted
 *    through a raw LevelDB handle, so the hot tier is rebuilt from the `h` entries);
 * 3. cold reads of description + maintainer (group control) + depends (group relations)
 *    for 10,000 keys of the shared seeded sequence: `get` + `view.cold()` uncached
 *    (`cacheBytes: 0`: first pass on a fresh open, then steady passes), `loadMany` in
 *    batches of 256, and cached (`cacheBytes` 256 MiB; a warm-up pass, then timed passes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel as Level } from 'classic-level';
import { openStore, type Store } from 'leanrec';
import { Full, readRecords, toFullRecord } from '../lib/debian.ts';
import { emit, median, pickIndices, RssSampler, settledMemory, status } from '../lib/harness.ts';

const READS = 10_000;
const PASSES = 5;
type FullStore = Store<typeof Full>;
type Key = { package: string; version: string; architecture: string };

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-cold-'));
const out: Record<string, unknown> = {};
try {
  // ── 1. ingest ──
  const before = settledMemory();
  const sampler = new RssSampler(20);
  let t0 = performance.now();
  let store: FullStore = await openStore(Full, { path: dir });
  const { written } = await store.ingest(readRecords(toFullRecord));
  out['ingestMs'] = performance.now() - t0;
  out['records'] = written;
  out['peakRssSampled'] = sampler.stop();
  out['peakRss'] = status('VmHWM');
  const after = settledMemory();
  const m = store.memory();
  out['baseResident'] = before.resident;
  out['baseRss'] = before.rss;
  out['residentV8'] = after.resident - before.resident;
  out['rssAfter'] = after.rss;
  out['rssDelta'] = after.rss - before.rss;
  out['memTotal'] = m.total;
  out['memHot'] = m.hot;
  out['memLeveldb'] = m.leveldb;
  out['memCache'] = m.cache;
  out['residentStore'] = after.resident - before.resident + m.leveldb;
  t0 = performance.now();
  await store.close();
  out['closeMs'] = performance.now() - t0;
  out['diskBytes'] = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

  // ── 2. reopen: snapshot, then rebuild ──
  const snapTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    store = await openStore(Full, { path: dir });
    snapTimes.push(performance.now() - t0);
    out['snapshotMode'] = store._cold?.openMode;
    if (i === 2) {
      const re = settledMemory();
      out['residentV8Reopen'] = re.resident - before.resident;
      out['rssReopen'] = re.rss;
      out['memTotalReopen'] = store.memory().total;
    }
    await store.close();
  }
  out['reopenSnapshotMs'] = median(snapTimes);
  const raw = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await raw.open();
  await raw.del('msnap');
  await raw.close();
  t0 = performance.now();
  store = await openStore(Full, { path: dir });
  out['reopenRebuildMs'] = performance.now() - t0;
  out['rebuildMode'] = store._cold?.openMode;
  await store.close();

  // ── 3. cold reads ──
  store = await openStore(Full, { path: dir, cacheBytes: 0 });
  const keys: Key[] = [];
  for (const v of store.where(undefined, { reuse: true }))
    keys.push({ package: v.package, version: v.version, architecture: v.architecture });
  const queries = Array.from(pickIndices(keys.length, READS), (i) => keys[i]!);
  keys.length = 0;
  let sink = 0;
  type View = NonNullable<ReturnType<FullStore['get']>>;
  /** `view.cold()` only: the views are resolved before the clock starts. */
  const viewPass = (views: readonly View[]): number => {
    const t = performance.now();
    for (const v of views) {
      const c = v.cold('control');
      const r = v.cold('relations');
      sink += c.description.length + c.maintainer.length + (r.depends?.length ?? 0);
    }
    return READS / ((performance.now() - t) / 1000);
  };
  /** key → fields: `get` + `view.cold()` (what lmdb's `get` does in one call). */
  const coldPass = (s: FullStore): number => {
    const t = performance.now();
    for (const k of queries) {
      const v = s.get(k)!;
      const c = v.cold('control');
      const r = v.cold('relations');
      sink += c.description.length + c.maintainer.length + (r.depends?.length ?? 0);
    }
    return READS / ((performance.now() - t) / 1000);
  };
  const loadManyPass = async (s: FullStore): Promise<number> => {
    const t = performance.now();
    for (let i = 0; i < queries.length; i += 256) {
      const views = queries.slice(i, i + 256).map((k) => s.get(k)!);
      const recs = await s.loadMany(views, undefined, { cache: false });
      for (const r of recs)
        sink +=
          (r['description'] as string).length +
          (r['maintainer'] as string).length +
          ((r['depends'] as string | undefined)?.length ?? 0);
    }
    return READS / ((performance.now() - t) / 1000);
  };
  let views = queries.map((k) => store.get(k)!);
  out['uncachedFirst'] = viewPass(views);
  out['uncached'] = median(Array.from({ length: PASSES }, () => viewPass(views)));
  out['uncachedGet'] = median(Array.from({ length: PASSES }, () => coldPass(store)));
  await loadManyPass(store); // warm-up
  const lm: number[] = [];
  for (let i = 0; i < PASSES; i++) lm.push(await loadManyPass(store));
  out['loadMany'] = median(lm);
  await store.close();

  store = await openStore(Full, { path: dir, cacheBytes: 256 * 1024 * 1024 });
  views = queries.map((k) => store.get(k)!);
  viewPass(views); // fills the cache
  out['cached'] = median(Array.from({ length: PASSES }, () => viewPass(views)));
  out['cachedGet'] = median(Array.from({ length: PASSES }, () => coldPass(store)));
  const mc = store.memory();
  out['cacheBytesUsed'] = mc.cache;
  out['cacheEntries'] = mc.cacheEntries;
  await store.close();
  out['sink'] = sink;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
emit(out);
