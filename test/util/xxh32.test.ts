import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Xxh32, xxh32 } from '../../src/util/xxh32.ts';

const text = (s: string) => new TextEncoder().encode(s);

test('xxh32: reference vectors', () => {
  assert.equal(xxh32(text('')), 0x02cc5d05);
  assert.equal(xxh32(text('a')), 0x550d7456);
  assert.equal(xxh32(text('abc')), 0x32d153ff);
});

test('xxh32: the one-pass hash equals the streaming one, aligned or not, in any pieces', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 0, max: 7 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (bytes, shift, cuts) => {
        // The same bytes at an offset of `shift` in a larger buffer (unaligned when shift % 4).
        const big = new Uint8Array(bytes.length + shift);
        big.set(bytes, shift);
        const view = big.subarray(shift);
        const h = new Xxh32();
        let at = 0;
        for (const c of cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b)) {
          h.update(bytes.subarray(at, c));
          at = c;
        }
        h.update(bytes.subarray(at));
        assert.equal(xxh32(view), h.digest());
        assert.equal(xxh32(bytes), h.digest());
      },
    ),
    { numRuns: 500 },
  );
});
