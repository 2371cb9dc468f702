/**
 * `ingest(source, { atomic: true })`: when the source fails part-way (it throws, a record
 * is invalid, the database fails a batch — the last, committing one included), the store
 * is exactly as before the call, now, after close → reopen (snapshot) and after a
 * rebuild, on disk, in memory-level and hot-only; when it succeeds, it equals a model.
 * Without `atomic`, the error says how many records stayed written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { type AnySchema, LeanrecError, openStore, type Store, type StoreOptions } from 'leanrec';
import { arbitraryRecord, arbitrarySchema, FaultyLevel } from 'leanrec/testing';
import { metaKey, RECORD_RANGE } from '../../src/cold/layout.ts';
import { Small, type SmallRecord, smallHot, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const LONG = process.env.LEANREC_LONG === '1';
type AnyStore = Store<AnySchema>;
type Rec = Record<string, unknown>;
type Mode = 'disk' | 'memory' | 'hot';

function define(obj: Rec, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The fields of `rec` named in `names` (absent ones left out), as own properties. */
function pick(rec: Rec, names: readonly string[]): Rec {
  const out: Rec = {};
  for (const n of names) if (Object.hasOwn(rec, n)) define(out, n, rec[n]);
  return out;
}

function keyText(S: AnySchema, rec: Rec): string {
  return JSON.stringify(S.key.map((k) => (rec[k] instanceof Uint8Array ? [...rec[k]] : rec[k])));
}

/** Everything a reader can see: every record (whole, or its hot part when hot-only) by key, and the counts. */
function dump(store: AnyStore, S: AnySchema, hotOnly: boolean) {
  const rows: [string, Rec][] = [];
  for (const v of store.where()) {
    const view = v as unknown as { toObject(): Rec; record(): Rec };
    const rec = hotOnly ? view.toObject() : view.record();
    rows.push([keyText(S, rec), rec]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [, rec] of rows)
    assert.ok(store.get(pick(rec, S.key) as never) !== undefined, 'found by its key');
  return { size: store.size, count: store.count(), rows };
}

/** The model's records in the order `dump` lists them. */
function modelDump(S: AnySchema, model: Map<string, Rec>, hotOnly: boolean) {
  const hot = S.hotFields.map((f) => f.name);
  const rows: [string, Rec][] = [...model].map(([k, r]) => [k, hotOnly ? pick(r, hot) : r]);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { size: rows.length, count: rows.length, rows };
}

/** A record with the key of `keyRec` and the other values of `values`. */
function rekey(S: AnySchema, keyRec: Rec, values: Rec): Rec {
  const u: Rec = {};
  for (const k of Object.keys(values)) if (!S.key.includes(k)) define(u, k, values[k]);
  for (const k of S.key) define(u, k, keyRec[k]);
  return u;
}

const scenario = arbitrarySchema({ maxColdGroups: 3 }).chain((S) =>
  fc.record({
    S: fc.constant(S),
    base: fc.uniqueArray(arbitraryRecord(S), {
      minLength: 1,
      maxLength: 20,
      selector: (r) => keyText(S, r as Rec),
    }),
    remove: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    upserts: fc.array(fc.tuple(fc.nat(), arbitraryRecord(S)), { maxLength: 15 }),
    fresh: fc.array(arbitraryRecord(S), { minLength: 1, maxLength: 15 }),
    failAt: fc.nat(),
    kind: fc.constantFrom('throw', 'invalid', 'fault'),
    mode: fc.constantFrom<Mode>('disk', 'memory', 'hot'),
    batchSize: fc.integer({ min: 1, max: 6 }),
  }),
);

test('property: a failed atomic ingest leaves the store exactly as before (now, snapshot, rebuild); a successful one equals the model', async () => {
  let failed = 0;
  let committed = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (c) => {
      const { S, batchSize } = c;
      const kind = c.mode === 'hot' && c.kind === 'fault' ? 'throw' : c.kind;
      const hotOnly = c.mode === 'hot';
      const dir = c.mode === 'disk' ? tempDir() : undefined;
      let db: FaultyLevel | undefined;
      const options: StoreOptions = hotOnly
        ? { cold: false }
        : {
            ...(dir === undefined ? {} : { path: dir }),
            database: (p, o) => {
              db = FaultyLevel.wrap(p, o);
              return db;
            },
          };
      try {
        let store = (await openStore(S, options)) as AnyStore;
        const base = c.base as Rec[];
        await store.ingest(base as never, { batchSize: 4 });
        const model = new Map(base.map((r) => [keyText(S, r), r]));
        for (const [i, r] of base.entries())
          if (c.remove[i]) {
            assert.equal(await store.delete(pick(r, S.key) as never), true);
            model.delete(keyText(S, r));
          }
        // Upserts of existing (and of deleted) keys, mixed with records of random keys.
        const items: Rec[] = [];
        const ups = c.upserts.map(([n, v]) => rekey(S, base[n % base.length]!, v as Rec));
        for (let i = 0; i < Math.max(ups.length, c.fresh.length); i++) {
          if (i < ups.length) items.push(ups[i]!);
          if (i < c.fresh.length) items.push(c.fresh[i] as Rec);
        }
        const before = dump(store, S, hotOnly);
        assert.deepStrictEqual(before, modelDump(S, model, hotOnly));

        const failAt = c.failAt % (items.length + 1);
        const boom = new Error('the source failed');
        async function* source(): AsyncGenerator<Rec> {
          for (let i = 0; i < items.length; i++) {
            if (i === failAt && kind === 'throw') throw boom;
            if (i === failAt && kind === 'invalid') yield {};
            yield items[i]!;
          }
          if (failAt === items.length && kind === 'throw') throw boom;
          if (failAt === items.length && kind === 'invalid') yield {};
        }
        // A fault fails one of the ingest's batches: a staged one, or the commit (the last).
        const batches = Math.ceil(items.length / batchSize);
        const fault =
          kind === 'fault'
            ? db!.inject({ kind: 'batch', skip: failAt % (batches + 1) })
            : undefined;
        await assert.rejects(
          store.ingest(source() as never, { batchSize, atomic: true }),
          (err: unknown) => {
            if (kind === 'throw') return err === boom;
            if (kind === 'invalid')
              return err instanceof LeanrecError && err.code === 'E_INVALID_RECORD';
            return err instanceof LeanrecError && err.code === 'E_IO' && err.cause === fault;
          },
        );
        failed++;
        assert.deepStrictEqual(dump(store, S, hotOnly), before, 'after the failure, in memory');

        if (dir !== undefined) {
          await store.close();
          store = (await openStore(S, { path: dir })) as AnyStore;
          assert.equal(store._cold?.openMode, 'snapshot');
          assert.deepStrictEqual(dump(store, S, false), before, 'after reopen (snapshot)');
          await store._cold!._db.del(metaKey('snap'));
          await store.close();
          store = (await openStore(S, { path: dir })) as AnyStore;
          assert.equal(store._cold?.openMode, 'rebuild');
          assert.deepStrictEqual(dump(store, S, false), before, 'after a rebuild');
        }

        // The store keeps working: the same records, atomically, all of them.
        const res = await store.ingest(items as never, { batchSize, atomic: true });
        for (const r of items) model.set(keyText(S, r), r);
        assert.equal(res.written, items.length);
        const expected = modelDump(S, model, hotOnly);
        assert.deepStrictEqual(dump(store, S, hotOnly), expected, 'after a successful ingest');
        committed++;
        if (dir !== undefined) {
          await store.close();
          store = (await openStore(S, { path: dir })) as AnyStore;
          assert.deepStrictEqual(dump(store, S, false), expected, 'committed, after reopen');
          await store._cold!._db.del(metaKey('snap'));
          await store.close();
          store = (await openStore(S, { path: dir })) as AnyStore;
          assert.deepStrictEqual(dump(store, S, false), expected, 'committed, after a rebuild');
        }
        await store.close();
      } finally {
        if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: LONG ? 300 : 40 },
  );
  assert.ok(failed > 0 && committed > 0);
});

test('an atomic ingest counts as the plain one does, and replaced records keep no old entries', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(Small, { path: dir });
    await store.ingest(
      Array.from({ length: 30 }, (_, i) => smallRecord(i)),
      { batchSize: 7 },
    );
    const input = [
      ...Array.from({ length: 20 }, (_, i) => smallRecord(i * 2, 1)),
      smallRecord(4, 2),
      ...Array.from({ length: 5 }, (_, i) => smallRecord(100 + i)),
    ];
    const res = await store.ingest(input as never, { batchSize: 4, atomic: true });
    assert.deepStrictEqual(res, { written: 26, inserted: 10, updated: 16, skipped: 0, batches: 7 });
    assert.equal(store.size, 40);
    assert.deepStrictEqual(store.get({ name: 'rec-4' })?.record(), smallRecord(4, 2));
    assert.deepStrictEqual(store.get({ name: 'rec-38' })?.record(), smallRecord(38, 1));
    assert.deepStrictEqual(store.get({ name: 'rec-29' })?.record(), smallRecord(29));
    // One entry per record: the replaced ones' old entries went with the commit.
    let hot = 0;
    for await (const _ of store._cold!._db.keys(RECORD_RANGE)) hot++;
    assert.equal(hot, 40);
    assert.equal(await store._cold!._db.get(metaKey('pending')), undefined);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writes called during an atomic ingest wait for it, and stay when the ingest fails', async () => {
  const store = await openStore(Small, {});
  await store.ingest([smallRecord(1), smallRecord(2)] as never);
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  async function* source(): AsyncGenerator<SmallRecord> {
    yield smallRecord(1, 5);
    yield smallRecord(3);
    await gate;
    throw new Error('cut');
  }
  const ingest = store.ingest(source() as never, { batchSize: 1, atomic: true });
  await new Promise((r) => setTimeout(r, 20));
  // Staged records are visible while the ingest runs; the replaced one is hidden.
  assert.equal(store.size, 3);
  assert.deepStrictEqual(store.get({ name: 'rec-1' })?.record(), smallRecord(1, 5));
  let putDone = false;
  const put = store.put(smallRecord(2, 9) as never).then(() => {
    putDone = true;
  });
  // A delete of the key the ingest replaces runs after it, on the restored record.
  const del = store.delete({ name: 'rec-1' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(putDone, false, 'the put waits for the atomic ingest');
  release();
  await assert.rejects(ingest, /cut/);
  await put;
  assert.equal(await del, true);
  assert.equal(store.size, 1);
  assert.equal(store.get({ name: 'rec-1' }), undefined);
  assert.deepStrictEqual(store.get({ name: 'rec-2' })?.record(), smallRecord(2, 9));
  assert.equal(store.get({ name: 'rec-3' }), undefined);
  await store.close();
});

test('without atomic, the error says how many records stay written', async () => {
  const store = await openStore(Small, {});
  async function* source(): AsyncGenerator<unknown> {
    for (let i = 0; i < 25; i++) yield smallRecord(i);
    yield { name: 'rec-bad', n: -1 };
  }
  await assert.rejects(store.ingest(source() as never, { batchSize: 10 }), (err: unknown) => {
    assert.ok(err instanceof LeanrecError);
    assert.equal(err.code, 'E_INVALID_RECORD');
    assert.equal(err.written, 20);
    assert.match(err.message, /rec-bad/);
    assert.match(err.message, /20 records written before the error; they stay in the store/);
    // The stack is the validator's, where the record was refused, with the note in its
    // first line: not the stack of the helper that added the note.
    assert.ok(err.stack?.startsWith(`LeanrecError: ${err.message}\n`), err.stack);
    assert.match(err.stack!, /validate\.ts/);
    assert.doesNotMatch(err.stack!, /withNote/);
    return true;
  });
  assert.equal(store.size, 20);
  // A failure in the first batch wrote nothing: the error is left as it is.
  await assert.rejects(store.put({ name: 'x' } as never), (err: unknown) => {
    assert.ok(err instanceof LeanrecError && err.written === undefined);
    assert.doesNotMatch(err.message, /written before the error/);
    return true;
  });
  await store.close();
});

test('an atomic ingest never moves rows: what it replaced or staged stays as tombstones until compact()', async () => {
  const N = 3000;
  for (const options of [{}, { cold: false }] as const) {
    const store = await openStore(Small, options);
    await store.ingest(Array.from({ length: N }, (_, i) => smallRecord(i)) as never);
    const hot = store.memory().hot;
    // Every record replaced: each old row is a tombstone after the commit.
    await store.ingest(Array.from({ length: N }, (_, i) => smallRecord(i, 1)) as never, {
      atomic: true,
    });
    assert.equal(store.size, N);
    assert.equal(store._tier.rowCount, 2 * N);
    assert.equal(store._tier.freeCount, N);
    assert.ok(store.memory().hot > hot * 1.3, `${store.memory().hot} B hot, was ${hot} B`);
    await store.compact();
    assert.equal(store._tier.rowCount, N);
    assert.ok(store.memory().hot <= hot * 1.1, `${store.memory().hot} B hot, was ${hot} B`);
    assert.deepStrictEqual(store.get({ name: 'rec-1234' })?.toObject(), {
      name: 'rec-1234',
      n: 1234 * 7 + 1,
      on: false,
      tag: 't4',
    });
    // N new records staged, then the source fails: their rows are tombstones too…
    async function* failing(): AsyncGenerator<SmallRecord> {
      for (let i = N; i < 2 * N; i++) yield smallRecord(i);
      throw new Error('late failure');
    }
    await assert.rejects(store.ingest(failing() as never, { atomic: true }), /late failure/);
    assert.equal(store.size, N);
    assert.equal(store._tier.rowCount, 2 * N);
    assert.equal(store._tier.freeCount, N);
    assert.equal(store.get({ name: `rec-${N}` }), undefined);
    if (options.cold !== false)
      assert.deepStrictEqual(store.get({ name: 'rec-7' })?.record(), smallRecord(7, 1));
    // …which later inserts reuse before the tier grows.
    await store.ingest(Array.from({ length: N }, (_, i) => smallRecord(N + i)) as never);
    assert.equal(store._tier.rowCount, 2 * N);
    assert.equal(store._tier.freeCount, 0);
    assert.equal(store.size, 2 * N);
    await store.close();
  }
});

test('views and where() iterators held across an atomic ingest (committed or failed) stay valid', async () => {
  const N = 3000;
  for (const options of [{}, { cold: false }] as const) {
    const cold = options.cold !== false;
    const store = await openStore(Small, options);
    await store.ingest(Array.from({ length: N }, (_, i) => smallRecord(i)) as never);
    let rev = 0;
    for (const fail of [false, true]) {
      // The view of a record the ingest does not touch, and a filtered scan under way.
      const held = store.get({ name: `rec-${N - 1}` })!;
      const it = store.where({ on: true });
      const first = it.next().value!;
      assert.equal(first.on, true);
      // Half the records replaced (a quarter of the rows freed or staged, and more).
      async function* half(): AsyncGenerator<SmallRecord> {
        for (let i = 0; i < N / 2; i++) yield smallRecord(i, rev + 1);
        if (fail) throw new Error('cut');
      }
      const ingest = store.ingest(half() as never, { atomic: true });
      if (fail) await assert.rejects(ingest, /cut/);
      else {
        await ingest;
        rev++;
      }
      assert.equal(held.name, `rec-${N - 1}`);
      assert.deepStrictEqual(held.toObject(), smallHot(smallRecord(N - 1)));
      if (cold) assert.deepStrictEqual(held.record(), smallRecord(N - 1));
      let yielded = 0;
      for (const v of it) {
        yielded++;
        assert.equal(v.on, true, `where({ on: true }) yielded ${v.name} with on = false`);
      }
      // The rows that matched when the scan began (one was taken before the ingest).
      assert.equal(yielded, N / 3 - 1);
      assert.equal(store.count({ on: true }), [...store.where({ on: true })].length);
    }
    await store.close();
  }
});

test('when undoing fails too, writes are refused and the next open undoes the ingest', async () => {
  const dir = tempDir();
  try {
    let db!: FaultyLevel;
    const store = await openStore(Small, {
      path: dir,
      database: (p, o) => {
        db = FaultyLevel.wrap(p, o);
        return db;
      },
    });
    await store.ingest(Array.from({ length: 20 }, (_, i) => smallRecord(i)) as never);
    const before = [...store.where()].map((v) => v.record());
    // The third staged batch fails, then the first batch of the undo.
    const fault = db.inject({ kind: 'batch', skip: 2 });
    db.inject({ kind: 'batch', skip: 3 });
    const input = Array.from({ length: 40 }, (_, i) => smallRecord(i, 1));
    await assert.rejects(
      store.putMany(input as never, { batchSize: 5, atomic: true }),
      (err: unknown) => {
        assert.ok(err instanceof LeanrecError && err.code === 'E_IO' && err.cause === fault);
        assert.match(err.message, /atomic ingest undone/);
        assert.match(err.message, /writes are refused until the store is reopened/);
        return true;
      },
    );
    assert.deepStrictEqual(
      [...store.where()].map((v) => v.record()),
      before,
    );
    await assert.rejects(store.put(smallRecord(99) as never), /close and reopen the store/);
    // The database still holds the staged batches and the pending entry.
    assert.notEqual(await store._cold!._db.get(metaKey('pending')), undefined);
    await store.close();
    const again = await openStore(Small, { path: dir });
    assert.equal(again._cold?.openMode, 'rebuild');
    assert.deepStrictEqual(
      [...again.where()].map((v) => v.record()),
      before,
    );
    assert.equal(await again._cold!._db.get(metaKey('pending')), undefined);
    const res = await again.putMany(input as never, { batchSize: 5, atomic: true });
    assert.equal(res.updated, 20);
    assert.equal(again.size, 40);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a commit whose outcome cannot be read back says so, keeps the new records readable, refuses writes; the reopen decides', async () => {
  for (const when of ['after', 'before'] as const) {
    const dir = tempDir();
    try {
      let db!: FaultyLevel;
      const store = await openStore(Small, {
        path: dir,
        database: (p, o) => {
          db = FaultyLevel.wrap(p, o);
          return db;
        },
      });
      const old = Array.from({ length: 20 }, (_, i) => smallRecord(i));
      await store.ingest(old as never, { batchSize: 10 });
      const input = Array.from({ length: 30 }, (_, i) => smallRecord(i, 1));
      // Three staged batches, then the commit: it fails (applied or not), and so does
      // reading `m gen` back.
      const fault = db.inject({ kind: 'batch', skip: 3, when });
      db.inject({ kind: 'get', skip: 0 });
      await assert.rejects(
        store.ingest(input as never, { batchSize: 10, atomic: true }),
        (err: unknown) => {
          assert.ok(err instanceof LeanrecError, String(err));
          assert.equal(err.code, 'E_IO');
          assert.equal(err.cause, fault);
          assert.match(err.message, /atomic ingest outcome unknown/);
          assert.match(err.message, /all 30 records the ingest wrote/);
          assert.doesNotMatch(err.message, /the store is as it was/);
          return true;
        },
      );
      // The new records' entries are stored either way: they read back whole.
      assert.equal(store.size, 30);
      for (const r of input) assert.deepStrictEqual(store.get({ name: r.name })?.record(), r);
      await assert.rejects(store.put(smallRecord(99) as never), /close and reopen the store/);
      await store.close();
      const again = await openStore(Small, { path: dir });
      assert.equal(again._cold?.openMode, 'rebuild');
      // Applied ('after': only the acknowledgement was lost) → the new records; not
      // applied → the old ones. Never a mix, and no staged entry left.
      const want = when === 'after' ? input : old;
      assert.equal(again.size, want.length);
      for (const r of want) assert.deepStrictEqual(again.get({ name: r.name })?.record(), r);
      assert.equal(await again._cold!._db.get(metaKey('pending')), undefined);
      await again.put(smallRecord(99) as never);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a source that is not iterable and a non-boolean atomic are E_ARGUMENT, before anything is written', async () => {
  const store = await openStore(Small, {});
  await store.put(smallRecord(1) as never);
  for (const source of [null, undefined, 123, {}, 'rec-1'])
    for (const write of [
      () => store.ingest(source as never),
      () => store.ingest(source as never, { atomic: true }),
      () => store.putMany(source as never),
    ])
      await assert.rejects(write(), (err: unknown) => {
        assert.ok(err instanceof LeanrecError, String(err));
        assert.equal(err.code, 'E_ARGUMENT');
        assert.match(err.message, /iterable/);
        return true;
      });
  for (const atomic of ['yes', 1, null, 'false'])
    await assert.rejects(
      store.ingest([smallRecord(2)] as never, { atomic: atomic as never }),
      (err: unknown) => {
        assert.ok(err instanceof LeanrecError, String(err));
        assert.equal(err.code, 'E_ARGUMENT');
        assert.match(err.message, /atomic/);
        return true;
      },
    );
  assert.equal(store.size, 1);
  assert.equal(store.get({ name: 'rec-2' }), undefined);
  // Generators, iterables with only Symbol.iterator, and arrays are all fine.
  await store.ingest({ [Symbol.iterator]: () => [smallRecord(3)][Symbol.iterator]() } as never);
  await store.ingest([smallRecord(4)] as never, { atomic: false });
  assert.equal(store.size, 3);
  await store.close();
});
