/**
 * Per-row arrays at their word and growth edges: 31/32/33 and 63/64/65 rows (bitset
 * words of flags, presence and tombstones), 16/17 rows (the smallest capacity), column
 * doubling (one record at a time) and the trim to whole 32-row words after a bulk write.
 * Every value stays readable and every filter exact at the edges, and `memory()` reports
 * the same per-row bytes in memory, after a snapshot and after a rebuild.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Store, schema, t } from 'leanrec';
import { Bitset } from '../../src/hot/bitset.ts';
import { rowCapacity } from '../../src/util/grow.ts';
import { acrossLifecycle } from '../helpers/lifecycle.ts';

const EDGES = [16, 17, 31, 32, 33, 63, 64, 65];

describe('Bitset at word edges', () => {
  for (const n of EDGES) {
    test(`${n} bits`, () => {
      const b = new Bitset(n);
      for (let i = 0; i < n; i += 3) b.set(i);
      b.set(n - 1);
      const want = new Set([
        ...Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0),
        n - 1,
      ]);
      const check = (x: Bitset, what: string) => {
        for (let i = 0; i < n + 40; i++) assert.equal(x.get(i), want.has(i), `${what}: bit ${i}`);
        assert.equal(x.count(n), want.size, what);
        assert.equal(x.count(n - 1), want.size - 1, what);
        assert.equal(x.nextSet(n - 1), n - 1);
        assert.equal(x.nextSet(n), -1);
        assert.equal(x.nextSet(0, n - 1), 0);
        const seen: number[] = [];
        x.forEachSet(n, (r) => seen.push(r));
        assert.deepEqual(
          seen,
          [...want].sort((a, c) => a - c),
        );
      };
      check(b, 'as set');
      assert.equal(b.toBytes(n).length, 4 * Math.ceil(n / 32));
      check(Bitset.fromBytes(b.toBytes()), 'restored');
      b.trim(n);
      assert.equal(b.capacity, Math.ceil(rowCapacity(n) / 32) * 32); // whole words
      check(b, 'trimmed');
      b.set(n); // grows past the trim again
      assert.equal(b.get(n), true);
      b.clear(n);
      check(b, 'grown again');
    });
  }
});

const S = schema({
  key: ['id'],
  hot: {
    id: t.u32(),
    on: t.flag(),
    small: t.u8(),
    opt: t.u16().optional(),
    tag: t.enum().optional(),
    hx: t.hex(3),
  },
  cold: { body: t.string() },
});
type St = Store<typeof S>;
const rec = (i: number) => ({
  id: i,
  on: i % 2 === 0 || i === 31 || i === 32,
  small: i & 0xff,
  ...(i % 3 === 0 ? { opt: i } : {}),
  ...(i % 5 === 0 ? { tag: `t${i % 4}` } : {}),
  hx: i.toString(16).padStart(6, '0'),
  body: `b${i}`,
});

function expectRows(st: St, ids: number[]) {
  assert.equal(st.size, ids.length);
  for (const i of ids) assert.deepEqual(st.get({ id: i })?.toObject(), hot(i));
  assert.equal(st.count({ on: true }), ids.filter((i) => rec(i).on).length);
  assert.equal(st.count({ opt: { gte: 0 } }), ids.filter((i) => i % 3 === 0).length);
  const off = [...st.where({ on: false })].map((v) => v.id).sort((a, b) => a - b);
  assert.deepEqual(
    off,
    ids.filter((i) => !rec(i).on).sort((a, b) => a - b),
  );
}

function hot(i: number) {
  const { body: _b, ...h } = rec(i);
  return h;
}

/** Bytes of each per-row part of `memory()`. */
function perRow(st: St): Record<string, number> {
  const out: Record<string, number> = {};
  // Not the tombstone bits: a tier that never grew past 16 rows has none allocated.
  for (const p of st.memory().parts)
    if (/^(column|presence):|^ids$/.test(p.name)) out[p.name] = p.bytes;
  return out;
}

describe('the store at word and growth edges', () => {
  for (const n of EDGES) {
    test(`${n} rows in one batch: trimmed to ${rowCapacity(n)}; snapshot and rebuild agree`, async () => {
      const ids = Array.from({ length: n }, (_, i) => i);
      let sizes: Record<string, number> | undefined;
      await acrossLifecycle(S, {
        async write(st) {
          await st.putMany(ids.map(rec));
        },
        check(st, mode) {
          expectRows(st, ids);
          const cap = rowCapacity(n);
          const words = Math.ceil(cap / 32) * 4;
          const got = perRow(st);
          assert.equal(got.ids, cap * 4, `${mode}: ids`);
          assert.equal(got['column:small'], cap, `${mode}: u8 column`);
          assert.equal(got['column:hx'], cap * 3, `${mode}: hex column`);
          assert.equal(got['column:on'], words, `${mode}: flag column`);
          assert.equal(got['presence:opt'], words, `${mode}: presence`);
          if (mode === 'hot-only' || mode === 'memory' || mode === 'disk') return;
          sizes ??= got;
          assert.deepEqual(got, sizes, `${mode}: the same bytes as after the snapshot`);
        },
      });
    });
  }

  test('one record at a time: columns double (16 → 32 → 64 → 128) and every row stays readable', async () => {
    await acrossLifecycle(S, {
      async write(st) {
        for (let i = 0; i < 66; i++) {
          await st.put(rec(i));
          if ([16, 17, 32, 33, 64, 65].includes(i + 1)) {
            expectRows(
              st,
              Array.from({ length: i + 1 }, (_, k) => k),
            );
            assert.equal(perRow(st).ids, 4 * Math.max(16, 2 ** Math.ceil(Math.log2(i + 1))));
          }
        }
      },
      check(st) {
        expectRows(
          st,
          Array.from({ length: 66 }, (_, k) => k),
        );
      },
    });
  });

  test('tombstones at word edges: deleted rows 31, 32, 63, 64 are reused and compacted away', async () => {
    await acrossLifecycle(S, {
      async write(st) {
        await st.putMany(Array.from({ length: 65 }, (_, i) => rec(i)));
        for (const i of [31, 32, 63, 64]) await st.delete({ id: i });
        expectRows(
          st,
          Array.from({ length: 65 }, (_, i) => i).filter((i) => ![31, 32, 63, 64].includes(i)),
        );
        await st.putMany([rec(100), rec(101)]); // take two of the freed rows
        assert.equal(st._tier.rowCount, 65);
        await st.compact();
        assert.equal(st._tier.rowCount, 63);
      },
      check(st) {
        const ids = [
          ...Array.from({ length: 65 }, (_, i) => i).filter((i) => ![31, 32, 63, 64].includes(i)),
          100,
          101,
        ];
        expectRows(st, ids);
        assert.equal(st._tier.free.count(st._tier.rowCount), 0);
      },
    });
  });
});
