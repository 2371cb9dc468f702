/**
 * `count()` reuses one bitset from call to call: no ArrayBuffer per call (each would
 * count as external memory), and the reuse never leaks one count's rows into another's,
 * into a `where()` walk under way, or into a count made from a filter's getter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, schema, t } from 'leanrec';

const s = schema({
  key: ['id'],
  hot: {
    id: t.u32(),
    kind: t.enum(['a', 'b', 'c', 'd', 'e']),
    size: t.u32(),
    on: t.flag(),
  },
});

const N = 200_000;
const kindOf = (i: number) => (['a', 'b', 'c', 'd', 'e'] as const)[(i * 7) % 5]!;
const rec = (i: number) => ({ id: i, kind: kindOf(i), size: i % 1000, on: i % 3 === 0 });

test('count() allocates no ArrayBuffer per call, and each count is exact', async () => {
  const st = await openStore(s, { cold: false });
  await st.ingest(Array.from({ length: N }, (_, i) => rec(i)));
  const filters = [{ kind: 'b' }, { size: { lt: 100 } }, { on: true, kind: ['a', 'c'] }] as const;
  const expected = filters.map((f) => {
    let n = 0;
    for (let i = 0; i < N; i++) {
      const r = rec(i);
      if ('kind' in f && !([] as string[]).concat(f.kind).includes(r.kind)) continue;
      if ('size' in f && !(r.size < 100)) continue;
      if ('on' in f && !r.on) continue;
      n++;
    }
    return n;
  });
  for (let i = 0; i < filters.length; i++) assert.equal(st.count(filters[i]!), expected[i]);
  const before = process.memoryUsage().arrayBuffers;
  for (let k = 0; k < 60; k++)
    for (let i = 0; i < filters.length; i++) assert.equal(st.count(filters[i]!), expected[i]);
  // A bitset of 200,000 rows is 25,000 bytes: 180 calls allocating one each would add
  // 4.5 MB (less what a collection freed meanwhile); reused, the figure does not move.
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 25_000, `arrayBuffers grew by ${grown} bytes over 180 counts`);
  const part = st.memory().parts.find((p) => p.name === 'count-bitset');
  assert.ok(part !== undefined && part.bytes >= N / 8, 'the reused bitset is in memory()');
  await st.close();
});

test('a count inside a where() walk, or from a filter getter, does not disturb the other', async () => {
  const st = await openStore(s, { cold: false });
  await st.ingest(Array.from({ length: 5000 }, (_, i) => rec(i)));
  const wantB = Array.from({ length: 5000 }, (_, i) => i).filter((i) => kindOf(i) === 'b');
  const seen: number[] = [];
  for (const v of st.where({ kind: 'b' })) {
    seen.push(v.id);
    assert.equal(st.count({ kind: 'a' }), 1000);
  }
  assert.deepEqual(seen, wantB);
  const inner: number[] = [];
  const filter = {
    get kind() {
      inner.push(st.count({ on: true }));
      return 'b';
    },
  };
  assert.equal(st.count(filter as never), wantB.length);
  assert.equal(st.count({ kind: 'b' }), wantB.length);
  assert.ok(inner.length > 0 && inner.every((n) => n === 1667));
  await st.close();
});

test('the reused bitset at its word boundaries: rows 32k − 1, 32k, 32k + 1 as it grows, then fewer rows after compact', async () => {
  const st = await openStore(s, { cold: false });
  const model = (n: number, from = 0) => {
    let c = 0;
    for (let i = from; i < n; i++) if (rec(i).kind === 'b' && rec(i).on) c++;
    return c;
  };
  // One record at a time: every row count from 1 to 200 is counted on the same scratch,
  // which grows at each word boundary it crosses (31 → 32 → 33, 63 → 64 → 65, …).
  for (let n = 1; n <= 200; n++) {
    await st.put(rec(n - 1));
    assert.equal(st.count({ kind: 'b', on: true }), model(n), `${n} rows`);
    assert.equal(
      st.count({ kind: ['a', 'c', 'd', 'e'] }),
      n - st.count({ kind: 'b' }),
      `${n} rows`,
    );
  }
  // Delete the first 135 and compact: 65 rows on a scratch of 7 words whose tail words
  // still hold the last count's bits; none of them may be counted.
  for (let i = 0; i < 135; i++) await st.delete({ id: i });
  await st.compact();
  assert.equal(st.count({ kind: 'b', on: true }), model(200, 135));
  assert.equal(st.count({ on: true }) + st.count({ on: false }), 65);
  await st.close();
});
