/**
 * The cold-record cache's byte bound (src/cold/cache.ts): an entry counts its decoded size
 * (`decodedBytes`) plus `ENTRY_OVERHEAD` bytes. An entry of exactly `cacheBytes` is kept, one byte more
 * is not cached at all; two entries that fill the bound exactly both stay, one byte less
 * and the older is evicted; `cacheBytes: 0` caches nothing. What is read is the same in
 * every case.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { openStore, schema, t } from 'leanrec';
import { decodedBytes, ENTRY_OVERHEAD } from '../../src/cold/cache.ts';
import { type AnyStore, reopen, tempDir } from '../helpers/limits.ts';

const S = schema({ key: ['id'], hot: { id: t.u32() }, cold: { v: t.string() } });
const rec = (id: number) => ({ id, v: `${id}`.padEnd(300, '.') });

test('an entry of cacheBytes − 1, cacheBytes, + 1 bytes; two entries at the bound ± 1; 0 disables', async () => {
  const dir = tempDir();
  try {
    let store = (await openStore(S, { path: dir })) as AnyStore;
    await store.ingest([rec(1), rec(2)] as never);
    await store.close();
    const decoded = decodedBytes({ v: rec(1).v });
    assert.equal(decodedBytes({ v: rec(2).v }), decoded);
    const entry = decoded + ENTRY_OVERHEAD;
    const read = (s: AnyStore, id: number) => s.cold({ id } as never);
    for (const [cacheBytes, entries] of [
      [entry - 1, 0],
      [entry, 1],
      [entry + 1, 1],
    ] as const) {
      store = await reopen(S, dir, 'snapshot', { cacheBytes });
      assert.deepStrictEqual(read(store, 1), { v: rec(1).v });
      assert.equal(store.memory().cacheEntries, entries, `cacheBytes ${cacheBytes}`);
      assert.equal(store.memory().cache, entries * entry);
      assert.deepStrictEqual(read(store, 1), { v: rec(1).v });
      await store.close();
    }
    for (const [cacheBytes, entries] of [
      [2 * entry - 1, 1],
      [2 * entry, 2],
    ] as const) {
      store = await reopen(S, dir, 'snapshot', { cacheBytes });
      assert.deepStrictEqual(read(store, 1), { v: rec(1).v });
      assert.deepStrictEqual(read(store, 2), { v: rec(2).v });
      assert.equal(store.memory().cacheEntries, entries, `cacheBytes ${cacheBytes}`);
      assert.ok(store.memory().cache <= cacheBytes);
      assert.deepStrictEqual(read(store, 1), { v: rec(1).v });
      await store.close();
    }
    store = await reopen(S, dir, 'snapshot', { cacheBytes: 0 });
    assert.deepStrictEqual(read(store, 2), { v: rec(2).v });
    assert.equal(store.memory().cacheEntries, 0);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
