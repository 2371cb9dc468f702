/**
 * Values and writes: absent optionals, numeric bounds and special floats, delete and
 * re-put, upsert in place, a failed batch that writes nothing, `onInvalid: 'skip'`, and
 * the sources `ingest` reads (arrays, iterables, async iterables). On disk each test
 * also reads its records back after close → reopen.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schema, t } from 'leanrec';
import { rejectsCode } from '../helpers/errors.ts';
import { type Mode, type Rec, withPlace } from './modes.ts';

export function writeTests(mode: Mode): void {
  describe(`${mode.name}: values`, () => {
    const S = schema({
      key: ['id'],
      hot: {
        id: t.string(),
        s: t.string().optional(),
        l: t.list(t.string()).optional(),
        a8: t.u8().optional(),
        a16: t.u16().optional(),
        a32: t.u32().optional(),
        i: t.i32().optional(),
        f4: t.f32().optional(),
        f8: t.f64().optional(),
        fl: t.flag().optional(),
      },
    });

    test('absent optionals stay absent, present ones present (even empty/zero/false)', () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        const absent = { id: 'absent' };
        const present = { id: 'present', s: '', l: [], a8: 0, a16: 0, a32: 0, i: 0, f4: 0 };
        Object.assign(present, { f8: 0, fl: false });
        const lists = { id: 'lists', l: ['', '', 'x'] };
        await store.ingest([absent, present, lists]);
        // The empty string is a valid key.
        await store.put({ id: '' });
        for (let pass = 0; pass < 2; pass++) {
          const a = store.get({ id: 'absent' })!;
          assert.deepEqual(a.toObject(), absent);
          for (const k of Object.keys(present))
            if (k !== 'id') {
              assert.equal(a[k], undefined);
              assert.equal(Object.hasOwn(a.toObject(), k), false);
            }
          assert.deepEqual(store.get({ id: 'present' })!.toObject(), present);
          assert.deepEqual(store.get({ id: 'lists' })!.toObject(), lists);
          assert.deepEqual(store.get({ id: '' })?.toObject(), { id: '' });
          // A filter on an optional field matches present values only.
          assert.equal(store.count({ fl: false }), 1);
          assert.equal(store.count({ a8: { gte: 0 } }), 1);
          store = await place.reopen(S);
        }
      }));

    test('numeric bounds and special floats', () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        const lo = { id: 'lo', a8: 0, a16: 0, a32: 0, i: -2147483648 };
        Object.assign(lo, { f4: -3.4028234663852886e38, f8: -Number.MAX_VALUE });
        const hi = { id: 'hi', a8: 255, a16: 65535, a32: 4294967295, i: 2147483647 };
        Object.assign(hi, { f4: 3.4028234663852886e38, f8: Number.MAX_VALUE });
        const special = { id: 'sp', f4: Number.NaN, f8: -0 };
        const inf = { id: 'inf', f4: Number.NEGATIVE_INFINITY, f8: Number.POSITIVE_INFINITY };
        const tiny = { id: 'tiny', f4: 1.401298464324817e-45, f8: Number.MIN_VALUE };
        await store.ingest([lo, hi, special, inf, tiny]);
        // f32 rounds: a value that is not exact float32 reads back as Math.fround.
        await store.put({ id: 'round', f4: 0.1 });
        for (let pass = 0; pass < 2; pass++) {
          for (const r of [lo, hi, special, inf, tiny])
            assert.deepEqual(store.get({ id: r.id })?.toObject(), r);
          assert.ok(Object.is(store.get({ id: 'sp' })!.f8, -0));
          assert.equal(store.get({ id: 'round' })!.f4, Math.fround(0.1));
          assert.equal(store.count({ f4: 0.1 }), 1, 'a query for 0.1 finds fround(0.1)');
          assert.equal(store.count({ a32: 4294967295 }), 1);
          assert.equal(store.count({ i: { lt: -2147483647 } }), 1);
          assert.equal(store.count({ f8: { gt: 1e308 } }), 2);
          store = await place.reopen(S);
        }
      }));
  });

  describe(`${mode.name}: writes`, () => {
    const S = schema({
      key: ['name', 'v'],
      hot: { name: t.string(), v: t.u16(), size: t.u32(), tag: t.enum().optional(), on: t.flag() },
      cold: { body: t.string().optional() },
    });
    const rec = (i: number, size = i): Rec => ({
      name: `p${i}`,
      v: i % 3,
      size,
      on: i % 2 === 0,
      // Hot-only stores validate it and drop it.
      body: `body ${i}`,
    });

    test('delete, then re-put', () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        await store.ingest([rec(1), rec(2), rec(3)]);
        assert.equal(await store.delete({ name: 'p2', v: 2 }), true);
        assert.equal(store.size, 2);
        assert.equal(store.get({ name: 'p2', v: 2 }), undefined);
        assert.equal(store.has({ name: 'p2', v: 2 }), false);
        assert.equal(await store.delete({ name: 'p2', v: 2 }), false);
        assert.equal(await store.delete({ name: 'never', v: 0 }), false);
        assert.equal(store.count({ name: 'p2' }), 0);
        store = await place.reopen(S);
        assert.equal(store.has({ name: 'p2', v: 2 }), false, 'a delete survives reopen');
        await store.put({ ...rec(2), size: 99, tag: 'back' });
        for (let pass = 0; pass < 2; pass++) {
          const back = store.get({ name: 'p2', v: 2 });
          assert.deepEqual(back?.toObject(), { name: 'p2', v: 2, size: 99, on: true, tag: 'back' });
          if (mode.cold) assert.equal(back?.record().body, 'body 2');
          assert.equal(store.size, 3);
          assert.deepEqual([...store.where()].map((v) => v.name).sort(), ['p1', 'p2', 'p3']);
          store = await place.reopen(S);
        }
      }));

    test('upsert by key replaces in place (same row, same id)', () =>
      withPlace(mode, async (place) => {
        const store = await place.open(S);
        await store.ingest([rec(1), { ...rec(2), tag: 'old' }, rec(3)]);
        const tier = store._tier;
        const row = tier.findRow(rec(2));
        const id = tier.ids[row];
        const res = await store.ingest([{ ...rec(2), size: 1234 }]);
        assert.deepEqual([res.inserted, res.updated, res.written], [0, 1, 1]);
        assert.equal(store.size, 3);
        assert.equal(tier.findRow(rec(2)), row);
        assert.equal(tier.ids[row], id);
        // The old optional value is gone: the new record has no tag.
        const { body: _b, ...hot2 } = rec(2, 1234);
        assert.deepEqual(store.get(rec(2))?.toObject(), hot2);
        assert.equal(store.count({ tag: 'old' }), 0);
        // Same key twice in one batch: the later one wins.
        const r2 = await store.ingest([rec(7, 1), rec(7, 2)]);
        assert.equal(r2.written, 2);
        assert.equal(store.size, 4);
        assert.equal(store.get(rec(7))?.size, 2);
        assert.equal((await place.reopen(S)).get(rec(7))?.size, 2);
      }));

    test('a batch with one invalid record writes nothing; the error has its index', () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        await store.ingest([rec(0), rec(1)]);
        const before = [...store.where()].map((v) => v.toObject());
        const batch: unknown[] = [rec(1, 777), rec(2), rec(3), rec(4), rec(5), rec(6), rec(7)];
        batch[5] = { ...rec(6), size: -1 };
        const err = await rejectsCode(store.ingest(batch), 'E_INVALID_RECORD');
        assert.equal(err.index, 5);
        assert.equal(err.field, 'size');
        assert.ok(err.message.includes('size') && err.message.includes('p6'), err.message);
        assert.equal(store.size, 2);
        assert.deepEqual(
          [...store.where()].map((v) => v.toObject()),
          before,
        );
        assert.equal(store.get(rec(1))?.size, 1, 'the upsert in the failed batch did not apply');
        // Earlier batches stay written: with batches of 3, records 0..2 of the input are in.
        const err2 = await rejectsCode(store.ingest(batch, { batchSize: 3 }), 'E_INVALID_RECORD');
        assert.equal(err2.index, 5);
        store = await place.reopen(S);
        assert.equal(store.size, 4);
        assert.equal(store.get(rec(1))?.size, 777);
        assert.equal(store.has(rec(4)), false);
        // Not an object at all.
        const err3 = await rejectsCode(store.ingest([rec(9), null]), 'E_INVALID_RECORD');
        assert.equal(err3.index, 1);
        // A non-iterable source.
        await rejectsCode(store.ingest(5 as never), 'E_ARGUMENT');
      }));

    test("ingest reads arrays, iterables and async iterables; onInvalid: 'skip' counts the rest", () =>
      withPlace(mode, async (place) => {
        let store = await place.open(S);
        const input: unknown[] = [
          rec(1),
          { ...rec(2), on: 'yes' },
          rec(3),
          { ...rec(4), extra: 1 },
          { name: 'p5' },
          rec(6),
        ];
        const res = await store.ingest(input, { onInvalid: 'skip', batchSize: 2 });
        assert.deepEqual(res, { written: 3, inserted: 3, updated: 0, skipped: 3, batches: 3 });
        assert.deepEqual([...store.where()].map((v) => v.name).sort(), ['p1', 'p3', 'p6']);
        async function* gen() {
          yield rec(10);
          yield { bad: true };
          yield rec(11);
        }
        const r2 = await store.ingest(gen(), { onInvalid: 'skip' });
        assert.deepEqual([r2.inserted, r2.skipped], [2, 1]);
        function* sync() {
          yield rec(12);
          yield rec(10, 5);
        }
        const r3 = await store.ingest(sync());
        assert.deepEqual([r3.inserted, r3.updated], [1, 1]);
        store = await place.reopen(S);
        const names = [...store.where()].map((v) => v.name).sort();
        assert.deepEqual(names, ['p1', 'p10', 'p11', 'p12', 'p3', 'p6']);
        assert.equal(store.get(rec(10))?.size, 5);
      }));
  });
}
