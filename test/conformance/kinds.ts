/**
 * Every field kind, hot and cold, round-trips through `ingest` → `get` → `toObject()`
 * (and `record()` where cold fields are kept), as a value and as a key; on disk also
 * after close → reopen.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AnyField, type AnySchema, schema, t } from 'leanrec';
import { arbitraryRecord } from 'leanrec/testing';
import { type AnyStore, type Mode, pick, type Rec, withPlace } from './modes.ts';

/** Every field kind, in a few shapes. */
export const KINDS: [string, () => AnyField][] = [
  ['string', () => t.string()],
  ['enum (closed)', () => t.enum(['a', 'b', '', 'ü𝒳'])],
  ['enum (open)', () => t.enum()],
  ['flag', () => t.flag()],
  ['u8', () => t.u8()],
  ['u16', () => t.u16()],
  ['u32', () => t.u32()],
  ['i32', () => t.i32()],
  ['f32', () => t.f32()],
  ['f64', () => t.f64()],
  ['bytes(1)', () => t.bytes(1)],
  ['bytes(20)', () => t.bytes(20)],
  ['hex(1)', () => t.hex(1)],
  ['hex(32)', () => t.hex(32)],
  ['list<string>', () => t.list(t.string())],
  ['list<u32>', () => t.list(t.u32())],
  ['list<f64>', () => t.list(t.f64())],
  ['list<flag>', () => t.list(t.flag())],
  ['list<enum>', () => t.list(t.enum(['x', 'y']))],
  ['list<open enum>', () => t.list(t.enum())],
  ['list<hex(2)>', () => t.list(t.hex(2))],
  ['list<bytes(3)>', () => t.list(t.bytes(3))],
];
const KEYABLE = new Set(['string', 'enum', 'flag', 'u8', 'u16', 'u32', 'i32', 'bytes', 'hex']);

/** A canonical text of a value, for uniqueness of keys. */
function canon(v: unknown): string {
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  return `${typeof v}:${String(v)}`;
}

/** Every record reads back: the hot part by `toObject()`, the whole by `record()` (cold modes). */
function readsBack(mode: Mode, S: AnySchema, store: AnyStore, records: Rec[]): void {
  const hot = S.hotFields.map((f) => f.name);
  assert.equal(store.size, records.length);
  for (const r of records) {
    const view = store.get(r);
    assert.ok(view);
    assert.deepEqual(view.toObject(), pick(r, hot));
    for (const k of hot) assert.deepEqual(view[k], r[k]);
    if (mode.cold) assert.deepEqual(view.record(), r);
  }
}

/**
 * One schema with every kind: required, optional and indexed hot fields, optional cold
 * fields, and a key made of every keyable kind. The modes where a store costs more to
 * open run this instead of one property per kind.
 */
function allKinds(): { S: AnySchema; keys: string[] } {
  const key: string[] = [];
  const hot: Record<string, AnyField> = {};
  const cold: Record<string, AnyField> = {};
  KINDS.forEach(([name, make], i) => {
    if (KEYABLE.has(name.replace(/ .*|\(.*/, ''))) {
      key.push(`k${i}`);
      hot[`k${i}`] = make();
    }
    hot[`v${i}`] = make();
    hot[`o${i}`] = make().optional();
    hot[`x${i}`] = make().optional().indexed();
    cold[`c${i}`] = make().optional();
  });
  return { S: schema({ key, hot, cold } as never), keys: key };
}

/** Records drawn by `recs` are ingested, read back, and read back again after a reopen. */
async function roundTrips(
  mode: Mode,
  S: AnySchema,
  recs: fc.Arbitrary<unknown[]>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(recs, async (records) =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        const res = await store.ingest(records as Rec[], { batchSize: 7 });
        assert.equal(res.inserted, records.length);
        readsBack(mode, S, store, records as Rec[]);
        readsBack(mode, S, await place.reopen(S), records as Rec[]);
      }),
    ),
    { numRuns },
  );
}

export function kindTests(mode: Mode): void {
  describe(`${mode.name}: every field kind round-trips`, () => {
    test('all kinds in one schema (hot, optional, indexed, cold; a key of every keyable kind)', async () => {
      const { S, keys } = allKinds();
      const recs = fc.uniqueArray(arbitraryRecord(S, { maxStringLength: 6 }), {
        maxLength: 25,
        selector: (r) => keys.map((k) => canon((r as Rec)[k])).join('|'),
      });
      // A store of ≈ 100 fields: fewer runs than one kind's property.
      await roundTrips(mode, S, recs, mode.persistent ? 8 : 15);
    });

    // One property per kind where a store is cheap (hot-only): the shrunk failure names the kind.
    if (mode.cold) return;
    for (const [name, make] of KINDS) {
      test(name, async () => {
        const S = schema({
          key: ['id'],
          hot: { id: t.u32(), v: make(), o: make().optional(), ix: make().optional().indexed() },
          // Validated, then dropped (these run hot-only).
          cold: { c: make(), co: make().optional() },
        });
        const recs = fc.uniqueArray(arbitraryRecord(S), {
          maxLength: 30,
          selector: (r) => (r as Rec).id as number,
        });
        await roundTrips(mode, S, recs, mode.runs(80));
      });
    }

    for (const [name, make] of KINDS.filter(([n]) => KEYABLE.has(n.replace(/ .*|\(.*/, '')))) {
      test(`${name} as a key`, async () => {
        const S = schema({ key: ['k', 'n'], hot: { k: make(), n: t.u8(), x: t.string() } });
        const recs = fc.uniqueArray(arbitraryRecord(S, { maxStringLength: 6 }), {
          maxLength: 40,
          selector: (r) => `${canon((r as Rec).k)}|${(r as Rec).n}`,
        });
        await fc.assert(
          fc.asyncProperty(recs, arbitraryRecord(S), async (records, probe) =>
            withPlace(mode, async (place) => {
              let store = await place.open(S);
              await store.ingest(records as Rec[]);
              const known = (records as Rec[]).some(
                (r) => canon(r.k) === canon((probe as Rec).k) && r.n === (probe as Rec).n,
              );
              for (let pass = 0; pass < 2; pass++) {
                assert.equal(store.size, records.length);
                for (const r of records) assert.deepEqual(store.get(r)?.toObject(), r);
                assert.equal(store.has(probe), known);
                store = await place.reopen(S);
              }
            }),
          ),
          { numRuns: mode.runs(80) },
        );
      });
    }
  });
}
