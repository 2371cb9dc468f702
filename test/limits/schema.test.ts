/**
 * Limits a schema declares: a closed enum of at most 65,536 values (its code width is
 * 1 byte up to 256 values, 2 from 257), `t.bytes(n)`/`t.hex(n)` widths 1…65,535, and
 * key bytes of any length (a key is hashed and compared, never stored on its own).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeanrecError, MAX_ENUM_VALUES, schema, t } from 'leanrec';
import { acrossLifecycle } from '../helpers/lifecycle.ts';

const isSchemaError = (e: unknown) => e instanceof LeanrecError && e.code === 'E_SCHEMA';
const values = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('closed enum sizes', () => {
  test('65,535 and 65,536 declared values are a schema; 65,537 is E_SCHEMA', () => {
    assert.equal(t.enum(values(MAX_ENUM_VALUES - 1)).values?.length, 65535);
    assert.equal(t.enum(values(MAX_ENUM_VALUES)).values?.length, 65536);
    assert.throws(() => t.enum(values(MAX_ENUM_VALUES + 1)), isSchemaError);
  });

  for (const n of [255, 256, 257, 65536]) {
    test(`a closed enum of ${n} values: the first and last values, as key and value`, async () => {
      const vs = values(n);
      const S = schema({ key: ['k'], hot: { k: t.enum(vs), v: t.enum(vs), i: t.u32() } });
      const picks = [0, 1, 254, 255, 256, n - 2, n - 1].filter((i) => i >= 0 && i < n);
      const picked = [...new Set(picks)];
      await acrossLifecycle(S, {
        async write(st) {
          await st.putMany(picked.map((i) => ({ k: vs[i]!, v: vs[n - 1 - i]!, i })));
        },
        check(st) {
          assert.equal(st.size, picked.length);
          for (const i of picked) {
            const r = st.get({ k: vs[i]! });
            assert.equal(r?.v, vs[n - 1 - i], `value ${i} of ${n}`);
            assert.equal(r?.i, i);
            assert.equal(st.count({ v: vs[n - 1 - i]! }), 1);
          }
          // Codes of 1 byte up to 256 values, 2 from 257, for 16 rows (the smallest
          // capacity), plus the dictionary counted as 16 B + length per value.
          const bytes = st.memory().parts.find((p) => p.name === 'column:k')!.bytes;
          const dict = vs.reduce((sum, v) => sum + 16 + v.length, 0);
          assert.equal(bytes, 16 * (n > 256 ? 2 : 1) + dict);
        },
      });
    });
  }
});

describe('fixed widths and long keys', () => {
  test('t.bytes(n) and t.hex(n): 1 and 65,535 are widths, 0 and 65,536 are E_SCHEMA', () => {
    for (const make of [t.bytes, t.hex]) {
      assert.equal(make(1).width, 1);
      assert.equal(make(65535).width, 65535);
      assert.throws(() => make(0), isSchemaError);
      assert.throws(() => make(65536), isSchemaError);
      assert.throws(() => make(1.5), isSchemaError);
    }
  });

  test('keys of 65,535 bytes and of a 70,000-character string are found', async () => {
    const S = schema({ key: ['b', 's'], hot: { b: t.bytes(65535), s: t.string(), h: t.hex(2) } });
    const big = (seed: number) => Uint8Array.from({ length: 65535 }, (_, i) => (i * seed) & 0xff);
    const long = (c: string) => c.repeat(35000); // 2 UTF-16 units each: astral characters
    const recs = [
      { b: big(1), s: long('𝒳'), h: '00ff' },
      { b: big(1), s: long('𝒴'), h: 'ff00' },
      { b: big(3), s: long('𝒳'), h: 'abcd' },
    ];
    await acrossLifecycle(S, {
      async write(st) {
        await st.putMany(recs);
      },
      check(st) {
        assert.equal(st.size, 3);
        for (const r of recs) assert.equal(st.get({ b: r.b, s: r.s })?.h, r.h);
        assert.equal(st.get({ b: big(3), s: long('𝒴') }), undefined);
        assert.equal(st.get({ b: big(1), s: `${long('𝒳')}x` }), undefined);
      },
    });
  });
});
