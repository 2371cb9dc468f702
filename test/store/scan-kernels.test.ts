import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore, schema, t } from 'leanrec';

const runs = process.env.LEANREC_LONG ? 200 : 25;

const S = schema({
  key: ['id'],
  hot: { id: t.u32(), kind: t.enum().optional(), arch: t.enum(), flag: t.flag() },
});
type Rec = { id: number; kind?: string; arch: string; flag: boolean };
/** Mostly a few values (so asks hit stored ones, code 0 among them), sometimes any. */
const small = fc.oneof(fc.nat(10), fc.nat());

/** Every filter the kernels serve, checked against a plain filter over `model`. */
function check(
  store: { count(f: object): number; where(f: object): Iterable<{ id: number }> },
  model: Map<number, Rec>,
  asks: readonly (readonly string[])[],
): void {
  const recs = [...model.values()].sort((a, b) => a.id - b.id);
  for (const wanted of asks) {
    const expect = recs.filter((r) => r.kind !== undefined && wanted.includes(r.kind));
    assert.equal(store.count({ kind: wanted }), expect.length, `kind ∈ ${wanted}`);
    assert.deepEqual(
      [...store.where({ kind: wanted })].map((v) => v.id).sort((a, b) => a - b),
      expect.map((r) => r.id),
    );
    const one = wanted[0]!;
    const fused = recs.filter((r) => r.kind === one && r.arch === 'all' && r.flag);
    assert.equal(store.count({ kind: one, arch: 'all', flag: true }), fused.length);
  }
}

// The enum kernels — row bitsets of single values (made on first ask, at most 8 per
// column, kept exact on writes), four one-byte codes per step, and the code-mask loop for
// one- and two-byte codes — against a plain filter: columns of any length (every length
// mod 32 and 64 comes up below 700), 1–300 distinct values (past 256 the codes widen to
// two bytes), absent values, and more asks than bitsets so that every path runs. Then the
// same after writes that move rows between values, widen the dictionary, delete rows and
// add rows, and after compact().
test('enum scan kernels agree with a plain filter before and after writes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.tuple(small, fc.nat(3), fc.boolean()), { maxLength: 700 }),
      fc.array(fc.array(small, { minLength: 1, maxLength: 6 }), {
        minLength: 10,
        maxLength: 14,
      }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('put', 'delete', 'add')), {
        maxLength: 40,
      }),
      async (distinct, rows, picks, writes) => {
        const store = await openStore(S, { cold: false });
        const model = new Map<number, Rec>();
        const make = (id: number, k: number, a: number, flag: boolean): Rec => {
          const r: Rec = { id, arch: ['all', 'amd64', 'arm64', 'i386'][a % 4]!, flag };
          // One value in 7 absent (an optional enum leaves its code behind).
          if (k % 7 !== 6) r.kind = `v${k % distinct}`;
          return r;
        };
        const recs = rows.map(([k, a, flag], id) => make(id, k, a, flag));
        await store.ingest(recs);
        for (const r of recs) model.set(r.id, r);
        const asks = picks.map((p) => p.map((x) => `v${x % (distinct + 2)}`));
        check(store, model, asks);

        let next = rows.length;
        for (const [target, k, op] of writes) {
          const ids = [...model.keys()];
          if (op === 'add' || ids.length === 0) {
            // New rows past the code array's capacity: with the first value stored (code
            // 0, which a grown array reads), or values past `distinct`, which widen the
            // dictionary (and its codes past 256). Every other add goes in a batch.
            const first = rows.length > 0 ? rows[0]![0] : 0;
            const r = make(next++, k % 2 === 0 ? first : k + distinct, k, k % 2 === 0);
            if (k % 4 < 2) await store.put(r);
            else await store.ingest([r, make(next++, first, k + 1, true)]);
            model.set(r.id, r);
            if (k % 4 >= 2) model.set(next - 1, make(next - 1, first, k + 1, true));
          } else if (op === 'put') {
            const id = ids[target % ids.length]!;
            const r = make(id, k, k >> 2, k % 3 === 0);
            await store.put(r);
            model.set(id, r);
          } else {
            const id = ids[target % ids.length]!;
            assert.equal(await store.delete({ id }), true);
            model.delete(id);
          }
        }
        check(store, model, asks);
        await store.compact();
        check(store, model, asks);
        await store.close();
      },
    ),
    { numRuns: runs },
  );
});

// A code array that grows reads code 0 in its new rows: the row bitset of the value with
// code 0 must take them in, or a row later written with that value is missed. The
// boundaries: rows filling whole words, one short, one past.
test('row bitsets stay exact when the code array grows past whole words', async () => {
  const E = schema({ key: ['id'], hot: { id: t.u32(), kind: t.enum() } });
  for (const n of [1, 31, 32, 33, 63, 64, 65, 128]) {
    const store = await openStore(E, { cold: false });
    const recs = Array.from({ length: n }, (_, id) => ({ id, kind: id % 3 === 1 ? 'b' : 'a' }));
    await store.ingest(recs);
    let a = recs.filter((r) => r.kind === 'a').length;
    let b = n - a;
    assert.equal(store.count({ kind: 'a' }), a);
    assert.equal(store.count({ kind: 'b' }), b);
    for (let id = n; id < n + 70; id++) {
      const kind = id % 5 === 0 ? 'b' : 'a';
      if (id % 2 === 0) await store.put({ id, kind });
      else await store.ingest([{ id, kind }]);
      if (kind === 'a') a++;
      else b++;
      assert.equal(store.count({ kind: 'a' }), a, `${n} rows, then row ${id}`);
      assert.equal(store.count({ kind: ['b'] }), b, `${n} rows, then row ${id}`);
    }
    await store.close();
  }
});
