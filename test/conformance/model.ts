/**
 * Model-based test of the whole Store API in one mode: random sequences of `put`,
 * `ingest` (arrays, iterables, async iterables; half the records upserts of stored keys),
 * atomic `ingest` (succeeding, or failing part-way by a throwing source or an invalid
 * record: then nothing changes), `delete`, `get`/`has`, `where`/`count` (with `reuse`),
 * `load`/`loadMany` (cold modes), `compact`, and — on disk — close + reopen and crash +
 * reopen, against a `Map` of plain records. After every command the whole store is
 * compared with the model ({@link checkAll}).
 *
 * The store has no snapshot method: `close()` writes the hot snapshot, so close + reopen
 * is the snapshot command (the reopen must load it). Crash: the database is a
 * `FaultyLevel` around the real one; `crash()` closes the LevelDB under the store and
 * fails every later call, so `close()` cannot write the snapshot (it rejects with `E_IO`
 * when it had one to write) and only releases the directory, as the death of the process
 * would. The reopen then takes the real recovery path: the stale snapshot is dropped and
 * the hot tier rebuilt (`openMode === 'rebuild'` whenever data changed since the last
 * snapshot), and no record may be lost or changed.
 *
 * A second case (`wideCommands`) draws records with the arbitraries' size knobs: the open
 * enum `sec` from 2,000 values, with floods of ≥ 260 distinct values, so its dictionary
 * crosses 256 values (the 1 → 2 byte code width) in every run, and numbers at their edges.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeanrecError, schema, t } from 'leanrec';
import { arbitraryRecord } from 'leanrec/testing';
import { failingSource, type SourceFailure, sourceFailureArb } from '../helpers/failing-source.ts';
import { filterArb, matches } from './filters.ts';
import { type AnyStore, type Mode, type Place, pick, type Rec, show } from './modes.ts';

export const M = schema({
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
const GROUPS = M.groups.map((g) => g.name);
const groupFields = (g: string | undefined) =>
  g === undefined
    ? M.groups.flatMap((x) => x.fields.map((f) => f.name))
    : M.group(g)!.fields.map((f) => f.name);

type Key = { name: string; v: number };
const ks = (k: Key | Rec) => `${k.name}\u0000${k.v}`;

/** What the model holds. */
export interface Model {
  records: Map<string, Rec>;
  /** Data changed since the last snapshot (a crash now must be followed by a rebuild). */
  dirty: boolean;
  /** A record was ever inserted (an empty database reopens as 'new'). */
  used: boolean;
}

/** What a run did, reported as the test's diagnostic. */
export interface Counts {
  commands: number;
  reopens: number;
  crashes: number;
  rebuilds: number;
  snapshots: number;
  atomicCommitted: number;
  atomicFailed: number;
  lost: number;
}

/** The store under test, its place, and the counts. */
export interface Real {
  place: Place;
  store: AnyStore;
  mode: Mode;
  counts: Counts;
}

const NAMES = ['a', 'b', 'ü', '', 'long-name-with-𝒳'];
export const keyArb: fc.Arbitrary<Key> = fc.record({
  name: fc.constantFrom(...NAMES),
  v: fc.integer({ min: 0, max: 3 }),
});
const small = <T>(...v: T[]) => fc.constantFrom(...v);

/** Records over a small key space (puts collide into upserts) and small value pools (filters hit). */
export const recArb: fc.Arbitrary<Rec> = fc
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

/** Filters over the model's fields, or none (`where()`). */
export const modelFilterArb: fc.Arbitrary<Rec | undefined> = fc.option(
  filterArb({
    values: {
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
    },
    numeric: new Set(['v', 'size', 'opt', 'score']),
    bounds: [-Infinity, -2147483648, -1, -0, 0, 1, 1.5, 50, 4294967295, Infinity],
  }),
  { nil: undefined, freq: 6 },
);

/** The whole store equals the model: size, count, where, get/has, hot fields; cold (sync and async). */
export async function checkAll(m: Model, r: Real): Promise<void> {
  const s = r.store;
  assert.equal(s.size, m.records.size);
  assert.equal(s.count(), m.records.size);
  const seen = new Set<string>();
  for (const v of s.where()) seen.add(ks(v));
  assert.equal(seen.size, m.records.size);
  for (const [k, rec] of m.records) {
    assert.ok(seen.has(k), `where() lacks ${show(rec)}`);
    const v = s.get(rec);
    assert.ok(v, `get() lacks ${show(rec)}`);
    assert.deepStrictEqual(v.toObject(), pick(rec, HOT));
    if (r.mode.cold) assert.deepStrictEqual(v.record(), rec);
  }
  if (!r.mode.cold) return;
  const views = [...s.where()];
  const loaded = await s.loadMany(views, 'deps', { cache: false });
  views.forEach((v, i) => {
    assert.deepStrictEqual(loaded[i], pick(m.records.get(ks(v))!, groupFields('deps')));
  });
}

/** Reopens the store of `r` and checks how the hot tier came back, and that nothing was lost. */
async function reopen(m: Model, r: Real, crashed: boolean): Promise<void> {
  r.store = await r.place.open(M, { faulty: true, cacheBytes: 2048 });
  const mode = r.store._cold?.openMode;
  const expected = !m.used ? 'new' : crashed && m.dirty ? 'rebuild' : 'snapshot';
  assert.equal(mode, expected, `reopen after ${crashed ? 'a crash' : 'close'}`);
  if (mode === 'rebuild') r.counts.rebuilds++;
  if (mode === 'snapshot') r.counts.snapshots++;
  // After a rebuild the stored snapshot is gone: data has changed since the (new) last one.
  m.dirty = mode !== 'snapshot';
  for (const rec of m.records.values()) if (!r.store.has(rec)) r.counts.lost++;
  assert.equal(r.counts.lost, 0, 'records lost');
}

type Cmd = fc.AsyncCommand<Model, Real>;
const always = () => true;

/** Half the records (the even ones) take the key of a stored record: upserts. */
function upserts(m: Model, recs: Rec[]): Rec[] {
  const stored = [...m.records.values()];
  return recs.map((rec, i) =>
    i % 2 === 0 && stored.length > 0
      ? { ...rec, name: stored[i % stored.length]!.name, v: stored[i % stored.length]!.v }
      : rec,
  );
}

class Put implements Cmd {
  constructor(readonly rec: Rec) {}
  check = always;
  async run(m: Model, r: Real) {
    await r.store.put(this.rec);
    m.records.set(ks(this.rec), this.rec);
    m.dirty = m.used = true;
  }
  toString = () => `put(${show(this.rec)})`;
}

/** `ingest` from an array, a generator or an async generator, in batches. */
class Ingest implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
    readonly shape: 'array' | 'iterable' | 'async',
    readonly upsert: boolean,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const recs = this.upsert ? upserts(m, this.recs) : this.recs;
    async function* asyncSource() {
      yield* recs;
    }
    const source =
      this.shape === 'array' ? recs : this.shape === 'iterable' ? recs.values() : asyncSource();
    const res = await r.store.ingest(source, { batchSize: this.batchSize });
    assert.equal(res.inserted + res.updated, recs.length);
    for (const rec of recs) m.records.set(ks(rec), rec);
    if (recs.length > 0) m.dirty = m.used = true;
  }
  toString = () =>
    `ingest(${this.recs.length} records as ${this.shape}, batch ${this.batchSize}${this.upsert ? ', upserts' : ''})`;
}

/** An atomic ingest that succeeds, or fails at `fail.at` and must change nothing. */
class AtomicIngest implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
    readonly fail: SourceFailure | undefined,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const recs = upserts(m, this.recs);
    const { source, fail, isFailure } = failingSource(recs, this.fail, { name: 'bad', v: 300 });
    const run = r.store.ingest(source(), { batchSize: this.batchSize, atomic: true });
    if (fail === undefined) {
      const res = await run;
      assert.equal(res.inserted + res.updated, recs.length);
      for (const rec of recs) m.records.set(ks(rec), rec);
      if (recs.length > 0) m.dirty = m.used = true;
      r.counts.atomicCommitted++;
      return;
    }
    await assert.rejects(run, isFailure);
    // Batches staged before the failure were written, then undone: the data changed.
    if (Math.floor(fail.at / this.batchSize) > 0) m.dirty = m.used = true;
    r.counts.atomicFailed++;
  }
  toString = () =>
    `atomicIngest(${this.recs.length} records, batch ${this.batchSize}${this.fail === undefined ? '' : `, ${this.fail.kind} at ${this.fail.at}`})`;
}

class Delete implements Cmd {
  constructor(readonly key: Key) {}
  check = always;
  async run(m: Model, r: Real) {
    const had = m.records.delete(ks(this.key));
    assert.equal(await r.store.delete(this.key), had);
    if (had) m.dirty = true;
  }
  toString = () => `delete(${show(this.key)})`;
}

class Get implements Cmd {
  constructor(
    readonly key: Key,
    readonly group: string | undefined,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const want = m.records.get(ks(this.key));
    assert.equal(r.store.has(this.key), want !== undefined);
    const v = r.store.get(this.key);
    if (want === undefined) return assert.equal(v, undefined);
    assert.ok(v);
    assert.deepStrictEqual(v.toObject(), pick(want, HOT));
    assert.equal(v.size, want.size);
    if (r.mode.cold)
      assert.deepStrictEqual(v.cold(this.group), pick(want, groupFields(this.group)));
  }
  toString = () => `get(${show(this.key)}, ${this.group})`;
}

class Where implements Cmd {
  constructor(
    readonly filter: Rec | undefined,
    readonly reuse: boolean,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const want = [...m.records.values()].filter((rec) => matches(rec, this.filter));
    // Array.from maps while iterating: a reused view must be read before the next step.
    const got = Array.from(r.store.where(this.filter, { reuse: this.reuse }), (v) => ks(v));
    assert.deepEqual(got.sort(), want.map(ks).sort());
    assert.equal(r.store.count(this.filter), want.length);
  }
  toString = () => `where(${show(this.filter)}${this.reuse ? ', reuse' : ''})`;
}

class Load implements Cmd {
  constructor(
    readonly key: Key,
    readonly group: string | undefined,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const want = m.records.get(ks(this.key));
    const got = await r.store.load(this.key, this.group);
    if (want === undefined) return assert.equal(got, undefined);
    assert.deepStrictEqual(got, pick(want, groupFields(this.group)));
    assert.deepStrictEqual(await r.store.get(this.key)!.loadRecord(), want);
  }
  toString = () => `load(${show(this.key)}, ${this.group})`;
}

class LoadMany implements Cmd {
  constructor(
    readonly filter: Rec | undefined,
    readonly group: string | undefined,
    readonly cache: boolean,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const views = [...r.store.where(this.filter)];
    const got = await r.store.loadMany(views, this.group, { cache: this.cache });
    assert.equal(got.length, views.length);
    views.forEach((v, i) => {
      const want = m.records.get(ks(v));
      assert.ok(want);
      assert.deepStrictEqual(got[i], pick(want, groupFields(this.group)));
    });
  }
  toString = () => `loadMany(${show(this.filter)}, ${this.group}, cache ${this.cache})`;
}

class Compact implements Cmd {
  check = always;
  async run(m: Model, r: Real) {
    await r.store.compact();
    m.dirty = true;
  }
  toString = () => 'compact()';
}

/** close() writes the snapshot; the reopen must load it. */
class Reopen implements Cmd {
  check = always;
  async run(m: Model, r: Real) {
    await r.store.close();
    r.counts.reopens++;
    await reopen(m, r, false);
  }
  toString = () => 'close+reopen';
}

/** Drop the store without a clean close (see the header), then reopen from disk. */
class Crash implements Cmd {
  check = always;
  async run(m: Model, r: Real) {
    await r.place.db!.crash();
    // Releases the directory; the snapshot, if due, cannot be written.
    // A store that never held a record may or may not have a snapshot due: not checked.
    await r.store.close().then(
      () => assert.ok(!m.used || !m.dirty, 'close() after a crash succeeded with a snapshot due'),
      (err: unknown) => {
        assert.ok(err instanceof LeanrecError && err.code === 'E_IO', String(err));
        assert.ok(!m.used || m.dirty, 'close() after a crash had no snapshot to write, yet failed');
      },
    );
    r.counts.crashes++;
    await reopen(m, r, true);
  }
  toString = () => 'crash+reopen';
}

const groupArb = fc.constantFrom(undefined, ...GROUPS);
const shapeArb = fc.constantFrom('array', 'iterable', 'async') as fc.Arbitrary<
  'array' | 'iterable' | 'async'
>;

/** The commands of `mode`: cold reads where cold fields are kept, reopen/crash on disk. */
export function commands(mode: Mode, maxIngest: number): fc.Arbitrary<Cmd>[] {
  const recs = fc.array(recArb, { maxLength: maxIngest });
  const batch = fc.integer({ min: 1, max: 5 });
  return [
    recArb.map((rec) => new Put(rec)),
    fc.tuple(recs, batch, shapeArb, fc.boolean()).map(([rs, b, s, u]) => new Ingest(rs, b, s, u)),
    fc.tuple(recs, batch, sourceFailureArb).map(([rs, b, f]) => new AtomicIngest(rs, b, f)),
    keyArb.map((k) => new Delete(k)),
    fc.tuple(keyArb, groupArb).map(([k, g]) => new Get(k, g)),
    fc.tuple(modelFilterArb, fc.boolean()).map(([f, reuse]) => new Where(f, reuse)),
    fc.constant(new Compact()),
    ...(mode.cold
      ? [
          fc.tuple(keyArb, groupArb).map(([k, g]) => new Load(k, g)),
          fc
            .tuple(modelFilterArb, groupArb, fc.boolean())
            .map(([f, g, c]) => new LoadMany(f, g, c)),
        ]
      : []),
    ...(mode.persistent ? [fc.constant(new Reopen()), fc.constant(new Crash())] : []),
  ];
}

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

/**
 * A flood: 260–300 records with distinct `sec` values (one may be absent), in small
 * batches so that none is superseded before it is written: the dictionary passes 256.
 */
export const floodArb: fc.Arbitrary<Cmd> = fc
  .tuple(
    fc.uniqueArray(wideArb, { minLength: 260, maxLength: 300, selector: (r) => r.sec }),
    fc.integer({ min: 1, max: 4 }),
    shapeArb,
  )
  .map(([rs, b, s]) => new Ingest(rs, b, s, false));

export const wideCommands: fc.Arbitrary<Cmd>[] = [
  wideArb.map((rec) => new Put(rec)),
  floodArb,
  keyArb.map((k) => new Delete(k)),
  keyArb.map((k) => new Get(k, undefined)),
  fc.tuple(modelFilterArb, fc.boolean()).map(([f, reuse]) => new Where(f, reuse)),
  fc.constant(new Compact()),
];

/** Runs each command, then compares the whole store with the model. */
export function checked(cmd: Cmd): Cmd {
  return {
    check: (m) => cmd.check(m),
    run: async (m, r) => {
      await cmd.run(m, r);
      r.counts.commands++;
      await checkAll(m, r);
    },
    toString: () => cmd.toString(),
  };
}
