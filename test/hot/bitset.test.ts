import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from '../../src/errors.ts';
import { Bitset } from '../../src/hot/bitset.ts';
import { grow, nextPow2, trim } from '../../src/util/grow.ts';

const bits = fc.array(fc.nat(300), { maxLength: 120 });

function fromRows(rows: number[]): Bitset {
  const b = new Bitset();
  for (const r of rows) b.set(r);
  return b;
}

/** Set bits collected with nextSet (the allocation-free loop). */
function rowsOf(b: Bitset, end?: number): number[] {
  const out: number[] = [];
  for (let r = b.nextSet(0, end); r !== -1; r = b.nextSet(r + 1, end)) out.push(r);
  return out;
}

const sorted = (s: Set<number>) => [...s].sort((x, y) => x - y);

test('set/clear/assign/get match a Set model', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('set', 'clear', 'assign'), fc.nat(500), fc.boolean())),
      (ops) => {
        const b = new Bitset();
        const model = new Set<number>();
        for (const [op, i, v] of ops) {
          if (op === 'set' || (op === 'assign' && v)) {
            b[op === 'set' ? 'set' : 'assign'](i, true);
            model.add(i);
          } else {
            if (op === 'clear') b.clear(i);
            else b.assign(i, false);
            model.delete(i);
          }
        }
        for (let i = 0; i < 520; i++) assert.equal(b.get(i), model.has(i));
        assert.equal(b.count(), model.size);
        assert.deepEqual(rowsOf(b), sorted(model));
        assert.equal(b.capacity & (b.capacity - 1), 0);
      },
    ),
  );
});

test('count(nBits), nextSet(from, end) and forEachSet respect their limits', () => {
  fc.assert(
    fc.property(bits, fc.nat(330), fc.nat(330), (rows, limit, from) => {
      const b = fromRows(rows);
      const model = sorted(new Set(rows));
      assert.equal(b.count(limit), model.filter((r) => r < limit).length);
      assert.deepEqual(
        rowsOf(b, limit),
        model.filter((r) => r < limit),
      );
      assert.equal(b.nextSet(from), model.find((r) => r >= from) ?? -1);
      assert.equal(b.nextSet(from, limit), model.find((r) => r >= from && r < limit) ?? -1);
      const seen: number[] = [];
      b.forEachSet(limit, (r) => seen.push(r));
      assert.deepEqual(
        seen,
        model.filter((r) => r < limit),
      );
    }),
  );
});

test('and / or / andNot in place match set algebra, whatever the capacities', () => {
  fc.assert(
    fc.property(bits, bits, (xs, ys) => {
      const x = new Set(xs);
      const y = new Set(ys);
      const a = fromRows(xs);
      a.and(fromRows(ys));
      assert.deepEqual(
        rowsOf(a),
        sorted(x).filter((r) => y.has(r)),
      );
      const o = fromRows(xs);
      o.or(fromRows(ys));
      assert.deepEqual(rowsOf(o), sorted(new Set([...x, ...y])));
      const d = fromRows(xs);
      d.andNot(fromRows(ys));
      assert.deepEqual(
        rowsOf(d),
        sorted(x).filter((r) => !y.has(r)),
      );
    }),
  );
});

test('toBytes/fromBytes round trip, clone is independent, clearAll keeps capacity', () => {
  fc.assert(
    fc.property(bits, (rows) => {
      const b = fromRows(rows);
      const back = Bitset.fromBytes(b.toBytes());
      assert.deepEqual(rowsOf(back), rowsOf(b));
      const c = b.clone();
      c.set(1000);
      assert.equal(b.get(1000), false);
      const cap = b.capacity;
      b.clearAll();
      assert.equal(b.count(), 0);
      assert.equal(b.capacity, cap);
      assert.deepEqual(
        rowsOf(c).filter((r) => r !== 1000),
        sorted(new Set(rows)),
      );
    }),
  );
});

test('bit layout: bit i is bit (i & 31) of word i >>> 5, snapshots are little-endian', () => {
  const b = new Bitset(64);
  b.set(0);
  b.set(33);
  b.set(63);
  assert.deepEqual([...b.words], [1, 0x80000002]);
  assert.equal(b.byteLength, 8);
  assert.deepEqual([...b.toBytes()], [1, 0, 0, 0, 2, 0, 0, 0x80]);
  assert.deepEqual([...b.toBytes(1)], [1, 0, 0, 0]);
  assert.equal(b.get(1e9), false);
  b.clear(1e9); // past the capacity: nothing to do
  assert.equal(b.capacity, 64);
  assert.throws(
    () => Bitset.fromBytes(new Uint8Array(3)),
    (e) => isLeanrecError(e, 'E_CORRUPT'),
  );
});

test('grow helpers (the bitset grows through them): powers of two, copies, same type', () => {
  assert.deepEqual([0, 1, 2, 3, 5, 8, 9, 1000, 2 ** 31 + 1].map(nextPow2), [
    1,
    1,
    2,
    4,
    8,
    8,
    16,
    1024,
    2 ** 32,
  ]);
  const a = new Uint16Array([1, 2, 3]);
  assert.equal(grow(a, 2), a);
  const g = grow(a, 4);
  assert.ok(g instanceof Uint16Array);
  assert.deepEqual([...g], [1, 2, 3, 0, 0, 0]); // max(2 * 3, nextPow2(4)) = 6
  assert.equal(grow(new Float64Array(2), 9).length, 16);
  const t = trim(g, 3);
  assert.deepEqual([...t], [1, 2, 3]);
  assert.equal(trim(t, 3), t);
});
