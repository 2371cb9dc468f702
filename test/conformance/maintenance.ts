/**
 * Maintenance and lifecycle: `compact()` keeps records and ids, `memory()` adds up,
 * `E_CLOSED` after `close()`, writes queued before `close()` complete, `E_ARGUMENT` for
 * bad keys, filters, options and cold reads of a hot-only store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, schema, t } from 'leanrec';
import { rejectsCode } from '../helpers/errors.ts';
import { type Mode, type Rec, withPlace } from './modes.ts';

const S = schema({
  key: ['name'],
  hot: {
    name: t.string(),
    ver: t.string(),
    size: t.u32(),
    sec: t.enum().optional(),
    on: t.flag(),
    idx: t.u16().indexed(),
  },
  cold: { text: { body: t.string() } },
});
const rec = (i: number): Rec => ({
  name: `pkg-${i}`,
  ver: `1.${i % 17}`,
  size: i * 13,
  on: i % 3 === 0,
  idx: i % 11,
  ...(i % 4 === 0 ? { sec: `s${i % 5}` } : {}),
  body: `body of ${i}`,
});

export function maintenanceTests(mode: Mode): void {
  describe(`${mode.name}: maintenance`, () => {
    test('compact keeps every record and its id; deleted ones stay gone', () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        // Fewer where each delete and put is also a database write.
        const n = mode.cold ? 1200 : 3000;
        await store.ingest(Array.from({ length: n }, (_, i) => rec(i)));
        for (let i = 0; i < n; i += 3) await store.delete({ name: `pkg-${i}` });
        // Upserts with new strings leave garbage in the pool.
        for (let i = 1; i < n; i += 7)
          if (i % 3 !== 0) await store.put({ ...rec(i), ver: `new-${i}` });
        const tier = store._tier;
        const expected = new Map<string, { obj: Rec; id: number; whole?: Rec }>();
        for (const v of store.where())
          expected.set(v.name as string, {
            obj: v.toObject(),
            id: tier.ids[tier.findRow(v)]!,
            ...(mode.cold ? { whole: v.record() } : {}),
          });
        const before = store.memory();
        const countOn = store.count({ on: true });
        const countIdx = store.count({ idx: 5 });
        await store.compact();
        assert.equal(tier.rowCount, expected.size, 'no tombstones left');
        assert.ok(store.memory().hot <= before.hot, 'compaction does not grow the hot tier');
        for (let pass = 0; pass < 2; pass++) {
          const tier = store._tier;
          assert.equal(store.size, expected.size);
          for (const [name, { obj, id, whole }] of expected) {
            const v = store.get({ name });
            assert.ok(v, name);
            assert.deepEqual(v.toObject(), obj);
            assert.equal(tier.ids[tier.findRow({ name })], id);
            if (whole !== undefined) assert.deepEqual(v.record(), whole);
          }
          for (let i = 0; i < n; i += 3) assert.equal(store.has({ name: `pkg-${i}` }), false);
          assert.equal(store.count({ on: true }), countOn);
          assert.equal(store.count({ idx: 5 }), countIdx);
          store = await place.reopen(S);
        }
        // Writes still work afterwards, with fresh ids.
        await store.put(rec(n + 1));
        assert.equal(store.get({ name: `pkg-${n + 1}` })?.size, rec(n + 1).size);
        const ids = new Set([...store.where()].map((v) => store._tier.ids[store._tier.findRow(v)]));
        assert.equal(ids.size, store.size, 'ids stay unique');
      }));

    test('memory() parts add up to the total', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        const check = () => {
          const m = store.memory();
          assert.equal(
            m.parts.reduce((s, p) => s + p.bytes, 0),
            m.total,
          );
          if (!mode.cold) assert.equal(m.hot, m.total, 'a hot-only store is all hot');
          // LevelDB's configured buffers are counted (memory-level has none).
          else if (mode.persistent) assert.ok(m.hot < m.total, 'the cold tier takes memory too');
          else assert.ok(m.hot <= m.total);
          assert.equal(m.records, store.size);
          assert.equal(
            new Set(m.parts.map((p) => p.name)).size,
            m.parts.length,
            'part names are unique',
          );
          for (const p of m.parts) assert.ok(Number.isInteger(p.bytes) && p.bytes >= 0, p.name);
          for (const f of S.hotFields)
            assert.ok(
              m.parts.some((p) => p.name === `column:${f.name}`),
              f.name,
            );
          return m;
        };
        const empty = check();
        await store.ingest(Array.from({ length: mode.cold ? 2000 : 5000 }, (_, i) => rec(i)));
        store.count({ idx: 3 }); // builds the secondary index
        const full = check();
        assert.ok(full.hot > empty.hot);
      }));

    test('E_CLOSED after close (and close is idempotent)', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        await store.put(rec(1));
        await store.close();
        await store.close();
        assert.equal(store.closed, true);
        for (const fn of [
          () => store.get({ name: 'pkg-1' }),
          () => store.has({ name: 'pkg-1' }),
          () => store.size,
          () => store.count({ on: true }),
          () => [...store.where({})],
          () => store.memory(),
        ])
          await rejectsCode(fn, 'E_CLOSED');
        await rejectsCode(store.put(rec(2)), 'E_CLOSED');
        await rejectsCode(store.ingest([rec(2)]), 'E_CLOSED');
        await rejectsCode(store.delete({ name: 'pkg-1' }), 'E_CLOSED');
        await rejectsCode(store.compact(), 'E_CLOSED');
        if (mode.cold) await rejectsCode(store.load({ name: 'pkg-1' }), 'E_CLOSED');
      }));

    test('writes queued before close complete; those after are refused', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        const p = store.ingest(Array.from({ length: 100 }, (_, i) => rec(i)));
        const c = store.close();
        await p;
        await c;
        await rejectsCode(store.put(rec(1000)), 'E_CLOSED');
        if (mode.persistent) assert.equal((await place.open(S)).size, 100);
      }));

    test('E_ARGUMENT for bad keys, filters and options', () =>
      withPlace(mode, async (place) => {
        const T = schema({
          key: ['name', 'n'],
          hot: { name: t.string(), n: t.u8(), l: t.list(t.string()), b: t.bytes(2), on: t.flag() },
          cold: { c: t.string() },
        });
        const store = await place.open(T);
        await store.put({ name: 'x', n: 1, l: [], b: new Uint8Array(2), on: true, c: 'kept?' });
        const badKeys: [unknown, string | undefined][] = [
          [null, undefined],
          [undefined, undefined],
          ['x', undefined],
          [{}, 'name'],
          [{ name: 'x' }, 'n'],
          [{ name: 1, n: 1 }, 'name'],
          [{ name: 'x', n: 256 }, 'n'],
          [{ name: 'x', n: -1 }, 'n'],
          [{ name: 'x', n: '1' }, 'n'],
          [{ name: '\ud800', n: 1 }, 'name'],
          // Lookups find lone surrogates while encoding short strings, long ones by a scan.
          [{ name: 'a\udc00b', n: 1 }, 'name'],
          [{ name: 'ab\ud83d', n: 1 }, 'name'],
          [{ name: `${'a'.repeat(42)}\ud800`, n: 1 }, 'name'],
          [{ name: `${'é'.repeat(127)}\ud800`, n: 1 }, 'name'],
          [{ name: `${'a'.repeat(300)}\udfff`, n: 1 }, 'name'],
        ];
        const ops = (key: unknown) => [
          () => store.get(key),
          () => store.has(key),
          () => store.delete(key),
          ...(mode.cold ? [() => store.load(key)] : []),
        ];
        for (const [key, field] of badKeys)
          for (const op of ops(key)) {
            const err = await rejectsCode(op, 'E_ARGUMENT');
            if (field !== undefined) {
              assert.equal(err.field, field);
              assert.ok(err.message.includes(field), err.message);
            }
          }
        const badFilters: [unknown, string | undefined][] = [
          [{ nope: 1 }, 'nope'],
          [{ c: 'kept?' }, 'c'],
          [{ l: 'x' }, 'l'],
          [{ n: 'x' }, 'n'],
          [{ n: 1.5 }, 'n'],
          [{ n: [1, 'x'] }, 'n'],
          [{ n: { gt: 'x' } }, 'n'],
          [{ n: { between: 1 } }, 'n'],
          [{ on: 1 }, 'on'],
          [{ name: 1 }, 'name'],
          [{ b: 'zz' }, 'b'],
          [5, undefined],
        ];
        for (const [f, field] of badFilters)
          for (const op of [() => store.count(f), () => [...store.where(f)]]) {
            const err = await rejectsCode(op, 'E_ARGUMENT');
            if (field !== undefined) {
              assert.equal(err.field, field);
              assert.ok(err.message.includes(field), err.message);
            }
          }
        await rejectsCode(store.ingest([], { batchSize: 0 }), 'E_ARGUMENT');
        await rejectsCode(store.ingest([], { atomic: 'yes' as never }), 'E_ARGUMENT');
        const view = store.get({ name: 'x', n: 1 })!;
        // Cold reads: the group of a cold store; E_ARGUMENT on a hot-only one (it dropped them).
        if (mode.cold) {
          assert.deepEqual(view.cold(), { c: 'kept?' });
          await rejectsCode(() => view.cold('nope'), 'E_ARGUMENT');
        } else await rejectsCode(() => view.cold(), 'E_ARGUMENT');
        await rejectsCode(openStore(T, { cold: false, path: '/tmp/never' }), 'E_ARGUMENT');
        await rejectsCode(openStore({} as never), 'E_ARGUMENT');
      }));
  });
}
