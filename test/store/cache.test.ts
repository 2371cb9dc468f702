/**
 * The cold-record cache is bounded by `cacheBytes`, whatever is read; `cacheBytes: 0`
 * disables it and every read still works.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore } from 'leanrec';
import { Small, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const N = process.env.LEANREC_LONG === '1' ? 20_000 : 3000;

async function withStore(
  cacheBytes: number | undefined,
  fn: (store: Awaited<ReturnType<typeof openStore<typeof Small>>>) => Promise<void>,
): Promise<void> {
  const dir = tempDir('test');
  try {
    const w = await openStore(Small, { path: dir });
    await w.ingest(
      Array.from({ length: N }, (_, i) => smallRecord(i)),
      { batchSize: 500 },
    );
    await w.close();
    const store = await openStore(
      Small,
      cacheBytes === undefined ? { path: dir } : { path: dir, cacheBytes },
    );
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('memory().cache stays within cacheBytes after reading many records', async () => {
  for (const cacheBytes of [1, 100, 4096, 64 * 1024]) {
    await withStore(cacheBytes, async (store) => {
      let peak = 0;
      for (let i = 0; i < N; i++) {
        const v = store.get({ name: `rec-${i}` })!;
        assert.equal(v.cold('text').body, smallRecord(i).body);
        v.cold();
        if (i % 50 === 0) {
          await v.load();
          peak = Math.max(peak, store.memory().cache);
        }
      }
      await store.loadMany(store.where());
      const m = store.memory();
      peak = Math.max(peak, m.cache);
      assert.ok(peak <= cacheBytes, `${cacheBytes}: cache ${peak} B`);
      assert.ok(m.parts.some((p) => p.name === 'cache' && p.bytes === m.cache));
      if (cacheBytes >= 4096) assert.ok(m.cacheEntries > 0, 'something was cached');
      if (cacheBytes < 64) assert.equal(m.cacheEntries, 0, 'no entry fits');
    });
  }
});

test('property: random reads never push the cache past cacheBytes', async () => {
  await withStore(8192, async (store) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: N - 1 }),
            fc.constantFrom('cold', 'text', 'extra', 'load', 'record'),
          ),
          {
            maxLength: 200,
          },
        ),
        async (reads) => {
          for (const [i, how] of reads) {
            const v = store.get({ name: `rec-${i}` })!;
            const expect = smallRecord(i);
            if (how === 'cold') assert.equal(v.cold().body, expect.body);
            else if (how === 'text') assert.equal(v.cold('text').body, expect.body);
            else if (how === 'extra') assert.deepStrictEqual(v.cold('extra').data, expect.data);
            else if (how === 'load') assert.equal((await v.load()).body, expect.body);
            else assert.deepStrictEqual(v.record(), expect);
            assert.ok(store.memory().cache <= 8192);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

test('cacheBytes: 0 disables the cache; every read path still works', async () => {
  await withStore(0, async (store) => {
    for (let i = 0; i < N; i += 7) {
      const v = store.get({ name: `rec-${i}` })!;
      const r = smallRecord(i);
      assert.deepStrictEqual(v.record(), r);
      assert.deepStrictEqual(await v.loadRecord(), r);
      assert.equal(v.cold('text').body, r.body);
      assert.deepStrictEqual(store.cold({ name: r.name }, 'extra'), { data: r.data });
      assert.deepStrictEqual(await store.load({ name: r.name }, 'extra'), { data: r.data });
    }
    const all = await store.loadMany(store.where(), 'text');
    assert.equal(all.length, N);
    const m = store.memory();
    assert.equal(m.cache, 0);
    assert.equal(m.cacheEntries, 0);
    // Without a cache, results are the caller's own objects.
    const a = store.cold({ name: 'rec-1' }, 'extra')!;
    const b = store.cold({ name: 'rec-1' }, 'extra')!;
    assert.notEqual(a, b);
    assert.deepStrictEqual(a, b);
  });
});

test('cached values are shared and frozen; an upsert or delete drops them from the cache', async () => {
  await withStore(undefined, async (store) => {
    const a = store.cold({ name: 'rec-2' }, 'extra')!;
    const b = store.cold({ name: 'rec-2' }, 'extra')!;
    assert.equal(a, b, 'second read is a cache hit');
    assert.ok(Object.isFrozen(a));
    assert.ok(Object.isFrozen(a.data));
    await store.put(smallRecord(2, 9) as never);
    assert.deepStrictEqual(store.cold({ name: 'rec-2' }, 'extra'), {
      data: smallRecord(2, 9).data,
    });
    const before = store.memory().cacheEntries;
    store.cold({ name: 'rec-3' });
    assert.equal(store.memory().cacheEntries, before + 2);
    await store.delete({ name: 'rec-3' });
    assert.equal(store.memory().cacheEntries, before);
    assert.equal(store.cold({ name: 'rec-3' }), undefined);
  });
});
