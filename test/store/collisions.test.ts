/**
 * Every key hashes to the same 64 bits (`constantHash`): the key index must still find
 * every record by comparing key bytes, never return a wrong one, and survive deletes,
 * re-inserts, upserts and compaction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore, schema, t } from 'leanrec';
import { constantHash } from 'leanrec/testing';

const LONG = process.env.LEANREC_LONG === '1';
const N = LONG ? 20_000 : 5_000;

const S = schema({
  key: ['name', 'version', 'arch'],
  hot: {
    name: t.string(),
    version: t.string(),
    arch: t.enum(['amd64', 'all']),
    size: t.u32(),
    on: t.flag(),
    sec: t.enum().optional(),
  },
});

const rec = (i: number, rev = 0) => ({
  name: `p${i % 997}`,
  version: `${Math.floor(i / 997)}.${i % 7}`,
  arch: i % 2 === 0 ? ('amd64' as const) : ('all' as const),
  size: i * 3 + rev,
  on: i % 5 === 0,
  ...(i % 3 === 0 ? { sec: `s${i % 4}` } : {}),
});
const keyOf = (r: { name: string; version: string; arch: 'amd64' | 'all' }) => ({
  name: r.name,
  version: r.version,
  arch: r.arch,
});

test(`constantHash: ${N} colliding keys, all found, none invented`, async () => {
  const store = await openStore(S, { cold: false, hash: constantHash });
  const records = Array.from({ length: N }, (_, i) => rec(i));
  // Keys that differ only by one byte, by a prefix, or by the enum: near misses.
  assert.equal(new Set(records.map((r) => JSON.stringify(keyOf(r)))).size, N);
  const res = await store.ingest(records, { batchSize: 512 });
  assert.equal(res.inserted, N);
  assert.equal(store.size, N);
  for (const r of records) assert.deepEqual(store.get(keyOf(r))?.toObject(), r);

  const missing = [
    { name: 'p1', version: '0.1', arch: 'amd64' as const }, // p1 is 'all'
    { name: 'p', version: '0.1', arch: 'all' as const },
    { name: 'p1', version: '0.10', arch: 'all' as const },
    { name: 'p1 ', version: '0.1', arch: 'all' as const },
    { name: '', version: '', arch: 'all' as const },
    { name: 'p10', version: '', arch: 'amd64' as const },
  ];
  for (const k of missing) {
    assert.equal(store.get(k), undefined, JSON.stringify(k));
    assert.equal(store.has(k), false);
  }
  const model = new Map(records.map((r) => [JSON.stringify(keyOf(r)), r]));
  await fc.assert(
    fc.property(
      fc.record({
        name: fc.oneof(
          fc.constantFrom('p1', 'p996', 'p997', 'x'),
          fc.nat(1100).map((n) => `p${n}`),
        ),
        version: fc.oneof(
          fc.constantFrom('0.1', '1.0', '3.6'),
          fc.tuple(fc.nat(20), fc.nat(8)).map(([a, b]) => `${a}.${b}`),
        ),
        arch: fc.constantFrom('amd64' as const, 'all' as const),
      }),
      (k) => {
        const want = model.get(JSON.stringify(k));
        assert.deepEqual(store.get(k)?.toObject(), want);
      },
    ),
    { numRuns: 500 },
  );

  // Delete every third; the rest stay findable (tombstones do not break probe runs).
  for (let i = 0; i < N; i += 3) {
    assert.equal(await store.delete(keyOf(records[i]!)), true);
    model.delete(JSON.stringify(keyOf(records[i]!)));
  }
  assert.equal(store.size, model.size);
  for (let i = 0; i < N; i++) {
    const v = store.get(keyOf(records[i]!));
    if (i % 3 === 0) assert.equal(v, undefined);
    else assert.deepEqual(v?.toObject(), records[i]);
  }
  // where/count see the same set as the model.
  const live = [...model.values()];
  assert.equal(store.count(), live.length);
  assert.equal(store.count({ on: true }), live.filter((r) => r.on).length);
  assert.equal(
    store.count({ arch: 'all', sec: ['s1', 's2'] }),
    live.filter((r) => r.arch === 'all' && (r.sec === 's1' || r.sec === 's2')).length,
  );
  assert.deepEqual(
    [...store.where({ name: 'p5' })].map((v) => v.version).sort(),
    live
      .filter((r) => r.name === 'p5')
      .map((r) => r.version)
      .sort(),
  );

  // Re-insert some deleted, upsert some live: tombstones are reused, nothing duplicated.
  const again = await store.putMany(
    Array.from({ length: Math.floor(N / 6) }, (_, j) => rec(j * 2, 1)),
  );
  for (let j = 0; j < Math.floor(N / 6); j++)
    model.set(JSON.stringify(keyOf(rec(j * 2))), rec(j * 2, 1));
  assert.equal(again.inserted + again.updated, Math.floor(N / 6));
  assert.equal(store.size, model.size);
  await store.compact();
  assert.equal(store.size, model.size);
  for (const r of model.values()) assert.deepEqual(store.get(keyOf(r))?.toObject(), r);
  for (let i = 0; i < N; i += 3)
    if (!model.has(JSON.stringify(keyOf(records[i]!))))
      assert.equal(store.has(keyOf(records[i]!)), false);
  await store.close();
});

test('constantHash on a memory-level store (cold tier keyed by id, not by hash)', async () => {
  const C = schema({ key: ['k'], hot: { k: t.u32() }, cold: { body: t.string() } });
  const store = await openStore(C, { hash: constantHash });
  const n = 500;
  await store.putMany(Array.from({ length: n }, (_, k) => ({ k, body: `body ${k}` })));
  for (let k = 0; k < n; k++)
    assert.deepEqual(store.get({ k })?.record(), { k, body: `body ${k}` });
  assert.equal(store.get({ k: n }), undefined);
  await store.delete({ k: 7 });
  await store.put({ k: 7, body: 'new' });
  assert.deepEqual(await store.get({ k: 7 })?.loadRecord(), { k: 7, body: 'new' });
  await store.close();
});

test('one batch with repeated and near-miss keys: the last record of a key wins, whatever the hash', async () => {
  const key = fc.record({
    name: fc.constantFrom('p1', 'p10', 'p', 'p1 ', ''),
    version: fc.constantFrom('0.1', '0.10', '1', ''),
    arch: fc.constantFrom('amd64' as const, 'all' as const),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(key, fc.nat(1000)), { minLength: 1, maxLength: 60 }),
      fc.constantFrom(constantHash, undefined),
      async (items, hash) => {
        const store = await openStore(S, { cold: false, ...(hash ? { hash } : {}) });
        const records = items.map(([k, size]) => ({ ...k, size, on: size % 2 === 0 }));
        const res = await store.ingest(records, { batchSize: 1000 });
        const model = new Map(records.map((r) => [JSON.stringify(keyOf(r)), r]));
        assert.equal(res.inserted, model.size);
        assert.equal(res.updated, records.length - model.size);
        assert.equal(store.size, model.size);
        for (const r of model.values()) assert.deepEqual(store.get(keyOf(r))?.toObject(), r);
        await store.close();
      },
    ),
    { numRuns: 200 },
  );
});
