/**
 * Model-based test: random sequences of put / putMany (upserts) / atomic ingest (that
 * succeeds, or fails part-way and must change nothing) / delete / get / has / where /
 * count / compact against a `Map` of plain objects, on a hot-only store and on
 * a memory-level store (where `record()` must also equal the model's whole record).
 *
 * A second case draws records with the arbitraries' size knobs: the open enum `sec`
 * from 2,000 values, with floods of ≥ 260 distinct values, so its dictionary crosses
 * 256 values (the 1 → 2 byte code width) in every run, and numbers at their type's edges.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { openStore, schema, t } from 'leanrec';
import { arbitraryRecord } from 'leanrec/testing';
import { failingSource, type SourceFailure, sourceFailureArb } from '../helpers/failing-source.ts';

const LONG = process.env.LEANREC_LONG === '1';

const M = schema({
  key: ['name', 'v'],
  hot: {
    name: t.string(),
    v: t.u8(),
    arch: t.enum(['amd64', 'all', 'arm64']),
    sec: t.enum().optional().indexed(),
    size: t.u32().indexed(),
    on: t.flag(),
    maybe: t.flag().optional(),
    opt: t.i32().optional(),
    score: t.f64().optional().indexed(),
    sum: t.hex(2).optional(),
    tags: t.list(t.string()).optional(),
  },
  cold: {
    text: { desc: t.string(), meta: t.json().optional() },
    deps: { dep: t.list(t.string()).optional(), raw: t.bytes(2).optional() },
  },
});
const HOT = M.hotFields.map((f) => f.name);

type Rec = Record<string, unknown>;
type Key = { name: string; v: number };
type AnyStore = {
  size: number;
  get(k: unknown): (Rec & { toObject(): Rec; record(): Rec; cold(g?: string): Rec }) | undefined;
  has(k: unknown): boolean;
  put(r: unknown): Promise<void>;
  putMany(r: unknown[], o?: { batchSize?: number }): Promise<{ inserted: number; updated: number }>;
  ingest(
    r: AsyncIterable<unknown>,
    o?: { batchSize?: number; atomic?: boolean },
  ): Promise<{ inserted: number; updated: number }>;
  delete(k: unknown): Promise<boolean>;
  where(f?: unknown, o?: { reuse?: boolean }): Generator<Rec & { toObject(): Rec; record(): Rec }>;
  count(f?: unknown): number;
  compact(): Promise<void>;
  close(): Promise<void>;
};

interface Model {
  records: Map<string, Rec>;
}
interface Real {
  store: AnyStore;
  cold: boolean;
}

const NAMES = ['a', 'b', 'ü', '', 'long-name-with-𝒳'];
const keyArb: fc.Arbitrary<Key> = fc.record({
  name: fc.constantFrom(...NAMES),
  v: fc.integer({ min: 0, max: 3 }),
});
const ks = (k: Key) => `${k.name}\u0000${k.v}`;
const small = <T>(...v: T[]) => fc.constantFrom(...v);

/** Records over a small key space (so puts collide into upserts) and small value pools (so filters hit). */
const recArb: fc.Arbitrary<Rec> = fc
  .tuple(
    arbitraryRecord(M, { maxStringLength: 5, maxListLength: 3, maxJsonDepth: 2 }),
    keyArb,
    fc.record(
      {
        sec: small('x', 'y', 'z'),
        size: small(0, 1, 50, 4294967295),
        opt: small(-2147483648, -1, 0, 7),
        score: small(0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY),
      },
      { requiredKeys: ['size'] },
    ),
  )
  .map(([r, k, pooled]) => {
    const out: Rec = { ...r, ...k, size: pooled.size };
    for (const f of ['sec', 'opt', 'score'] as const) {
      // Keep the field's presence as drawn; only narrow its value to the pool.
      if (f in out) {
        if (pooled[f] === undefined) delete out[f];
        else out[f] = pooled[f];
      }
    }
    return out;
  });

const FILTER_VALUES: Record<string, unknown[]> = {
  name: NAMES,
  v: [0, 1, 3, 9],
  arch: ['amd64', 'all', 'arm64'],
  sec: ['x', 'y', 'w'],
  size: [0, 1, 50, 4294967295, 2],
  on: [true, false],
  maybe: [true, false],
  opt: [-2147483648, -1, 0, 7],
  score: [0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY],
  sum: ['0000', 'ffff'],
};
const NUMERIC = ['v', 'size', 'opt', 'score'];
const bound = small(-Infinity, -2147483648, -1, -0, 0, 1, 1.5, 50, 4294967295, Infinity);
const condArb = (f: string) => {
  const vals = FILTER_VALUES[f]!;
  const arbs: fc.Arbitrary<unknown>[] = [
    fc.constantFrom(...vals),
    fc.uniqueArray(fc.constantFrom(...vals), { minLength: 1, maxLength: 3 }),
  ];
  if (NUMERIC.includes(f))
    arbs.push(
      fc
        .record({ gt: bound, gte: bound, lt: bound, lte: bound }, { requiredKeys: [] })
        .map((r) => ({ ...r })),
    );
  return fc.oneof(...arbs);
};
const filterArb: fc.Arbitrary<Rec> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(FILTER_VALUES)), { maxLength: 3 })
  .chain((fs) => fc.tuple(...fs.map((f) => condArb(f).map((c) => [f, c] as const))))
  .map((e) => Object.fromEntries(e));

const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));
function matches(r: Rec, f: Rec): boolean {
  for (const [k, c] of Object.entries(f)) {
    const v = r[k];
    if (v === undefined) return false;
    if (Array.isArray(c)) {
      if (!c.some((x) => same(v, x))) return false;
    } else if (c !== null && typeof c === 'object') {
      const x = v as number;
      const g = c as Record<string, number>;
      if (g.gt !== undefined && !(x > g.gt)) return false;
      if (g.gte !== undefined && !(x >= g.gte)) return false;
      if (g.lt !== undefined && !(x < g.lt)) return false;
      if (g.lte !== undefined && !(x <= g.lte)) return false;
    } else if (!same(v, c)) return false;
  }
  return true;
}

function hotOf(r: Rec): Rec {
  const out: Rec = {};
  for (const k of HOT) if (r[k] !== undefined) out[k] = r[k];
  return out;
}
function coldOf(r: Rec, group: string): Rec {
  const out: Rec = {};
  for (const f of M.group(group)!.fields) if (r[f.name] !== undefined) out[f.name] = r[f.name];
  return out;
}
const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? '-0' : v,
  );

type Cmd = fc.AsyncCommand<Model, Real>;

class Put implements Cmd {
  constructor(readonly rec: Rec) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await r.store.put(this.rec);
    m.records.set(ks(this.rec as Key), this.rec);
    assert.equal(r.store.size, m.records.size);
  }
  toString = () => `put(${show(this.rec)})`;
}

class PutMany implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.store.putMany(this.recs, { batchSize: this.batchSize });
    assert.equal(res.inserted + res.updated, this.recs.length);
    for (const rec of this.recs) m.records.set(ks(rec as Key), rec);
    assert.equal(r.store.size, m.records.size);
  }
  toString = () => `putMany(${this.recs.length} records, batch ${this.batchSize})`;
}

/**
 * An atomic ingest that succeeds, or fails at `fail.at` by a throwing source or an
 * invalid record: then the store must still equal the model (unchanged).
 */
class AtomicPutMany implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
    readonly fail: SourceFailure | undefined,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const recs = this.recs;
    const { source, fail, isFailure } = failingSource(recs, this.fail, { name: 'bad', v: 300 });
    const run = r.store.ingest(source() as AsyncIterable<Rec>, {
      batchSize: this.batchSize,
      atomic: true,
    });
    if (fail === undefined) {
      const res = await run;
      assert.equal(res.inserted + res.updated, recs.length);
      for (const rec of recs) m.records.set(ks(rec as Key), rec);
    } else await assert.rejects(run, isFailure);
    assert.equal(r.store.size, m.records.size);
    // After a failure, every record is as it was (Get and Where check the rest).
    if (fail !== undefined)
      for (const rec of m.records.values()) {
        const v = r.store.get(rec);
        assert.deepEqual(v?.toObject(), hotOf(rec), `record ${show(rec)}`);
        if (r.cold) assert.deepEqual(v?.record(), rec);
      }
  }
  toString = () =>
    `atomicPutMany(${this.recs.length} records, batch ${this.batchSize}${this.fail === undefined ? '' : `, ${this.fail.kind} at ${this.fail.at}`})`;
}

class Delete implements Cmd {
  constructor(readonly key: Key) {}
  check = () => true;
  async run(m: Model, r: Real) {
    assert.equal(await r.store.delete(this.key), m.records.delete(ks(this.key)));
    assert.equal(r.store.size, m.records.size);
  }
  toString = () => `delete(${show(this.key)})`;
}

class Get implements Cmd {
  constructor(readonly key: Key) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const want = m.records.get(ks(this.key));
    const v = r.store.get(this.key);
    assert.equal(r.store.has(this.key), want !== undefined);
    if (want === undefined) return assert.equal(v, undefined);
    assert.ok(v);
    assert.deepEqual(v.toObject(), hotOf(want));
    assert.equal(v.size, want.size);
    if (r.cold) {
      assert.deepEqual(v.record(), want);
      assert.deepEqual(v.cold('deps'), coldOf(want, 'deps'));
    }
  }
  toString = () => `get(${show(this.key)})`;
}

class Where implements Cmd {
  constructor(
    readonly filter: Rec,
    readonly reuse: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const want = [...m.records.values()].filter((rec) => matches(rec, this.filter));
    // Array.from maps while iterating: a reused view must be read before the next step.
    const got = Array.from(r.store.where(this.filter, { reuse: this.reuse }), (v) =>
      ks(v as unknown as Key),
    );
    assert.deepEqual(got.sort(), want.map((rec) => ks(rec as Key)).sort());
    assert.equal(r.store.count(this.filter), want.length);
  }
  toString = () => `where(${show(this.filter)}${this.reuse ? ', reuse' : ''})`;
}

class Compact implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.store.compact();
    assert.equal(r.store.size, m.records.size);
    for (const [, rec] of m.records) assert.deepEqual(r.store.get(rec)?.toObject(), hotOf(rec));
  }
  toString = () => 'compact()';
}

const commands = [
  recArb.map((rec) => new Put(rec)),
  fc
    .tuple(fc.array(recArb, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }))
    .map(([rs, b]) => new PutMany(rs, b)),
  fc
    .tuple(fc.array(recArb, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), sourceFailureArb)
    .map(([rs, b, f]) => new AtomicPutMany(rs, b, f)),
  keyArb.map((k) => new Delete(k)),
  keyArb.map((k) => new Get(k)),
  fc.tuple(filterArb, fc.boolean()).map(([f, reuse]) => new Where(f, reuse)),
  fc.constant(new Compact()),
];

/** Records over the same key space, with `sec` from 2,000 values and numbers at their edges. */
const wideArb: fc.Arbitrary<Rec> = fc
  .tuple(
    arbitraryRecord(M, {
      maxStringLength: 5,
      maxListLength: 3,
      maxJsonDepth: 2,
      distinctValues: 2000,
      numberEdges: true,
    }),
    // All 256 values of the u8 key: floods mostly insert, so the records that brought
    // the 256th and 257th values stay to be read back.
    fc.record({ name: fc.constantFrom(...NAMES), v: fc.integer({ min: 0, max: 255 }) }),
  )
  .map(([r, k]) => ({ ...r, ...k }));

const wideCommands = [
  wideArb.map((rec) => new Put(rec)),
  // A flood: ≥ 260 records with distinct `sec` values (one may be absent), in small
  // batches so that none is superseded before it is written: the dictionary passes 256.
  fc
    .tuple(
      fc.uniqueArray(wideArb, { minLength: 260, maxLength: 300, selector: (r) => r.sec }),
      fc.integer({ min: 1, max: 4 }),
    )
    .map(([rs, b]) => new PutMany(rs, b)),
  keyArb.map((k) => new Delete(k)),
  keyArb.map((k) => new Get(k)),
  fc.tuple(filterArb, fc.boolean()).map(([f, reuse]) => new Where(f, reuse)),
  fc.constant(new Compact()),
];

for (const cold of [false, true]) {
  describe(cold ? 'memory-level store' : 'hot-only store', () => {
    test('an open enum past 256 values and numbers at their edges (arbitraries size knobs)', async () => {
      let crossed = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.commands(wideCommands, { maxCommands: LONG ? 40 : 12 }),
          async (cmds) => {
            const store = (await openStore(M, cold ? {} : { cold: false })) as unknown as AnyStore;
            const model: Model = { records: new Map() };
            try {
              await fc.asyncModelRun(() => ({ model, real: { store, cold } }), cmds);
              // Every record of the model reads back whole (a flood has no Get of its own).
              assert.equal(store.size, model.records.size);
              for (const rec of model.records.values()) {
                const v = store.get(rec);
                assert.deepEqual(v?.toObject(), hotOf(rec), `record ${show(rec)}`);
                if (cold) assert.deepEqual(v?.record(), rec);
              }
              const col = (store as unknown as { _tier: { columns: { values?: string[] }[] } })
                ._tier.columns[M.byName.get('sec')!.index]!;
              if (col.values!.length > 256) crossed++;
            } finally {
              await store.close();
            }
          },
        ),
        // Shrinking sequences of 300-record floods takes minutes: report the first failure.
        { numRuns: LONG ? 100 : 8, endOnFailure: true },
      );
      assert.ok(crossed > 0, 'some run took the enum past 256 values');
    });

    test('behaves like a Map of plain objects', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands, { maxCommands: LONG ? 200 : 60, size: 'large' }),
          async (cmds) => {
            const store = (await openStore(M, cold ? {} : { cold: false })) as unknown as AnyStore;
            try {
              await fc.asyncModelRun(
                () => ({ model: { records: new Map() }, real: { store, cold } }),
                cmds,
              );
              // Final sweep: every model record is there, whole.
              const m = new Map<string, Rec>();
              for (const v of store.where())
                m.set(ks(v as unknown as Key), cold ? v.record() : v.toObject());
              assert.equal(m.size, store.size);
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns: LONG ? 1000 : 150 },
      );
    });
  });
}
