/**
 * The commands of the model-based test (model.ts has the model and the checks): each
 * runs one call of the Store API on the store and on the model, and asserts what the call
 * returned; {@link checked} compares the whole store with the model after it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeanrecError } from 'leanrec';
import { failingSource, type SourceFailure, sourceFailureArb } from '../helpers/failing-source.ts';
import { matches } from './filters.ts';
import {
  checkAll,
  GROUPS,
  groupFields,
  HOT,
  type Key,
  keyArb,
  ks,
  type Model,
  modelFilterArb,
  type Real,
  recArb,
  reopen,
  wideArb,
} from './model.ts';
import { type Mode, pick, type Rec, show } from './modes.ts';

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
