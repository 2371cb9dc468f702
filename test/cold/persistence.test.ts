/**
 * Persistence on disk: what was written reads back equal after close → reopen (hot
 * snapshot), after a forced rebuild from the `h` entries, and after a process that
 * never closed its store.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type AnySchema, openStore, type Store } from 'leanrec';
import { arbitraryRecord, arbitrarySchema } from 'leanrec/testing';
import { metaKey, SNAPSHOT_RANGE } from '../../src/cold/layout.ts';
import { Small, type SmallRecord, smallHot, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const LONG = process.env.LEANREC_LONG === '1';
const helper = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));

function define(obj: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The fields of `rec` named in `names` (absent ones left out), as own properties. */
function pick(rec: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (Object.hasOwn(rec, n)) define(out, n, rec[n]);
  return out;
}

function keyText(S: AnySchema, rec: Record<string, unknown>): string {
  return JSON.stringify(
    S.key.map((k) => {
      const v = rec[k];
      return v instanceof Uint8Array ? Array.from(v) : v;
    }),
  );
}

type AnyStore = Store<AnySchema>;
type View = {
  toObject(): Record<string, unknown>;
  record(): Record<string, unknown>;
  cold(group?: string): Record<string, unknown>;
};

function viewOf(store: AnyStore, S: AnySchema, rec: Record<string, unknown>): View | undefined {
  return store.get(pick(rec, S.key) as never) as unknown as View | undefined;
}

/** Every record of `expected` reads back equal: hot fields, the whole record, every group. */
function assertHolds(
  store: AnyStore,
  S: AnySchema,
  expected: readonly Record<string, unknown>[],
  gone: readonly Record<string, unknown>[] = [],
): void {
  assert.equal(store.size, expected.length);
  const hotNames = S.hotFields.map((f) => f.name);
  for (const rec of expected) {
    const v = viewOf(store, S, rec);
    assert.ok(v !== undefined, `record ${keyText(S, rec)} present`);
    assert.deepStrictEqual(v.toObject(), pick(rec, hotNames));
    assert.deepStrictEqual(v.record(), rec);
    for (const g of S.groups)
      assert.deepStrictEqual(
        v.cold(g.name),
        pick(
          rec,
          g.fields.map((f) => f.name),
        ),
        `group ${g.name} of ${keyText(S, rec)}`,
      );
  }
  for (const rec of gone) assert.equal(viewOf(store, S, rec), undefined);
}

async function reopen(S: AnySchema, dir: string, mode: string): Promise<AnyStore> {
  const store = (await openStore(S, { path: dir })) as AnyStore;
  assert.equal(store._cold?.openMode, mode);
  return store;
}

/** Closes `store` so that its snapshot is lost: the next open must rebuild. */
async function dropSnapshot(store: AnyStore, how: 'entries' | 'meta'): Promise<void> {
  const db = store._cold!._db;
  if (how === 'entries') for await (const k of db.keys(SNAPSHOT_RANGE)) await db.del(k);
  else await db.del(metaKey('snap'));
  await store.close();
}

const scenario = arbitrarySchema({ maxColdGroups: 3 }).chain((S) =>
  fc.record({
    S: fc.constant(S),
    recs: fc.uniqueArray(arbitraryRecord(S), {
      minLength: 1,
      maxLength: 25,
      selector: (r) => keyText(S, r as Record<string, unknown>),
    }),
    others: fc.array(arbitraryRecord(S), { maxLength: 25 }),
    upsert: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
    remove: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
    batchSize: fc.integer({ min: 1, max: 10 }),
    how: fc.constantFrom<'entries' | 'meta'>('entries', 'meta'),
  }),
);

test('property: random schema and records survive close → reopen (snapshot) and a forced rebuild', async () => {
  await fc.assert(
    fc.asyncProperty(
      scenario,
      async ({ S, recs: input, others, upsert, remove, batchSize, how }) => {
        const dir = tempDir();
        try {
          const recs = input as Record<string, unknown>[];
          let store = (await openStore(S, { path: dir })) as AnyStore;
          assert.equal(store._cold?.openMode, 'new');
          const res = await store.ingest(recs as never, { batchSize });
          assert.equal(res.inserted, recs.length);
          // Upserts: another record's values under an existing key; deletes.
          const model = new Map(recs.map((r) => [keyText(S, r), r]));
          const gone: Record<string, unknown>[] = [];
          const changes: Record<string, unknown>[] = [];
          recs.forEach((r, i) => {
            const o = others[i] as Record<string, unknown> | undefined;
            if (upsert[i] && o !== undefined) {
              const u: Record<string, unknown> = {};
              for (const k of Object.keys(o)) if (!S.key.includes(k)) define(u, k, o[k]);
              for (const k of S.key) define(u, k, r[k]);
              changes.push(u);
              model.set(keyText(S, r), u);
            }
          });
          if (changes.length > 0) {
            const up = await store.putMany(changes as never, { batchSize });
            assert.equal(up.updated, changes.length);
          }
          for (const [i, r] of recs.entries())
            if (remove[i] && i % 2 === 1) {
              assert.equal(await store.delete(pick(r, S.key) as never), true);
              model.delete(keyText(S, r));
              gone.push(r);
            }
          const expected = [...model.values()];
          assertHolds(store, S, expected, gone);
          await store.close();

          store = await reopen(S, dir, 'snapshot');
          assertHolds(store, S, expected, gone);
          await dropSnapshot(store, how);

          store = await reopen(S, dir, 'rebuild');
          assertHolds(store, S, expected, gone);
          await store.close();
          // The rebuild's close wrote a fresh snapshot.
          store = await reopen(S, dir, 'snapshot');
          assertHolds(store, S, expected, gone);
          await store.close();
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: LONG ? 200 : 30 },
  );
});

test('upserts and deletes survive reopen, by snapshot and by rebuild', async () => {
  const dir = tempDir();
  try {
    let store = await openStore(Small, { path: dir });
    await store.ingest(
      Array.from({ length: 300 }, (_, i) => smallRecord(i)),
      { batchSize: 64 },
    );
    for (let i = 0; i < 300; i += 3) await store.put(smallRecord(i, 1) as never);
    await store.putMany(
      Array.from({ length: 50 }, (_, i) => smallRecord(i * 5, 2)),
      { batchSize: 7 },
    );
    for (let i = 1; i < 300; i += 10) assert.equal(await store.delete({ name: `rec-${i}` }), true);
    assert.equal(await store.delete({ name: 'rec-1' }), false);
    const expect = new Map<string, SmallRecord>();
    for (let i = 0; i < 300; i++) {
      let r = smallRecord(i);
      if (i % 3 === 0) r = smallRecord(i, 1);
      if (i % 5 === 0 && i < 250) r = smallRecord(i, 2);
      if (i % 10 !== 1) expect.set(r.name, r);
    }
    const check = (s: typeof store) => {
      assert.equal(s.size, expect.size);
      for (let i = 0; i < 300; i++) {
        const v = s.get({ name: `rec-${i}` });
        const r = expect.get(`rec-${i}`);
        if (r === undefined) {
          assert.equal(v, undefined);
          continue;
        }
        assert.ok(v);
        assert.deepStrictEqual(v.toObject(), smallHot(r));
        assert.deepStrictEqual(v.record(), r);
      }
    };
    check(store);
    await store.close();
    store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'snapshot');
    check(store);
    await dropSnapshot(store as unknown as AnyStore, 'entries');
    store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'rebuild');
    check(store);
    // Writes after a rebuild get fresh ids (no collision with the surviving records).
    await store.put(smallRecord(1000) as never);
    assert.deepStrictEqual(store.get({ name: 'rec-1000' })?.record(), smallRecord(1000));
    check({ ...store, size: store.size - 1, get: store.get.bind(store) } as never);
    await store.close();
    store = await openStore(Small, { path: dir });
    assert.equal(store.size, expect.size + 1);
    assert.deepStrictEqual(store.get({ name: 'rec-1000' })?.record(), smallRecord(1000));
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that exits without close(): reopening rebuilds with every acknowledged write', async () => {
  const dir = tempDir();
  try {
    // A closed store with a snapshot first: the child's writes make that snapshot stale.
    let store = await openStore(Small, { path: dir });
    await store.ingest(Array.from({ length: 20 }, (_, i) => smallRecord(100 + i)));
    await store.close();

    const child = spawnSync(
      process.execPath,
      [
        '--conditions=leanrec-source',
        '--import',
        'tsx',
        helper('store-child.ts'),
        dir,
        'write-exit',
        '50',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    const lines = child.stdout.trim().split('\n');
    assert.equal(lines.at(-1), 'done 50');
    assert.ok(lines.includes('acked 10'));

    store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'rebuild');
    assert.equal(store.size, 20 + 45);
    for (let i = 0; i < 50; i++) {
      const v = store.get({ name: `rec-${i}` });
      if (i >= 10 && i < 15) {
        assert.equal(v, undefined);
        continue;
      }
      const r = smallRecord(i, i < 10 ? 1 : 0);
      assert.deepStrictEqual(v?.record(), r);
      assert.deepStrictEqual(v?.cold('text'), {
        body: r.body,
        ...(r.note ? { note: r.note } : {}),
      });
    }
    for (let i = 100; i < 120; i++)
      assert.deepStrictEqual(store.get({ name: `rec-${i}` })?.record(), smallRecord(i));
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store whose database was closed without a snapshot reopens by rebuild', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(Small, { path: dir });
    await store.ingest(
      Array.from({ length: 40 }, (_, i) => smallRecord(i)),
      { batchSize: 9 },
    );
    await store.put(smallRecord(3, 1) as never);
    await store.delete({ name: 'rec-4' });
    // What a crash leaves: the data written, no snapshot. close() then cannot write the
    // snapshot (the database is closed under it) but still releases the directory.
    await store._cold!._db.close();
    await store.close().catch(() => undefined);
    assert.equal(store.closed, true);

    const again = await openStore(Small, { path: dir });
    assert.equal(again._cold?.openMode, 'rebuild');
    assert.equal(again.size, 39);
    assert.equal(again.get({ name: 'rec-4' }), undefined);
    assert.deepStrictEqual(again.get({ name: 'rec-3' })?.record(), smallRecord(3, 1));
    for (let i = 5; i < 40; i++)
      assert.deepStrictEqual(again.get({ name: `rec-${i}` })?.record(), smallRecord(i));
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
