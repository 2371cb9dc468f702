/**
 * The open enum's code width switches from a `Uint8Array` to a `Uint16Array` when its
 * 257th distinct value arrives, and refuses the 65,537th (`E_LIMIT`). Each record must
 * read back its own value at 255, 256 and 257 distinct values, whatever the batch cut,
 * in memory, hot-only, and on disk through close → reopen (snapshot) and rebuild.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LeanrecError, openStore, schema, t } from 'leanrec';
import { metaKey } from '../../src/cold/layout.ts';
import { acrossLifecycle, rejectsWith } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/temp.ts';

const S = schema({ key: ['id'], hot: { id: t.u32(), tag: t.enum() } });
type Rec = { id: number; tag: string };
const recs = (n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: i, tag: `v${i}` }));

function check(st: Awaited<ReturnType<typeof openStore<typeof S>>>, n: number): void {
  for (let i = 0; i < n; i++) {
    assert.equal(st.get({ id: i })?.tag, `v${i}`, `record ${i} of ${n}`);
    assert.equal(st.count({ tag: `v${i}` }), 1, `count of v${i} (${n} values)`);
  }
  assert.equal(st.count(), n);
}

async function write(
  st: Awaited<ReturnType<typeof openStore<typeof S>>>,
  rs: Rec[],
  batch: number,
) {
  for (let i = 0; i < rs.length; i += batch) await st.putMany(rs.slice(i, i + batch));
}

describe('open enum code width (256 → 257 values)', () => {
  for (const n of [255, 256, 257, 300]) {
    for (const batch of [1, 100, 256, 1000]) {
      test(`${n} values, batches of ${batch}: in memory and hot-only`, async () => {
        for (const opts of [{}, { cold: false as const }]) {
          const st = await openStore(S, opts);
          await write(st, recs(n), batch);
          check(st, n);
          await st.close();
        }
      });
    }
    test(`${n} values on disk: reopen by snapshot and by rebuild`, async () => {
      const dir = tempDir('enum');
      try {
        const path = join(dir, 'db');
        let st = await openStore(S, { path });
        await write(st, recs(n), 97);
        check(st, n);
        await st.close();
        st = await openStore(S, { path });
        check(st, n);
        // More values after a reopen: a restored Uint8Array must widen too.
        await st.putMany([{ id: n, tag: `v${n}` }]);
        check(st, n + 1);
        await st.close();
        // Lose the snapshot: the next open rebuilds the hot tier from the database.
        st = await openStore(S, { path });
        check(st, n + 1);
        await (
          st as unknown as { _cold: { _db: { del(k: unknown): Promise<void> } } }
        )._cold._db.del(metaKey('snap'));
        await st.close();
        st = await openStore(S, { path });
        assert.equal((st as unknown as { _cold: { openMode: string } })._cold.openMode, 'rebuild');
        check(st, n + 1);
        await st.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a list of open enums widens its items too', async () => {
    const L = schema({ key: ['id'], hot: { id: t.u32(), tags: t.list(t.enum()) } });
    const st = await openStore(L, { cold: false });
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, tags: [`a${i}`, `b${i}`] }));
    await st.putMany(rows);
    for (const r of rows) assert.deepEqual(st.get({ id: r.id })?.tags, r.tags);
    await st.close();
  });

  test('65,536 values fit, the 65,537th is E_LIMIT and writes nothing', async () => {
    const st = await openStore(S, { cold: false });
    await st.putMany(recs(65536));
    assert.equal(st.get({ id: 65535 })?.tag, 'v65535');
    assert.equal(st.get({ id: 256 })?.tag, 'v256');
    await assert.rejects(
      st.putMany([{ id: 65536, tag: 'v65536' }]),
      (e: unknown) => e instanceof LeanrecError && e.code === 'E_LIMIT',
    );
    assert.equal(st.count(), 65536);
    assert.equal(st.get({ id: 65536 }), undefined);
    await st.close();
  });
});

describe('open enum limit on disk, batches that cross it', () => {
  test('65,535 and 65,536 values fit; the batch that brings the 65,537th writes nothing, after reopen and rebuild too', async () => {
    await acrossLifecycle(
      S,
      {
        async write(st) {
          await st.ingest(recs(65535), { batchSize: 10000 }); // limit − 1
          const err = await rejectsWith(
            st.putMany([
              { id: 65535, tag: 'v65535' },
              { id: 65536, tag: 'v65536' },
            ]),
            'E_LIMIT',
            { field: 'tag', key: '65536' },
          );
          assert.equal(err.field, 'tag');
          await st.putMany([{ id: 65535, tag: 'v65535' }]); // the limit
          await st.putMany([{ id: 70000, tag: 'v0' }]); // a value it holds: fits
        },
        async check(st) {
          assert.equal(st.size, 65537);
          for (const id of [0, 255, 256, 65534, 65535]) assert.equal(st.get({ id })?.tag, `v${id}`);
          assert.equal(st.count({ tag: 'v0' }), 2);
          assert.equal(st.get({ id: 65536 }), undefined);
          await rejectsWith(st.put({ id: 65536, tag: 'v65536' }), 'E_LIMIT', {
            field: 'tag',
            key: '65536',
          });
          assert.equal([...st.where()].length, 65537);
        },
      },
      ['rebuild'], // hot-only is the case above
    );
  });
});

describe('the room check of an open enum: batch length against the values left', () => {
  // With room for one new value per record the check looks nothing up; with less it
  // counts the batch's new values. Room − 1, room and room + 1 records, each batch
  // bringing as many new values as it has records, or one fewer.
  const ROOM = 5;
  type AnySt = Awaited<ReturnType<typeof openStore<typeof S>>>;
  const fill = (st: AnySt) =>
    st.putMany(
      Array.from({ length: 65536 - ROOM }, (_, i) => ({ id: i, tag: `v${i}` })),
      { batchSize: 65536 },
    );
  const batch = (n: number, repeat: boolean) =>
    Array.from({ length: n }, (_, i) => ({
      id: 100_000 + i,
      tag: repeat && i === n - 1 ? 'v0' : `w${i}`,
    }));
  for (const n of [ROOM - 1, ROOM, ROOM + 1]) {
    test(`${n} records, all new values, with room for ${ROOM}`, async () => {
      const st = await openStore(S, { cold: false });
      await fill(st);
      const write = st.putMany(batch(n, false));
      if (n <= ROOM) {
        await write;
        assert.equal(st.get({ id: 100_000 + n - 1 })?.tag, `w${n - 1}`);
      } else {
        await assert.rejects(
          write,
          (e: unknown) => e instanceof LeanrecError && e.code === 'E_LIMIT',
        );
        assert.equal(st.size, 65536 - ROOM);
      }
      await st.close();
    });
    test(`${n} records, one of them a value held, with room for ${ROOM}`, async () => {
      const st = await openStore(S, { cold: false });
      await fill(st);
      await st.putMany(batch(n, true));
      assert.equal(st.size, 65536 - ROOM + n);
      assert.equal(st.count({ tag: 'v0' }), 2);
      await st.close();
    });
  }
});
