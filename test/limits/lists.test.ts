/**
 * List columns at their limits: the item slots of one list column (2^32 − 1, u32 starts;
 * lowered here through the test-only `_limits.listItems`) and a list of open enums at
 * 65,536 distinct item values. A batch that would pass either is `E_LIMIT` naming the
 * field and the record, and writes nothing: no row half-written in RAM, no record on
 * disk that a rebuild could not hold.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ENUM_VALUES, type Store, schema, t } from 'leanrec';
import { acrossLifecycle, rejectsWith } from '../helpers/lifecycle.ts';

const S = schema({
  key: ['id'],
  hot: { id: t.u32(), xs: t.list(t.u16()), on: t.flag() },
  cold: { body: t.string() },
});
const rec = (id: number, n: number, base = id) => ({
  id,
  xs: Array.from({ length: n }, (_, i) => base * 10 + i),
  on: id % 2 === 0,
  body: `b${id}`,
});

describe('list item slots (through the test-only _limits.listItems)', () => {
  const I = 40; // 9 records of 4 items (36), then one of 3, 4 or 5
  const options = { _limits: { listItems: I } };
  for (const [last, batch] of [
    [3, 3],
    [4, 5],
    [4, 10],
    [5, 5],
    [5, 10],
  ] as const) {
    const total = 36 + last;
    test(`${total} items against a limit of ${I}, batches of ${batch}`, async () => {
      const all = [...Array.from({ length: 9 }, (_, i) => rec(i, 4)), rec(9, last)];
      const fits = total <= I;
      const held = fits ? 10 : Math.floor(9 / batch) * batch;
      await acrossLifecycle(S, {
        options,
        async write(st) {
          for (let i = 0; i < 10; i += batch) {
            const p = st.putMany(all.slice(i, i + batch));
            if (fits || i + batch < 10) await p;
            else await rejectsWith(p, 'E_LIMIT', { field: 'xs', key: '9' });
          }
        },
        async check(st) {
          assert.equal(st.size, held);
          assert.equal([...st.where()].length, held);
          for (let i = 0; i < held; i++) assert.deepEqual(st.get({ id: i })?.xs, all[i]!.xs);
          if (!fits) assert.equal(st.get({ id: 9 }), undefined);
          assert.equal(st._tier.columns[1]!.constructor.name, 'ListColumn');
          const col = st._tier.columns[1] as unknown as { itemCount: number };
          assert.equal(col.itemCount, fits ? total : 4 * held);
          if (col.itemCount === I)
            await rejectsWith(st.put(rec(50, 1)), 'E_LIMIT', { field: 'xs', key: '50' });
        },
      });
    });
  }

  test('slots of replaced lists count until compact() reclaims them', async () => {
    await acrossLifecycle(S, {
      options,
      async write(st) {
        await st.putMany(Array.from({ length: 5 }, (_, i) => rec(i, 4))); // 20 slots
        await st.putMany(Array.from({ length: 5 }, (_, i) => rec(i, 4, i + 100))); // 40: 20 garbage
        const err = await rejectsWith(st.put(rec(0, 1, 7)), 'E_LIMIT', { field: 'xs', key: '0' });
        assert.match(err.message, /compact\(\)/);
        await st.put(rec(0, 0, 7)); // an empty list fits
        await st.compact(); // 16 live slots
        await st.putMany([rec(5, 4), rec(6, 4), rec(7, 4), rec(8, 4), rec(9, 4), rec(0, 4)]);
      },
      async check(st) {
        const col = st._tier.columns[1] as unknown as { itemCount: number };
        assert.equal(col.itemCount, 40);
        for (let i = 1; i < 5; i++) assert.deepEqual(st.get({ id: i })?.xs, rec(i, 4, i + 100).xs);
        for (let i = 5; i < 10; i++) assert.deepEqual(st.get({ id: i })?.xs, rec(i, 4).xs);
        assert.deepEqual(st.get({ id: 0 })?.xs, rec(0, 4).xs);
        await rejectsWith(st.put(rec(20, 1)), 'E_LIMIT', { field: 'xs' });
      },
    });
  });
});

describe('a list of open enums at 65,536 distinct item values', () => {
  const E = schema({ key: ['id'], hot: { id: t.u32(), tags: t.list(t.enum()) } });
  type St = Store<typeof E>;
  const value = (i: number) => `v${i}`;
  /** 16,383 records of 4 new values, one of 2: 65,534 values. */
  const base = () => {
    const recs = Array.from({ length: 16383 }, (_, r) => ({
      id: r,
      tags: [0, 1, 2, 3].map((k) => value(4 * r + k)),
    }));
    recs.push({ id: 16383, tags: [value(65532), value(65533)] });
    return recs;
  };
  const check = (st: St, ids: number[]) => {
    assert.equal(st.size, ids.length);
    assert.equal([...st.where()].length, ids.length, 'no half-written row');
    for (const r of [0, 1, 255, 256, 16383]) {
      assert.deepEqual(
        st.get({ id: r })?.tags,
        r === 16383 ? [value(65532), value(65533)] : [0, 1, 2, 3].map((k) => value(4 * r + k)),
      );
    }
  };

  test('65,535 and 65,536 values fit; the batch that brings the 65,537th writes nothing', async () => {
    assert.equal(MAX_ENUM_VALUES, 65536);
    const ids = Array.from({ length: 16384 }, (_, i) => i);
    await acrossLifecycle(
      E,
      {
        async write(st) {
          await st.ingest(base(), { batchSize: 5000 });
          // Crossing: two new values (65,535th and 65,536th) and a third one, refused whole.
          await rejectsWith(
            st.putMany([
              { id: 20000, tags: ['x1', 'x2'] },
              { id: 20001, tags: ['x1', 'x3', 'old'] },
            ]),
            'E_LIMIT',
            { field: 'tags', key: '20001' },
          );
          await st.putMany([{ id: 20000, tags: ['x1', value(7)] }]); // limit − 1
          await st.putMany([{ id: 20001, tags: [value(3), 'x2', 'x1'] }]); // the limit
          // Values already held still fit at the limit, in new records and updates.
          await st.putMany([
            { id: 20002, tags: [value(0), 'x2'] },
            { id: 0, tags: [value(0), value(1), value(2), value(3)] },
          ]);
          await rejectsWith(st.putMany([{ id: 20003, tags: ['x3'] }]), 'E_LIMIT', {
            field: 'tags',
            key: '20003',
          });
        },
        async check(st) {
          check(st, [...ids, 20000, 20001, 20002]);
          assert.deepEqual(st.get({ id: 20001 })?.tags, [value(3), 'x2', 'x1']);
          assert.equal(st.get({ id: 20003 }), undefined);
          await rejectsWith(st.putMany([{ id: 20004, tags: [value(9), 'y'] }]), 'E_LIMIT', {
            field: 'tags',
            key: '20004',
          });
          assert.equal(st.get({ id: 20004 }), undefined);
        },
      },
      ['hot-only', 'rebuild'],
    ); // memory-level adds nothing here but seconds
  });
});
