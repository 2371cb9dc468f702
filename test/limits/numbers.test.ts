/**
 * Number columns at the edges of their types, as key fields and as plain hot fields:
 * min − 1, min, max, max + 1, non-integers, -0, NaN and ±Infinity for u8/u16/u32/i32;
 * rounding, overflow and underflow for f32; the extremes of f64.
 *
 * Decided behaviour (also in TESTING.md and on `t.f32()`):
 * - an integer column takes integers in its range; anything else is `E_INVALID_RECORD`
 *   naming the field, and the batch writes nothing. -0 is an integer: stored as 0.
 * - f32 stores `Math.fround(v)`; keys and filters round the same way, so the value as
 *   written and its rounded value find the same record. A finite value that would round
 *   to ±Infinity (|v| ≥ 2^128 − 2^103) is `E_INVALID_RECORD`; one that rounds to 0
 *   (below 2^-150) is rounding like any other. NaN and ±Infinity are kept.
 * - keys compare numbers, not bits: -0 and 0 are one key (as `count({ k: 0 })` counts
 *   both), NaN is one key.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Store, schema, t } from 'leanrec';
import { acrossLifecycle, rejectsWith } from '../helpers/lifecycle.ts';

const INT_KINDS = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
} as const;

type NumStore = Store<ReturnType<typeof numSchema>>;
function numSchema(kind: keyof typeof t & ('u8' | 'u16' | 'u32' | 'i32' | 'f32' | 'f64')) {
  return schema({
    key: ['k'],
    hot: { k: t[kind](), v: t[kind](), n: t.u32() },
    cold: { c: t[kind]().optional() },
  });
}

/** Reads back record `n`'s k and v, found by the key `k`. */
function expectRecord(st: NumStore, key: number, stored: number, n: number): void {
  const v = st.get({ k: key });
  assert.ok(v, `key ${key} (record ${n})`);
  assert.ok(Object.is(v.k, stored), `k of record ${n}: ${v.k} !== ${stored}`);
  assert.ok(Object.is(v.v, stored), `v of record ${n}: ${v.v} !== ${stored}`);
  assert.equal(v.n, n);
}

describe('integer columns at min − 1, min, max, max + 1', () => {
  for (const [kind, [min, max]] of Object.entries(INT_KINDS)) {
    const S = numSchema(kind as keyof typeof INT_KINDS);
    const good = [min, min + 1, max - 1, max];
    const bad = [min - 1, max + 1, min + 0.5, max - 0.5, Number.NaN, Infinity, -Infinity, 2 ** 53];
    test(`${kind}: ${good.join(', ')} kept; ${bad.join(', ')} refused`, async () => {
      await acrossLifecycle(S, {
        async write(st) {
          // One batch ends exactly at max; the next crosses it (max + 1 last): refused whole.
          await st.putMany(good.map((x, n) => ({ k: x, v: x, n, c: x })));
          for (const x of bad) {
            const err = await rejectsWith(
              st.putMany([
                { k: 12, v: 12, n: 99, c: 1 },
                { k: x, v: x, n: 100, c: x },
              ]),
              'E_INVALID_RECORD',
              { field: 'k' },
            );
            assert.equal(err.index, 1);
            await rejectsWith(st.put({ k: 77, v: x, n: 101, c: 0 }), 'E_INVALID_RECORD', {
              field: 'v',
              key: '77',
            });
            await rejectsWith(st.put({ k: 78, v: 0, n: 102, c: x }), 'E_INVALID_RECORD', {
              field: 'c',
            });
          }
          // -0 is the integer 0: stored as 0, the same key as 0.
          await st.put({ k: -0, v: -0, n: 50 });
          await st.put({ k: 0, v: 0, n: 51 });
        },
        async check(st, mode) {
          expectRecord(st, min === 0 ? 1 : min, min === 0 ? 1 : min, min === 0 ? 1 : 0);
          expectRecord(st, max, max, 3);
          expectRecord(st, max - 1, max - 1, 2);
          expectRecord(st, 0, 0, 51);
          expectRecord(st, -0, 0, 51);
          assert.equal(st.size, min === 0 ? 4 : 5);
          assert.equal(st.get({ k: 12 }), undefined, 'a refused batch writes nothing');
          assert.equal(st.count({ v: max }), 1);
          assert.equal(st.count({ v: { gte: max - 1 } }), 2);
          if (mode !== 'hot-only') assert.equal((await st.load({ k: max }))?.c, max);
          for (const x of bad) assert.throws(() => st.get({ k: x }), { code: 'E_ARGUMENT' });
        },
      });
    });
  }
});

const F32_MAX = 3.4028234663852886e38;
/** The float32 rounding midpoint between F32_MAX and 2^128: from there up, fround gives Infinity. */
const F32_OVER = 2 ** 128 - 2 ** 103;
/** The largest double below F32_OVER: rounds down to F32_MAX. */
const F32_ROUNDS_TO_MAX = 3.4028235677973362e38;
const F32_MIN_SUB = 2 ** -149;

describe('f32: rounding, overflow, underflow', () => {
  const S = numSchema('f32');
  // [written, stored]: the stored value is what fround gives.
  const kept: [number, number][] = [
    [F32_MAX, F32_MAX],
    [F32_ROUNDS_TO_MAX, F32_MAX],
    [-F32_ROUNDS_TO_MAX, -F32_MAX],
    [0.1, Math.fround(0.1)],
    [16777217, 16777216], // 2^24 + 1: the first integer float32 cannot hold
    [F32_MIN_SUB, F32_MIN_SUB],
    [2 ** -151, 0], // below half the smallest subnormal: rounds to 0
    [-0, -0],
    [Infinity, Infinity],
    [-Infinity, -Infinity],
    [Number.NaN, Number.NaN],
  ];
  test('values round with fround; keys are found by the written and by the rounded value', async () => {
    assert.equal(Math.fround(F32_ROUNDS_TO_MAX), F32_MAX);
    assert.equal(Math.fround(F32_OVER), Infinity);
    await acrossLifecycle(S, {
      async write(st) {
        // 2^-151 and -0 both round to a zero: one key, the later record wins.
        await st.putMany(kept.map(([x], n) => ({ k: x, v: x, n, c: x })));
        for (const x of [F32_OVER, -F32_OVER, Number.MAX_VALUE]) {
          await rejectsWith(
            st.putMany([
              { k: 1, v: 1, n: 90 },
              { k: 2, v: x, n: 91 },
            ]),
            'E_INVALID_RECORD',
            { field: 'v', key: '2' },
          );
          await rejectsWith(st.put({ k: x, v: 1, n: 92 }), 'E_INVALID_RECORD', { field: 'k' });
          await rejectsWith(st.put({ k: 3, v: 1, n: 93, c: x }), 'E_INVALID_RECORD', {
            field: 'c',
          });
        }
      },
      async check(st, mode) {
        // F32_ROUNDS_TO_MAX (#1) replaces F32_MAX (#0), and -0 (#7) replaces 2^-151 (#6):
        // they round to the same key.
        const winner = (n: number) => (n === 0 ? 1 : n === 6 ? 7 : n);
        assert.equal(st.size, kept.length - 2);
        for (let n = 0; n < kept.length; n++) {
          const [written] = kept[n]!;
          const w = winner(n);
          const stored = kept[w]![1];
          expectRecord(st, written, stored, w);
          expectRecord(st, stored, stored, w);
          if (mode !== 'hot-only') {
            const c = (await st.load({ k: written }))?.c;
            assert.ok(Object.is(c, kept[w]![0]), `cold f32 of #${w}: ${c}`);
          }
        }
        assert.equal(st.get({ k: 1 }), undefined, 'a refused batch writes nothing');
        assert.equal(st.count({ v: 0.1 }), 1);
        assert.equal(st.count({ v: F32_ROUNDS_TO_MAX }), 1);
        assert.equal(st.count({ v: 0 }), 1);
        assert.throws(() => st.get({ k: F32_OVER }), { code: 'E_ARGUMENT', message: /"k"/ });
      },
    });
  });
});

describe('f64 and -0 as a key', () => {
  const S = numSchema('f64');
  test('extremes, NaN and ±Infinity are kept; -0 and 0 are one key', async () => {
    const xs = [
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      2 ** 53 + 1,
      Infinity,
      -Infinity,
      Number.NaN,
      0.1,
    ];
    await acrossLifecycle(S, {
      async write(st) {
        await st.putMany(xs.map((x, n) => ({ k: x, v: x, n, c: x })));
        await st.put({ k: -0, v: -0, n: 20 });
        await st.put({ k: 0, v: 0, n: 21 }); // the same key: an update
      },
      async check(st) {
        assert.equal(st.size, xs.length + 1);
        for (let n = 0; n < xs.length; n++) expectRecord(st, xs[n]!, xs[n]!, n);
        expectRecord(st, -0, 0, 21);
        expectRecord(st, 0, 0, 21);
        assert.equal(st.count({ k: 0 }), 1);
        assert.equal(st.count({ v: Number.NaN }), 1);
      },
    });
  });

  test('f32 and f64 keys: a record written with -0 is found by 0, and the reverse', async () => {
    for (const kind of ['f32', 'f64'] as const) {
      await acrossLifecycle(numSchema(kind), {
        async write(st) {
          await st.put({ k: -0, v: 1, n: 1 });
        },
        check(st) {
          assert.equal(st.get({ k: 0 })?.n, 1, `${kind}: get({ k: 0 })`);
          assert.equal(st.get({ k: -0 })?.n, 1, `${kind}: get({ k: -0 })`);
          assert.equal(st.has({ k: 0 }), true);
        },
      });
    }
  });
});
