/**
 * `where` and `count` against the filter model (filters.ts) over a schema with every
 * filterable kind, indexed and not, with tombstones in the scans; `reuse` views; ranges
 * with both a strict and a non-strict bound. On disk the same filters are asked again
 * after close → reopen (the snapshot brings the columns and indexes back).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { schema, t } from 'leanrec';
import { filterArb, matches } from './filters.ts';
import { type AnyStore, type Mode, type Rec, show, withPlace } from './modes.ts';

const S = schema({
  key: ['name', 'n'],
  hot: {
    name: t.string(),
    n: t.u8(),
    arch: t.enum(['amd64', 'all', 'arm64']),
    section: t.enum().optional(),
    size: t.u32(),
    delta: t.i32().optional(),
    score: t.f64(),
    ratio: t.f32().optional(),
    on: t.flag(),
    maybe: t.flag().optional(),
    sum: t.hex(2).optional(),
    raw: t.bytes(1),
    isize: t.u16().indexed(),
    isrc: t.string().optional().indexed(),
    iprio: t.enum(['req', 'imp', 'opt']).indexed(),
    imaybe: t.flag().optional().indexed(),
    iscore: t.f64().optional().indexed(),
  },
  cold: { note: t.string().optional() },
});
const small = <T>(vals: T[]) => fc.constantFrom(...vals);
const record = fc.record(
  {
    name: small(['a', 'b', 'c', 'ü', '']),
    n: fc.integer({ min: 0, max: 30 }),
    arch: small(['amd64', 'all', 'arm64']),
    section: small(['x', 'y', 'z']),
    size: small([0, 1, 100, 4294967295]),
    delta: small([-2147483648, -1, 0, 1, 2147483647]),
    score: small([
      0,
      -0,
      1.5,
      -1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]),
    ratio: small([0, 0.5, -2, Math.fround(0.1)]),
    on: fc.boolean(),
    maybe: fc.boolean(),
    sum: small(['0000', 'abcd', 'ffff']),
    raw: small([0, 1, 255]).map((b) => new Uint8Array([b])),
    isize: small([0, 1, 2, 65535]),
    isrc: small(['s1', 's2', '']),
    iprio: small(['req', 'imp', 'opt']),
    imaybe: fc.boolean(),
    iscore: small([0, -0, 2, Number.NaN, -1e300]),
    note: small(['', 'n']),
  },
  { requiredKeys: ['name', 'n', 'arch', 'size', 'score', 'on', 'raw', 'isize', 'iprio'] },
) as fc.Arbitrary<Rec>;
const F32 = new Set(['ratio']);
const filter = filterArb({
  values: {
    name: ['a', 'b', 'c', 'ü', '', 'zz'],
    n: [0, 1, 7, 30, 200],
    arch: ['amd64', 'all', 'arm64'],
    section: ['x', 'y', 'nope'],
    size: [0, 1, 100, 4294967295, 5],
    delta: [-2147483648, -1, 0, 1, 2147483647],
    score: [0, -0, 1.5, -1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ratio: [0, 0.5, -2, 0.1],
    on: [true, false],
    maybe: [true, false],
    sum: ['0000', 'abcd', 'ffff', '1234'],
    raw: [new Uint8Array([0]), new Uint8Array([255]), new Uint8Array([7])],
    isize: [0, 1, 2, 65535, 3],
    isrc: ['s1', 's2', '', 's9'],
    iprio: ['req', 'imp', 'opt'],
    imaybe: [true, false],
    iscore: [0, -0, 2, Number.NaN, -1e300, 5],
  },
  numeric: new Set(['n', 'size', 'delta', 'score', 'ratio', 'isize', 'iscore']),
  bounds: [-Infinity, -1e300, -2147483648, -2, -1, -0, 0, 0.1, 0.5, 1, 1.5, 2, 100, 65535].concat([
    4294967295,
    Infinity,
  ]),
});
const keyOf = (r: Rec) => `${r.name}|${r.n}`;

/** The store answers every filter as the model does over `live`. */
function answersLike(store: AnyStore, live: Rec[], filters: Rec[]): void {
  for (const f of filters) {
    const expected = live
      .filter((r) => matches(r, f, F32))
      .map(keyOf)
      .sort();
    assert.deepEqual([...store.where(f)].map(keyOf).sort(), expected, `filter ${show(f)}`);
    assert.equal(store.count(f), expected.length, `count ${show(f)}`);
    const reused = [...store.where(f, { reuse: true })];
    assert.ok(
      reused.every((v) => v === reused[0]),
      'reuse yields one view',
    );
  }
  assert.equal(store.count(), live.length);
  assert.equal(store.count({}), live.length);
}

export function queryTests(mode: Mode): void {
  describe(`${mode.name}: where / count`, () => {
    test('match the filter model (equality, lists of values, ranges, flags, optionals, indexes)', async () => {
      const recs = fc.uniqueArray(record, { maxLength: 80, selector: keyOf });
      await fc.assert(
        fc.asyncProperty(
          recs,
          fc.array(filter, { minLength: 1, maxLength: 6 }),
          fc.nat(),
          async (records, filters, seed) =>
            withPlace(mode, async (place) => {
              const store = await place.open(S);
              await store.ingest(records);
              // Delete a few, so tombstones are in the scans too.
              const live = records.filter((_, i) => (i + seed) % 5 !== 0);
              for (const r of records.filter((_, i) => (i + seed) % 5 === 0)) await store.delete(r);
              answersLike(store, live, filters);
              if (mode.persistent) answersLike(await place.reopen(S), live, filters);
            }),
        ),
        { numRuns: mode.runs(150) },
      );
    });

    test('where(..., { reuse: true }) yields one moving view with the right fields', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        const records = fc.sample(
          fc.uniqueArray(record, { minLength: 50, maxLength: 50, selector: keyOf }),
          { numRuns: 1, seed: 7 },
        )[0]!;
        await store.ingest(records);
        const fresh = [...store.where({ on: true })].map((v) => v.toObject());
        const seen: Rec[] = [];
        let first: unknown;
        for (const v of store.where({ on: true }, { reuse: true })) {
          first ??= v;
          assert.equal(v, first);
          seen.push(v.toObject());
        }
        assert.deepEqual(seen, fresh);
        // Also through an indexed equality (answered from postings).
        const viaIndex: Rec[] = [];
        for (const v of store.where({ iprio: 'imp' }, { reuse: true })) viaIndex.push(v.toObject());
        assert.deepEqual(
          viaIndex,
          [...store.where({ iprio: 'imp' })].map((v) => v.toObject()),
        );
        if (mode.cold) {
          // A reused view reads the cold fields of the record it stands on.
          const notes = Array.from(store.where({}, { reuse: true }), (v) => v.record().note);
          assert.deepEqual(
            notes,
            [...store.where()].map((v) => v.record().note),
          );
        }
      }));

    test('a range with both gt and gte (or lt and lte) honours both bounds', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        const base = { arch: 'all', score: 0, on: false, raw: new Uint8Array(1), iprio: 'req' };
        await store.ingest(
          [0, 1, 2, 3, 4, 5].map((i) => ({ ...base, name: 'r', n: i, size: i, isize: i })),
        );
        assert.equal(store.count({ size: { gt: 3, gte: 1 } }), 2);
        assert.equal(store.count({ size: { lt: 2, lte: 4 } }), 2);
        assert.equal(store.count({ isize: { gt: 3, gte: 1 } }), 2);
        assert.equal(store.count({ isize: { lt: 2, lte: 4 } }), 2);
      }));
  });
}
