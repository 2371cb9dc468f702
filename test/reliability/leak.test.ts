/**
 * Leaks and soak.
 *
 * (a) Cycles of ingest-all / delete-all / compact of the real Debian index
 *     (`LEANREC_DEBIAN_PACKAGES`; skipped when unset, failed when set to a missing file).
 *     The index is parsed once; the same record objects are written in every cycle. After
 *     each ingest and after each compact, with the heap collected, the last cycle must
 *     match the first: `memory().total` and the process's `heapUsed` within 5 %, and the
 *     part of the heap and of the ArrayBuffers the store accounts for (the figures minus a
 *     baseline taken with the records parsed and no store open, so that the 140 MB record
 *     array, the same in every cycle, does not hide a leak) within 5 % + 1 MiB — a leak of
 *     one byte per record per cycle would exceed that by the 20th cycle.
 *     By default: 20 cycles hot-only (`cold: false`) and 2 cycles on disk (an on-disk
 *     cycle takes ~15 s here: 63,440 deletes, each its own batch); `LEANREC_LONG=1`: 20 cycles
 *     on disk as well.
 * (b) A soak of mixed reads and writes (get, where, count, cold reads sync and async,
 *     loadMany, upserts, deletes and re-inserts, compactions) on a store on disk for 25 s
 *     (`LEANREC_LONG=1`: 2 minutes) with `sampleMemory({ file })` on. The heap is collected
 *     and a sample marked `gc` every 500 ms; the test reads the TSV back, checks that it is
 *     well formed, and fits a least-squares line to the `gc` samples of the second half
 *     (the first half is warm-up): heapUsed may not grow faster than SLOPE_LIMIT.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setImmediate as yieldNow } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openStore, type Store } from 'leanrec';
import { type DebianPackage, debianPackages, readPackages } from 'leanrec/debian';
import { parseMemstats, sampleMemory, TSV_HEADER } from 'leanrec/mem';
import { DEFAULT_CACHE_BYTES } from '../../src/store/options.ts';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { tempDir } from '../helpers/temp.ts';

const LONG = process.env.LEANREC_LONG === '1';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/**
 * Two full collections, each after a turn of the event loop: LevelDB's batches release the
 * buffers they hold in a finalizer, which the first collection runs and the second frees
 * (measured: 50 MiB of ArrayBuffers after one collection, 5 MiB after two).
 */
async function gc(): Promise<void> {
  await yieldNow();
  collect();
  await yieldNow();
  collect();
}

type Key = Pick<DebianPackage, 'package' | 'version' | 'architecture'>;
const keyOf = (r: DebianPackage): Key => ({
  package: r.package,
  version: r.version,
  architecture: r.architecture,
});

async function readAll(source: string, limit = Number.POSITIVE_INFINITY): Promise<DebianPackage[]> {
  const out: DebianPackage[] = [];
  for await (const r of readPackages(source)) {
    out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}

const MiB = 1024 * 1024;

interface Figures {
  total: number;
  heapUsed: number;
  arrayBuffers: number;
}

/** The figures with the heap collected; `total` is 0 without a store. */
async function figures(store?: Store<typeof debianPackages>): Promise<Figures> {
  await gc();
  const m = process.memoryUsage();
  return { total: store?.memory().total ?? 0, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

const within = (a: number, b: number, share: number, slack = 0) =>
  Math.abs(a - b) <= share * Math.abs(b) + slack;

function compareCycles(
  what: string,
  first: Figures,
  last: Figures,
  base: { heapUsed: number; arrayBuffers: number },
): void {
  const f = (n: number) => `${(n / MiB).toFixed(2)} MiB`;
  assert.ok(
    within(last.total, first.total, 0.05),
    `${what}: memory().total ${f(last.total)} vs ${f(first.total)} in cycle 1`,
  );
  assert.ok(
    within(last.heapUsed, first.heapUsed, 0.05),
    `${what}: heapUsed ${f(last.heapUsed)} vs ${f(first.heapUsed)} in cycle 1`,
  );
  const heap1 = first.heapUsed - base.heapUsed;
  const heapN = last.heapUsed - base.heapUsed;
  assert.ok(
    within(heapN, heap1, 0.05, MiB),
    `${what}: heap held beside the records ${f(heapN)} vs ${f(heap1)} in cycle 1`,
  );
  const ab1 = first.arrayBuffers - base.arrayBuffers;
  const abN = last.arrayBuffers - base.arrayBuffers;
  assert.ok(
    within(abN, ab1, 0.05, MiB),
    `${what}: ArrayBuffers beside the records ${f(abN)} vs ${f(ab1)} in cycle 1`,
  );
}

describe('ingest-all / delete-all / compact cycles on the real index', {
  skip: debianSkip(),
}, () => {
  let records: DebianPackage[] = [];
  let keys: Key[] = [];
  after(() => {
    // Not kept for the soak: a heap twice as large makes every collection there slower.
    records = [];
    keys = [];
  });

  async function cycles(
    t: { diagnostic(s: string): void },
    n: number,
    options: { cold: false } | { path: string },
  ): Promise<void> {
    if (records.length === 0) {
      records = await readAll(debianIndexPath());
      keys = records.map(keyOf);
    }
    const base = await figures();
    t.diagnostic(
      `baseline (records parsed, no store): heap ${(base.heapUsed / MiB).toFixed(2)} MiB, arrayBuffers ${(base.arrayBuffers / MiB).toFixed(2)} MiB`,
    );
    const store = await openStore(debianPackages, options);
    const full: Figures[] = [];
    const empty: Figures[] = [];
    try {
      for (let c = 1; c <= n; c++) {
        const r = await store.ingest(records);
        assert.equal(r.inserted, records.length);
        full.push(await figures(store));
        for (const k of keys) assert.ok(await store.delete(k));
        await store.compact();
        assert.equal(store.size, 0);
        empty.push(await figures(store));
        const m = (x: number) => (x / MiB).toFixed(2);
        t.diagnostic(
          `cycle ${c}: full total ${m(full[c - 1]!.total)} MiB heap ${m(full[c - 1]!.heapUsed)} MiB arrayBuffers ${m(full[c - 1]!.arrayBuffers)} MiB; ` +
            `empty total ${m(empty[c - 1]!.total)} MiB heap ${m(empty[c - 1]!.heapUsed)} MiB ` +
            `arrayBuffers ${m(empty[c - 1]!.arrayBuffers)} MiB`,
        );
      }
    } finally {
      await store.close();
    }
    compareCycles(`after ingest, cycle ${n}`, full[0]!, full[n - 1]!, base);
    compareCycles(`after compact, cycle ${n}`, empty[0]!, empty[n - 1]!, base);
  }

  test('20 cycles, hot-only store: memory().total and heap after gc within 5 % of cycle 1', async (t) => {
    await cycles(t, 20, { cold: false });
  });

  test(
    LONG
      ? '20 cycles, store on disk: memory().total and heap after gc within 5 % of cycle 1'
      : '2 cycles, store on disk (20 with LEANREC_LONG=1): memory().total and heap after gc within 5 % of cycle 1',
    async (t) => {
      await cycles(t, LONG ? 20 : 2, { path: tempDir() });
    },
  );
});

// ── soak ──────────────────────────────────────────────────────────────────────────

const SOAK_MS = LONG ? 120_000 : 25_000;
const GC_EVERY_MS = 500;
const SAMPLE_MS = 100;
/**
 * Largest growth of the collected heap in the second half, bytes per second. The workload
 * runs 800–1,200 operations per second here (writes wait for LevelDB). A leak of one
 * 64-byte object per operation grows the heap by ≥ 50 KiB/s; per write by ≥ 18 KiB/s.
 * A leak-free run still settles for about a minute (deleted rows reach their steady
 * share, V8 finishes optimising): measured here, 19–33 KiB/s over the second half of
 * 25 s runs and 1–2 KiB/s over the second half of 2-minute runs, with ±0.3 MiB of
 * noise between collections. Hence 48 KiB/s for the short run and 16 KiB/s for the long.
 */
const SLOPE_LIMIT = LONG ? 16 * 1024 : 48 * 1024;

/** Records for the soak: the first 20,000 of the real index, or the sample made into 20,000. */
async function soakRecords(): Promise<{ records: DebianPackage[]; from: string }> {
  if (debianSkip() === false)
    return { records: await readAll(debianIndexPath(), 20_000), from: 'the real index' };
  const sample = await readAll(new URL('../fixtures/Packages-sample', import.meta.url).pathname);
  const records: DebianPackage[] = [];
  for (let i = 0; records.length < 20_000; i++)
    for (const r of sample) records.push({ ...r, package: `${r.package}-${i}` });
  return { records: records.slice(0, 20_000), from: 'test/fixtures/Packages-sample, renamed' };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

/** A small deterministic generator (xorshift32), so a soak can be replayed with LEANREC_SEED. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

test(`soak: ${SOAK_MS / 1000} s of mixed reads and writes with the sampler on, flat heap`, async (t) => {
  const { records, from } = await soakRecords();
  const dir = tempDir();
  const tsv = join(dir, 'memstats.tsv');
  const store = await openStore(debianPackages, { path: join(dir, 'db') });
  await store.ingest(records);
  // Warm-up: fill the cold cache to its bound first (it holds decoded groups on the heap).
  await store.loadMany(store.where());
  assert.ok(store.memory().cache > 0.9 * DEFAULT_CACHE_BYTES, 'the cache is full');
  const live = new Set<number>(records.keys());
  const rnd = random(Number(process.env.LEANREC_SEED ?? 20_240_501));
  const ops = new Map<string, number>();
  const did = (op: string) => ops.set(op, (ops.get(op) ?? 0) + 1);
  let sink = 0;

  const sampler = sampleMemory({ intervalMs: SAMPLE_MS, file: tsv });
  const t0 = performance.now();
  let nextGc = GC_EVERY_MS;
  let total = 0;
  try {
    while (performance.now() - t0 < SOAK_MS) {
      const i = rnd(records.length);
      const r = records[i]!;
      const op = rnd(100);
      if (!live.has(i)) {
        // Deleted earlier: put it back (the store keeps about the same number of records).
        await store.put(r);
        live.add(i);
        did('re-insert');
      } else if (op < 30) {
        const v = store.get(keyOf(r));
        assert.ok(v !== undefined);
        sink += v.version.length + (v.size ?? 0) + (v.essential ? 1 : 0);
        did('get');
      } else if (op < 45) {
        sink += store.get(keyOf(r))!.cold('control').description?.length ?? 0;
        did('cold');
      } else if (op < 52) {
        const rec = (await store.load(keyOf(r), 'relations'))!;
        sink += Object.keys(rec).length;
        did('load');
      } else if (op < 57) {
        const views = [];
        for (let k = 0; k < 16; k++) {
          const v = store.get(keyOf(records[rnd(records.length)]!));
          if (v !== undefined) views.push(v);
        }
        sink += (await store.loadMany(views, 'files')).length;
        did('loadMany');
      } else if (op < 62) {
        let n = 0;
        for (const v of store.where({ priority: 'required' }, { reuse: true })) {
          sink += v.package.length;
          if (++n >= 200) break;
        }
        did('where');
      } else if (op < 67) {
        sink += store.count({ essential: true });
        did('count');
      } else if (op < 87) {
        // Upsert: same key, new size and description (new strings in pool and database).
        await store.put({
          ...r,
          size: rnd(1e6),
          description: `soak ${total} ${r.description ?? ''}`,
        });
        did('upsert');
      } else if (op < 99) {
        assert.ok(await store.delete(keyOf(r)));
        live.delete(i);
        did('delete');
      } else {
        await store.compact();
        did('compact');
      }
      total++;
      if (total % 64 === 0) await yieldNow(); // let the sampler's timer run
      if (performance.now() - t0 >= nextGc) {
        await gc();
        sampler.mark('gc');
        nextGc += GC_EVERY_MS;
      }
    }
  } finally {
    await sampler.stop();
    await store.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  t.diagnostic(
    `${total} operations in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s) on ${records.length} records from ${from}: ${[...ops].map(([k, v]) => `${k} ${v}`).join(', ')} (${sink > 0 ? 'read' : 'nothing read'})`,
  );

  // The TSV is well formed: the header, then 7 columns per row (6 numbers and a mark),
  // times that do not go back, a sample at least every few intervals, start and stop marks.
  const text = readFileSync(tsv, 'utf8');
  assert.equal(text.split('\n')[0], TSV_HEADER);
  assert.ok(text.endsWith('\n'));
  const samples = parseMemstats(text);
  assert.equal(samples[0]!.mark, 'start');
  assert.equal(samples.at(-1)!.mark, 'stop');
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1]!;
    const b = samples[k]!;
    assert.ok(b.tMs >= a.tMs, `time goes forward at row ${k + 2}`);
    assert.ok(
      b.tMs - a.tMs < 20 * SAMPLE_MS,
      `a sample at least every ${20 * SAMPLE_MS} ms (row ${k + 2})`,
    );
    for (const v of [b.rss, b.heapTotal, b.heapUsed, b.external, b.arrayBuffers])
      assert.ok(Number.isInteger(v) && v > 0);
    assert.ok(b.heapUsed <= b.heapTotal && b.arrayBuffers <= b.external);
  }
  const timed = samples.filter((s) => s.mark === undefined).length;
  assert.ok(timed >= (0.5 * SOAK_MS) / SAMPLE_MS, `${timed} timed samples in ${SOAK_MS} ms`);

  // The collected heap of the second half grows no faster than SLOPE_LIMIT.
  const half = samples.filter((s) => s.mark === 'gc' && s.tMs >= SOAK_MS / 2);
  assert.ok(half.length >= 10, `${half.length} gc samples in the second half`);
  const perSecond = slope(
    half.map((s) => s.tMs / 1000),
    half.map((s) => s.heapUsed),
  );
  const all = samples.filter((s) => s.tMs >= SOAK_MS / 2);
  const rawSlope = slope(
    all.map((s) => s.tMs / 1000),
    all.map((s) => s.heapUsed),
  );
  const hu = half.map((s) => s.heapUsed);
  const series = samples.filter((s) => s.mark === 'gc');
  t.diagnostic(
    `collected heap every 5 s (MiB): ${series
      .filter((_, k) => k % 5 === 4)
      .map((s) => (s.heapUsed / MiB).toFixed(2))
      .join(' ')}`,
  );
  t.diagnostic(
    `collected heap, second half: ${half.length} samples, ${(Math.min(...hu) / MiB).toFixed(2)}–${(Math.max(...hu) / MiB).toFixed(2)} MiB, slope ${(perSecond / 1024).toFixed(2)} KiB/s (limit ${SLOPE_LIMIT / 1024} KiB/s); all samples: ${(rawSlope / 1024).toFixed(1)} KiB/s`,
  );
  assert.ok(
    perSecond < SLOPE_LIMIT,
    `heapUsed after gc grows ${(perSecond / 1024).toFixed(2)} KiB/s in the second half (limit ${SLOPE_LIMIT / 1024} KiB/s)`,
  );
});
