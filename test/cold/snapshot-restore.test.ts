/**
 * Restoring the hot snapshot: the arrays read from disk become the tier's arrays (no
 * copy), so the restored tier must behave like one built by writes, across further
 * writes and reopens; a snapshot with a chunk or a part missing is not used.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { type Infer, openStore, schema, t } from 'leanrec';
import { SNAPSHOT_RANGE, snapshotKey } from '../../src/cold/layout.ts';
import { tempDir } from '../helpers/temp.ts';

const S = schema({
  key: ['name'],
  hot: {
    name: t.string(),
    n: t.u32(),
    kind: t.enum(['a', 'b', 'c']),
    on: t.flag(),
    sum: t.hex(4),
    words: t.list(t.string()),
    note: t.string().optional(),
  },
  cold: { body: { text: t.string() } },
});

const rec = (i: number, rev = 0): Infer<typeof S> => ({
  name: `pkg-${i}`,
  n: i + rev,
  kind: (['a', 'b', 'c'] as const)[(i + rev) % 3]!,
  on: (i + rev) % 2 === 0,
  sum: ((i * 2654435761) >>> 0).toString(16).padStart(8, '0'),
  words: i % 4 === 0 ? [] : [`w${i % 11}`, `r${rev}`],
  ...(i % 5 === 0 ? { note: `note ${i} ${rev}` } : {}),
  text: `body of ${i} (${rev})`,
});

type Expected = Map<number, number>; // record → revision

async function assertHolds(store: Awaited<ReturnType<typeof open>>, expected: Expected) {
  assert.equal(store.size, expected.size);
  for (const [i, rev] of expected) {
    const v = store.get({ name: `pkg-${i}` });
    const { text, ...hot } = rec(i, rev);
    assert.deepEqual(v?.toObject(), hot, `record ${i}`);
    assert.deepEqual(v?.cold('body'), { text }, `record ${i} body`);
  }
  for (const kind of ['a', 'b', 'c'] as const) {
    let c = 0;
    for (const [i, rev] of expected) if (rec(i, rev).kind === kind) c++;
    assert.equal(store.count({ kind }), c, `count of kind ${kind}`);
  }
}

const open = (dir: string) => openStore(S, { path: join(dir, 'db') });

test('a restored tier takes writes like a built one, across several reopens', async () => {
  const dir = tempDir();
  try {
    const expected: Expected = new Map();
    let store = await open(dir);
    await store.ingest(Array.from({ length: 3_000 }, (_, i) => rec(i)));
    for (let i = 0; i < 3_000; i++) expected.set(i, 0);
    await store.close();
    for (let round = 1; round <= 3; round++) {
      store = await open(dir);
      assert.equal(store._cold?.openMode, 'snapshot');
      await assertHolds(store, expected);
      // Updates (in place and new strings in the pool), deletes, new records, then close:
      // the next snapshot is taken from the arrays the restore handed over.
      for (let i = round; i < 3_000; i += 7) {
        if (!expected.has(i)) continue;
        await store.put(rec(i, round));
        expected.set(i, round);
      }
      for (let i = round * 11; i < 3_000; i += 97) {
        await store.delete({ name: `pkg-${i}` });
        expected.delete(i);
      }
      const fresh = Array.from({ length: 500 }, (_, k) => rec(3_000 * round + k, round));
      await store.putMany(fresh);
      for (let k = 0; k < 500; k++) expected.set(3_000 * round + k, round);
      await assertHolds(store, expected);
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot with a chunk or a part missing is not used: the store rebuilds', async () => {
  const damages: [string, (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>][] = [
    // A gap in a part's chunks: chunk 2 of an array that has only chunk 0.
    ['a gap in the chunks', (db) => db.put(snapshotKey('c:n#0', 2), new Uint8Array(8))],
    ['a part missing', (db) => db.del(snapshotKey('pool#0', 0))],
    [
      'no snapshot entries at all',
      async (db) => {
        for await (const k of db.keys(SNAPSHOT_RANGE)) await db.del(k);
      },
    ],
  ];
  for (const [what, damage] of damages) {
    const dir = tempDir();
    try {
      let store = await open(dir);
      await store.ingest(Array.from({ length: 400 }, (_, i) => rec(i)));
      await store.close();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(join(dir, 'db'), {
        keyEncoding: 'view',
        valueEncoding: 'view',
      });
      await db.open();
      await damage(db);
      await db.close();
      store = await open(dir);
      assert.equal(store._cold?.openMode, 'rebuild', what);
      await assertHolds(store, new Map(Array.from({ length: 400 }, (_, i) => [i, 0])));
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
