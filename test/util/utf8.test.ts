import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isWellFormed, readUtf8, utf8Length, writeUtf8 } from '../../src/util/utf8.ts';

const encoder = new TextEncoder();
/** Any UTF-16 sequence, lone surrogates included. */
const anyUtf16 = (maxLength: number) =>
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength })
    .map((units) => String.fromCharCode(...units));
/** Well-formed strings biased to each encoded width (1–4 bytes). */
const wellFormed = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
);

test('utf8Length agrees with TextEncoder, lone surrogates included', () => {
  fc.assert(
    fc.property(fc.oneof(anyUtf16(300), wellFormed), (s) => {
      assert.equal(utf8Length(s), encoder.encode(s).length);
    }),
    { numRuns: 500 },
  );
});

test('writeUtf8 writes the same bytes as TextEncoder at any position', () => {
  fc.assert(
    fc.property(fc.oneof(anyUtf16(300), wellFormed), fc.nat(7), (s, pos) => {
      const expected = encoder.encode(s);
      const buf = new Uint8Array(pos + 3 * s.length + 1).fill(0xaa);
      const end = writeUtf8(s, buf, pos);
      assert.equal(end, pos + expected.length);
      assert.deepEqual(buf.subarray(pos, end), expected);
      assert.ok(buf.subarray(0, pos).every((b) => b === 0xaa));
      assert.ok(buf.subarray(end).every((b) => b === 0xaa));
    }),
    { numRuns: 500 },
  );
});

test('readUtf8 round-trips well-formed strings from any offset', () => {
  fc.assert(
    fc.property(wellFormed, fc.nat(5), (s, pos) => {
      const buf = new Uint8Array(pos + 3 * s.length + 2);
      const end = writeUtf8(s, buf, pos);
      assert.equal(readUtf8(buf, pos, end), s);
    }),
    { numRuns: 500 },
  );
});

test('readUtf8 keeps a leading BOM and decodes the ASCII fast path and long ranges', () => {
  for (const s of [
    '\uFEFFbash',
    '\uFEFF',
    'a',
    'libc6-dev',
    'x'.repeat(16),
    'y'.repeat(17),
    'é',
    '😀',
  ]) {
    const bytes = encoder.encode(s);
    assert.equal(readUtf8(bytes, 0, bytes.length), s);
  }
  assert.equal(readUtf8(new Uint8Array(0), 0, 0), '');
  // Invalid bytes decode to U+FFFD rather than throwing.
  assert.equal(readUtf8(new Uint8Array([0x61, 0xff]), 0, 2), 'a\uFFFD');
});

test('writeUtf8 encodes astral characters as 4 bytes', () => {
  const buf = new Uint8Array(8);
  assert.equal(writeUtf8('😀', buf, 0), 4);
  assert.deepEqual([...buf.subarray(0, 4)], [0xf0, 0x9f, 0x98, 0x80]);
  assert.equal(utf8Length('é€😀'), 9);
});

test('isWellFormed rejects exactly the strings with lone surrogates', () => {
  const reference = (s: string) => !/\p{Surrogate}/u.test(s);
  fc.assert(
    fc.property(anyUtf16(50), (s) => {
      assert.equal(isWellFormed(s), reference(s));
    }),
    { numRuns: 500 },
  );
  assert.equal(isWellFormed('a😀b'), true);
  assert.equal(isWellFormed('a\uD83D'), false);
  assert.equal(isWellFormed('\uDE00a'), false);
});
