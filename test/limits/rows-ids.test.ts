/**
 * Row and id counters at their limits. The real limits (2^32 − 2 rows, ids up to
 * 0xFFFFFFFE) are too large to reach, so a test starts near them through the
 * test-only seams: `_limits.rows` lowers the row limit (never raises it), and the hot
 * tier's `nextId` is set just below the last id. Each case runs at limit − 1, limit and
 * limit + 1, with batches that end exactly at the limit and batches that cross it, in
 * memory, hot-only, and on disk through the snapshot and a rebuild: the refused batch
 * is `E_LIMIT` naming the record, and writes nothing, before or after a reopen.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type Store, schema, t } from 'leanrec';
import { HOT_LIMITS } from '../../src/hot/limits.ts';
import { KeyIndex } from '../../src/keys/key-index.ts';
import { MAX_ID } from '../../src/store/batch-plan.ts';
import { acrossLifecycle, rejectsWith } from '../helpers/lifecycle.ts';

const R = schema({
  key: ['id'],
  hot: { id: t.u32(), on: t.flag(), note: t.string().optional() },
  cold: { body: t.string() },
});
type Rec = { id: number; on: boolean; note?: string; body: string };
const rec = (id: number): Rec => ({
  id,
  on: id % 3 === 0,
  ...(id % 2 === 0 ? { note: `n${id}` } : {}),
  body: `b${id}`,
});
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => rec(from + i));

function checkHeld(st: Store<typeof R>, ids: readonly number[], absent: readonly number[]) {
  assert.equal(st.size, ids.length);
  assert.equal([...st.where()].length, ids.length, 'where() yields live rows only');
  for (const id of ids) {
    const v = st.get({ id });
    assert.ok(v, `record ${id}`);
    assert.deepEqual(v.toObject(), {
      id,
      on: id % 3 === 0,
      ...(id % 2 === 0 ? { note: `n${id}` } : {}),
    });
  }
  for (const id of absent) assert.equal(st.get({ id }), undefined, `record ${id} must be absent`);
  assert.equal(st.count({ on: true }), ids.filter((id) => id % 3 === 0).length);
}

describe('row limit (through the test-only _limits.rows)', () => {
  const L = 40; // past a 32-row bitset word, so the word edge is crossed on the way
  const options = { _limits: { rows: L } };

  for (const [n, batch] of [
    [L - 1, 13],
    [L, 10],
    [L, 40],
    [L + 1, 10],
    [L + 1, 16],
    [L + 1, 41],
  ] as const) {
    test(`${n} records against a limit of ${L} rows, batches of ${batch}`, async () => {
      // The batch that brings row L + 1 is refused whole: what fits is what came before it.
      const held = n <= L ? n : Math.floor(L / batch) * batch;
      await acrossLifecycle(R, {
        options,
        async write(st) {
          const all = range(0, n);
          for (let i = 0; i < n; i += batch) {
            const p = st.putMany(all.slice(i, i + batch));
            if (i + batch <= held || n <= L) await p;
            else {
              // The first record past the limit is the one named.
              await rejectsWith(p, 'E_LIMIT', { key: String(L) });
              break;
            }
          }
        },
        async check(st) {
          checkHeld(
            st,
            range(0, held).map((r) => r.id),
            range(held, n + 1).map((r) => r.id),
          );
          if (held === L) {
            await rejectsWith(st.put(rec(1000)), 'E_LIMIT', { key: '1000' });
            checkHeld(
              st,
              range(0, L).map((r) => r.id),
              [1000],
            );
          }
        },
      });
    });
  }

  test('at the limit: updates and reused tombstone rows still fit, a new row does not', async () => {
    await acrossLifecycle(R, {
      options,
      async write(st) {
        await st.putMany(range(0, L));
        await st.put({ ...rec(5), body: 'changed' }); // update: no new row
        assert.equal(await st.delete({ id: 7 }), true);
        await st.putMany([rec(100)]); // takes row of 7
        await rejectsWith(st.putMany([rec(101), rec(102)]), 'E_LIMIT', { key: '101' });
        // One delete frees one row: a batch of one update + one insert fits exactly.
        await st.delete({ id: 8 });
        await st.putMany([{ ...rec(1), body: 'again' }, rec(101)]);
      },
      async check(st) {
        const ids = [
          ...range(0, L)
            .map((r) => r.id)
            .filter((i) => i !== 7 && i !== 8),
          100,
          101,
        ];
        checkHeld(st, ids, [7, 8, 102]);
        await rejectsWith(st.put(rec(102)), 'E_LIMIT', { key: '102' });
      },
    });
  });

  test('an atomic ingest needs rows for the old records and the new ones at once', async () => {
    const changed = (r: Rec): Rec => ({ ...r, body: `again ${r.id}` });
    await acrossLifecycle(R, {
      options,
      async write(st) {
        await st.putMany(range(0, 24));
        // 24 replaced records staged beside the 24 old rows: 48 rows > 40. The 17th
        // staged record (id 16, in the batch 16…19) is the first that has no row.
        await rejectsWith(
          st.ingest(range(0, 24).map(changed), { atomic: true, batchSize: 4 }),
          'E_LIMIT',
          { key: '16' },
        );
        assert.equal(st._tier.rowCount, 40);
        // Without atomic the same re-ingest overwrites rows in place and fits.
        await st.ingest(range(0, 24).map(changed), { batchSize: 4 });
        // 24 + 16 = 40 rows: fits exactly; the 16 replaced rows stay as tombstones…
        await st.ingest(range(0, 16), { atomic: true, batchSize: 4 });
        assert.equal(st._tier.freeCount, 16);
        // …which new records reuse.
        await st.putMany(range(100, 116));
      },
      check(st) {
        const ids = [...range(0, 24), ...range(100, 116)].map((r) => r.id);
        checkHeld(st, ids, [24, 116]);
        if (st._cold) {
          assert.equal(st.get({ id: 3 })?.cold().body, 'b3');
          assert.equal(st.get({ id: 20 })?.cold().body, 'again 20');
        }
      },
    });
  });

  test('the production row limit is the key index limit, and a lower seam cannot raise it', () => {
    const source = { keyEquals: () => false, rowHash: () => {} };
    const index = new KeyIndex(source);
    index.insert(1, 1, HOT_LIMITS.rows - 1); // the last row the tier may hand out
    assert.throws(
      () => index.insert(2, 2, HOT_LIMITS.rows),
      (e: unknown) => (e as { code?: string }).code === 'E_LIMIT',
    );
    assert.equal(HOT_LIMITS.rows, 0xfffffffe);
  });

  test('_limits cannot raise a limit', async () => {
    const st = await openStore(R, { cold: false, _limits: { rows: 2 ** 40, poolBytes: 2 ** 40 } });
    assert.deepEqual({ ...st._tier.limits }, { ...HOT_LIMITS });
    await st.close();
  });
});

describe('record ids (nextId set near the last id)', () => {
  for (const [fresh, batch] of [
    [1, 1],
    [2, 1],
    [2, 2],
    [3, 1],
    [3, 3],
  ] as const) {
    test(`${fresh} new records from id ${MAX_ID - 1}, batches of ${batch}`, async () => {
      // ids MAX_ID − 1 and MAX_ID exist; a third new record has none left.
      const fits = fresh <= 2 ? fresh : batch === 1 ? 2 : 0;
      const keys = Array.from({ length: fresh }, (_, i) => 10 + i);
      await acrossLifecycle(R, {
        async write(st) {
          await st.putMany([rec(1)]); // id 0
          st._tier.nextId = MAX_ID - 1;
          for (let i = 0; i < fresh; i += batch) {
            const p = st.putMany(keys.slice(i, i + batch).map(rec));
            if (i + batch <= fits) await p;
            else {
              await rejectsWith(p, 'E_LIMIT', { key: String(keys[2]) });
              break;
            }
          }
        },
        async check(st) {
          const held = [1, ...keys.slice(0, fits)];
          checkHeld(st, held, keys.slice(fits));
          for (let i = 0; i < fits; i++)
            assert.equal(st._tier.ids[st._tier.findRow({ id: keys[i]! })], MAX_ID - 1 + i);
          if (st._cold) {
            const v = await st.load({ id: keys[fits - 1] ?? 1 });
            assert.equal(v?.body, `b${keys[fits - 1] ?? 1}`);
          }
          if (fits === 2) {
            // Exhausted: updates still work, a new record (even after a delete) does not.
            await rejectsWith(st.put(rec(99)), 'E_LIMIT', { key: '99' });
            assert.equal(st.get({ id: 99 }), undefined);
          }
        },
      });
    });
  }

  test('ids are never reused: after exhaustion a delete frees a row, not an id', async () => {
    const st = await openStore(R);
    st._tier.nextId = MAX_ID;
    await st.put(rec(1));
    await st.put({ ...rec(1), body: 'updated' });
    assert.equal((await st.load({ id: 1 }))?.body, 'updated');
    assert.equal(await st.delete({ id: 1 }), true);
    await rejectsWith(st.put(rec(2)), 'E_LIMIT', { key: '2' });
    assert.equal(st.size, 0);
    await st.close();
  });
});
