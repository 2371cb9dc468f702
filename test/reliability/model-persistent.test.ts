/**
 * Model-based test of the persistent store: random sequences of put, upsert (a put or
 * an ingest over keys already stored), atomic ingest (succeeding, or failing part-way),
 * delete, get, where, load, loadMany, compact, close + reopen, and crash + reopen, on a store on disk (classic-level in a temp
 * directory) against a `Map` of plain records. After every command the whole store is
 * compared with the model: size, count, get/has and the hot fields of every record, the
 * keys `where()` yields, and every record's cold groups, read synchronously (`record()`)
 * and asynchronously (`loadMany`).
 *
 * The store has no explicit snapshot or flush method: `close()` writes the hot
 * snapshot, so close + reopen is the snapshot command (the reopen must load it).
 *
 * Crash: the store's database is a `FaultyLevel` (leanrec/testing) around the real
 * classic-level database; `crash()` closes the LevelDB under the store and fails every
 * later call, so nothing more reaches the disk — in particular `close()` cannot write the
 * snapshot (it rejects with `E_IO` when it had one to write) and only releases the
 * directory, as the death of the process would. The reopen then takes the real recovery
 * path: the stored snapshot is stale (its generation is older than the data's), so it is
 * dropped and the hot tier is rebuilt from the `h` entries; the test checks that it did
 * (`openMode === 'rebuild'` whenever data changed since the last snapshot) and that no
 * record was lost or changed.
 *
 * `LEANREC_LONG=1` runs 10× more cases with longer sequences; the counts of each run
 * (commands, reopens, crashes survived, rebuilds, records lost) are reported as a
 * diagnostic of the test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LeanrecError, openStore, schema, t } from 'leanrec';
import { arbitraryRecord, FaultyLevel } from 'leanrec/testing';
import { failingSource, type SourceFailure, sourceFailureArb } from '../helpers/failing-source.ts';

const LONG = process.env.LEANREC_LONG === '1';
const RUNS = LONG ? 1000 : 100;
const MAX_COMMANDS = LONG ? 50 : 30;

const P = schema({
  key: ['name', 'v'],
  hot: {
    name: t.string(),
    v: t.u8(),
    arch: t.enum(['amd64', 'all', 'arm64']),
    sec: t.enum().optional().indexed(),
    size: t.u32(),
    on: t.flag(),
    tags: t.list(t.string()).optional(),
  },
  cold: {
    text: { desc: t.string(), meta: t.json().optional() },
    deps: { dep: t.list(t.string()).optional(), raw: t.bytes(2).optional() },
  },
});
const HOT = P.hotFields.map((f) => f.name);
const GROUPS = P.groups.map((g) => g.name);

type Rec = Record<string, unknown>;
type Key = { name: string; v: number };
type View = Rec & {
  toObject(): Rec;
  record(): Rec;
  cold(g?: string): Rec;
  load(g?: string): Promise<Rec>;
  loadRecord(): Promise<Rec>;
};
type AnyStore = {
  size: number;
  get(k: unknown): View | undefined;
  has(k: unknown): boolean;
  put(r: unknown): Promise<void>;
  ingest(
    r: Iterable<unknown> | AsyncIterable<unknown>,
    o?: { batchSize?: number; atomic?: boolean },
  ): Promise<{ inserted: number; updated: number }>;
  delete(k: unknown): Promise<boolean>;
  where(f?: unknown): Generator<View>;
  count(f?: unknown): number;
  load(k: unknown, g?: string): Promise<Rec | undefined>;
  loadMany(views: Iterable<View>, g?: string, o?: { cache?: boolean }): Promise<Rec[]>;
  compact(): Promise<void>;
  close(): Promise<void>;
  _cold?: { openMode: string };
};

interface Model {
  records: Map<string, Rec>;
  /** Data changed since the last snapshot (a crash now must be followed by a rebuild). */
  dirty: boolean;
  /** A record was ever inserted (an empty database reopens as 'new'). */
  used: boolean;
}

interface Counts {
  commands: number;
  reopens: number;
  crashes: number;
  rebuilds: number;
  snapshots: number;
  checks: number;
  lost: number;
  /** Atomic ingests that committed / that failed part-way and were undone. */
  atomicCommitted: number;
  atomicFailed: number;
}

class Real {
  store!: AnyStore;
  db!: FaultyLevel;
  constructor(
    readonly dir: string,
    readonly counts: Counts,
  ) {}

  async open(): Promise<void> {
    this.store = (await openStore(P, {
      path: this.dir,
      // A small cache, so that cold reads also go to the database.
      cacheBytes: 2048,
      database: (p, o) => (this.db = FaultyLevel.wrap(p, o)),
    })) as unknown as AnyStore;
  }
}

const NAMES = ['a', 'b', 'ü', '', 'x-𝒳'];
const keyArb: fc.Arbitrary<Key> = fc.record({
  name: fc.constantFrom(...NAMES),
  v: fc.integer({ min: 0, max: 2 }),
});
const ks = (k: Key) => `${k.name}\u0000${k.v}`;

/** Records over a small key space (puts collide into upserts), with small pools for filtered fields. */
const recArb: fc.Arbitrary<Rec> = fc
  .tuple(
    arbitraryRecord(P, { maxStringLength: 6, maxListLength: 3, maxJsonDepth: 2 }),
    keyArb,
    fc.constantFrom('x', 'y', undefined),
    fc.constantFrom(0, 7, 4294967295),
  )
  .map(([r, k, sec, size]) => {
    const out: Rec = { ...r, ...k, size };
    if (sec === undefined) delete out.sec;
    else out.sec = sec;
    return out;
  });

const filterArb: fc.Arbitrary<Rec | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ sec: fc.constantFrom('x', 'y') }),
  fc.record({ on: fc.boolean() }),
  fc.record({ size: fc.constantFrom({ gt: 0 }, 7, [0, 4294967295]) }),
  fc.record({ arch: fc.constantFrom('amd64', 'all'), name: fc.constantFrom(...NAMES) }),
);

function matches(r: Rec, f: Rec | undefined): boolean {
  if (f === undefined) return true;
  for (const [k, c] of Object.entries(f)) {
    const v = r[k];
    if (v === undefined) return false;
    if (Array.isArray(c)) {
      if (!c.includes(v)) return false;
    } else if (c !== null && typeof c === 'object') {
      if (!((v as number) > (c as { gt: number }).gt)) return false;
    } else if (v !== c) return false;
  }
  return true;
}

function pick(r: Rec, names: readonly string[]): Rec {
  const out: Rec = {};
  for (const n of names) if (r[n] !== undefined) out[n] = r[n];
  return out;
}
const hotOf = (r: Rec) => pick(r, HOT);
const COLD = P.groups.flatMap((g) => g.fields.map((f) => f.name));
const coldOf = (r: Rec, group?: string) =>
  pick(r, group === undefined ? COLD : P.group(group)!.fields.map((f) => f.name));
const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? `bytes(${Array.from(v)})` : v));

/** The whole store equals the model: hot tier, cold tier (sync and async). */
async function checkAll(m: Model, r: Real): Promise<void> {
  const s = r.store;
  r.counts.checks++;
  assert.equal(s.size, m.records.size);
  assert.equal(s.count(), m.records.size);
  const seen = new Set<string>();
  for (const v of s.where()) seen.add(ks(v as unknown as Key));
  assert.equal(seen.size, m.records.size);
  for (const [k, rec] of m.records) {
    assert.ok(seen.has(k), `where() lacks ${show(rec)}`);
    const v = s.get(rec);
    assert.ok(v, `get() lacks ${show(rec)}`);
    assert.deepStrictEqual(v.toObject(), hotOf(rec));
    assert.deepStrictEqual(v.record(), rec);
  }
  const views = [...s.where()];
  const loaded = await s.loadMany(views, 'deps', { cache: false });
  views.forEach((v, i) => {
    const want = m.records.get(ks(v as unknown as Key))!;
    assert.deepStrictEqual(loaded[i], coldOf(want, 'deps'));
  });
}

/** Reopens and counts what the model holds that the store lost (asserted to be none). */
async function reopen(m: Model, r: Real, crashed: boolean): Promise<void> {
  await r.open();
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

class Put implements Cmd {
  constructor(readonly rec: Rec) {}
  check = always;
  async run(m: Model, r: Real) {
    await r.store.put(this.rec);
    m.records.set(ks(this.rec as Key), this.rec);
    m.dirty = m.used = true;
  }
  toString = () => `put(${show(this.rec)})`;
}

/** Ingest from an async source, in batches; half its records overwrite stored keys. */
class Upsert implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    // Keys already in the model first: upserts of stored records.
    const stored = [...m.records.values()];
    const recs = this.recs.map((rec, i) =>
      i % 2 === 0 && stored.length > 0
        ? { ...rec, name: stored[i % stored.length]!.name, v: stored[i % stored.length]!.v }
        : rec,
    );
    async function* source() {
      yield* recs;
    }
    const res = await r.store.ingest(source(), { batchSize: this.batchSize });
    assert.equal(res.inserted + res.updated, recs.length);
    for (const rec of recs) m.records.set(ks(rec as Key), rec);
    if (recs.length > 0) m.dirty = m.used = true;
  }
  toString = () => `upsert(${this.recs.length} records, batch ${this.batchSize})`;
}

/**
 * An atomic ingest (half its records upserts of stored keys) that succeeds, or fails at
 * `failAt` by a throwing source or an invalid record: the store then equals the model
 * as it was before (the checks after each command see it), else the model with the
 * records applied.
 */
class AtomicPutMany implements Cmd {
  constructor(
    readonly recs: Rec[],
    readonly batchSize: number,
    readonly fail: SourceFailure | undefined,
  ) {}
  check = always;
  async run(m: Model, r: Real) {
    const stored = [...m.records.values()];
    const recs = this.recs.map((rec, i) =>
      i % 2 === 0 && stored.length > 0
        ? { ...rec, name: stored[i % stored.length]!.name, v: stored[i % stored.length]!.v }
        : rec,
    );
    const { source, fail, isFailure } = failingSource(recs, this.fail, { name: 'bad', v: 300 });
    const run = r.store.ingest(source() as AsyncIterable<Rec>, {
      batchSize: this.batchSize,
      atomic: true,
    });
    if (fail === undefined) {
      const res = await run;
      assert.equal(res.inserted + res.updated, recs.length);
      for (const rec of recs) m.records.set(ks(rec as Key), rec);
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
    `atomicPutMany(${this.recs.length} records, batch ${this.batchSize}${this.fail === undefined ? '' : `, ${this.fail.kind} at ${this.fail.at}`})`;
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
    assert.deepStrictEqual(v.toObject(), hotOf(want));
    assert.deepStrictEqual(v.cold(this.group), coldOf(want, this.group));
  }
  toString = () => `get(${show(this.key)}, ${this.group})`;
}

class Where implements Cmd {
  constructor(readonly filter: Rec | undefined) {}
  check = always;
  async run(m: Model, r: Real) {
    const want = [...m.records.values()].filter((rec) => matches(rec, this.filter));
    const got = Array.from(r.store.where(this.filter), (v) => ks(v as unknown as Key));
    assert.deepEqual(got.sort(), want.map((rec) => ks(rec as Key)).sort());
    assert.equal(r.store.count(this.filter), want.length);
  }
  toString = () => `where(${show(this.filter)})`;
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
    assert.deepStrictEqual(got, coldOf(want, this.group));
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
      const want = m.records.get(ks(v as unknown as Key));
      assert.ok(want);
      assert.deepStrictEqual(got[i], coldOf(want, this.group));
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

/** close() writes the snapshot; the reopen must load it (there is no separate snapshot method). */
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
    await r.db.crash();
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
const commands = [
  recArb.map((rec) => new Put(rec)),
  fc
    .tuple(fc.array(recArb, { maxLength: 10 }), fc.integer({ min: 1, max: 4 }))
    .map(([rs, b]) => new Upsert(rs, b)),
  fc
    .tuple(fc.array(recArb, { maxLength: 10 }), fc.integer({ min: 1, max: 4 }), sourceFailureArb)
    .map(([rs, b, f]) => new AtomicPutMany(rs, b, f)),
  keyArb.map((k) => new Delete(k)),
  fc.tuple(keyArb, groupArb).map(([k, g]) => new Get(k, g)),
  filterArb.map((f) => new Where(f)),
  fc.tuple(keyArb, groupArb).map(([k, g]) => new Load(k, g)),
  fc.tuple(filterArb, groupArb, fc.boolean()).map(([f, g, c]) => new LoadMany(f, g, c)),
  fc.constant(new Compact()),
  fc.constant(new Reopen()),
  fc.constant(new Crash()),
];

/** Runs each command, then compares the whole store with the model. */
function checked(cmd: Cmd): Cmd {
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

test('a store on disk behaves like a Map across reopens and crashes', async (t) => {
  const counts: Counts = {
    commands: 0,
    reopens: 0,
    crashes: 0,
    rebuilds: 0,
    snapshots: 0,
    checks: 0,
    lost: 0,
    atomicCommitted: 0,
    atomicFailed: 0,
  };
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }),
      async (cmds) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanrec-model-'));
        const real = new Real(dir, counts);
        try {
          await real.open();
          const model: Model = { records: new Map(), dirty: true, used: false };
          await fc.asyncModelRun(() => ({ model, real }), [...cmds].map(checked));
          // Last: a clean close, and a reopen from the snapshot without the wrapper.
          await real.store.close();
          const again = (await openStore(P, { path: dir })) as unknown as AnyStore;
          try {
            assert.equal(again._cold?.openMode, model.used ? 'snapshot' : 'new');
            await checkAll(model, { ...real, store: again } as Real);
          } finally {
            await again.close();
          }
        } finally {
          await real.store?.close().catch(() => undefined);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: RUNS },
  );
  assert.equal(counts.lost, 0);
  t.diagnostic(
    `model-persistent: ${RUNS} cases, ${counts.commands} commands run, ${counts.reopens} clean reopens, ` +
      `${counts.crashes} crashes survived (${counts.rebuilds} rebuilds, ${counts.snapshots} snapshot loads), ` +
      `${counts.checks} whole-store checks, ${counts.atomicCommitted} atomic ingests committed and ` +
      `${counts.atomicFailed} failed part-way (undone), ${counts.lost} records lost`,
  );
});
