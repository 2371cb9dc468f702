/**
 * The cold-record cache (src/cold/cache.ts) against a model: whatever the sequence of
 * sets, gets, deletes and clears, a get returns the last value set for (id, group) or
 * nothing (never another entry's value), the counted bytes are the sum of the entries
 * held and never exceed the bound, and the entry read least recently is the one evicted.
 * Through a store: a hit returns what a miss decoded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore } from 'leanrec';
import { ColdCache, decodedBytes, ENTRY_OVERHEAD } from '../../src/cold/cache.ts';
import { Small, smallRecord } from '../helpers/small-store.ts';
import { removeTempDir, tempDir } from '../helpers/temp.ts';

const op = fc.oneof(
  fc.record({
    k: fc.constant('set' as const),
    id: fc.integer({ min: 0, max: 40 }),
    g: fc.integer({ min: 0, max: 2 }),
    len: fc.integer({ min: 0, max: 200 }),
  }),
  fc.record({
    k: fc.constant('get' as const),
    id: fc.integer({ min: 0, max: 40 }),
    g: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    k: fc.constant('delete' as const),
    id: fc.integer({ min: 0, max: 40 }),
    g: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ k: fc.constant('clear' as const) }),
);

test('property: gets return the last value set or nothing; bytes add up and stay bounded', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(op, { maxLength: 300 }), (max, ops) => {
      const cache = new ColdCache(max);
      const model = new Map<string, { value: object; size: number }>();
      let n = 0;
      for (const o of ops) {
        if (o.k === 'clear') {
          cache.clear();
          model.clear();
          continue;
        }
        const key = `${o.id}/${o.g}`;
        if (o.k === 'set') {
          const value = { v: 'x'.repeat(o.len), n: n++ };
          cache.set(o.id, o.g, value);
          model.delete(key);
          const size = decodedBytes(value) + ENTRY_OVERHEAD;
          if (size <= max) {
            model.set(key, { value, size });
            assert.equal(cache.get(o.id, o.g), value, 'a value that fits is held once set');
          } else assert.equal(cache.get(o.id, o.g), undefined);
        } else if (o.k === 'delete') {
          cache.delete(o.id, o.g);
          model.delete(key);
          assert.equal(cache.get(o.id, o.g), undefined);
        } else {
          const got = cache.get(o.id, o.g);
          if (got !== undefined) assert.equal(got, model.get(key)?.value, `get ${key}`);
        }
        // Entries the cache evicted leave the model too.
        for (const [k, e] of model) {
          const [id, g] = k.split('/').map(Number) as [number, number];
          if (cache.get(id, g) !== e.value) model.delete(k);
        }
        let bytes = 0;
        for (const e of model.values()) bytes += e.size;
        assert.equal(cache.bytes, bytes);
        assert.equal(cache.entries, model.size);
        assert.ok(cache.bytes <= max);
      }
    }),
    { numRuns: 200 },
  );
});

test('the entry read least recently is evicted first', () => {
  const size = decodedBytes({}) + ENTRY_OVERHEAD;
  const cache = new ColdCache(3 * size);
  const a = {};
  const b = {};
  const c = {};
  cache.set(1, 0, a);
  cache.set(2, 0, b);
  cache.set(3, 0, c);
  cache.get(1, 0); // a is read: b is now the least recently used
  cache.set(4, 0, {});
  assert.equal(cache.get(1, 0), a);
  assert.equal(cache.get(2, 0), undefined);
  assert.equal(cache.get(3, 0), c);
  assert.equal(cache.entries, 3);
});

test('a cache hit returns the same record as the miss that filled it, and as an uncached store', async () => {
  const dir = tempDir('cache-hit');
  try {
    const w = await openStore(Small, { path: dir });
    await w.ingest(Array.from({ length: 300 }, (_, i) => smallRecord(i)));
    await w.close();
    const cached = await openStore(Small, { path: dir });
    const misses = Array.from({ length: 300 }, (_, i) => {
      const v = cached.get({ name: `rec-${i}` })!;
      return [v.cold('text'), v.cold('extra')] as const;
    });
    assert.ok(cached.memory().cacheEntries > 0);
    for (let i = 0; i < 300; i++) {
      const v = cached.get({ name: `rec-${i}` })!;
      const [text, extra] = misses[i]!;
      assert.equal(v.cold('text'), text, 'a hit is the object the miss cached');
      assert.equal(v.cold('extra'), extra);
      assert.equal(text.body, smallRecord(i).body);
      assert.deepStrictEqual(extra.data, smallRecord(i).data);
    }
    await cached.close();
  } finally {
    removeTempDir(dir);
  }
});
