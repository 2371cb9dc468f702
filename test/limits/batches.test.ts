/**
 * Write batches at their edges (src/store/store.ts, src/cold/cold-tier.ts): `ingest`
 * cuts its input into atomic batches of `batchSize` records (default
 * `DEFAULT_BATCH_SIZE`, 250), each one LevelDB batch. Record counts at multiples of the
 * batch size − 1, exact and + 1, batch sizes 1 and the count ± 1, with the batches counted
 * and the records read back in memory, after close → reopen and after a rebuild. LevelDB
 * puts no byte limit on a batch or a value: batches larger than its write buffer and
 * values larger than it (and encodes around msgpackr's 8 KiB buffer) round-trip too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { isLeanrecError, openStore, schema, t } from 'leanrec';
import { DEFAULT_BATCH_SIZE } from '../../src/store/options.ts';
import { type AnyStore, assertEverywhere, tempDir } from '../helpers/limits.ts';

const Tiny = schema({ key: ['id'], hot: { id: t.u32() }, cold: { v: t.string() } });
const tiny = (i: number) => ({ id: i, v: `v${i}` });

async function ingestAndCheck(
  count: number,
  batchSize: number | undefined,
  options: Record<string, unknown> = {},
): Promise<void> {
  const dir = tempDir();
  try {
    const recs = Array.from({ length: count }, (_, i) => tiny(i));
    const store = (await openStore(Tiny, { path: dir, ...options })) as AnyStore;
    const seen: number[] = [];
    const res = await store.ingest(recs as never, {
      ...(batchSize === undefined ? {} : { batchSize }),
      onBatch: (p) => seen.push(p.written),
    });
    const size = batchSize ?? DEFAULT_BATCH_SIZE;
    const batches = Math.ceil(count / size);
    assert.equal(res.batches, batches, `${count} records in batches of ${size}`);
    assert.equal(res.inserted, count);
    assert.deepStrictEqual(
      seen,
      Array.from({ length: batches }, (_, b) => Math.min(count, (b + 1) * size)),
    );
    await assertEverywhere(store, Tiny, dir, 'id', recs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test(`the default batch size (${DEFAULT_BATCH_SIZE}): counts at its multiples − 1, exact, + 1`, async () => {
  assert.equal(DEFAULT_BATCH_SIZE, 250);
  for (const count of [1, 249, 250, 251, 499, 500, 501]) await ingestAndCheck(count, undefined);
});

test('batch sizes 1, the count − 1, the count, the count + 1 and divisors of it', async () => {
  const count = 24;
  for (const batchSize of [1, 2, 5, 7, 8, 11, 12, 13, 23, 24, 25, 1000])
    await ingestAndCheck(count, batchSize);
});

test('batchSize must be a positive integer', async () => {
  const store = await openStore(Tiny);
  for (const bad of [0, -1, 1.5, Number.NaN])
    await assert.rejects(store.ingest([tiny(1)] as never, { batchSize: bad }), (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_ARGUMENT');
      assert.ok(err.message.includes('batchSize'));
      return true;
    });
  assert.equal(store.size, 0);
  await store.close();
});

test('a batch larger than LevelDB’s write buffer, and values larger than it', async () => {
  // The write buffer made 64 KiB: one batch of 40 × 8 KiB, values of 64 KiB − 1 … + 1 and of 1 MiB.
  const writeBuffer = 64 * 1024;
  const recs: Record<string, unknown>[] = Array.from({ length: 40 }, (_, i) => ({
    id: i,
    v: `${i}:`.padEnd(8 * 1024, 'x'),
  }));
  for (const [k, n] of [writeBuffer - 1, writeBuffer, writeBuffer + 1, 1024 * 1024].entries())
    recs.push({ id: 100 + k, v: 'y'.repeat(n) });
  const dir = tempDir();
  try {
    const store = (await openStore(Tiny, {
      path: dir,
      levelWriteBufferBytes: writeBuffer,
    })) as AnyStore;
    const res = await store.ingest(recs as never, { batchSize: recs.length });
    assert.equal(res.batches, 1);
    await assertEverywhere(store, Tiny, dir, 'id', recs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('encoded values around msgpackr’s 8 KiB buffer, many in one batch', async () => {
  // msgpackr encodes into an 8 KiB buffer it reuses (and starts afresh when less than
  // 2 KiB is left): values of every size around those edges, one after another.
  const recs: Record<string, unknown>[] = [];
  let id = 0;
  for (let n = 1900; n <= 2200; n += 37) recs.push({ id: id++, v: 'a'.repeat(n) });
  for (let n = 6000; n <= 8300; n += 1)
    if (n % 23 === 0 || (n >= 8170 && n <= 8200)) recs.push({ id: id++, v: 'b'.repeat(n) });
  const dir = tempDir();
  try {
    const store = (await openStore(Tiny, { path: dir })) as AnyStore;
    await store.ingest(recs as never, { batchSize: 64 });
    await assertEverywhere(store, Tiny, dir, 'id', recs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadMany in getMany batches of 256: 255, 256, 257, 512, 513 records, cached, uncached and mixed', async () => {
  // GET_MANY_BATCH in src/cold/cold-tier.ts; a group added later (absent for old records).
  const Two = schema({
    key: ['id'],
    hot: { id: t.u32() },
    cold: { a: { x: t.string() }, b: { y: t.u32() } },
  });
  const Three = schema({
    key: ['id'],
    hot: { id: t.u32() },
    cold: { a: { x: t.string() }, b: { y: t.u32() }, c: { z: t.string().optional() } },
  });
  const dir = tempDir();
  try {
    let store = (await openStore(Two, { path: dir, cacheBytes: 1 << 20 })) as AnyStore;
    await store.ingest(
      Array.from({ length: 300 }, (_, i) => ({ id: i, x: `x${i}`, y: i * 3 })) as never,
    );
    await store.close();
    store = (await openStore(Three, { path: dir, cacheBytes: 1 << 20 })) as AnyStore;
    await store.ingest(
      Array.from({ length: 300 }, (_, k) => ({
        id: 300 + k,
        x: `x${300 + k}`,
        y: 3 * (300 + k),
        z: `z${k}`,
      })) as never,
    );
    type View = { record(): Record<string, unknown>; cold(g?: string): Record<string, unknown> };
    const views = [...store.where()] as unknown as View[];
    // Newest first, so batches mix records with and without group c.
    views.reverse();
    // loadMany gives the cold fields.
    const expected = views.map((v) => {
      const { id: _id, ...cold } = v.record();
      return cold;
    });
    const load = (list: View[], group?: string, cache = true) =>
      store.loadMany(list as never, group as never, { cache });
    for (const n of [255, 256, 257, 512, 513, 600]) {
      const some = views.slice(0, n);
      assert.deepStrictEqual(
        await load(some, undefined, false),
        expected.slice(0, n),
        `${n} uncached`,
      );
      assert.deepStrictEqual(
        await load(some, 'c', false),
        expected.slice(0, n).map((r) => (r['z'] === undefined ? {} : { z: r['z'] })),
        `${n}, group c`,
      );
    }
    // Every third record cached first: batches of 256 with hits in between.
    for (let i = 0; i < views.length; i += 3) views[i]!.cold('a');
    assert.deepStrictEqual(
      await load(views, 'a'),
      expected.map((r) => ({ x: r['x'] })),
    );
    assert.deepStrictEqual(await load(views), expected);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
