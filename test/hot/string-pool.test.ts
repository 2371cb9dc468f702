import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from '../../src/errors.ts';
import { StringPool } from '../../src/hot/string-pool.ts';
import type { PoolOffset } from '../../src/util/brand.ts';
import { constantHash } from '../../src/util/hash.ts';

const encoder = new TextEncoder();
/** Well-formed strings: ASCII, BMP and astral, empty included, a few long enough for 2-byte length prefixes. */
const str = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 100, maxLength: 400 }) },
);

/** Checks every pool reading of `s` at `off`. */
function checkEntry(pool: StringPool, off: PoolOffset, s: string): void {
  const bytes = encoder.encode(s);
  assert.equal(pool.read(off), s);
  assert.equal(pool.byteLengthOf(off), bytes.length);
  const start = pool.bytesStart(off);
  assert.deepEqual(pool.bytes.subarray(start, start + bytes.length), bytes);
  assert.ok(pool.equalsBytes(off, bytes, 0, bytes.length));
}

test('intern then read gives the string back; equal strings share one offset', () => {
  for (const hash of [undefined, constantHash]) {
    fc.assert(
      fc.property(fc.array(str, { maxLength: hash ? 60 : 200 }), (strings) => {
        const pool = new StringPool(hash ? { hash, initialBytes: 16 } : { initialBytes: 16 });
        const offsets = new Map<string, PoolOffset>();
        for (const s of strings) {
          const off = pool.intern(s);
          const prev = offsets.get(s);
          if (prev !== undefined) assert.equal(off, prev);
          offsets.set(s, off);
        }
        assert.equal(pool.count, offsets.size + (offsets.has('') ? 0 : 1));
        for (const [s, off] of offsets) {
          checkEntry(pool, off, s);
          assert.equal(pool.find(s), off);
        }
      }),
      { numRuns: hash ? 50 : 200 },
    );
  }
});

test('the empty string is offset 0 and costs nothing', () => {
  const pool = new StringPool();
  assert.equal(pool.intern(''), 0);
  assert.equal(pool.find(''), 0);
  assert.equal(pool.read(0 as PoolOffset), '');
  assert.equal(pool.byteLength, 1);
  assert.equal(pool.internBytes(new Uint8Array(4), 2, 2), 0);
});

test('find never adds; findBytes and internBytes agree with intern', () => {
  fc.assert(
    fc.property(fc.uniqueArray(str, { maxLength: 50 }), (strings) => {
      const pool = new StringPool();
      const half = strings.length >> 1;
      for (const s of strings.slice(0, half)) pool.intern(s);
      const used = pool.byteLength;
      for (const [i, s] of strings.entries()) {
        const found = pool.find(s);
        if (i < half || s === '') assert.equal(found, pool.intern(s));
        else assert.equal(found, undefined);
      }
      for (const s of strings) {
        const bytes = encoder.encode(s);
        const padded = new Uint8Array(bytes.length + 4);
        padded.set(bytes, 2);
        assert.equal(pool.findBytes(padded, 2, 2 + bytes.length), pool.find(s));
        assert.equal(pool.internBytes(padded, 2, 2 + bytes.length), pool.intern(s));
      }
      assert.ok(pool.byteLength >= used);
    }),
  );
});

test('dropInternTable frees the table; find and intern rebuild it and stay correct', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(str, { maxLength: 80 }),
      fc.array(str, { maxLength: 20 }),
      (a, b) => {
        const pool = new StringPool();
        const offs = a.map((s) => pool.intern(s));
        pool.dropInternTable();
        assert.equal(pool.memory().internTableBytes, 0);
        for (const [i, s] of a.entries()) checkEntry(pool, offs[i]!, s);
        for (const [i, s] of a.entries()) assert.equal(pool.find(s), offs[i]);
        pool.dropInternTable();
        for (const s of b) {
          const off = pool.intern(s);
          const i = a.indexOf(s);
          if (i >= 0) assert.equal(off, offs[i]);
          checkEntry(pool, off, s);
        }
        for (const [i, s] of a.entries()) assert.equal(pool.intern(s), offs[i]);
      },
    ),
  );
});

test('toBytes/fromBytes round trip keeps offsets; the restored pool interns on', () => {
  fc.assert(
    fc.property(fc.array(str, { maxLength: 80 }), fc.array(str, { maxLength: 20 }), (a, b) => {
      const pool = new StringPool();
      const offs = a.map((s) => pool.intern(s));
      const restored = StringPool.fromBytes(pool.toBytes());
      assert.equal(restored.byteLength, pool.byteLength);
      assert.equal(restored.count, pool.count);
      for (const [i, s] of a.entries()) checkEntry(restored, offs[i]!, s);
      for (const [i, s] of a.entries()) assert.equal(restored.intern(s), offs[i]);
      for (const s of b) assert.equal(restored.intern(s), restored.find(s));
      for (const s of b) checkEntry(restored, restored.intern(s), s);
    }),
  );
});

test('internFrom copies entries between pools (compaction)', () => {
  fc.assert(
    fc.property(fc.array(str, { maxLength: 60 }), (strings) => {
      const from = new StringPool();
      const into = new StringPool({ initialBytes: 16 });
      into.intern('already here');
      for (const s of strings) {
        const off = into.internFrom(from, from.intern(s));
        assert.equal(off, into.intern(s));
        checkEntry(into, off, s);
      }
    }),
  );
});

test('length prefixes of 1, 2 and 3 bytes', () => {
  const pool = new StringPool({ initialBytes: 16 });
  const strings = [
    'x'.repeat(127),
    'x'.repeat(128),
    'é'.repeat(9000),
    'y'.repeat(16383),
    'z'.repeat(16384),
  ];
  const offs = strings.map((s) => pool.intern(s));
  for (const [i, s] of strings.entries()) checkEntry(pool, offs[i]!, s);
  assert.equal(pool.bytesStart(offs[0]!) - offs[0]!, 1);
  assert.equal(pool.bytesStart(offs[1]!) - offs[1]!, 2);
  assert.equal(pool.bytesStart(offs[4]!) - offs[4]!, 3);
  const restored = StringPool.fromBytes(pool.toBytes());
  for (const [i, s] of strings.entries()) assert.equal(restored.find(s), offs[i]);
});

test('memory reports used bytes, capacity and table bytes', () => {
  const pool = new StringPool({ initialBytes: 64 });
  for (let i = 0; i < 1000; i++) pool.intern(`libpkg${i}`);
  const m = pool.memory();
  assert.equal(m.poolBytes, pool.byteLength);
  assert.ok(m.poolCapacityBytes >= m.poolBytes);
  assert.equal(m.poolCapacityBytes & (m.poolCapacityBytes - 1), 0);
  assert.ok(m.internTableBytes >= (1000 / 0.7) * 8);
  assert.equal(pool.bytes.byteLength, m.poolCapacityBytes);
  assert.deepEqual(pool.toBytes().length, m.poolBytes);
});

test('fromBytes rejects bytes that are not a pool', () => {
  const isCorrupt = (e: unknown) => isLeanrecError(e, 'E_CORRUPT');
  assert.throws(() => StringPool.fromBytes(new Uint8Array(0)), isCorrupt);
  assert.throws(() => StringPool.fromBytes(new Uint8Array([1, 97])), isCorrupt);
  assert.throws(() => StringPool.fromBytes(new Uint8Array([0, 3, 97])), isCorrupt); // truncated
  assert.throws(() => StringPool.fromBytes(new Uint8Array([0, 0x81, 0x00, 97])), isCorrupt); // non-minimal
  assert.throws(() => StringPool.fromBytes(new Uint8Array([0, 0])), isCorrupt); // empty entry
  assert.equal(StringPool.fromBytes(new Uint8Array([0, 1, 97])).read(1 as PoolOffset), 'a');
});
