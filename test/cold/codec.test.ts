/**
 * RecordCodec: copies out of msgpackr's reused buffer, pending/committed shared
 * structures, readers built from the committed structures, and E_CORRUPT for
 * anything that is not a value written by this format (including crafted lengths).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from 'leanrec';
import { FORMAT_V1, RecordCodec } from '../../src/cold/codec.ts';

const what = () => 'test value';

function corrupt(fn: () => unknown, ...contains: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isLeanrecError(err, 'E_CORRUPT'), `expected E_CORRUPT, got ${String(err)}`);
    for (const s of contains)
      assert.ok(err.message.includes(s), `message names ${s}: ${err.message}`);
    return true;
  });
}

/** The structures the writer holds pending, taken before commit (the full list, as stored). */
function takePending(c: RecordCodec): unknown[][] {
  const p = c.pending;
  assert.ok(p !== undefined, 'expected pending structures');
  return p.map((k) => [...k]);
}

test('encode returns bytes that a later encode does not change (reused pack buffer)', () => {
  const c = new RecordCodec();
  const a = c.encode({ name: 'alpha', n: 1, list: ['x', 'y'] });
  const kept = a.slice();
  // Many later encodes of other shapes and sizes, some larger than the first.
  for (let i = 0; i < 200; i++)
    c.encode({ name: `beta-${i}`.repeat(i % 7), n: i, other: { deep: [i, i + 1] } });
  const b = c.encode({ name: 'gamma', n: 3, list: ['z'] });
  assert.deepEqual(a, kept, 'A unchanged after encoding B');
  assert.notEqual(a.buffer, b.buffer, 'each value owns its buffer');
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, a.length, 'no value pins a larger shared buffer');
  assert.deepEqual(c.decode(a, what), { name: 'alpha', n: 1, list: ['x', 'y'] });
  assert.deepEqual(c.decode(b, what), { name: 'gamma', n: 3, list: ['z'] });
  assert.equal(a[0], FORMAT_V1);
});

test('property: values kept across many encodes stay byte-identical and decodable', () => {
  const value = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
    fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 4 })),
    { maxKeys: 5, noNullPrototype: true },
  );
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), (values) => {
      const c = new RecordCodec();
      const out = values.map((v) => c.encode(v));
      const copies = out.map((b) => b.slice());
      out.forEach((b, i) => {
        assert.deepEqual(b, copies[i]);
        assert.deepEqual(c.decode(b, what), values[i]);
      });
    }),
    { numRuns: 100 },
  );
});

test('a new structure is pending until commit(); a reader from the committed structures decodes', () => {
  const w = new RecordCodec();
  assert.equal(w.pending, undefined);
  const a = w.encode({ x: 1, y: 'a' });
  const s1 = takePending(w);
  assert.equal(s1.length, 1);
  assert.equal(w.structureCount, 0, 'not committed yet');
  w.commit();
  assert.equal(w.pending, undefined);
  assert.equal(w.structureCount, 1);

  // Same shape again: nothing new to store.
  const a2 = w.encode({ x: 2, y: 'b' });
  assert.equal(w.pending, undefined);

  const b = w.encode({ p: true, q: [1, 2, 3] });
  const s2 = takePending(w);
  assert.equal(s2.length, 2, 'pending holds the whole list to store');
  w.commit();

  const r = new RecordCodec(s2);
  assert.deepEqual(r.decode(a, what), { x: 1, y: 'a' });
  assert.deepEqual(r.decode(a2, what), { x: 2, y: 'b' });
  assert.deepEqual(r.decode(b, what), { p: true, q: [1, 2, 3] });
  // A reader from the first list still reads what used only the first structure.
  assert.deepEqual(new RecordCodec(s1).decode(a, what), { x: 1, y: 'a' });
});

test('rollback() forgets pending structures; later encodes still decode, in the writer and in a fresh reader', () => {
  const w = new RecordCodec();
  const a = w.encode({ kept: 1 });
  w.commit();
  w.encode({ lost: 1, alsoLost: 2 });
  assert.ok(w.pending !== undefined);
  w.rollback();
  assert.equal(w.pending, undefined);
  assert.equal(w.structureCount, 1);
  w.rollback(); // nothing pending: a no-op

  // The same shape again is new again (the forgotten structure is not reused).
  const c = w.encode({ lost: 3, alsoLost: 4 });
  const d = w.encode({ kept: 5 });
  const stored = takePending(w);
  assert.equal(stored.length, 2);
  assert.deepEqual(w.decode(c, what), { lost: 3, alsoLost: 4 });
  assert.deepEqual(w.decode(d, what), { kept: 5 });
  w.commit();
  const r = new RecordCodec(stored);
  assert.deepEqual(r.decode(a, what), { kept: 1 });
  assert.deepEqual(r.decode(c, what), { lost: 3, alsoLost: 4 });
  assert.deepEqual(r.decode(d, what), { kept: 5 });
});

test('hundreds of structures (two-byte ids past the 32nd) decode in a fresh reader', () => {
  const w = new RecordCodec();
  const values = Array.from({ length: 300 }, (_, i) => ({ [`f${i}`]: i, shared: 'v' }));
  const bytes = values.map((v) => w.encode(v));
  const stored = takePending(w);
  w.commit();
  assert.equal(stored.length, 300);
  const r = new RecordCodec(stored);
  bytes.forEach((b, i) => {
    assert.deepEqual(r.decode(b, what), values[i]);
  });
});

test('a reader without the writer structures fails with E_CORRUPT, not a wrong value', () => {
  const w = new RecordCodec();
  w.encode({ a: 1 });
  const b = w.encode({ b: 2 });
  corrupt(() => new RecordCodec().decode(b, () => 'record K1'), 'record K1');
});

test('wrong format byte → E_CORRUPT naming the entry', () => {
  const c = new RecordCodec();
  const good = c.encode({ a: 1 });
  for (const byte of [0x00, 0x02, 0x40, 0xff]) {
    const bad = good.slice();
    bad[0] = byte;
    corrupt(() => c.decode(bad, () => 'record K2'), 'record K2', String(byte));
  }
  corrupt(() => c.decode(new Uint8Array(0), () => 'record K3'), 'record K3');
  corrupt(() => c.decode(Uint8Array.of(FORMAT_V1), () => 'record K4'), 'record K4');
  // Plain msgpack without the format byte (a map) is not accepted either.
  corrupt(() => c.decode(Uint8Array.of(0x81, 0xa1, 0x61, 0x01), () => 'record K5'), 'record K5');
});

test('garbage → E_CORRUPT', () => {
  const c = new RecordCodec();
  c.encode({ a: 1 });
  c.commit();
  const cases = [
    [0xc1], // never used
    [0x81, 0xa1], // map truncated
    [0xa5, 0x61], // str5 with one byte
    [0x01, 0x02], // trailing bytes after a value
    [0x93, 0x01, 0x02], // array truncated
    [0x80, 0x80], // two values
    [0xd4, 0x72, 0x00], // fixext with an unknown type
  ];
  for (const body of cases)
    corrupt(() => c.decode(Uint8Array.of(FORMAT_V1, ...body), () => 'record G'), 'record G');
});

test('property: any bytes either decode or throw E_CORRUPT (never another error)', () => {
  const c = new RecordCodec();
  c.encode({ a: 1, b: 'x' });
  c.commit();
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
      try {
        c.decode(bytes, what);
      } catch (err) {
        assert.ok(isLeanrecError(err, 'E_CORRUPT'), String(err));
      }
    }),
    { numRuns: 2000 },
  );
});

test('crafted 4 GB length prefixes → E_CORRUPT quickly, without a huge allocation', () => {
  const c = new RecordCodec();
  const ff = [0xff, 0xff, 0xff, 0xff];
  const cases: [string, number[]][] = [
    ['str32', [0xdb, ...ff]],
    ['bin32', [0xc6, ...ff]],
    ['array32', [0xdd, ...ff]],
    ['map32', [0xdf, ...ff]],
    ['ext32', [0xc9, ...ff, 0x01]],
    ['nested array32', [0xdd, ...ff, 0xdd, ...ff, 0xdf, ...ff]],
    ['str32 with a few bytes', [0xdb, ...ff, 0x61, 0x62, 0x63]],
    ['array32 of nils', [0xdd, ...ff, ...Array(64).fill(0xc0)]],
  ];
  const before = process.memoryUsage();
  const t0 = performance.now();
  for (const [name, body] of cases) {
    const t = performance.now();
    corrupt(() => c.decode(Uint8Array.of(FORMAT_V1, ...body), () => `crafted ${name}`), name);
    assert.ok(performance.now() - t < 500, `${name} decoded in under 500 ms`);
  }
  const after = process.memoryUsage();
  assert.ok(performance.now() - t0 < 2000);
  // A 4 GB allocation would show in rss / arrayBuffers (or fail outright).
  assert.ok(after.rss - before.rss < 256 * 1024 * 1024, `rss grew by ${after.rss - before.rss}`);
  assert.ok(after.arrayBuffers - before.arrayBuffers < 64 * 1024 * 1024);
});

test('encodeView: views into the pack buffer that later encodes never change, decodable, format byte first', () => {
  const value = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
    fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 3000 }),
      fc.array(fc.integer(), { maxLength: 4 }),
    ),
    { maxKeys: 5, noNullPrototype: true },
  );
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), (values) => {
      const c = new RecordCodec();
      // Mixed with owned encodes: both use the same pack buffer.
      const out = values.map((v, i) => (i % 3 === 2 ? c.encode(v) : c.encodeView(v)));
      const copies = out.map((b) => b.slice());
      out.forEach((b, i) => {
        assert.deepEqual(b, copies[i]);
        assert.equal(b[0], FORMAT_V1);
        assert.deepEqual(c.decode(b, what), values[i]);
      });
    }),
    { numRuns: 100 },
  );
});
