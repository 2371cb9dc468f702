/**
 * The segment table of a record value (src/cold/segments.ts): for any segment lengths
 * (varints of one to four bytes), `readTable` finds every segment where `writeTable` put
 * it and `readAllSegments` agrees; a table whose lengths do not add up is `E_CORRUPT`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FORMAT_V2, RecordCodec } from '../../src/cold/codec.ts';
import { readAllSegments, readTable, writeTable } from '../../src/cold/segments.ts';

const what = () => 'record x';
const length = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.constantFrom(127, 128, 16_383, 16_384, 2_097_151, 2_097_152),
);

test('property: every segment is read back where it was written', () => {
  fc.assert(
    fc.property(fc.array(length, { minLength: 1, maxLength: 6 }), (lengths) => {
      const total = lengths.reduce((a, b) => a + b, 0);
      const body = new Uint8Array(total);
      for (let i = 0; i < total; i += 997) body[i] = i & 0xff;
      const value = writeTable(2, lengths, body);
      const all = readAllSegments(value, 2, what);
      let start = value.length - 4 - total;
      for (const [i, n] of lengths.entries()) {
        assert.deepStrictEqual(readTable(value, 2, i, what), { start, end: start + n });
        assert.deepStrictEqual([all[2 * i], all[2 * i + 1]], [start, start + n]);
        start += n;
      }
      assert.equal(readTable(value, 2, lengths.length, what), undefined);
    }),
    { numRuns: 100 },
  );
});

test('a length that does not add up to the value is E_CORRUPT', () => {
  const value = writeTable(2, [200, 3], new Uint8Array(203));
  // 200 is the varint c8 01: make it 201 (c9 01); the table is read with `checked`.
  assert.equal(value[2], 0xc8);
  value[2] = 0xc9;
  assert.throws(
    () => readTable(value, 2, 0, what, true),
    (e: { code?: string; message?: string }) =>
      e.code === 'E_CORRUPT' && (e.message ?? '').includes('record x'),
  );
});

test('a segment whose msgpack runs past its end is E_CORRUPT, though the next segment holds bytes', () => {
  const codec = new RecordCodec();
  // Segment 1: a str8 header that claims 10 bytes but holds 2; segment 2 has 12 more bytes.
  const seg1 = Uint8Array.of(0xd9, 10, 0x61, 0x62);
  const seg2 = new Uint8Array(12).fill(0x61);
  const hot = Uint8Array.of(0x80); // {}
  const value = writeTable(FORMAT_V2, [1, 4, 12], Uint8Array.from([...hot, ...seg1, ...seg2]));
  assert.deepStrictEqual(codec.decodePart(value, 0, what), {});
  assert.throws(
    () => codec.decodePart(value, 1, what),
    (e: { code?: string; message?: string }) =>
      e.code === 'E_CORRUPT' && (e.message ?? '').includes('record x'),
  );
});
