/**
 * `diff` on random schemas (every field kind, optional fields, up to three cold groups)
 * against a model that reads both stores' records whole: removed, added, and changed
 * naming exactly the fields whose values differ (hot fields first, schema order). The
 * second store writes its records in another order, so its shared structures number the
 * same shapes differently: cold groups compared from their bytes must still agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type AnySchema, diff, openStore } from 'leanrec';
import { arbitraryRecord, arbitrarySchema } from 'leanrec/testing';
import { sameValue } from '../../src/store/diff.ts';

type Rec = Record<string, unknown>;
type AnyStore = any;

const keyText = (S: AnySchema, r: Rec) => JSON.stringify(S.key.map((k) => r[k]));
const keyOf = (S: AnySchema, r: Rec) => Object.fromEntries(S.key.map((k) => [k, r[k]]));

const scenario = arbitrarySchema({ maxColdGroups: 3, hostileNames: false }).chain((S) =>
  fc.record({
    S: fc.constant(S),
    base: fc.uniqueArray(arbitraryRecord(S), {
      minLength: 1,
      maxLength: 25,
      selector: (r) => keyText(S, r as Rec),
    }),
    // Per record of a: kept, dropped, or its values replaced by another record's.
    fate: fc.array(fc.constantFrom('keep', 'keep', 'drop', 'edit'), {
      minLength: 25,
      maxLength: 25,
    }),
    others: fc.array(arbitraryRecord(S), { minLength: 25, maxLength: 25 }),
    fresh: fc.array(arbitraryRecord(S), { maxLength: 5 }),
  }),
);

test('property: diff names exactly the fields whose values differ, as whole reads do', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (c) => {
      const S = c.S;
      const base = c.base as Rec[];
      const inB: Rec[] = [];
      for (const [i, r] of base.entries()) {
        const fate = c.fate[i];
        if (fate === 'drop') continue;
        inB.push(fate === 'edit' ? { ...(c.others[i] as Rec), ...keyOf(S, r) } : r);
      }
      const taken = new Set(base.map((r) => keyText(S, r)));
      for (const r of c.fresh as Rec[])
        if (!taken.has(keyText(S, r))) {
          taken.add(keyText(S, r));
          inB.push(r);
        }
      const a: AnyStore = await openStore(S);
      const b: AnyStore = await openStore(S);
      try {
        await a.putMany(base);
        await b.putMany([...inB].reverse());
        const want: string[] = [];
        for (const va of a.where()) {
          const key = keyOf(S, va.toObject());
          const vb = b.get(key);
          if (vb === undefined) {
            want.push(JSON.stringify({ kind: 'removed', key }));
            continue;
          }
          const fields: string[] = [];
          for (const f of S.hotFields) if (!sameValue(va[f.name], vb[f.name])) fields.push(f.name);
          if (S.groups.length > 0) {
            const [x, y] = [await va.load(), await vb.load()];
            for (const g of S.groups)
              for (const f of g.fields) if (!sameValue(x[f.name], y[f.name])) fields.push(f.name);
          }
          if (fields.length > 0) want.push(JSON.stringify({ kind: 'changed', key, fields }));
        }
        for (const vb of b.where()) {
          const key = keyOf(S, vb.toObject());
          if (!a.has(key)) want.push(JSON.stringify({ kind: 'added', key }));
        }
        const got: string[] = [];
        for await (const d of diff(a, b, { batchSize: 4 })) got.push(JSON.stringify(d));
        assert.deepEqual(got.sort(), want.sort());
      } finally {
        await a.close();
        await b.close();
      }
    }),
    { numRuns: 150 },
  );
});
