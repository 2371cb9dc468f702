/**
 * One write behind three names: `ingest` takes an array, any iterable and any async
 * iterable and gives the same result for each; `put(record)` is `ingest([record])`;
 * `putMany` (deprecated) is `ingest`. Checked on a hot-only and an in-memory store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Infer,
  isLeanrecError,
  openStore,
  type Store,
  schema,
  t,
  type WriteResult,
} from 'leanrec';

const S = schema({
  key: ['id'],
  hot: { id: t.u32(), tag: t.enum() },
  cold: { text: { body: t.string() } },
});
type Rec = Infer<typeof S>;

const records: Rec[] = [
  { id: 1, tag: 'a', body: 'one' },
  { id: 2, tag: 'b', body: 'two' },
  { id: 1, tag: 'c', body: 'one again' }, // replaces id 1 within the same source
  { id: 3, tag: 'a', body: 'three' },
];

function* syncSource(): Generator<Rec> {
  yield* records;
}
async function* asyncSource(): AsyncGenerator<Rec> {
  for (const r of records) {
    await new Promise((resolve) => setImmediate(resolve));
    yield r;
  }
}

/**
 * What a store holds, by id: whole records, or the hot fields of a hot-only store. (Row
 * order is not compared: a key repeated within one batch takes the row of its last
 * record, where writes one by one keep its first row.)
 */
async function contents(store: Store<typeof S>, hotOnly: boolean): Promise<unknown[]> {
  const out: Record<string, unknown>[] = [];
  for (const v of store.where()) out.push(hotOnly ? v.toObject() : await v.loadRecord());
  return out.sort((x, y) => (x.id as number) - (y.id as number));
}

for (const mode of ['hot-only', 'in memory'] as const) {
  const open = () => openStore(S, mode === 'hot-only' ? { cold: false } : {});
  const expected: WriteResult = { written: 4, inserted: 3, updated: 1, skipped: 0, batches: 2 };

  test(`${mode}: ingest of an array, a Set, a generator and an async generator: one result, one content`, async () => {
    const sources: [string, () => Iterable<Rec> | AsyncIterable<Rec>][] = [
      ['array', () => records],
      ['Set', () => new Set(records)],
      ['generator', syncSource],
      ['async generator', asyncSource],
    ];
    let first: unknown[] | undefined;
    for (const [name, source] of sources) {
      const store = await open();
      assert.deepEqual(await store.ingest(source(), { batchSize: 3 }), expected, name);
      const got = await contents(store, mode === 'hot-only');
      first ??= got;
      assert.deepEqual(got, first, name);
      assert.equal(store.size, 3);
      assert.equal(store.get({ id: 1 })?.tag, 'c', `${name}: the later record of a key wins`);
      await store.close();
    }
  });

  test(`${mode}: putMany is ingest, put is ingest of one record`, async () => {
    const a = await open();
    const b = await open();
    const c = await open();
    assert.deepEqual(await a.putMany(records, { batchSize: 3 }), expected);
    assert.deepEqual(await b.ingest(records, { batchSize: 3 }), expected);
    for (const r of records) assert.equal(await c.put(r), undefined);
    for (const s of [a, b, c]) {
      assert.equal(s.size, 3);
      assert.deepEqual(
        await contents(s, mode === 'hot-only'),
        await contents(b, mode === 'hot-only'),
      );
    }
    // The same refusal: E_INVALID_RECORD naming the field and the key, nothing written.
    const bad = { id: 9, tag: 7, body: 'x' } as unknown as Rec;
    for (const write of [() => c.put(bad), () => c.ingest([bad]), () => c.putMany([bad])]) {
      await assert.rejects(write(), (e: unknown) => {
        assert.ok(isLeanrecError(e, 'E_INVALID_RECORD'), String(e));
        assert.equal(e.field, 'tag');
        assert.ok(e.message.includes('9'), e.message);
        return true;
      });
      assert.equal(c.has({ id: 9 }), false);
    }
    await Promise.all([a.close(), b.close(), c.close()]);
  });
}
