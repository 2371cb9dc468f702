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
