/**
 * The cold group count: a record's entry holds its hot segment and one segment per group,
 * counted as n − 1 in one byte (src/cold/segments.ts; layout 1 keyed groups by a byte,
 * `'c' group:u8 id:u32be`), and `schema()` allows 255 groups
 * (numbers 0…254). 254 and 255 groups store and read back (in memory, after close →
 * reopen, after a rebuild, through batches); 256 is `E_SCHEMA` when the schema is made.
 * A store grown by evolution to the limit (a 255th group of optional fields) keeps its
 * records, and a 256th added the same way is refused at `schema()` too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { type AnyField, isLeanrecError, openStore, schema, t } from 'leanrec';
import { type AnyStore, assertEverywhere, reopen, tempDir } from '../helpers/limits.ts';
import { getPart } from '../helpers/record-entry.ts';

const LIMIT = 255;

type Groups = Record<string, Record<string, AnyField>>;

function groups(n: number, optional = false): Groups {
  const g: Groups = {};
  for (let i = 0; i < n; i++)
    g[`g${i}`] = { [`f${i}`]: optional ? t.string().optional() : t.string() };
  return g;
}

function groupSchema(g: Groups) {
  return schema({ key: ['id'], hot: { id: t.u32() }, cold: g });
}

function record(id: number, n: number): Record<string, unknown> {
  const r: Record<string, unknown> = { id };
  for (let i = 0; i < n; i++) r[`f${i}`] = `${id}/${i}`;
  return r;
}

for (const n of [LIMIT - 1, LIMIT]) {
  test(`${n} cold groups: every group stored under its own number and read back`, async () => {
    const S = groupSchema(groups(n));
    assert.equal(S.groups.length, n);
    assert.equal(S.groups.at(-1)!.code, n - 1);
    const dir = tempDir();
    try {
      const recs = Array.from({ length: 7 }, (_, i) => record(i, n));
      const store = (await openStore(S, { path: dir })) as AnyStore;
      await store.ingest(recs as never, { batchSize: 3 });
      // The last group's segment is where the layout says: after the hot one and n − 1 others.
      const last = await getPart(store._cold!._db, 6, n);
      assert.ok(last !== undefined, `entry of group ${n - 1}`);
      assert.deepStrictEqual(store.cold({ id: 6 } as never, `g${n - 1}` as never), {
        [`f${n - 1}`]: `6/${n - 1}`,
      });
      await assertEverywhere(store, S, dir, 'id', recs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test(`${LIMIT + 1} cold groups: E_SCHEMA when the schema is made`, () => {
  assert.throws(
    () => groupSchema(groups(LIMIT + 1)),
    (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_SCHEMA');
      assert.ok(err.message.includes(`${LIMIT + 1} cold groups`), err.message);
      assert.ok(err.message.includes(`${LIMIT}`), err.message);
      return true;
    },
  );
});

test(`a store grown by evolution from ${LIMIT - 1} to ${LIMIT} groups; a ${LIMIT + 1}th is refused`, async () => {
  const before = groupSchema(groups(LIMIT - 1));
  const grown = groups(LIMIT - 1);
  grown[`g${LIMIT - 1}`] = { [`f${LIMIT - 1}`]: t.string().optional() };
  const after = groupSchema(grown);
  const dir = tempDir();
  try {
    const old = Array.from({ length: 5 }, (_, i) => record(i, LIMIT - 1));
    let store = (await openStore(before, { path: dir })) as AnyStore;
    await store.ingest(old as never, { batchSize: 2 });
    await store.close();
    // Reopened with the 255th group: old records have none of its fields, new ones do.
    store = await reopen(after, dir, 'snapshot');
    const added = [record(5, LIMIT), record(6, LIMIT)];
    await store.ingest(added as never);
    assert.deepStrictEqual(store.cold({ id: 0 } as never, `g${LIMIT - 1}` as never), {});
    await assertEverywhere(store, after, dir, 'id', [...old, ...added]);
    const more = { ...grown, extra: { x: t.u8().optional() } };
    assert.throws(() => groupSchema(more), { code: 'E_SCHEMA' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
