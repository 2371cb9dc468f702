/**
 * After a bulk write the per-row arrays are trimmed to the rows held (whole 32-row
 * words), so the cost per record does not jump when the row count passes a power of
 * two; writes grow them again, queries stay exact on the trimmed tail, snapshots
 * restore at the trimmed size, and a run of small writes does not trim on every call.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Infer, openStore, schema, t } from 'leanrec';
import { tempDir } from '../helpers/temp.ts';

const S = schema({
  key: ['name'],
  hot: {
    name: t.string(),
    n: t.u32(),
    kind: t.enum(['a', 'b', 'c', 'd', 'e']),
    tag: t.enum().optional(),
    on: t.flag(),
    sum: t.hex(4),
    words: t.list(t.string()),
  },
});

const KINDS = ['a', 'b', 'c', 'd', 'e'] as const;

const rec = (i: number): Infer<typeof S> => ({
  name: `pkg-${i}`,
  n: i,
  kind: KINDS[i % 5]!,
  ...(i % 3 === 0 ? { tag: `t${i % 7}` } : {}),
  on: i % 2 === 0,
  sum: (i >>> 0).toString(16).padStart(8, '0'),
  words: i % 4 === 0 ? [] : [`w${i % 11}`, `v${i % 13}`],
});

function* records(from: number, to: number) {
  for (let i = from; i < to; i++) yield rec(i);
}

/** Bytes of the per-row parts (everything but the pool, the key index and enum dictionaries). */
function rowBytes(store: { memory(): { parts: { name: string; bytes: number }[] } }): number {
  return store
    .memory()
    .parts.filter((p) => p.name !== 'pool' && p.name !== 'key-index' && !p.name.startsWith('enum'))
    .reduce((s, p) => s + p.bytes, 0);
}

async function rowBytesPerRecord(n: number): Promise<number> {
  const store = await openStore(S, { cold: false });
  await store.ingest(records(0, n));
  const perRow = rowBytes(store);
  await store.close();
  return perRow / n;
}

test('the per-row cost is the same just below and just past a power of two', async () => {
  const below = await rowBytesPerRecord(65_000);
  const past = await rowBytesPerRecord(66_000); // doubling alone would leave 65,536 spare rows
  assert.ok(past / below < 1.02, `${below.toFixed(2)} vs ${past.toFixed(2)} B/record`);
});

test('after the trim, writes grow the arrays again and queries stay exact on the tail', async () => {
  const store = await openStore(S, { cold: false });
  const n = 70_003; // not a multiple of 4: the last word of the enum scan is partial
  await store.ingest(records(0, n));
  const count = (k: string, from: number, to: number) => {
    let c = 0;
    for (let i = from; i < to; i++) if ('abcde'[i % 5] === k) c++;
    return c;
  };
  for (const k of ['a', 'c', 'e'])
    assert.equal(store.count({ kind: k as (typeof KINDS)[number] }), count(k, 0, n), `kind ${k}`);
  assert.equal(store.count({ kind: ['b', 'd'] }), count('b', 0, n) + count('d', 0, n));
  for (let i = n; i < n + 40; i++) await store.put(rec(i));
  for (const i of [0, 1, n - 1, n, n + 39])
    assert.deepEqual(store.get({ name: `pkg-${i}` })?.toObject(), rec(i), `record ${i}`);
  assert.equal(store.count({ kind: 'e' }), count('e', 0, n + 40));
  assert.equal(store.size, n + 40);
  await store.close();
});

test('a run of small putMany calls does not trim (and copy) on every call', async () => {
  const store = await openStore(S, { cold: false });
  await store.ingest(records(0, 50_000));
  const totals: number[] = [];
  for (let k = 0; k < 5; k++) {
    await store.putMany(records(50_000 + k * 10, 50_000 + (k + 1) * 10));
    totals.push(rowBytes(store));
  }
  // The trimmed capacity (50,016 rows) holds the first call; the second grows the arrays
  // by doubling, and neither it nor the later calls trim them back.
  assert.ok(totals[1]! > totals[0]!, totals.join(' '));
  assert.ok(
    totals.slice(1).every((t) => t === totals[1]),
    totals.join(' '),
  );
  await store.close();
});

test('a trimmed tier snapshots and restores at its size, lists and flags included', async () => {
  const dir = tempDir('trim');
  try {
    const n = 33_333;
    let store = await openStore(S, { path: join(dir, 'db') });
    await store.ingest(records(0, n));
    const before = store.memory().hot;
    await store.close();
    store = await openStore(S, { path: join(dir, 'db') });
    assert.ok(store.memory().hot <= before, `${store.memory().hot} > ${before}`);
    for (const i of [0, 3, 4, 12_345, n - 1])
      assert.deepEqual(store.get({ name: `pkg-${i}` })?.toObject(), rec(i), `record ${i}`);
    assert.equal(store.count({ on: true }), Math.ceil(n / 2));
    await store.put(rec(n));
    assert.deepEqual(store.get({ name: `pkg-${n}` })?.toObject(), rec(n));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
