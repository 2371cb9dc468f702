/**
 * Fault injection: a store on disk whose database is a `FaultyLevel` (leanrec/testing)
 * around the real classic-level database runs a random workload — ingest in batches,
 * put (insert and upsert), delete, cold reads (`cold()`, `load()`, `loadMany()`),
 * compact, close + reopen (snapshot write and load), crash + reopen (rebuild) — while
 * one call of one kind fails. fast-check picks the workload, which of the calls of that
 * kind fails (a dry run of the workload counts them first, so every case injects its
 * fault), and whether the fault strikes before the call reaches LevelDB or after it
 * completed there (a lost acknowledgement). Every case also checks that the store never
 * calls `put()` (every write is one atomic batch).
 *
 * After each operation:
 * - an operation that rejects does so with a `LeanrecError` (`E_IO`) whose cause is the
 *   injected error, and the store is as if it had not run (an ingest: as if it had
 *   stopped after its acknowledged batches); the same read, tried again, succeeds;
 * - an operation that resolves although its fault struck was applied: only a write's
 *   acknowledgement was lost, and the store read back that the batch is in the database;
 * - a write whose failure could not be read back either (kind `get`: the batch fails and
 *   so does the read-back) leaves the store refusing writes with `E_IO` until it is
 *   reopened; the reopened store holds the data with or without that write, whole;
 * - the store keeps working: every later operation succeeds.
 * At the end the database is opened without the wrapper, from its snapshot and rebuilt
 * from its `h` entries, and must hold exactly the model's records, every cold group
 * whole, with no stray entries.
 *
 * Two more tests: a cold read that spans a write leaves no stale value in the cache, and
 * the `database` option refuses unfit databases and serves async reads without getSync.
 *
 * `LEANREC_LONG=1` runs 10× more cases; the counts (operations run, faults injected by
 * kind, crashes survived, records lost) are reported as a diagnostic of each test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ClassicLevel as Level } from 'classic-level';
import fc from 'fast-check';
import { type Database, type GroupName, LeanrecError, openStore, type Store } from 'leanrec';
import { type FaultKind, FaultyLevel, type InjectedFault } from 'leanrec/testing';
import { MemoryLevel } from 'memory-level';
import { metaKey } from '../../src/cold/layout.ts';
import { Small, type SmallRecord, smallHot, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const LONG = process.env.LEANREC_LONG === '1';
const RUNS = LONG ? 400 : 40;
const KEYS = 14;
type Group = GroupName<typeof Small>;
const GROUPS = Small.groups.map((g) => g.name as Group);

type S = Store<typeof Small>;
type Model = Map<string, SmallRecord>;

type Op =
  | { t: 'ingest'; items: [number, number][]; batchSize: number }
  | { t: 'put'; i: number; rev: number }
  | { t: 'delete'; i: number }
  | { t: 'cold'; i: number; group: Group | undefined }
  | { t: 'load'; i: number; group: Group | undefined }
  | { t: 'loadMany'; group: Group | undefined; cache: boolean }
  | { t: 'compact' }
  | { t: 'reopen' }
  | { t: 'crash' };

interface Plan {
  kind: FaultKind;
  skip: number;
  when: 'before' | 'after';
}

interface Counts {
  cases: number;
  ops: number;
  faults: number;
  byKind: Partial<Record<FaultKind | 'crash', number>>;
  rejected: number;
  appliedDespiteFault: number;
  unsure: number;
  crashes: number;
  reopens: number;
  lost: number;
}

const name = (i: number) => `rec-${i}`;
const canon = (o: Record<string, unknown>) =>
  JSON.stringify(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
const hotState = (s: S) =>
  Array.from(s.where(), (v) => canon(v.toObject() as Record<string, unknown>))
    .sort()
    .join('\n');
const modelState = (m: Model) =>
  Array.from(m.values(), (r) => canon(smallHot(r)))
    .sort()
    .join('\n');
function coldOf(r: SmallRecord, group: string | undefined): Record<string, unknown> {
  const names =
    group === undefined ? ['body', 'note', 'data'] : group === 'text' ? ['body', 'note'] : ['data'];
  const out: Record<string, unknown> = {};
  for (const n of names)
    if ((r as unknown as Record<string, unknown>)[n] !== undefined)
      out[n] = (r as unknown as Record<string, unknown>)[n];
  return out;
}
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause)
    out.push(e);
  return out;
}

/** One case: a store, the fault plan carried across the store's databases, the model. */
class Harness {
  store!: S;
  db!: FaultyLevel;
  model: Model = new Map();
  /** Every fault armed (one per database the plan reached), and the read-back faults. */
  readonly faults: InjectedFault[] = [];
  /** Calls of each kind made by databases already closed. */
  readonly prior = new Map<FaultKind, number>();
  /** The hot states a reopen may find after an unsure write (besides the current one). */
  pending: Model | undefined;

  constructor(
    readonly dir: string,
    readonly plan: Plan | undefined,
    readonly counts: Counts,
  ) {}

  get fired(): InjectedFault[] {
    return this.faults.filter((f) => f.fired);
  }

  /** The `database` factory: the real database, wrapped, with what is left of the plan armed. */
  #make = (p: string | undefined, o: Parameters<typeof FaultyLevel.wrap>[1]) => {
    const db = FaultyLevel.wrap(p, o);
    this.db = db;
    const plan = this.plan;
    if (plan !== undefined && this.fired.length === 0) {
      // Kind `get`: a batch fails, and so does reading back whether it was applied.
      const kind = plan.kind === 'get' ? 'batch' : plan.kind;
      const left = plan.skip - (this.prior.get(kind) ?? 0);
      if (left >= 0) {
        this.faults.push(db.inject({ kind, skip: left, when: plan.when }));
        if (plan.kind === 'get') this.faults.push(db.inject({ kind: 'get' }));
      }
    }
    return db;
  };

  #retire(): void {
    for (const [k, n] of Object.entries(this.db.calls) as [FaultKind, number][])
      this.prior.set(k, (this.prior.get(k) ?? 0) + n);
    this.db.disarm();
  }

  async open(): Promise<void> {
    // A fault may strike the open (the open itself, reading the metadata, loading the
    // snapshot, rebuilding): it fails with E_IO, releases the directory, and the next
    // try opens. Faults fire once, so three tries are enough.
    for (let attempt = 0; ; attempt++) {
      const before = this.fired.length;
      try {
        this.store = (await openStore(Small, {
          path: this.dir,
          cacheBytes: 1024,
          database: this.#make,
        })) as S;
        return;
      } catch (err) {
        this.#retire();
        this.#expectFault(err, before);
        assert.ok(attempt < 2, 'the store cannot be opened');
      }
    }
  }

  /** `err` is an E_IO LeanrecError caused by a fault that fired since `before`. */
  #expectFault(err: unknown, before: number): InjectedFault {
    assert.ok(err instanceof LeanrecError, `not a LeanrecError: ${err}`);
    assert.equal(err.code, 'E_IO', err.message);
    const fresh = this.fired.slice(before);
    assert.ok(fresh.length > 0, `failed without an injected fault: ${err.message}`);
    const chain = causes(err);
    const fault = fresh.find((f) => chain.includes(f));
    assert.ok(fault, `the injected fault is not the cause of: ${err.message}`);
    // Only a failed open wraps it once more (abstract-level's LEVEL_DATABASE_NOT_OPEN).
    if (fault.kind !== 'open' && fault.kind !== 'get') assert.equal(err.cause, fault);
    this.counts.rejected++;
    return fault;
  }

  /** Hot tier equals the model (no database call: cannot consume a fault). */
  checkHot(): void {
    assert.equal(this.store.size, this.model.size);
    assert.equal(hotState(this.store), modelState(this.model));
  }

  /** Hot and cold tiers equal the model. */
  async checkAll(store: S = this.store): Promise<void> {
    assert.equal(store.size, this.model.size);
    assert.equal(hotState(store), modelState(this.model));
    for (const r of this.model.values()) {
      const v = store.get({ name: r.name });
      if (v === undefined) this.counts.lost++;
      assert.ok(v, `record ${r.name} lost`);
      assert.deepStrictEqual(v.record(), r);
    }
    const views = [...store.where()];
    const got = await store.loadMany(views);
    views.forEach((v, i) => {
      assert.deepStrictEqual(got[i], coldOf(this.model.get(v.name)!, undefined));
    });
  }

  /** Runs `op`; checks the outcome against the model (see the header). */
  async run(op: Op): Promise<void> {
    this.counts.ops++;
    const before = this.fired.length;
    const m = this.model;
    switch (op.t) {
      case 'ingest': {
        const items = op.items;
        const batchSize = op.batchSize;
        let acked = 0;
        const prefix = (k: number) => {
          const next = new Map(m);
          for (const [i, rev] of items.slice(0, k * batchSize))
            next.set(name(i), smallRecord(i, rev));
          return next;
        };
        const nBatches = Math.ceil(items.length / batchSize);
        async function* source() {
          for (const [i, rev] of items) yield smallRecord(i, rev) as never;
        }
        try {
          await this.store.ingest(source(), {
            batchSize: op.batchSize,
            onBatch: (p) => {
              acked = p.batches;
            },
          });
          this.#appliedDespite(before);
          assert.equal(acked, nBatches);
          this.model = prefix(nBatches);
        } catch (err) {
          this.#expectFault(err, before);
          // Earlier batches stay written; the failing one and those after it are not.
          this.model = prefix(acked);
          if (this.#unsure(before)) this.pending = prefix(acked + 1);
        }
        break;
      }
      case 'put':
      case 'delete': {
        const after = new Map(m);
        if (op.t === 'put') after.set(name(op.i), smallRecord(op.i, op.rev));
        else after.delete(name(op.i));
        try {
          if (op.t === 'put') await this.store.put(smallRecord(op.i, op.rev) as never);
          else assert.equal(await this.store.delete({ name: name(op.i) }), m.has(name(op.i)));
          this.#appliedDespite(before);
          this.model = after;
        } catch (err) {
          this.#expectFault(err, before);
          if (this.#unsure(before)) this.pending = after;
        }
        break;
      }
      case 'compact':
        try {
          await this.store.compact();
          this.#appliedDespite(before);
        } catch (err) {
          // Compaction moves rows only: whether its generation bump was written or not,
          // the records are the same.
          this.#expectFault(err, before);
          if (this.#unsure(before)) this.pending = new Map(m);
        }
        break;
      case 'cold':
      case 'load':
      case 'loadMany':
        await this.#read(op, before);
        break;
      case 'reopen':
        try {
          await this.store.close();
          this.#appliedDespite(before);
        } catch (err) {
          // The snapshot could not be written; the directory is released all the same.
          this.#expectFault(err, before);
        }
        assert.equal(this.store.closed, true);
        this.#retire();
        this.counts.reopens++;
        await this.open();
        break;
      case 'crash': {
        await this.db.crash();
        await this.store.close().catch((err: unknown) => {
          assert.ok(err instanceof LeanrecError && err.code === 'E_IO', String(err));
        });
        this.#retire();
        this.counts.crashes++;
        await this.open();
        break;
      }
    }
    if (this.pending !== undefined) await this.#settleUnsure();
    this.checkHot();
  }

  /** A read: on a fault it rejects, changes nothing, and the same read then succeeds. */
  async #read(op: Op & { t: 'cold' | 'load' | 'loadMany' }, before: number): Promise<void> {
    const once = async () => {
      if (op.t === 'loadMany') {
        const views = [...this.store.where()];
        const got = await this.store.loadMany(views, op.group, { cache: op.cache });
        views.forEach((v, k) => {
          assert.deepStrictEqual(got[k], coldOf(this.model.get(v.name)!, op.group));
        });
        return;
      }
      const r = this.model.get(name(op.i));
      const got =
        op.t === 'cold'
          ? this.store.cold({ name: name(op.i) }, op.group)
          : await this.store.load({ name: name(op.i) }, op.group);
      assert.deepStrictEqual(got, r === undefined ? undefined : coldOf(r, op.group));
    };
    try {
      await once();
      const fresh = this.fired.slice(before);
      assert.equal(fresh.length, 0, 'a read succeeded although its fault struck');
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      this.#expectFault(err, before);
      this.checkHot();
      await once();
    }
  }

  /** An operation resolved: any fault that struck it was a lost acknowledgement of an applied batch. */
  #appliedDespite(before: number): void {
    for (const f of this.fired.slice(before)) {
      assert.equal(f.when, 'after', `resolved although ${f.message} struck before the call`);
      assert.equal(f.kind, 'batch', `resolved although ${f.message} struck`);
      this.counts.appliedDespiteFault++;
    }
  }

  /** True when the write's failure could not be read back (the read-back's fault fired too). */
  #unsure(before: number): boolean {
    return this.fired.slice(before).some((f) => f.kind === 'get');
  }

  /**
   * After an unsure write: writes are refused until the store is reopened; the reopened
   * store holds the data without that write or with it, whole.
   */
  async #settleUnsure(): Promise<void> {
    this.counts.unsure++;
    this.checkHot();
    await assert.rejects(this.store.put(smallRecord(0, 9) as never), (err: unknown) => {
      assert.ok(err instanceof LeanrecError && err.code === 'E_IO', String(err));
      return true;
    });
    this.checkHot();
    await this.store.close();
    this.#retire();
    await this.open();
    const found = hotState(this.store);
    if (found === modelState(this.pending!)) this.model = this.pending!;
    this.pending = undefined;
    await this.checkAll();
  }
}

const item = fc.tuple(fc.integer({ min: 0, max: KEYS - 1 }), fc.integer({ min: 0, max: 3 }));
const group = fc.constantFrom(undefined, ...GROUPS);
const OPS: Record<Op['t'], fc.Arbitrary<Op>> = {
  ingest: fc.record({
    t: fc.constant('ingest' as const),
    items: fc.array(item, { minLength: 1, maxLength: 10 }),
    batchSize: fc.integer({ min: 1, max: 4 }),
  }),
  put: fc.record({ t: fc.constant('put' as const), i: fc.nat(KEYS - 1), rev: fc.nat(3) }),
  delete: fc.record({ t: fc.constant('delete' as const), i: fc.nat(KEYS - 1) }),
  cold: fc.record({ t: fc.constant('cold' as const), i: fc.nat(KEYS - 1), group }),
  load: fc.record({ t: fc.constant('load' as const), i: fc.nat(KEYS - 1), group }),
  loadMany: fc.record({ t: fc.constant('loadMany' as const), group, cache: fc.boolean() }),
  compact: fc.constant({ t: 'compact' as const }),
  reopen: fc.constant({ t: 'reopen' as const }),
  crash: fc.constant({ t: 'crash' as const }),
};
const WEIGHTS: Record<Op['t'], number> = {
  ingest: 2,
  put: 3,
  delete: 2,
  cold: 2,
  load: 2,
  loadMany: 1,
  compact: 1,
  reopen: 2,
  crash: 1,
};
/** Operations that make calls of each kind, made more frequent in that kind's workloads. */
const MAKES: Partial<Record<FaultKind, Op['t'][]>> = {
  getSync: ['cold'],
  getMany: ['load', 'loadMany'],
  next: ['reopen', 'crash'],
  del: ['crash'],
  open: ['reopen', 'crash'],
};

/** A workload: an ingest, then random operations (those that call `kind` weighted up). */
function workload(kind: FaultKind): fc.Arbitrary<Op[]> {
  const ops = fc.oneof(
    ...(Object.keys(OPS) as Op['t'][]).map((t) => ({
      arbitrary: OPS[t],
      weight: WEIGHTS[t] * (MAKES[kind]?.includes(t) ? 3 : 1),
    })),
  );
  return fc
    .tuple(
      fc.record({
        t: fc.constant('ingest' as const),
        items: fc.array(item, { minLength: 4, maxLength: 16 }),
        batchSize: fc.integer({ min: 2, max: 5 }),
      }),
      fc.array(ops, { minLength: 2, maxLength: 12 }),
      fc.nat(12),
    )
    .map(([first, rest, at]): Op[] => {
      // `del` is called only when an open drops a stale snapshot: somewhere in the
      // workload, a snapshot is written (close), the data changes, and the store crashes.
      if (kind === 'del')
        rest.splice(
          at % (rest.length + 1),
          0,
          { t: 'reopen' },
          { t: 'put', i: 0, rev: 1 },
          { t: 'crash' },
        );
      return [first, ...rest];
    });
}

/** Opens the database without the wrapper: exactly the model's entries, nothing half-written. */
async function checkOnDisk(h: Harness): Promise<void> {
  // From the snapshot written by the last close…
  const s1 = (await openStore(Small, { path: h.dir })) as S;
  try {
    assert.notEqual(s1._cold?.openMode, 'rebuild', 'the last close wrote no snapshot');
    await h.checkAll(s1);
  } finally {
    await s1.close();
  }
  // …and rebuilt from the record entries alone, after counting every entry.
  const raw = new Level<Uint8Array, Uint8Array>(h.dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  let records = 0;
  let other = 0;
  for await (const k of raw.keys()) {
    if (k[0] === 0x72)
      records++; // 'r': one entry per record (src/cold/layout.ts)
    else if (k[0] !== 0x6d && k[0] !== 0x73) other++; // neither metadata nor snapshot
  }
  await raw.del(metaKey('snap'));
  await raw.close();
  assert.equal(records, h.model.size, 'record entries on disk');
  assert.equal(other, 0, 'entries of no kind on disk');
  const s2 = (await openStore(Small, { path: h.dir })) as S;
  try {
    if (h.model.size > 0) assert.equal(s2._cold?.openMode, 'rebuild');
    await h.checkAll(s2);
  } finally {
    await s2.close();
  }
}

/** Counts of a dry run's calls, by kind (the fault point is chosen among them). */
type Calls = Map<FaultKind, number>;

/**
 * Runs `ops` with `plan` (none: a dry run) and checks everything on the way and at the
 * end; returns the calls of each kind the run made.
 */
async function runCase(plan: Plan | undefined, ops: Op[], counts: Counts): Promise<Calls> {
  const dir = tempDir('faults');
  const h = new Harness(dir, plan, counts);
  try {
    if (plan !== undefined) counts.cases++;
    await h.open();
    for (const op of ops) await h.run(op);
    // The calls of the workload (the final checks below make more, which no fault strikes).
    const calls: Calls = new Map(h.prior);
    for (const [k, n] of Object.entries(h.db.calls) as [FaultKind, number][])
      calls.set(k, (calls.get(k) ?? 0) + n);
    h.db.disarm();
    await h.checkAll();
    await h.store.close();
    // Every write is one atomic batch: the store never calls put().
    assert.equal((h.prior.get('put') ?? 0) + h.db.calls.put, 0, 'the store wrote outside a batch');
    if (plan === undefined) return calls;
    counts.faults += h.fired.length;
    for (const f of h.fired) counts.byKind[f.kind] = (counts.byKind[f.kind] ?? 0) + 1;
    await checkOnDisk(h);
    assert.equal(counts.lost, 0, 'records lost');
    return calls;
  } finally {
    await h.store?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every kind the store calls (`put` it never calls: every case checks that). */
const KINDS: FaultKind[] = ['batch', 'get', 'getSync', 'getMany', 'next', 'open', 'del'];

for (const kind of KINDS) {
  test(`a fault in ${kind}: the operation fails whole and the store keeps working`, async (t) => {
    const counts: Counts = {
      cases: 0,
      ops: 0,
      faults: 0,
      byKind: {},
      rejected: 0,
      appliedDespiteFault: 0,
      unsure: 0,
      crashes: 0,
      reopens: 0,
      lost: 0,
    };
    const dry: Counts = { ...counts, byKind: {} };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom('before' as const, 'after' as const),
        workload(kind),
        async (at, when, ops) => {
          // A dry run counts the calls of this kind the workload makes; the fault strikes
          // one of them (kind `get`: one of the batches, whose read-back then fails too).
          const calls = await runCase(undefined, ops, dry);
          const n = calls.get(kind === 'get' ? 'batch' : kind) ?? 0;
          fc.pre(n > 0);
          await runCase({ kind, skip: Math.floor((at * n) / 10000), when }, ops, counts);
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(counts.faults >= RUNS, 'a case injected no fault');
    const by = Object.entries(counts.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    t.diagnostic(
      `faults/${kind}: ${counts.cases} cases, ${counts.ops} operations, ${counts.faults} faults injected (${by || 'none'}), ` +
        `${counts.rejected} rejections checked, ${counts.appliedDespiteFault} batches applied despite a lost acknowledgement, ` +
        `${counts.unsure} unsure writes settled by reopening, ${counts.crashes} crashes survived, ` +
        `${counts.reopens} reopens, ${counts.lost} records lost`,
    );
  });
}

/** A database whose next getMany holds its values back until `release()` (after reading them). */
class Gated extends FaultyLevel {
  #gate: { read: () => void; wait: Promise<void> } | undefined;

  /** Arms the gate; resolves `read` once the next getMany has read its values. */
  hold(): { read: Promise<void>; release: () => void } {
    let read!: () => void;
    let release!: () => void;
    const readP = new Promise<void>((r) => {
      read = r;
    });
    this.#gate = { read, wait: new Promise<void>((r) => (release = r)) };
    return { read: readP, release };
  }

  override async _getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out = await super._getMany(keys);
    const gate = this.#gate;
    this.#gate = undefined;
    if (gate !== undefined) {
      gate.read();
      await gate.wait;
    }
    return out;
  }
}

test('a cold read that spans a write does not leave the old value in the cache', async () => {
  const dir = tempDir('faults');
  let db!: Gated;
  const store = (await openStore(Small, {
    path: dir,
    database: (p, o) =>
      (db = new Gated(new Level<Uint8Array, Uint8Array>(p!, o) as unknown as Database)),
  })) as S;
  try {
    for (const [rev, read] of [
      [1, (k: string) => store.load({ name: k }, 'text')],
      [2, async (k: string) => (await store.loadMany([store.get({ name: k })!], 'text'))[0]],
    ] as const) {
      const key = `rec-${rev}`;
      await store.put(smallRecord(rev, 0) as never);
      const gate = db.hold();
      const reading = read(key);
      await gate.read; // the read has the old bytes…
      await store.put(smallRecord(rev, 1) as never); // …the upsert commits…
      gate.release();
      // …the read returns what it read (it began before the write),
      assert.deepStrictEqual(await reading, coldOf(smallRecord(rev, 0), 'text'));
      // but every later read sees the upsert.
      assert.deepStrictEqual(
        store.cold({ name: key }, 'text'),
        coldOf(smallRecord(rev, 1), 'text'),
      );
      assert.deepStrictEqual(
        await store.load({ name: key }, 'text'),
        coldOf(smallRecord(rev, 1), 'text'),
      );
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the database option: checked, and a database without getSync serves async reads', async () => {
  const rec = smallRecord(3);
  // Not 'view' encodings: refused before anything is written.
  await assert.rejects(
    openStore(Small, {
      database: () => new MemoryLevel<string, string>() as unknown as Database,
    }),
    (err: unknown) => err instanceof LeanrecError && err.code === 'E_ARGUMENT',
  );
  await assert.rejects(
    openStore(Small, { database: () => ({}) as unknown as Database }),
    (err: unknown) => err instanceof LeanrecError && err.code === 'E_ARGUMENT',
  );
  // Without getSync (abstract-level's default refuses it): cold() says so, load() works.
  class NoSync extends FaultyLevel {
    override _getSync(): never {
      throw Object.assign(new Error('Database does not support getSync()'), {
        code: 'LEVEL_NOT_SUPPORTED',
      });
    }
  }
  const store = (await openStore(Small, {
    database: (_p, o) =>
      new NoSync(new MemoryLevel<Uint8Array, Uint8Array>(o) as unknown as Database),
  })) as S;
  try {
    await store.put(rec as never);
    assert.throws(
      () => store.cold({ name: rec.name }),
      (err: unknown) => err instanceof LeanrecError && err.code === 'E_ARGUMENT',
    );
    assert.deepStrictEqual(await store.get({ name: rec.name })!.loadRecord(), rec);
  } finally {
    await store.close();
  }
});
