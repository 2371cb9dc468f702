/**
 * The key index at its growth steps and at its row limit. The table doubles when an
 * insert finds live + tombstone slots at ⌊0.7 × capacity⌋ (11 of 16, 22 of 32, 44 of
 * 64, 89 of 128): each side of each step keeps every key findable, in the index alone
 * (its snapshot bytes and a rebuild included) and in a store (memory, hot-only, snapshot,
 * rebuild; batches that end at a step or cross it), where `memory()` reports 5 bytes a
 * slot. The largest row is 0xFFFFFFFD (row + 1 must differ from the tombstone): tested
 * at −1, at and +1 on the real index, which allocates nothing per row.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeanrecError, type Store, schema, t } from 'leanrec';
import { KeyIndex, type KeySource } from '../../src/keys/key-index.ts';
import { hash64 } from '../../src/util/hash.ts';
import { acrossLifecycle } from '../helpers/lifecycle.ts';

const enc = new TextEncoder();
const keyOf = (i: number) => enc.encode(`k${i}`);

/** Row r's key is `keys.get(r)`. */
class MapSource implements KeySource {
  readonly keys = new Map<number, Uint8Array>();
  keyEquals(row: number, key: Uint8Array, keyEnd: number): boolean {
    const k = this.keys.get(row)!;
    return k.length === keyEnd && k.every((b, i) => b === key[i]);
  }
  rowHash(row: number, out: Uint32Array): void {
    const k = this.keys.get(row)!;
    hash64(k, 0, k.length, out);
  }
}

function harness() {
  const source = new MapSource();
  let index = new KeyIndex(source);
  const h = new Uint32Array(2);
  const hashOf = (k: Uint8Array) => hash64(k, 0, k.length, h);
  return {
    source,
    get index() {
      return index;
    },
    set index(i: KeyIndex) {
      index = i;
    },
    add(i: number, row = i) {
      const k = keyOf(i);
      source.keys.set(row, k);
      hashOf(k);
      index.insert(h[0]!, h[1]!, row);
    },
    find(i: number): number {
      const k = keyOf(i);
      hashOf(k);
      return index.find(h[0]!, h[1]!, k, k.length);
    },
    remove(i: number): number {
      const k = keyOf(i);
      hashOf(k);
      return index.remove(h[0]!, h[1]!, k, k.length);
    },
  };
}

// [keys, capacity after inserting them one by one]
const STEPS: [number, number][] = [
  [10, 16],
  [11, 16],
  [12, 32],
  [22, 32],
  [23, 64],
  [44, 64],
  [45, 128],
  [89, 128],
  [90, 256],
];

describe('key index growth at ⌊0.7 × capacity⌋', () => {
  for (const [n, cap] of STEPS) {
    test(`${n} keys: ${cap} slots; found directly, after toBytes/fromBytes and rebuild`, () => {
      const x = harness();
      for (let i = 0; i < n; i++) x.add(i);
      assert.equal(x.index.capacity, cap);
      assert.equal(x.index.size, n);
      assert.equal(x.index.byteLength, 5 * cap);
      const all = () => {
        for (let i = 0; i < n; i++) assert.equal(x.find(i), i, `key ${i} of ${n}`);
        assert.equal(x.find(n), -1);
      };
      all();
      x.index = KeyIndex.fromBytes(x.index.toBytes(), x.source);
      assert.equal(x.index.capacity, cap);
      all();
      x.index.rebuild(x.source.keys.keys(), n);
      assert.ok(x.index.size === n && n <= Math.floor(0.7 * x.index.capacity));
      all();
    });
  }

  test('tombstones count toward the load: a full table of churn is cleaned, not grown', () => {
    const x = harness();
    for (let i = 0; i < 5; i++) x.add(i); // 5 live ≤ ⌊11 / 2⌋: rehash keeps 16 slots
    for (let round = 0; round < 200; round++) {
      const gone = round;
      assert.equal(x.remove(gone), gone);
      x.source.keys.delete(gone);
      x.add(gone + 5);
      assert.equal(x.index.capacity, 16, `round ${round}`);
      assert.ok(x.index.size + x.index.tombstones <= 11);
    }
    for (let i = 200; i < 205; i++) assert.equal(x.find(i), i);
    for (let i = 0; i < 200; i++) assert.equal(x.find(i), -1);
  });

  test('rows 0xFFFFFFFC and 0xFFFFFFFD fit, 0xFFFFFFFE is E_LIMIT (insert and replaceRow)', () => {
    const x = harness();
    const MAX_ROW = 0xfffffffd;
    x.add(1, MAX_ROW - 1);
    x.add(2, MAX_ROW);
    assert.equal(x.find(1), MAX_ROW - 1);
    assert.equal(x.find(2), MAX_ROW);
    const isLimit = (e: unknown) => e instanceof LeanrecError && e.code === 'E_LIMIT';
    assert.throws(() => x.add(3, MAX_ROW + 1), isLimit);
    assert.equal(x.index.size, 2, 'the refused row is not held');
    const k = keyOf(2);
    const h = new Uint32Array(2);
    hash64(k, 0, k.length, h);
    assert.throws(() => x.index.replaceRow(h[0]!, h[1]!, k, k.length, MAX_ROW + 1), isLimit);
    assert.equal(x.index.replaceRow(h[0]!, h[1]!, k, k.length, MAX_ROW - 2), true);
    x.source.keys.set(MAX_ROW - 2, k);
    assert.equal(x.find(2), MAX_ROW - 2);
    // The snapshot keeps rows at the top of the range.
    const back = KeyIndex.fromBytes(x.index.toBytes(), x.source);
    hash64(k, 0, k.length, h);
    assert.equal(back.find(h[0]!, h[1]!, k, k.length), MAX_ROW - 2);
  });
});

const S = schema({
  key: ['name', 'n'],
  hot: { name: t.string(), n: t.u16(), on: t.flag() },
  cold: { body: t.string() },
});
const rec = (i: number) => ({ name: `p${i % 7}`, n: i, on: i % 2 === 1, body: `b${i}` });

function keyIndexBytes(st: Store<typeof S>): number {
  return st.memory().parts.find((p) => p.name === 'key-index')!.bytes;
}

describe('the store across the key index steps', () => {
  for (const [n, cap] of STEPS.filter(([k]) => k >= 11)) {
    // A batch that crosses the step, one that ends at it, and one record at a time once.
    for (const batch of n === 12 ? [1, n - 1, n] : [n - 1, n]) {
      test(`${n} records in batches of ${batch}: ${cap} slots, every key found`, async () => {
        await acrossLifecycle(
          S,
          {
            async write(st) {
              const all = Array.from({ length: n }, (_, i) => rec(i));
              for (let i = 0; i < n; i += batch) await st.putMany(all.slice(i, i + batch));
            },
            check(st, mode) {
              assert.equal(st.size, n);
              for (let i = 0; i < n; i++)
                assert.equal(st.get({ name: `p${i % 7}`, n: i })?.on, i % 2 === 1);
              assert.equal(st.get({ name: 'p0', n: n }), undefined);
              assert.equal(st._tier.keys.capacity, cap, `${mode}`);
              assert.equal(keyIndexBytes(st), 5 * cap);
            },
          },
          ['memory', 'rebuild'],
        );
      });
    }
  }

  test('deletes near a step: tombstones, reinserts and compaction keep every key', async () => {
    await acrossLifecycle(S, {
      async write(st) {
        await st.putMany(Array.from({ length: 11 }, (_, i) => rec(i)));
        for (const i of [0, 5, 10])
          assert.equal(await st.delete({ name: `p${i % 7}`, n: i }), true);
        await st.putMany([rec(11), rec(12), rec(13), rec(14)]); // 12 live: the table grows
        await st.compact();
        await st.put(rec(0));
      },
      check(st) {
        const live = [0, 1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14];
        assert.equal(st.size, live.length);
        for (const i of live) assert.equal(st.get({ name: `p${i % 7}`, n: i })?.on, i % 2 === 1);
        for (const i of [5, 10]) assert.equal(st.get({ name: `p${i % 7}`, n: i }), undefined);
        assert.ok(st._tier.keys.size === live.length && st._tier.keys.capacity >= 32);
      },
    });
  });
});
