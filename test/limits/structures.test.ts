/**
 * msgpackr's shared structures at their edges (src/cold/codec.ts). Every distinct key set
 * of an encoded object (a record part, or an object inside a `t.json()` value) is one
 * structure. The store shares up to 8,160 (`maxSharedStructures`, msgpackr's maximum) and
 * persists them in `m structures`:
 * - ids 0x40…0x5f (the first 32 structures) are one byte in a value, later ones two bytes
 *   (`highByte`), and a fresh reader must know which;
 * - past 8,160 a new key set is written inline, as a record definition inside the value
 *   itself (msgpackr's "own" structures, 32 ids that cycle within one value).
 * Each edge at limit − 1, limit and limit + 1: in memory, after close → reopen (snapshot),
 * after a rebuild, read by a second process, and through batches that straddle it, one
 * of them failing part-way (the codec rolls back what the failed batch added).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { isLeanrecError, openStore } from 'leanrec';
import { FaultyLevel } from 'leanrec/testing';
import { pack, unpack } from 'msgpackr';
import { metaKey } from '../../src/cold/layout.ts';
import {
  type AnyStore,
  assertEverywhere,
  assertSomeEverywhere,
  reopen,
  tempDir,
} from '../helpers/limits.ts';
import {
  Jsons,
  jsonRecord,
  manyShapesRecord,
  Optional,
  optionalRecord,
} from '../helpers/limits-schemas.ts';

const SHARED = 8160;

async function storedStructures(store: AnyStore): Promise<number> {
  const bytes = await store._cold!._db.get(metaKey('structures'));
  return bytes === undefined ? 0 : (unpack(bytes) as unknown[]).length;
}

test('32 structures (one-byte ids): 31, 32, 33 and past, one record at a time', async () => {
  const dir = tempDir();
  try {
    const expected: Record<string, unknown>[] = [];
    let store = (await openStore(Optional, { path: dir })) as AnyStore;
    // {id} is structure 1; records 0…28 bring 29 more.
    for (let i = 0; i < 29; i++) expected.push(optionalRecord(i));
    await store.ingest(expected as never, { batchSize: 7 });
    for (const [next, total] of [
      [29, 31],
      [30, 32],
      [31, 33],
    ] as const) {
      assert.equal(await storedStructures(store), total - 1);
      expected.push(optionalRecord(next));
      await store.put(expected.at(-1) as never);
      assert.equal(await storedStructures(store), total);
      await assertEverywhere(store, Optional, dir, 'id', expected);
      store = await reopen(Optional, dir, 'snapshot');
    }
    // Up to 63 structures, written by the reopened store (its ids continue the stored ones).
    for (let i = 32; i < 62; i++) expected.push(optionalRecord(i));
    await store.ingest(expected.slice(32) as never);
    assert.equal(await storedStructures(store), 63);
    await assertEverywhere(store, Optional, dir, 'id', expected, 'optional');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('32 structures: batches that straddle the edge or end on it', async () => {
  const recs = Array.from({ length: 40 }, (_, i) => optionalRecord(i));
  for (const batchSize of [1, 16, 30, 31, 32, 40]) {
    const dir = tempDir();
    try {
      const store = (await openStore(Optional, { path: dir })) as AnyStore;
      await store.ingest(recs as never, { batchSize });
      assert.equal(await storedStructures(store), 41, `batchSize ${batchSize}`);
      await assertEverywhere(store, Optional, dir, 'id', recs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('8,160 structures: 8,159, 8,160, 8,161 and inline structures past them, in two processes', async () => {
  const dir = tempDir();
  try {
    const expected: Record<string, unknown>[] = [];
    let store = (await openStore(Jsons, { path: dir })) as AnyStore;
    // {id} and {data}, then one per record: 8,157 records bring the store to 8,159.
    for (let i = 0; i < SHARED - 3; i++) expected.push(jsonRecord(i));
    await store.ingest(expected as never, { batchSize: 1000 });
    assert.equal(await storedStructures(store), SHARED - 1);
    // The intermediate states: the records near the edge (and the first ones) in full,
    // the rest counted; the final state below is read whole.
    const near = () => [...expected.slice(0, 40), ...expected.slice(-40)];
    await assertSomeEverywhere(store, Jsons, dir, 'id', expected.length, near());
    for (const total of [SHARED, SHARED + 1]) {
      store = await reopen(Jsons, dir, 'snapshot');
      expected.push(jsonRecord(expected.length));
      await store.put(expected.at(-1) as never);
      // Past 8,160 nothing more is shared: the 8,161st key set is inline in its value.
      assert.equal(await storedStructures(store), Math.min(total, SHARED));
      await assertSomeEverywhere(store, Jsons, dir, 'id', expected.length, near());
    }
    // Values with 31, 32, 33 and 70 new key sets each: msgpackr's 32 inline ids cycle
    // within one value. Then records whose key sets were inline before, written again.
    store = await reopen(Jsons, dir, 'snapshot');
    const more = [31, 32, 33, 70].map((n, k) => manyShapesRecord(expected.length + k, n));
    more.push(jsonRecord(expected.length + 4), jsonRecord(SHARED - 2));
    expected.push(...more.slice(0, 5));
    expected[SHARED - 2] = more[5]!;
    await store.ingest(more as never, { batchSize: 2 });
    assert.equal(await storedStructures(store), SHARED);
    await assertEverywhere(store, Jsons, dir, 'id', expected, 'jsons');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('8,160 structures: reached inside a batch, after a failed batch that straddled it', async () => {
  const dir = tempDir();
  try {
    const recs = Array.from({ length: SHARED + 40 }, (_, i) => jsonRecord(i));
    let db!: FaultyLevel;
    const store = (await openStore(Jsons, {
      path: dir,
      database: (p, o) => (db = FaultyLevel.wrap(p!, o)),
    })) as AnyStore;
    await store.ingest(recs.slice(0, 8000) as never, { batchSize: 1000 });
    // The batch of records 8000…8199 would take the store from 8,002 to 8,160 structures
    // and write 42 values with inline ones: it fails, and nothing of it stays.
    const fault = db.inject({ kind: 'batch' });
    await assert.rejects(store.ingest(recs.slice(8000) as never, { batchSize: 200 }), (err) => {
      assert.equal((err as { code?: string }).code, 'E_IO');
      assert.equal((err as { cause?: unknown }).cause, fault);
      return true;
    });
    assert.equal(await storedStructures(store), 8002);
    assert.equal(store.size, 8000);
    await store.ingest(recs.slice(8000) as never, { batchSize: 200 });
    assert.equal(await storedStructures(store), SHARED);
    // The records of the failed and rewritten batch read whole, the rest counted (a store
    // written without a failure is read whole in the test above).
    await assertSomeEverywhere(store, Jsons, dir, 'id', recs.length, recs.slice(7990));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a stored list of 8,160 structures opens and is used; 8,161 is E_CORRUPT', async () => {
  for (const n of [SHARED, SHARED + 1]) {
    const dir = tempDir();
    try {
      let store = (await openStore(Jsons, { path: dir })) as AnyStore;
      await store.put(jsonRecord(0) as never);
      // The list the store wrote, padded with key sets of its own to n.
      const stored = unpack((await store._cold!._db.get(metaKey('structures')))!) as string[][];
      const list = [...stored];
      for (let i = list.length; i < n; i++) list.push([`pad${i}`]);
      await store._cold!._db.put(metaKey('structures'), pack(list));
      await store.close();
      if (n > SHARED) {
        await assert.rejects(openStore(Jsons, { path: dir }), (err) => {
          assert.ok(isLeanrecError(err));
          assert.equal(err.code, 'E_CORRUPT');
          assert.ok(err.message.includes('structures'), err.message);
          return true;
        });
        continue;
      }
      store = await reopen(Jsons, dir, 'snapshot');
      // A value using the last padded structure: its key set is already shared.
      const rec = { id: 1, data: { [`pad${SHARED - 1}`]: 'last' } };
      await store.put(rec as never);
      assert.equal(await storedStructures(store), SHARED);
      await assertEverywhere(store, Jsons, dir, 'id', [jsonRecord(0), rec]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
