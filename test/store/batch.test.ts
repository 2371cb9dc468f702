import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, schema, t } from 'leanrec';

const S = schema({
  key: ['k'],
  hot: { k: t.string(), n: t.u32() },
  cold: { note: t.string().optional() },
});

for (const cold of [false, true]) {
  test(`one batch with repeated keys counts and stores as if written in order (${cold ? 'cold tier' : 'hot only'})`, async () => {
    const store = await openStore(S, cold ? {} : { cold: false });
    const r1 = await store.putMany([
      { k: 'a', n: 1 },
      { k: 'b', n: 1 },
      { k: 'a', n: 2, note: 'second' },
      { k: 'a', n: 3 },
    ]);
    assert.deepEqual(r1, { written: 4, inserted: 2, updated: 2, skipped: 0, batches: 1 });
    assert.equal(store.size, 2);
    assert.equal(store.get({ k: 'a' })?.n, 3);
    if (cold) assert.deepEqual(store.get({ k: 'a' })?.record(), { k: 'a', n: 3 });
    const r2 = await store.putMany([
      { k: 'b', n: 2 },
      { k: 'b', n: 3 },
      { k: 'c', n: 1 },
    ]);
    assert.deepEqual(r2, { written: 3, inserted: 1, updated: 2, skipped: 0, batches: 1 });
    assert.equal(store.get({ k: 'b' })?.n, 3);
    assert.equal(store.size, 3);
    await store.close();
  });
}
