import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore, schema, t } from 'leanrec';

const runs = process.env.LEANREC_LONG ? 200 : 30;

// Enum scans compare four one-byte codes per step; this checks them against a plain
// filter for any number of wanted values, codes past 127, and dictionaries that widen
// to two-byte codes (over 256 values).
test('enum filters (one to six values, any code) count and list exactly the matching rows', async () => {
  const S = schema({ key: ['id'], hot: { id: t.u32(), kind: t.enum(), flag: t.flag() } });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 700 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      async (distinct, rows, picks) => {
        const store = await openStore(S, { cold: false });
        const recs = rows.map(([k, flag], id) => ({ id, kind: `v${k % distinct}`, flag }));
        await store.ingest(recs);
        const wanted = picks.map((p) => `v${p % (distinct + 2)}`); // some values never stored
        const expect = recs.filter((r) => wanted.includes(r.kind));
        assert.equal(store.count({ kind: wanted }), expect.length);
        assert.deepEqual(
          [...store.where({ kind: wanted })].map((v) => v.id),
          expect.map((r) => r.id),
        );
        const one = wanted[0]!;
        const both = recs.filter((r) => r.kind === one && r.flag);
        assert.equal(store.count({ kind: one, flag: true }), both.length);
        await store.close();
      },
    ),
    { numRuns: runs },
  );
});
