/**
 * Type-level tests of the store's cold reads, its generators and what stays private:
 * checked by `tsc -p tsconfig.json --noEmit` (`// @ts-expect-error` marks what must not
 * compile). The runtime part reads the same values back, so the types are the values'.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Field, type Json, openStore, type RecordView, Schema, Store, schema, t } from 'leanrec';
import {
  type DebianPackage,
  type DebianSource,
  type Paragraph,
  parseDeb822,
  readPackages,
  readSources,
} from 'leanrec/debian';
import { Deb822Mapping, type FieldCodec, type FieldSpec } from '../../src/debian/mapping.ts';

const Pkg = schema({
  key: ['name'],
  hot: { name: t.string(), size: t.u32() },
  cold: {
    text: { description: t.string(), homepage: t.string().optional() },
    deps: { depends: t.list(t.string()).optional(), extra: t.json() },
  },
});
type Text = { description: string; homepage?: string };
type Deps = { depends?: string[]; extra: Json };
type AllCold = { description: string; homepage?: string; depends?: string[]; extra: Json };

const Flat = schema({ key: ['id'], hot: { id: t.u32() }, cold: { note: t.string() } });

test('Store.cold, load and loadMany are typed by group (checked by tsc)', async () => {
  const st = await openStore(Pkg);
  await st.put({ name: 'a', size: 1, description: 'A', extra: { n: 1 }, depends: ['b'] });

  const text = st.cold({ name: 'a' }, 'text');
  expectTypeOf(text).toEqualTypeOf<{ description: string; homepage?: string } | undefined>();
  assert.deepStrictEqual(text, { description: 'A' });
  const deps = st.cold({ name: 'a' }, 'deps');
  expectTypeOf(deps).toEqualTypeOf<{ depends?: string[]; extra: Json } | undefined>();
  assert.deepStrictEqual(deps, { depends: ['b'], extra: { n: 1 } });
  const all = st.cold({ name: 'a' });
  expectTypeOf(all).toEqualTypeOf<
    { description: string; homepage?: string; depends?: string[]; extra: Json } | undefined
  >();
  expectTypeOf<NonNullable<typeof all>>().toEqualTypeOf<AllCold>();
  assert.deepStrictEqual(all, { description: 'A', depends: ['b'], extra: { n: 1 } });
  // Absent record: undefined, and the type says so.
  assert.equal(st.cold({ name: 'zz' }, 'text'), undefined);

  expectTypeOf(st.load({ name: 'a' }, 'text')).toEqualTypeOf<Promise<Text | undefined>>();
  expectTypeOf(st.load({ name: 'a' })).resolves.toEqualTypeOf<AllCold | undefined>();
  assert.deepStrictEqual(await st.load({ name: 'a' }, 'deps'), deps);

  const views = [...st.where()];
  expectTypeOf(st.loadMany(views, 'deps')).toEqualTypeOf<Promise<Deps[]>>();
  expectTypeOf(st.loadMany(views)).resolves.toEqualTypeOf<AllCold[]>();
  expectTypeOf(st.loadMany(views, undefined, { cache: false })).resolves.toEqualTypeOf<AllCold[]>();
  assert.deepStrictEqual(await st.loadMany(views, 'text', { cache: false }), [text]);

  // The same types as a view's own cold reads.
  const v = st.get({ name: 'a' })!;
  expectTypeOf(st.cold({ name: 'a' }, 'text')).toEqualTypeOf<
    ReturnType<typeof v.cold<'text'>> | undefined
  >();

  // A group of a union of names gives the union of their types.
  const g = (Math.random() < 2 ? 'text' : 'deps') as 'text' | 'deps';
  expectTypeOf(st.cold({ name: 'a' }, g)).toEqualTypeOf<Text | Deps | undefined>();

  // Wrong group names do not compile (and are refused at run time).
  const wrong = 'nope';
  // @ts-expect-error — 'nope' is not a group of Pkg
  assert.throws(() => st.cold({ name: 'a' }, wrong), { code: 'E_ARGUMENT' });
  // @ts-expect-error — 'nope' is not a group of Pkg
  await assert.rejects(st.load({ name: 'a' }, 'nope'), { code: 'E_ARGUMENT' });
  // @ts-expect-error — 'nope' is not a group of Pkg
  await assert.rejects(st.loadMany(views, 'nope'), { code: 'E_ARGUMENT' });
  // @ts-expect-error — a field name is not a group name
  void (() => st.cold({ name: 'a' }, 'description'));
  // @ts-expect-error — the key is { name }
  void (() => st.cold({ id: 1 }, 'text'));
  // A plain cold field map is the group "cold", and only that.
  const flat = await openStore(Flat);
  expectTypeOf(flat.cold({ id: 1 }, 'cold')).toEqualTypeOf<{ note: string } | undefined>();
  // @ts-expect-error — Flat's only group is "cold"
  void (() => flat.cold({ id: 1 }, 'nope'));
  await flat.close();
  await st.close();
});

test('generators have exact return and next types (checked by tsc)', async () => {
  const st = await openStore(Pkg, { cold: false });
  expectTypeOf(st.where()).toEqualTypeOf<Generator<RecordView<typeof Pkg>, void, undefined>>();
  expectTypeOf(readPackages('Packages')).toEqualTypeOf<
    AsyncGenerator<DebianPackage, void, undefined>
  >();
  expectTypeOf(readSources('Sources')).toEqualTypeOf<
    AsyncGenerator<DebianSource, void, undefined>
  >();
  expectTypeOf(parseDeb822('Packages')).toEqualTypeOf<AsyncGenerator<Paragraph, void, undefined>>();
  // A finished generator's value is `undefined`, not `any`.
  const done = st.where().next();
  if (done.done === true) expectTypeOf(done.value).toEqualTypeOf<void>();
  assert.equal(done.done, true);
  await st.close();
});

test('a Deb822Mapping takes codecs of any value type, typed without any (checked by tsc)', () => {
  expectTypeOf<FieldSpec['codec']>().toEqualTypeOf<FieldCodec<unknown>>();
  const int: FieldCodec<number> = {
    parse: (s) => (/^[0-9]+$/.test(s) ? Number(s) : undefined),
    format: (v) => String(v),
  };
  const m = new Deb822Mapping('Things', [{ name: 'Count', key: 'count', codec: int }]);
  assert.ok(m instanceof Deb822Mapping);
});

test('stores, schemas and fields come from their builders only (checked by tsc)', async () => {
  // Never called: only their types are checked.
  const make = () =>
    // @ts-expect-error — the constructor is private: tiers are not part of the API
    new Store(Pkg, undefined as never, undefined);
  const makeSchema = () =>
    // @ts-expect-error — the constructor is private: use schema()
    new Schema({ key: ['id'], hot: { id: t.u8() } });
  const makeField = () =>
    // @ts-expect-error — the constructor is private: use the t builders
    new Field('u8');
  void [make, makeSchema, makeField];
  assert.ok(Pkg instanceof Schema && t.u8() instanceof Field);
  const st = await openStore(Pkg, { cold: false });
  assert.ok(st instanceof Store);
  await st.close();
});
