/**
 * Model-based test of the whole Store API in one mode — here the model, its arbitraries
 * and the whole-store check; the commands are in commands.ts, the runs in model-run.ts.
 * Random sequences of `put`, `ingest` (arrays, iterables, async iterables; half the
 * records upserts of stored keys), atomic `ingest` (succeeding, or failing part-way by a
 * throwing source or an invalid record: then nothing changes), `delete`, `get`/`has`,
 * `where`/`count` (with `reuse`), `load`/`loadMany` (cold modes), `compact`, and — on
 * disk — close + reopen and crash + reopen, against a `Map` of plain records. After every
 * command the whole store is compared with the model ({@link checkAll}).
 *
 * The store has no snapshot method: `close()` writes the hot snapshot, so close + reopen
 * is the snapshot command (the reopen must load it). Crash: the database is a
 * `FaultyLevel` around the real one; `crash()` closes the LevelDB under the store and
 * fails every later call, so `close()` cannot write the snapshot (it rejects with `E_IO`
 * when it had one to write) and only releases the directory, as the death of the process
 * would. The reopen then takes the real recovery path: the stale snapshot is dropped and
 * the hot tier rebuilt (`openMode === 'rebuild'` whenever data changed since the last
 * snapshot), and no record may be lost or changed.
 *
 * A second case (`wideCommands`) draws records with the arbitraries' size knobs: the open
 * enum `sec` from 2,000 values, with floods of ≥ 260 distinct values, so its dictionary
 * crosses 256 values (the 1 → 2 byte code width) in every run, and numbers at their edges.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { schema, t } from 'leanrec';
import { arbitraryRecord } from 'leanrec/testing';
import { filterArb } from './filters.ts';
import { type AnyStore, type Mode, type Place, pick, type Rec, show } from './modes.ts';

export const M = schema({
  key: ['name', 'v'],
  hot: {
    name: t.string(),
    v: t.u8(),
    arch: t.enum(['amd64', 'all', 'arm64']),
    sec: t.enum().optional().indexed(),
    size: t.u32().indexed(),
    on: t.flag(),
    maybe: t.flag().optional(),
    opt: t.i32().optional(),
    score: t.f64().optional().indexed(),
    sum: t.hex(2).optional(),
    tags: t.list(t.string()).optional(),
  },
  cold: {
    text: { desc: t.string(), meta: t.json().optional() },
    deps: { dep: t.list(t.string()).optional(), raw: t.bytes(2).optional() },
  },
});
export const HOT = M.hotFields.map((f) => f.name);
export const GROUPS = M.groups.map((g) => g.name);
export const groupFields = (g: string | undefined) =>
  g === undefined
    ? M.groups.flatMap((x) => x.fields.map((f) => f.name))
    : M.group(g)!.fields.map((f) => f.name);

export type Key = { name: string; v: number };
export const ks = (k: Key | Rec) => `${k.name}\u0000${k.v}`;

/** What the model holds. */
export interface Model {
  records: Map<string, Rec>;
  /** Data changed since the last snapshot (a crash now must be followed by a rebuild). */
  dirty: boolean;
  /** A record was ever inserted (an empty database reopens as 'new'). */
  used: boolean;
}

/** What a run did, reported as the test's diagnostic. */
export interface Counts {
  commands: number;
  reopens: number;
  crashes: number;
  rebuilds: number;
  snapshots: number;
  atomicCommitted: number;
  atomicFailed: number;
  lost: number;
}

/** The store under test, its place, and the counts. */
export interface Real {
  place: Place;
  store: AnyStore;
  mode: Mode;
  counts: Counts;
}

export const NAMES = ['a', 'b', 'ü', '', 'long-name-with-𝒳'];
export const keyArb: fc.Arbitrary<Key> = fc.record({
  name: fc.constantFrom(...NAMES),
  v: fc.integer({ min: 0, max: 3 }),
});
const small = <T>(...v: T[]) => fc.constantFrom(...v);

/** Records over a small key space (puts collide into upserts) and small value pools (filters hit). */
export const recArb: fc.Arbitrary<Rec> = fc
  .tuple(
    arbitraryRecord(M, { maxStringLength: 5, maxListLength: 3, maxJsonDepth: 2 }),
    keyArb,
    fc.record(
      {
        sec: small('x', 'y', 'z'),
        size: small(0, 1, 50, 4294967295),
        opt: small(-2147483648, -1, 0, 7),
        score: small(0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY),
      },
      { requiredKeys: ['size'] },
    ),
  )
  .map(([r, k, pooled]) => {
    const out: Rec = { ...r, ...k, size: pooled.size };
    for (const f of ['sec', 'opt', 'score'] as const) {
      // Keep the field's presence as drawn; only narrow its value to the pool.
      if (f in out) {
        if (pooled[f] === undefined) delete out[f];
        else out[f] = pooled[f];
      }
    }
    return out;
  });

/** Filters over the model's fields, or none (`where()`). */
export const modelFilterArb: fc.Arbitrary<Rec | undefined> = fc.option(
  filterArb({
    values: {
      name: NAMES,
      v: [0, 1, 3, 9],
      arch: ['amd64', 'all', 'arm64'],
      sec: ['x', 'y', 'w'],
      size: [0, 1, 50, 4294967295, 2],
      on: [true, false],
      maybe: [true, false],
      opt: [-2147483648, -1, 0, 7],
      score: [0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY],
      sum: ['0000', 'ffff'],
    },
    numeric: new Set(['v', 'size', 'opt', 'score']),
    bounds: [-Infinity, -2147483648, -1, -0, 0, 1, 1.5, 50, 4294967295, Infinity],
  }),
  { nil: undefined, freq: 6 },
);

/** The whole store equals the model: size, count, where, get/has, hot fields; cold (sync and async). */
export async function checkAll(m: Model, r: Real): Promise<void> {
  const s = r.store;
  assert.equal(s.size, m.records.size);
  assert.equal(s.count(), m.records.size);
  const seen = new Set<string>();
  for (const v of s.where()) seen.add(ks(v));
  assert.equal(seen.size, m.records.size);
  for (const [k, rec] of m.records) {
    assert.ok(seen.has(k), `where() lacks ${show(rec)}`);
    const v = s.get(rec);
    assert.ok(v, `get() lacks ${show(rec)}`);
    assert.deepStrictEqual(v.toObject(), pick(rec, HOT));
    if (r.mode.cold) assert.deepStrictEqual(v.record(), rec);
  }
  if (!r.mode.cold) return;
  const views = [...s.where()];
  const loaded = await s.loadMany(views, 'deps', { cache: false });
  views.forEach((v, i) => {
    assert.deepStrictEqual(loaded[i], pick(m.records.get(ks(v))!, groupFields('deps')));
  });
}

/** Reopens the store of `r` and checks how the hot tier came back, and that nothing was lost. */
export async function reopen(m: Model, r: Real, crashed: boolean): Promise<void> {
  r.store = await r.place.open(M, { faulty: true, cacheBytes: 2048 });
  const mode = r.store._cold?.openMode;
  const expected = !m.used ? 'new' : crashed && m.dirty ? 'rebuild' : 'snapshot';
  assert.equal(mode, expected, `reopen after ${crashed ? 'a crash' : 'close'}`);
  if (mode === 'rebuild') r.counts.rebuilds++;
  if (mode === 'snapshot') r.counts.snapshots++;
  // After a rebuild the stored snapshot is gone: data has changed since the (new) last one.
  m.dirty = mode !== 'snapshot';
  for (const rec of m.records.values()) if (!r.store.has(rec)) r.counts.lost++;
  assert.equal(r.counts.lost, 0, 'records lost');
}

/** Records over the same key space, with `sec` from 2,000 values and numbers at their edges. */
export const wideArb: fc.Arbitrary<Rec> = fc
  .tuple(
    arbitraryRecord(M, {
      maxStringLength: 5,
      maxListLength: 3,
      maxJsonDepth: 2,
      distinctValues: 2000,
      numberEdges: true,
    }),
    // All 256 values of the u8 key: floods mostly insert, so the records that brought
    // the 256th and 257th values stay to be read back.
    fc.record({ name: fc.constantFrom(...NAMES), v: fc.integer({ min: 0, max: 255 }) }),
  )
  .map(([r, k]) => ({ ...r, ...k }));
