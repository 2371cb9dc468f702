/**
 * The string pool's byte limit (2^32 − 1, u32 offsets) and its growth steps. The real
 * limit is too large to reach, so the pool's test-only `maxBytes` (and the store's
 * `_limits.poolBytes`) lower it: an entry that ends at limit − 1 and at the limit fits,
 * one that would end at limit + 1 is `E_LIMIT` and changes nothing, in memory, hot-only
 * and on disk through the snapshot and a rebuild. Strings the pool holds already need
 * no room, even at the limit. The intern table doubles when it passes ⌊0.7 × slots⌋.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeanrecError, type Store, schema, t } from 'leanrec';
import { StringPool } from '../../src/hot/string-pool.ts';
import { acrossLifecycle, rejectsWith } from '../helpers/lifecycle.ts';

const isLimit = (e: unknown) => e instanceof LeanrecError && e.code === 'E_LIMIT';

/** A 9-character ASCII string, distinct per i: a 10-byte pool entry. */
const nine = (i: number) => `s${String(i).padStart(8, '0')}`;

describe('StringPool with a lowered byte limit', () => {
  const M = 64;
  /** A pool of 1 + 6 × 10 = 61 bytes. */
  function filled(): { pool: StringPool; offs: number[] } {
    const pool = new StringPool({ maxBytes: M, initialBytes: 16 });
    const offs = Array.from({ length: 6 }, (_, i) => pool.intern(nine(i)));
    assert.equal(pool.byteLength, 61);
    return { pool, offs };
  }

  for (const [len, end] of [
    [1, M - 1],
    [2, M],
    [3, M + 1],
  ] as const) {
    test(`an entry ending at ${end} (limit ${M})`, () => {
      const { pool, offs } = filled();
      const s = 'x'.repeat(len);
      if (end <= M) {
        const off = pool.intern(s);
        assert.equal(pool.byteLength, end);
        assert.equal(pool.read(off), s);
      } else {
        assert.throws(() => pool.intern(s), isLimit);
        assert.throws(() => pool.internBytes(new TextEncoder().encode(s), 0, len), isLimit);
        assert.equal(pool.byteLength, 61, 'a refused string changes nothing');
        assert.equal(pool.count, 7);
        assert.equal(pool.find(s), undefined);
      }
      // Every string held stays readable and interns to its offset, at the limit too.
      for (let i = 0; i < 6; i++) {
        assert.equal(pool.read(offs[i] as never), nine(i));
        assert.equal(pool.intern(nine(i)), offs[i]);
      }
      assert.ok(pool.memory().poolCapacityBytes <= M);
    });
  }

  test('multi-byte strings: the exact UTF-8 length decides, not the 3-bytes-a-unit bound', () => {
    const { pool } = filled(); // 61 bytes: 3 left
    assert.throws(() => pool.intern('€'), isLimit); // 1 + 3 bytes
    const off = pool.intern('é'); // 1 + 2 bytes: ends exactly at the limit
    assert.equal(pool.byteLength, M);
    assert.equal(pool.read(off), 'é');
  });

  test('a full pool interns strings it holds (no room needed) and refuses new ones', () => {
    const { pool, offs } = filled();
    pool.intern('abc'.slice(0, 2)); // 64 bytes: full
    pool.dropInternTable(); // as after an ingest: the table is rebuilt on the next intern
    for (let i = 0; i < 6; i++) assert.equal(pool.intern(nine(i)), offs[i]);
    assert.throws(() => pool.intern('z'), isLimit);
    const copy = StringPool.fromBytes(pool.toBytes(), { maxBytes: M });
    assert.equal(copy.intern(nine(3)), offs[3]);
    assert.throws(() => copy.intern('z'), isLimit);
  });

  test('a maxBytes above the real limit is ignored', () => {
    const pool = new StringPool({ maxBytes: 2 ** 40 });
    assert.equal(pool.read(pool.intern('a')), 'a');
  });
});

describe('intern table growth at ⌊0.7 × slots⌋', () => {
  // 16 slots hold 11 entries, 32 hold 22, 64 hold 44: check each side of each step.
  for (const [n, slots] of [
    [10, 16],
    [11, 16],
    [12, 32],
    [22, 32],
    [23, 64],
    [44, 64],
    [45, 128],
  ] as const) {
    test(`${n} strings: ${slots} slots, every string found`, () => {
      const pool = new StringPool();
      const offs = Array.from({ length: n }, (_, i) => pool.intern(nine(i)));
      assert.equal(pool.memory().internTableBytes, slots * 8);
      for (let i = 0; i < n; i++) {
        assert.equal(pool.find(nine(i)), offs[i]);
        assert.equal(pool.intern(nine(i)), offs[i]);
      }
      assert.equal(pool.find(nine(n)), undefined);
      pool.dropInternTable();
      assert.equal(pool.memory().internTableBytes, 0);
      for (let i = 0; i < n; i++) assert.equal(pool.find(nine(i)), offs[i]);
    });
  }
});

const S = schema({
  key: ['name'],
  hot: { name: t.string(), tags: t.list(t.string()).optional(), n: t.u32() },
  cold: { body: t.string() },
});
type St = Store<typeof S>;
/** Record i: a 10-byte pool entry for its name, nothing else pooled. */
const rec = (i: number, tags?: string[]) => ({
  name: nine(i),
  n: i,
  body: `body ${i}`,
  ...(tags === undefined ? {} : { tags }),
});

describe('the store at a lowered pool limit', () => {
  const P = 200; // 1 + 19 × 10 = 191 bytes, then one entry of 8, 9 or 10 bytes
  const options = { _limits: { poolBytes: P } };
  for (const [len, batch] of [
    [7, 5],
    [8, 5],
    [8, 20],
    [9, 5],
    [9, 20],
  ] as const) {
    const end = 191 + 1 + len;
    test(`the last entry ends at ${end} (limit ${P}), batches of ${batch}`, async () => {
      const last = { name: 'L'.repeat(len), n: 99, body: 'last' };
      const all = [...Array.from({ length: 19 }, (_, i) => rec(i)), last];
      const fits = end <= P;
      // Refused: the whole batch that holds the last record.
      const held = fits ? 20 : Math.floor(19 / batch) * batch;
      await acrossLifecycle(S, {
        options,
        async write(st) {
          for (let i = 0; i < all.length; i += batch) {
            const p = st.putMany(all.slice(i, i + batch));
            if (fits || i + batch < 20) await p;
            else await rejectsWith(p, 'E_LIMIT', { field: 'name', key: last.name });
          }
        },
        async check(st) {
          assert.equal(st.size, held);
          for (let i = 0; i < Math.min(held, 19); i++)
            assert.equal(st.get({ name: nine(i) })?.n, i);
          assert.equal(st.get({ name: last.name })?.n, fits ? 99 : undefined);
          assert.equal(st._tier.pool.byteLength, fits ? end : 1 + 10 * held);
          const mem = st.memory().parts.find((p) => p.name === 'pool')!;
          assert.ok(mem.bytes >= st._tier.pool.byteLength && mem.bytes <= P);
          if (held >= 19) await updatesAtTheLimit(st, fits ? end : 191);
        },
      });
    });
  }

  async function updatesAtTheLimit(st: St, used: number): Promise<void> {
    // Upserts whose strings the pool holds need no room; a new string still must fit.
    await st.putMany([rec(3, [nine(4), nine(5)]), rec(4, [])]);
    assert.deepEqual(st.get({ name: nine(3) })?.tags, [nine(4), nine(5)]);
    assert.equal(st._tier.pool.byteLength, used);
    const room = P - used;
    const tooLong = 'T'.repeat(Math.max(room, 1)); // 1 + room bytes: one past the limit
    await rejectsWith(st.put(rec(5, [tooLong])), 'E_LIMIT', { field: 'tags', key: nine(5) });
    assert.equal(st.get({ name: nine(5) })?.tags, undefined, 'the refused update changed nothing');
    assert.equal(st._tier.pool.byteLength, used);
  }

  test('garbage of replaced strings counts until compact() reclaims it', async () => {
    await acrossLifecycle(S, {
      options,
      async write(st) {
        const ten = Array.from({ length: 10 }, (_, i) => i);
        await st.putMany(ten.map((i) => rec(i, [`g${i}`]))); // 1 + 10 × (10 + 3) = 131
        await st.putMany(ten.map((i) => rec(i, [`h${i}`]))); // + 30 of new tags: 161
        await st.putMany(ten.map((i) => rec(i, [`k${i}`]))); // 191 (60 bytes of garbage)
        assert.equal(st._tier.pool.byteLength, 191);
        const long = 'q'.repeat(9); // 10 bytes: 201
        const err = await rejectsWith(st.put(rec(0, [long])), 'E_LIMIT', {
          field: 'tags',
          key: nine(0),
        });
        assert.match(err.message, /compact\(\)/);
        // The message names the limit (at the real one: 4294967295 bytes, u32 offsets).
        assert.ok(err.message.includes(`at most ${P} bytes`), err.message);
        assert.deepEqual(st.get({ name: nine(0) })?.tags, ['k0']);
        await st.compact(); // 1 + 100 + 30 = 131
        assert.equal(st._tier.pool.byteLength, 131);
        await st.put(rec(0, [long]));
      },
      check(st, mode) {
        // 131 + 10; a rebuild interns live strings only: without the replaced "k0".
        assert.equal(st._tier.pool.byteLength, mode === 'rebuild' ? 138 : 141);
        assert.deepEqual(st.get({ name: nine(0) })?.tags, ['q'.repeat(9)]);
        for (let i = 1; i < 10; i++) assert.deepEqual(st.get({ name: nine(i) })?.tags, [`k${i}`]);
      },
    });
  });
});
