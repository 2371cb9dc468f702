/**
 * SegmentComparer (src/cold/same-bytes.ts): segments of two codecs whose shared structures
 * were created in other orders (so one value has other record ids in each) are `true`
 * only for values that decode equal, and equal values are recognised from their bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FORMAT_V2, RecordCodec } from '../../src/cold/codec.ts';
import { SegmentComparer } from '../../src/cold/same-bytes.ts';
import { readAllSegments } from '../../src/cold/segments.ts';

const KEYS = ['a', 'b', 'description', 'depends', 'rest', 'n'];

/** The one segment of a record holding `value`, and the value decoded back. */
function segment(codec: RecordCodec, value: unknown): { bytes: Uint8Array; back: unknown } {
  const rec = codec.encodeRecord([value]);
  const at = readAllSegments(rec, FORMAT_V2, () => 'test');
  return { bytes: rec.subarray(at[0], at[1]), back: codec.decodePart(rec, 0, () => 'test') };
}

const leaf = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 30, maxLength: 300 }),
  fc.integer({ min: -1e6, max: 1e12 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 20 }),
  fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 3 }),
);
const record = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
  object: fc
    .uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 4 })
    .chain((keys) =>
      fc
        .tuple(...keys.map(() => tie('value')))
        .map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]]))),
    ),
})).object;

describe('SegmentComparer', () => {
  it('answers true only for equal values, across codecs with other record ids (property)', () => {
    let sameSeen = 0;
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean()),
        (values, edits) => {
          const a = new RecordCodec();
          const b = new RecordCodec();
          // Other orders of first use: the same keys get other structure ids.
          for (const v of [...values].reverse()) segment(b, v);
          const sa = values.map((v) => segment(a, v));
          const sb = values.map((v, i) =>
            segment(b, edits[i] === true ? { ...(v as object), a: 'edited' } : v),
          );
          const cmp = new SegmentComparer(a.structures, b.structures);
          for (let i = 0; i < values.length; i++) {
            const same = cmp.same(sa[i]!.bytes, sb[i]!.bytes);
            if (same === true) {
              sameSeen++;
              assert.deepEqual(sa[i]!.back, sb[i]!.back);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    assert.ok(sameSeen > 100, `only ${sameSeen} equal pairs recognised from their bytes`);
  });

  it('recognises a record with other structure ids, and not one with another value', () => {
    const a = new RecordCodec();
    const b = new RecordCodec();
    segment(b, { x: 1 });
    segment(b, { y: 'q', z: [1, 2] });
    const v = { description: 'a shell', depends: 'libc6 (>= 2.36)', rest: [['X-A', 'b']] };
    const x = segment(a, v).bytes;
    const y = segment(b, v).bytes;
    assert.notDeepEqual(x, y); // other record ids
    const cmp = new SegmentComparer(a.structures, b.structures);
    assert.equal(cmp.same(x, y), true);
    assert.equal(cmp.same(x, segment(b, { ...v, description: 'a shelL' }).bytes), undefined);
    assert.equal(
      new SegmentComparer(a.structures, b.structures).same(x, x.subarray(0, 5)),
      undefined,
    );
    // The same bytes, structure 0 in both, but other keys: not the same value.
    const c = new RecordCodec();
    const d = new RecordCodec();
    const u = segment(c, { a: 'x' }).bytes;
    const w = segment(d, { b: 'x' }).bytes;
    assert.deepEqual(u, w);
    assert.equal(new SegmentComparer(c.structures, d.structures).same(u, w), undefined);
    // An id this comparer does not know (structures listed before the record was written).
    const early = new SegmentComparer(a.structures, []);
    assert.equal(early.same(x, y), undefined);
  });
});
