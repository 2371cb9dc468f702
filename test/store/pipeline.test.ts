/**
 * The ingest pipeline: the next batch is read and validated while the database writes
 * the one before, and whatever ends the ingest part-way (a failed write, an invalid
 * record, the source throwing) ends it only once the write under way has settled — a
 * failed write first, with nothing written after it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { openStore, schema, t } from 'leanrec';
import { FaultyLevel, InjectedFault } from 'leanrec/testing';
import { isLeanrecError } from '../../src/errors.ts';
import { tempDir } from '../helpers/temp.ts';

const S = schema({
  key: ['k'],
  hot: { k: t.u32() },
  cold: { note: t.string() },
});

const rec = (k: number) => ({ k, note: `note ${k}` });
const BATCH = 10;

/** Records 0…n-1, counting how many the ingest has taken; `bad` gives an invalid one there. */
function source(n: number, bad = -1, throwAt = -1) {
  const taken = { count: 0 };
  async function* gen(): AsyncGenerator<ReturnType<typeof rec>> {
    for (let k = 0; k < n; k++) {
      if (k === throwAt) throw new Error('source failed');
      taken.count++;
      // An invalid record, as a source that is not typed could yield it.
      yield k === bad ? ({ k, note: 5 } as unknown as ReturnType<typeof rec>) : rec(k);
    }
  }
  return { taken, records: gen() };
}

async function onDisk<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir('pipeline');
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function keysIn(dir: string): Promise<number[]> {
  const store = await openStore(S, { path: dir });
  const keys = [...store.where()].map((v) => v.k).sort((a, b) => a - b);
  for (const k of keys) assert.deepEqual(store.get({ k })?.record(), rec(k));
  await store.close();
  return keys;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const atomic of [false, true])
  test(`each batch is acknowledged after the next one was read (atomic: ${atomic})`, async () => {
    await onDisk(async (dir) => {
      const store = await openStore(S, { path: dir });
      const { taken, records } = source(35);
      const seen: [number, number][] = [];
      const res = await store.ingest(records, {
        batchSize: BATCH,
        atomic,
        onBatch: (p) => seen.push([p.written, taken.count]),
      });
      assert.equal(res.written, 35);
      // Batch 1 (10 records) is reported once records 10…19 were read, and so on.
      assert.deepEqual(seen, [
        [10, 20],
        [20, 30],
        [30, 35],
        [35, 35],
      ]);
      await store.close();
      assert.deepEqual(await keysIn(dir), range(35));
    });
  });

for (const atomic of [false, true])
  test(`an invalid record read while a batch is written: that batch stands unless atomic, the invalid one's batch writes nothing (atomic: ${atomic})`, async () => {
    await onDisk(async (dir) => {
      const store = await openStore(S, { path: dir });
      const { records } = source(40, 15);
      const acked: number[] = [];
      await assert.rejects(
        store.ingest(records, {
          batchSize: BATCH,
          atomic,
          onBatch: (p) => acked.push(p.written),
        }),
        (err: unknown) =>
          isLeanrecError(err, 'E_INVALID_RECORD') &&
          err.index === 15 &&
          err.field === 'note' &&
          err.written === (atomic ? undefined : 10),
      );
      // The first batch was acknowledged before the error ended the ingest.
      assert.deepEqual(acked, [10]);
      assert.equal(store.size, atomic ? 0 : 10);
      await store.close();
      assert.deepEqual(await keysIn(dir), atomic ? [] : range(10));
    });
  });

for (const atomic of [false, true])
  test(`the source throws while a batch is written: the error passes through once it settled (atomic: ${atomic})`, async () => {
    await onDisk(async (dir) => {
      const store = await openStore(S, { path: dir });
      const { records } = source(40, -1, 25);
      await assert.rejects(store.ingest(records, { batchSize: BATCH, atomic }), /source failed/);
      assert.equal(store.size, atomic ? 0 : 20);
      await store.close();
      assert.deepEqual(await keysIn(dir), atomic ? [] : range(20));
    });
  });

for (const atomic of [false, true])
  test(`a write that fails ends the ingest before the invalid record read meanwhile; nothing after it is written (atomic: ${atomic})`, async () => {
    await onDisk(async (dir) => {
      let db!: FaultyLevel;
      const store = await openStore(S, {
        path: dir,
        database: (p, o) => {
          db = FaultyLevel.wrap(p, o);
          return db;
        },
      });
      // The second batch's write fails; the third batch (read while it is written) holds
      // an invalid record, and the fourth would be valid.
      const fault = db.inject({ kind: 'batch', skip: 1 });
      const { taken, records } = source(40, 25);
      await assert.rejects(
        store.ingest(records, { batchSize: BATCH, atomic }),
        (err: unknown) =>
          isLeanrecError(err, 'E_IO') &&
          err.cause === fault &&
          err.written === (atomic ? undefined : 10),
      );
      assert.ok(fault instanceof InjectedFault && fault.fired);
      assert.equal(taken.count, 30, 'the third batch was read while the second was written');
      assert.equal(store.size, atomic ? 0 : 10);
      await store.close();
      assert.deepEqual(await keysIn(dir), atomic ? [] : range(10));
    });
  });
