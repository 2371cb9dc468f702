/**
 * The hot tier through the public store API, on hot-only stores: every field kind
 * round-trips, optional presence, bounds, delete/upsert, atomic batches, queries
 * against a plain-array model, compaction, memory accounting, closed/argument errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AnyField, LeanrecError, openStore, schema, t } from 'leanrec';
import { arbitraryRecord } from 'leanrec/testing';

const LONG = process.env.LEANREC_LONG === '1';
const runs = (n: number) => ({ numRuns: LONG ? n * 10 : n });

async function rejectsCode(
  p: Promise<unknown> | (() => unknown),
  code: string,
): Promise<LeanrecError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof LeanrecError, `expected a LeanrecError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

type Rec = Record<string, unknown>;
/** Untyped access to a store (the schemas here are built dynamically). */
type AnyStore = Awaited<ReturnType<typeof openStore>> & {
  get(k: unknown): (Rec & { toObject(): Rec }) | undefined;
  has(k: unknown): boolean;
  put(r: unknown): Promise<void>;
  putMany(
    r: Iterable<unknown>,
    o?: object,
  ): ReturnType<Awaited<ReturnType<typeof openStore>>['putMany']>;
  delete(k: unknown): Promise<boolean>;
  where(f?: unknown, o?: { reuse?: boolean }): Generator<Rec & { toObject(): Rec }>;
  count(f?: unknown): number;
};
const open = async (s: ReturnType<typeof schema>) =>
  (await openStore(s, { cold: false })) as unknown as AnyStore;

/** Every hot field kind, in a few shapes. */
const KINDS: [string, () => AnyField][] = [
  ['string', () => t.string()],
  ['enum (closed)', () => t.enum(['a', 'b', '', 'ü𝒳'])],
  ['enum (open)', () => t.enum()],
  ['flag', () => t.flag()],
  ['u8', () => t.u8()],
  ['u16', () => t.u16()],
  ['u32', () => t.u32()],
  ['i32', () => t.i32()],
  ['f32', () => t.f32()],
  ['f64', () => t.f64()],
  ['bytes(1)', () => t.bytes(1)],
  ['bytes(20)', () => t.bytes(20)],
  ['hex(1)', () => t.hex(1)],
  ['hex(32)', () => t.hex(32)],
  ['list<string>', () => t.list(t.string())],
  ['list<u32>', () => t.list(t.u32())],
  ['list<f64>', () => t.list(t.f64())],
  ['list<flag>', () => t.list(t.flag())],
  ['list<enum>', () => t.list(t.enum(['x', 'y']))],
  ['list<open enum>', () => t.list(t.enum())],
  ['list<hex(2)>', () => t.list(t.hex(2))],
  ['list<bytes(3)>', () => t.list(t.bytes(3))],
];
const KEYABLE = new Set(['string', 'enum', 'flag', 'u8', 'u16', 'u32', 'i32', 'bytes', 'hex']);

/** A canonical text of a value, for uniqueness of keys. */
function canon(v: unknown): string {
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  return `${typeof v}:${String(v)}`;
}

describe('put → get → toObject() round-trips every field kind', () => {
  for (const [name, make] of KINDS) {
    test(name, async () => {
      const S = schema({
        key: ['id'],
        hot: { id: t.u32(), v: make(), o: make().optional(), ix: make().optional().indexed() },
      });
      const recs = fc.uniqueArray(arbitraryRecord(S), {
        maxLength: 30,
        selector: (r) => (r as Rec).id as number,
      });
      await fc.assert(
        fc.asyncProperty(recs, async (records) => {
          const store = await open(S);
          const res = await store.putMany(records, { batchSize: 7 });
          assert.equal(res.inserted, records.length);
          assert.equal(store.size, records.length);
          for (const r of records) {
            const view = store.get({ id: (r as Rec).id });
            assert.ok(view);
            assert.deepEqual(view.toObject(), r);
            for (const k of ['v', 'o', 'ix']) assert.deepEqual(view[k], (r as Rec)[k]);
          }
          await store.close();
        }),
        runs(200),
      );
    });
  }

  for (const [name, make] of KINDS.filter(([n]) => KEYABLE.has(n.replace(/ .*|\(.*/, '')))) {
    test(`${name} as a key`, async () => {
      const S = schema({ key: ['k', 'n'], hot: { k: make(), n: t.u8(), x: t.string() } });
      const recs = fc.uniqueArray(arbitraryRecord(S, { maxStringLength: 6 }), {
        maxLength: 40,
        selector: (r) => `${canon((r as Rec).k)}|${(r as Rec).n}`,
      });
      await fc.assert(
        fc.asyncProperty(recs, arbitraryRecord(S), async (records, probe) => {
          const store = await open(S);
          await store.putMany(records);
          assert.equal(store.size, records.length);
          for (const r of records) assert.deepEqual(store.get(r)?.toObject(), r);
          const known = records.some(
            (r) =>
              canon((r as Rec).k) === canon((probe as Rec).k) && (r as Rec).n === (probe as Rec).n,
          );
          assert.equal(store.has(probe), known);
          await store.close();
        }),
        runs(200),
      );
    });
  }
});

describe('values', () => {
  const S = schema({
    key: ['id'],
    hot: {
      id: t.string(),
      s: t.string().optional(),
      l: t.list(t.string()).optional(),
      a8: t.u8().optional(),
      a16: t.u16().optional(),
      a32: t.u32().optional(),
      i: t.i32().optional(),
      f4: t.f32().optional(),
      f8: t.f64().optional(),
      fl: t.flag().optional(),
    },
  });

  test('absent optionals stay absent, present ones present (even empty/zero/false)', async () => {
    const store = await open(S);
    const absent = { id: 'absent' };
    const present = {
      id: 'present',
      s: '',
      l: [],
      a8: 0,
      a16: 0,
      a32: 0,
      i: 0,
      f4: 0,
      f8: 0,
      fl: false,
    };
    const lists = { id: 'lists', l: ['', '', 'x'] };
    await store.putMany([absent, present, lists]);
    const a = store.get({ id: 'absent' })!;
    assert.deepEqual(a.toObject(), absent);
    for (const k of Object.keys(present))
      if (k !== 'id') {
        assert.equal(a[k], undefined);
        assert.equal(Object.hasOwn(a.toObject(), k), false);
      }
    assert.deepEqual(store.get({ id: 'present' })!.toObject(), present);
    assert.deepEqual(store.get({ id: 'lists' })!.toObject(), lists);
    // The empty string is a valid key.
    await store.put({ id: '' });
    assert.deepEqual(store.get({ id: '' })?.toObject(), { id: '' });
    // Optional presence is reported by where/count: a filter on an optional field only matches present values.
    assert.equal(store.count({ fl: false }), 1);
    assert.equal(store.count({ a8: { gte: 0 } }), 1);
    await store.close();
  });

  test('numeric bounds and special floats', async () => {
    const store = await open(S);
    const lo = {
      id: 'lo',
      a8: 0,
      a16: 0,
      a32: 0,
      i: -2147483648,
      f4: -3.4028234663852886e38,
      f8: -Number.MAX_VALUE,
    };
    const hi = {
      id: 'hi',
      a8: 255,
      a16: 65535,
      a32: 4294967295,
      i: 2147483647,
      f4: 3.4028234663852886e38,
      f8: Number.MAX_VALUE,
    };
    const special = { id: 'sp', f4: Number.NaN, f8: -0 };
    const inf = { id: 'inf', f4: Number.NEGATIVE_INFINITY, f8: Number.POSITIVE_INFINITY };
    const tiny = { id: 'tiny', f4: 1.401298464324817e-45, f8: Number.MIN_VALUE };
    await store.putMany([lo, hi, special, inf, tiny]);
    for (const r of [lo, hi, special, inf, tiny])
      assert.deepEqual(store.get({ id: r.id })?.toObject(), r);
    assert.ok(Object.is(store.get({ id: 'sp' })!.f8, -0));
    // f32 rounds: a value that is not exact float32 reads back as Math.fround.
    await store.put({ id: 'round', f4: 0.1 });
    assert.equal(store.get({ id: 'round' })!.f4, Math.fround(0.1));
    assert.equal(
      store.count({ f4: 0.1 }),
      1,
      'a query for 0.1 finds the f32 row holding fround(0.1)',
    );
    assert.equal(store.count({ a32: 4294967295 }), 1);
    assert.equal(store.count({ i: { lt: -2147483647 } }), 1);
    assert.equal(store.count({ f8: { gt: 1e308 } }), 2);
    await store.close();
  });
});

describe('writes', () => {
  const S = schema({
    key: ['name', 'v'],
    hot: { name: t.string(), v: t.u16(), size: t.u32(), tag: t.enum().optional(), on: t.flag() },
  });
  const rec = (i: number, size = i) => ({ name: `p${i}`, v: i % 3, size, on: i % 2 === 0 });

  test('delete, then re-put', async () => {
    const store = await open(S);
    await store.putMany([rec(1), rec(2), rec(3)]);
    assert.equal(await store.delete({ name: 'p2', v: 2 }), true);
    assert.equal(store.size, 2);
    assert.equal(store.get({ name: 'p2', v: 2 }), undefined);
    assert.equal(store.has({ name: 'p2', v: 2 }), false);
    assert.equal(await store.delete({ name: 'p2', v: 2 }), false);
    assert.equal(await store.delete({ name: 'never', v: 0 }), false);
    assert.equal(store.count({ name: 'p2' }), 0);
    await store.put({ ...rec(2), size: 99, tag: 'back' });
    assert.deepEqual(store.get({ name: 'p2', v: 2 })?.toObject(), {
      ...rec(2),
      size: 99,
      tag: 'back',
    });
    assert.equal(store.size, 3);
    assert.deepEqual([...store.where()].map((v) => v.name).sort(), ['p1', 'p2', 'p3']);
    await store.close();
  });

  test('upsert by key replaces in place (same row, same id)', async () => {
    const store = await open(S);
    await store.putMany([rec(1), { ...rec(2), tag: 'old' }, rec(3)]);
    const tier = store._tier;
    const row = tier.findRow(rec(2));
    const id = tier.ids[row];
    const res = await store.putMany([{ ...rec(2), size: 1234 }]);
    assert.deepEqual([res.inserted, res.updated, res.written], [0, 1, 1]);
    assert.equal(store.size, 3);
    assert.equal(tier.findRow(rec(2)), row);
    assert.equal(tier.ids[row], id);
    // The old optional value is gone: the new record has no tag.
    assert.deepEqual(store.get(rec(2))?.toObject(), { ...rec(2), size: 1234 });
    assert.equal(store.count({ tag: 'old' }), 0);
    // Same key twice in one batch: the later one wins.
    const r2 = await store.putMany([
      { ...rec(7), size: 1 },
      { ...rec(7), size: 2 },
    ]);
    assert.equal(r2.written, 2);
    assert.equal(store.size, 4);
    assert.equal(store.get(rec(7))?.size, 2);
    await store.close();
  });

  test('a batch with one invalid record writes nothing; the error has its index', async () => {
    const store = await open(S);
    await store.putMany([rec(0), rec(1)]);
    const before = [...store.where()].map((v) => v.toObject());
    const batch: unknown[] = [rec(1, 777), rec(2), rec(3), rec(4), rec(5), rec(6), rec(7)];
    batch[5] = { ...rec(6), size: -1 };
    const err = await rejectsCode(store.putMany(batch as never), 'E_INVALID_RECORD');
    assert.equal(err.index, 5);
    assert.equal(err.field, 'size');
    assert.ok(err.message.includes('size') && err.message.includes('p6'), err.message);
    assert.equal(store.size, 2);
    assert.deepEqual(
      [...store.where()].map((v) => v.toObject()),
      before,
    );
    assert.equal(store.get(rec(1))?.size, 1, 'the upsert in the failed batch did not apply');
    // Earlier batches stay written: with batches of 3, records 0..2 of the input are in.
    const err2 = await rejectsCode(
      store.putMany(batch as never, { batchSize: 3 }),
      'E_INVALID_RECORD',
    );
    assert.equal(err2.index, 5);
    assert.equal(store.size, 4);
    assert.equal(store.get(rec(1))?.size, 777);
    assert.equal(store.has(rec(4)), false);
    // Not an object at all.
    const err3 = await rejectsCode(store.putMany([rec(9), null] as never), 'E_INVALID_RECORD');
    assert.equal(err3.index, 1);
    await store.close();
  });

  test("onInvalid: 'skip' writes the valid records and counts the rest", async () => {
    const store = await open(S);
    const input: unknown[] = [
      rec(1),
      { ...rec(2), on: 'yes' },
      rec(3),
      { ...rec(4), extra: 1 },
      { name: 'p5' },
      rec(6),
    ];
    const res = await store.ingest(input as never, { onInvalid: 'skip', batchSize: 2 });
    assert.deepEqual(res, { written: 3, inserted: 3, updated: 0, skipped: 3, batches: 3 });
    assert.deepEqual([...store.where()].map((v) => v.name).sort(), ['p1', 'p3', 'p6']);
    // Async iterables are read as well.
    async function* gen() {
      yield rec(10);
      yield { bad: true };
      yield rec(11);
    }
    const r2 = await store.ingest(gen() as never, { onInvalid: 'skip' });
    assert.deepEqual([r2.inserted, r2.skipped], [2, 1]);
    await store.close();
  });
});

describe('where / count', () => {
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
    },
    { requiredKeys: ['name', 'n', 'arch', 'size', 'score', 'on', 'raw', 'isize', 'iprio'] },
  );
  const values: Record<string, unknown[]> = {
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
  };
  const numeric = new Set(['n', 'size', 'delta', 'score', 'ratio', 'isize', 'iscore']);
  const f32Fields = new Set(['ratio']);
  const bounds = fc.constantFrom(
    -Infinity,
    -1e300,
    -2147483648,
    -2,
    -1,
    -0,
    0,
    0.1,
    0.5,
    1,
    1.5,
    2,
    100,
    65535,
    4294967295,
    Infinity,
  );
  const condition = (field: string) => {
    const vals = values[field]!;
    const arbs: fc.Arbitrary<unknown>[] = [
      fc.constantFrom(...vals),
      fc.uniqueArray(fc.constantFrom(...vals), { minLength: 1, maxLength: 3 }),
    ];
    if (numeric.has(field))
      arbs.push(
        fc
          .record({
            lower: fc.option(fc.tuple(fc.constantFrom('gt', 'gte'), bounds)),
            upper: fc.option(fc.tuple(fc.constantFrom('lt', 'lte'), bounds)),
          })
          .map(({ lower, upper }) => {
            const r: Record<string, number> = {};
            if (lower) r[lower[0]] = lower[1];
            if (upper) r[upper[0]] = upper[1];
            return r;
          }),
      );
    return fc.oneof(...arbs);
  };
  const filter = fc
    .uniqueArray(fc.constantFrom(...Object.keys(values)), { maxLength: 3 })
    .chain((fields) => fc.tuple(...fields.map((f) => condition(f).map((c) => [f, c] as const))))
    .map((entries) => Object.fromEntries(entries) as Rec);

  const same = (a: unknown, b: unknown) =>
    a instanceof Uint8Array && b instanceof Uint8Array
      ? Buffer.from(a).equals(Buffer.from(b))
      : a === b || (Number.isNaN(a) && Number.isNaN(b));
  /** The reference: what a filter means on plain objects. */
  function matches(r: Rec, f: Rec): boolean {
    for (const [k, c] of Object.entries(f)) {
      const v = r[k];
      if (v === undefined) return false;
      if (Array.isArray(c)) {
        if (!c.some((x) => same(v, f32Fields.has(k) ? Math.fround(x) : x))) return false;
      } else if (c !== null && typeof c === 'object' && !(c instanceof Uint8Array)) {
        const x = v as number;
        const g = c as Record<string, number>;
        if (g.gt !== undefined && !(x > g.gt)) return false;
        if (g.gte !== undefined && !(x >= g.gte)) return false;
        if (g.lt !== undefined && !(x < g.lt)) return false;
        if (g.lte !== undefined && !(x <= g.lte)) return false;
      } else if (!same(v, f32Fields.has(k) ? Math.fround(c as number) : c)) return false;
    }
    return true;
  }
  const keyOf = (r: Rec) => `${r.name}|${r.n}`;

  test('match a plain-array filter (equality, lists of values, ranges, flags, optionals, indexes)', async () => {
    const recs = fc.uniqueArray(record, { maxLength: 80, selector: (r) => keyOf(r as Rec) });
    await fc.assert(
      fc.asyncProperty(
        recs,
        fc.array(filter, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        async (records, filters, seed) => {
          const store = await open(S);
          await store.putMany(records);
          // Delete a few, so tombstones are in the scans too.
          const live = records.filter((_, i) => (i + seed) % 5 !== 0);
          for (const r of records.filter((_, i) => (i + seed) % 5 === 0)) await store.delete(r);
          for (const f of filters) {
            const expected = live
              .filter((r) => matches(r as Rec, f))
              .map((r) => keyOf(r as Rec))
              .sort();
            const got = [...store.where(f)].map((v) => keyOf(v as Rec)).sort();
            assert.deepEqual(got, expected, `filter ${show(f)}`);
            assert.equal(store.count(f), expected.length, `count ${show(f)}`);
            const reused = [...store.where(f, { reuse: true })];
            assert.ok(
              reused.every((v) => v === reused[0]),
              'reuse yields one view',
            );
          }
          assert.equal(store.count(), live.length);
          assert.equal(store.count({}), live.length);
          await store.close();
        },
      ),
      runs(200),
    );
  });

  test('where(..., { reuse: true }) yields one moving view with the right fields', async () => {
    const store = await open(S);
    const records = fc.sample(
      fc.uniqueArray(record, { minLength: 50, maxLength: 50, selector: (r) => keyOf(r as Rec) }),
      { numRuns: 1, seed: 7 },
    )[0]!;
    await store.putMany(records);
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
    await store.close();
  });

  test('a range with both gt and gte (or lt and lte) honours both bounds', async () => {
    const store = await open(S);
    const base = { arch: 'all', score: 0, on: false, raw: new Uint8Array(1), iprio: 'req' };
    await store.putMany(
      [0, 1, 2, 3, 4, 5].map((i) => ({ ...base, name: 'r', n: i, size: i, isize: i })),
    );
    assert.equal(store.count({ size: { gt: 3, gte: 1 } }), 2);
    assert.equal(store.count({ size: { lt: 2, lte: 4 } }), 2);
    assert.equal(store.count({ isize: { gt: 3, gte: 1 } }), 2);
    assert.equal(store.count({ isize: { lt: 2, lte: 4 } }), 2);
    await store.close();
  });
});

function show(f: Rec): string {
  return JSON.stringify(f, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v)
      ? String(v)
      : Object.is(v, -0)
        ? '-0'
        : v instanceof Uint8Array
          ? [...v]
          : v,
  );
}

describe('maintenance', () => {
  const S = schema({
    key: ['name'],
    hot: {
      name: t.string(),
      ver: t.string(),
      size: t.u32(),
      sec: t.enum().optional(),
      on: t.flag(),
      idx: t.u16().indexed(),
    },
  });
  const rec = (i: number) => ({
    name: `pkg-${i}`,
    ver: `1.${i % 17}`,
    size: i * 13,
    on: i % 3 === 0,
    idx: i % 11,
    ...(i % 4 === 0 ? { sec: `s${i % 5}` } : {}),
  });

  test('compact keeps every record and its id; deleted ones stay gone', async () => {
    const store = await open(S);
    const n = 3000;
    await store.putMany(Array.from({ length: n }, (_, i) => rec(i)));
    for (let i = 0; i < n; i += 3) await store.delete({ name: `pkg-${i}` });
    // Upserts with new strings leave garbage in the pool.
    for (let i = 1; i < n; i += 7) if (i % 3 !== 0) await store.put({ ...rec(i), ver: `new-${i}` });
    const tier = store._tier;
    const expected = new Map<string, { obj: Rec; id: number }>();
    for (const v of store.where())
      expected.set(v.name as string, { obj: v.toObject(), id: tier.ids[tier.findRow(v)]! });
    const before = store.memory();
    const countOn = store.count({ on: true });
    const countIdx = store.count({ idx: 5 });
    await store.compact();
    assert.equal(store.size, expected.size);
    assert.equal(tier.rowCount, expected.size, 'no tombstones left');
    for (const [name, { obj, id }] of expected) {
      const v = store.get({ name });
      assert.ok(v, name);
      assert.deepEqual(v.toObject(), obj);
      assert.equal(tier.ids[tier.findRow({ name })], id);
    }
    for (let i = 0; i < n; i += 3) assert.equal(store.has({ name: `pkg-${i}` }), false);
    assert.equal(store.count({ on: true }), countOn);
    assert.equal(store.count({ idx: 5 }), countIdx);
    assert.ok(store.memory().hot <= before.hot, 'compaction does not grow the hot tier');
    // Writes still work afterwards, with fresh ids.
    await store.put(rec(n + 1));
    assert.deepEqual(store.get({ name: `pkg-${n + 1}` })?.toObject(), rec(n + 1));
    const ids = new Set([...store.where()].map((v) => tier.ids[tier.findRow(v)]));
    assert.equal(ids.size, store.size, 'ids stay unique');
    await store.close();
  });

  test('memory() parts add up to the total', async () => {
    const store = await open(S);
    const check = () => {
      const m = store.memory();
      assert.equal(
        m.parts.reduce((s, p) => s + p.bytes, 0),
        m.total,
      );
      assert.equal(m.hot, m.total, 'a hot-only store is all hot');
      assert.equal(m.records, store.size);
      assert.equal(
        new Set(m.parts.map((p) => p.name)).size,
        m.parts.length,
        'part names are unique',
      );
      for (const p of m.parts) assert.ok(Number.isInteger(p.bytes) && p.bytes >= 0, p.name);
      for (const f of S.hotFields)
        assert.ok(
          m.parts.some((p) => p.name === `column:${f.name}`),
          f.name,
        );
      return m;
    };
    const empty = check();
    await store.putMany(Array.from({ length: 5000 }, (_, i) => rec(i)));
    store.count({ idx: 3 }); // builds the secondary index
    const full = check();
    assert.ok(full.total > empty.total);
    await store.close();
  });

  test('E_CLOSED after close (and close is idempotent)', async () => {
    const store = await open(S);
    await store.put(rec(1));
    await store.close();
    await store.close();
    assert.equal(store.closed, true);
    for (const fn of [
      () => store.get({ name: 'pkg-1' }),
      () => store.has({ name: 'pkg-1' }),
      () => store.size,
      () => store.count({ on: true }),
      () => [...store.where({})],
      () => store.memory(),
    ])
      await rejectsCode(fn, 'E_CLOSED');
    await rejectsCode(store.put(rec(2)), 'E_CLOSED');
    await rejectsCode(store.putMany([rec(2)]), 'E_CLOSED');
    await rejectsCode(store.delete({ name: 'pkg-1' }), 'E_CLOSED');
    await rejectsCode(store.compact(), 'E_CLOSED');
  });

  test('writes queued before close complete; those after are refused', async () => {
    const store = await open(S);
    const p = store.putMany(Array.from({ length: 100 }, (_, i) => rec(i)));
    const c = store.close();
    await p;
    await c;
    await rejectsCode(store.put(rec(1000)), 'E_CLOSED');
  });

  test('E_ARGUMENT for bad keys and filters', async () => {
    const T = schema({
      key: ['name', 'n'],
      hot: { name: t.string(), n: t.u8(), l: t.list(t.string()), b: t.bytes(2), on: t.flag() },
      cold: { c: t.string() },
    });
    const store = await open(T);
    await store.put({ name: 'x', n: 1, l: [], b: new Uint8Array(2), on: true, c: 'dropped' });
    const badKeys: [unknown, string | undefined][] = [
      [null, undefined],
      [undefined, undefined],
      ['x', undefined],
      [{}, 'name'],
      [{ name: 'x' }, 'n'],
      [{ name: 1, n: 1 }, 'name'],
      [{ name: 'x', n: 256 }, 'n'],
      [{ name: 'x', n: -1 }, 'n'],
      [{ name: 'x', n: '1' }, 'n'],
      [{ name: '\ud800', n: 1 }, 'name'],
      // Lookups find lone surrogates while encoding short strings, long ones by a scan.
      [{ name: 'a\udc00b', n: 1 }, 'name'],
      [{ name: 'ab\ud83d', n: 1 }, 'name'],
      [{ name: `${'a'.repeat(42)}\ud800`, n: 1 }, 'name'],
      [{ name: `${'é'.repeat(127)}\ud800`, n: 1 }, 'name'],
      [{ name: `${'a'.repeat(300)}\udfff`, n: 1 }, 'name'],
    ];
    for (const [key, field] of badKeys) {
      for (const op of [() => store.get(key), () => store.has(key), () => store.delete(key)]) {
        const err = await rejectsCode(op, 'E_ARGUMENT');
        if (field !== undefined) {
          assert.equal(err.field, field);
          assert.ok(err.message.includes(field), err.message);
        }
      }
    }
    const badFilters: [unknown, string | undefined][] = [
      [{ nope: 1 }, 'nope'],
      [{ c: 'dropped' }, 'c'],
      [{ l: 'x' }, 'l'],
      [{ n: 'x' }, 'n'],
      [{ n: 1.5 }, 'n'],
      [{ n: [1, 'x'] }, 'n'],
      [{ n: { gt: 'x' } }, 'n'],
      [{ n: { between: 1 } }, 'n'],
      [{ on: 1 }, 'on'],
      [{ name: 1 }, 'name'],
      [{ b: 'zz' }, 'b'],
      [5, undefined],
    ];
    for (const [f, field] of badFilters) {
      for (const op of [() => store.count(f), () => [...store.where(f)]]) {
        const err = await rejectsCode(op, 'E_ARGUMENT');
        if (field !== undefined) {
          assert.equal(err.field, field);
          assert.ok(err.message.includes(field), err.message);
        }
      }
    }
    await rejectsCode(store.putMany([], { batchSize: 0 }), 'E_ARGUMENT');
    await rejectsCode(
      () =>
        (store as unknown as { get(k: unknown): { cold(): unknown } })
          .get({ name: 'x', n: 1 })
          .cold(),
      'E_ARGUMENT',
    );
    await rejectsCode(openStore(T, { cold: false, path: '/tmp/never' }), 'E_ARGUMENT');
    await rejectsCode(openStore({} as never), 'E_ARGUMENT');
    await store.close();
  });
});
