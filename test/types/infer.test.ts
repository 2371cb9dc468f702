/**
 * Type-level tests. Their checks fail CI through `tsc` (`npm run typecheck`, which
 * `.ci/run` runs before the tests; tsconfig.json includes test/): a wrong inferred type
 * makes `expectTypeOf(…).toEqualTypeOf<…>()` a compile error, and a `// @ts-expect-error`
 * line that compiles is an unused directive, also an error. The runner checks what it
 * can see: that this file is in tsc's scope, that a wrong type and an unused directive
 * do fail tsc (a probe under `.tmp/`), and that the values the store returns have the
 * shapes the types promise.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectTypeOf } from 'expect-type';
import type fc from 'fast-check';
import {
  type Infer,
  type InferCold,
  type InferField,
  type InferHot,
  type InferKey,
  type Json,
  openStore,
  schema,
  t,
} from 'leanrec';
import { arbitraryRecord, arbitraryValue } from 'leanrec/testing';
import { root, runNode } from '../helpers/cli.ts';
import { removeTempDir, repoTempDir } from '../helpers/temp.ts';

const Pkg = schema({
  key: ['name', 'version'],
  hot: {
    name: t.string(),
    version: t.string(),
    arch: t.enum(['amd64', 'all']),
    section: t.enum(),
    priority: t.enum(['required', 'optional']).optional(),
    size: t.u32(),
    installed: t.u32().optional().indexed(),
    essential: t.flag(),
    sum: t.hex(32),
    raw: t.bytes(4).optional(),
    tags: t.list(t.enum(['x', 'y'])),
    ratio: t.f64(),
  },
  cold: {
    text: { description: t.string(), homepage: t.string().optional() },
    deps: { depends: t.list(t.string()).optional(), extra: t.json() },
  },
});

const Flat = schema({
  key: ['id'],
  hot: { id: t.u32() },
  cold: { note: t.string().optional(), meta: t.json<{ a: number }>() },
});

const HotOnly = schema({ key: ['id'], hot: { id: t.i32(), ok: t.flag() } });

test('type-level tests compile (checked by tsc)', () => {
  // ── field inference ─────────────────────────────────────────────────────
  expectTypeOf<InferField<ReturnType<typeof t.string>>>().toEqualTypeOf<string>();
  const closed = t.enum(['a', 'b', 'c']);
  expectTypeOf<InferField<typeof closed>>().toEqualTypeOf<'a' | 'b' | 'c'>();
  const open = t.enum();
  expectTypeOf<InferField<typeof open>>().toEqualTypeOf<string>();
  expectTypeOf<InferField<ReturnType<typeof t.flag>>>().toEqualTypeOf<boolean>();
  expectTypeOf<InferField<ReturnType<typeof t.bytes>>>().toEqualTypeOf<Uint8Array>();
  const list = t.list(t.u8());
  expectTypeOf<InferField<typeof list>>().toEqualTypeOf<number[]>();
  const js = t.json();
  expectTypeOf<InferField<typeof js>>().toEqualTypeOf<Json>();
  // optional() keeps the value type; the optionality is tracked separately.
  const opt = t.u8().optional();
  expectTypeOf<InferField<typeof opt>>().toEqualTypeOf<number>();

  // ── hot part ────────────────────────────────────────────────────────────
  type Hot = InferHot<typeof Pkg>;
  expectTypeOf<Hot>().toEqualTypeOf<{
    name: string;
    version: string;
    arch: 'amd64' | 'all';
    section: string;
    priority?: 'required' | 'optional';
    size: number;
    installed?: number;
    essential: boolean;
    sum: string;
    raw?: Uint8Array;
    tags: ('x' | 'y')[];
    ratio: number;
  }>();
  expectTypeOf<Hot['arch']>().toEqualTypeOf<'amd64' | 'all'>();
  // exactOptionalPropertyTypes: an optional field may be absent, never `undefined`.
  const absent: Pick<Hot, 'priority'> = {};
  void absent;
  // @ts-expect-error — `undefined` is not a value of an optional field
  const withUndefined: Pick<Hot, 'priority'> = { priority: undefined };
  void withUndefined;
  expectTypeOf<{ name: 'n' }>().not.toMatchTypeOf<Hot>();

  // ── cold part ───────────────────────────────────────────────────────────
  expectTypeOf<InferCold<typeof Pkg, 'text'>>().toEqualTypeOf<{
    description: string;
    homepage?: string;
  }>();
  expectTypeOf<InferCold<typeof Pkg, 'deps'>>().toEqualTypeOf<{
    depends?: string[];
    extra: Json;
  }>();
  expectTypeOf<InferCold<typeof Pkg>>().toEqualTypeOf<{
    description: string;
    homepage?: string;
    depends?: string[];
    extra: Json;
  }>();
  // A plain cold field map is the group "cold".
  expectTypeOf<InferCold<typeof Flat, 'cold'>>().toEqualTypeOf<{
    note?: string;
    meta: { a: number };
  }>();
  expectTypeOf<InferCold<typeof HotOnly>>().toEqualTypeOf<{}>();

  // ── whole record, key ───────────────────────────────────────────────────
  type Rec = Infer<typeof Pkg>;
  expectTypeOf<Rec>().toMatchTypeOf<Hot>();
  expectTypeOf<Rec['description']>().toEqualTypeOf<string>();
  expectTypeOf<Rec>().toHaveProperty('depends');
  expectTypeOf<Pick<Rec, 'depends'>>().toEqualTypeOf<{ depends?: string[] }>();
  expectTypeOf<Infer<typeof Flat>>().toEqualTypeOf<{
    id: number;
    note?: string;
    meta: { a: number };
  }>();
  expectTypeOf<Infer<typeof HotOnly>>().toEqualTypeOf<{ id: number; ok: boolean }>();
  expectTypeOf<InferKey<typeof Pkg>>().toEqualTypeOf<{ name: string; version: string }>();

  // A required field cannot be left out.
  // @ts-expect-error — `ok` is required
  const missing: Infer<typeof HotOnly> = { id: 1 };
  void missing;
  // A closed enum refuses other literals.
  // @ts-expect-error — 'arm64' is not in the enum
  const wrongArch: Hot['arch'] = 'arm64';
  void wrongArch;

  // Never called: only its type is checked.
  const badKey = () =>
    // @ts-expect-error — a key must name hot fields
    schema({ key: ['nope'], hot: { id: t.u8() } });
  void badKey;
});

test('store and testing APIs are typed by the schema (checked by tsc)', async () => {
  const store = await openStore(HotOnly, { cold: false });
  const v = store.get({ id: 1 });
  expectTypeOf(v?.ok).toEqualTypeOf<boolean | undefined>();
  if (v) expectTypeOf(v.toObject()).toEqualTypeOf<{ id: number; ok: boolean }>();
  expectTypeOf(store.put).parameter(0).toEqualTypeOf<{ id: number; ok: boolean }>();
  // @ts-expect-error — the key is { id }
  expectTypeOf(store.get).toBeCallableWith({ ok: true });
  expectTypeOf(store.count).toBeCallableWith({ id: { gt: 3 }, ok: true });
  expectTypeOf(arbitraryRecord(HotOnly)).toEqualTypeOf<fc.Arbitrary<{ id: number; ok: boolean }>>();
  expectTypeOf(arbitraryValue(t.enum(['p', 'q']))).toEqualTypeOf<fc.Arbitrary<'p' | 'q'>>();
  // At runtime, the values have the types' shapes.
  await store.put({ id: -7, ok: true });
  const got = store.get({ id: -7 });
  assert.deepEqual(got?.toObject(), { id: -7, ok: true });
  assert.equal(typeof got?.ok, 'boolean');
  assert.equal(store.get({ id: 8 }), undefined);
  await store.close();
});

test('this file is type-checked, and a wrong type or an unused @ts-expect-error fails tsc', async () => {
  // tsconfig.json is JSON with line comments.
  const config = JSON.parse(
    readFileSync(join(root, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
  ) as { include: string[]; exclude?: string[] };
  assert.ok(config.include.includes('test'), 'tsconfig.json includes test/');
  assert.ok(!(config.exclude ?? []).some((e) => 'test/types'.startsWith(e)), 'test/types excluded');
  assert.match(readFileSync(join(root, '.ci/run'), 'utf8'), /npm run --silent typecheck/);
  // A probe with one wrong expectation and one unused directive: tsc must report both.
  const dir = repoTempDir('type-probe');
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../tsconfig.json', include: ['probe.ts'], exclude: [] }),
    );
    writeFileSync(
      join(dir, 'probe.ts'),
      [
        "import { expectTypeOf } from 'expect-type';",
        "import { type InferHot, schema, t } from 'leanrec';",
        "const S = schema({ key: ['id'], hot: { id: t.u32() } });",
        'expectTypeOf<InferHot<typeof S>>().toEqualTypeOf<{ id: string }>();',
        '// @ts-expect-error — this line compiles',
        'export const fine: number = 1;',
        '',
      ].join('\n'),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = await runNode([tsc, '-p', dir, '--noEmit']);
    assert.notEqual(r.code, 0, 'tsc accepted the probe');
    assert.match(r.stdout, /probe\.ts\(4,\d+\): error TS2344/, r.stdout);
    assert.match(r.stdout, /probe\.ts\(5,\d+\): error TS2578: Unused '@ts-expect-error'/, r.stdout);
  } finally {
    removeTempDir(dir);
  }
});
