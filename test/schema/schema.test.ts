import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_ENUM_VALUES, openStore, schema, t } from 'leanrec';
import { arbitraryInvalidRecord, arbitraryRecord, arbitrarySchema } from 'leanrec/testing';
import { fingerprintOf } from '../../src/schema/fingerprint.ts';
import { RecordValidator } from '../../src/schema/validate.ts';
import { rejectsCode, throwsCode } from '../helpers/errors.ts';

const LONG = process.env.LEANREC_LONG === '1';

/** Builds a schema from an untyped definition (bad definitions do not type-check). */
const build = (def: unknown) => schema(def as never);

describe('schema(): E_SCHEMA', () => {
  const cases: [string, () => unknown, string | undefined][] = [
    [
      'key field not hot',
      () => build({ key: ['d'], hot: { a: t.string() }, cold: { d: t.string() } }),
      'd',
    ],
    ['key field not declared', () => build({ key: ['zz'], hot: { a: t.string() } }), 'zz'],
    ['key field optional', () => build({ key: ['a'], hot: { a: t.string().optional() } }), 'a'],
    ['key field a list', () => build({ key: ['a'], hot: { a: t.list(t.string()) } }), 'a'],
    ['key field named twice', () => build({ key: ['a', 'a'], hot: { a: t.string() } }), 'a'],
    ['empty key', () => build({ key: [], hot: { a: t.string() } }), undefined],
    ['key not an array', () => build({ key: 'a', hot: { a: t.string() } }), undefined],
    [
      'duplicate name across hot and cold',
      () => build({ key: ['a'], hot: { a: t.string(), b: t.u8() }, cold: { b: t.string() } }),
      'b',
    ],
    [
      'duplicate name across cold groups',
      () =>
        build({
          key: ['a'],
          hot: { a: t.string() },
          cold: { g1: { c: t.string() }, g2: { c: t.u8() } },
        }),
      'c',
    ],
    ['json hot field', () => build({ key: ['a'], hot: { a: t.string(), j: t.json() } }), 'j'],
    ['empty cold group', () => build({ key: ['a'], hot: { a: t.string() }, cold: { g: {} } }), 'g'],
    [
      'cold mixes fields and groups',
      () =>
        build({ key: ['a'], hot: { a: t.string() }, cold: { c: t.string(), g: { d: t.u8() } } }),
      undefined,
    ],
    [
      'indexed cold field',
      () => build({ key: ['a'], hot: { a: t.string() }, cold: { c: t.u8().indexed() } }),
      'c',
    ],
    ['hot not an object', () => build({ key: ['a'], hot: null }), undefined],
    ['definition not an object', () => build(42), undefined],
    ['field not a field type', () => build({ key: ['a'], hot: { a: 'string' } }), 'a'],
    [
      'empty field name',
      () => build({ key: ['a'], hot: { a: t.string(), '': t.u8() } }),
      undefined,
    ],
    [
      'field name with a lone surrogate',
      () => build({ key: ['a'], hot: { a: t.string(), '\ud800x': t.u8() } }),
      undefined,
    ],
    [
      'enum with more than 65536 values',
      () => t.enum(Array.from({ length: MAX_ENUM_VALUES + 1 }, (_, i) => `v${i}`)),
      undefined,
    ],
    ['enum with duplicate values', () => t.enum(['a', 'b', 'a']), undefined],
    ['enum with a non-string value', () => t.enum(['a', 1] as never), undefined],
    ['enum with a lone surrogate', () => t.enum(['\udc00']), undefined],
    ['list of lists', () => t.list(t.list(t.string()) as never), undefined],
    ['list of json', () => t.list(t.json() as never), undefined],
    ['list of optional', () => t.list(t.string().optional() as never), undefined],
    ['list of a non-field', () => t.list('string' as never), undefined],
  ];
  for (const name of ['toObject', 'cold', 'load', 'record', 'loadRecord'])
    cases.push([
      `reserved view name "${name}" on a hot field`,
      () => build({ key: ['a'], hot: { a: t.string(), [name]: t.u8() } }),
      name,
    ]);
  for (const n of [0, -1, 1.5, 65536, Number.NaN, Number.POSITIVE_INFINITY])
    for (const kind of ['bytes', 'hex'] as const)
      cases.push([`t.${kind}(${n})`, () => t[kind](n), undefined]);

  for (const [name, fn, field] of cases)
    test(name, () => {
      const err = throwsCode(fn, 'E_SCHEMA');
      if (field !== undefined) assert.ok(err.message.includes(field), err.message);
    });

  test('an enum of exactly 65536 values is accepted', () => {
    const f = t.enum(Array.from({ length: MAX_ENUM_VALUES }, (_, i) => `v${i}`));
    assert.equal(f.values?.length, MAX_ENUM_VALUES);
  });

  test('reserved view names are fine on cold fields; width bounds 1 and 65535 accepted', () => {
    const s = schema({
      key: ['a'],
      hot: { a: t.string(), b: t.bytes(1), h: t.hex(65535) },
      cold: { toObject: t.string(), record: t.u8() },
    });
    assert.equal(s.groups.length, 1);
  });

  test('arbitrarySchema() only yields valid schemas with unique names', () => {
    fc.assert(
      fc.property(arbitrarySchema(), (s) => {
        const names = [...s.hotFields, ...s.groups.flatMap((g) => g.fields)].map((f) => f.name);
        assert.equal(new Set(names).size, names.length);
        assert.ok(s.key.length >= 1 && s.key.length <= 4);
      }),
      { numRuns: LONG ? 2000 : 200 },
    );
  });
});

describe('fingerprint', () => {
  const def = () => ({
    key: ['name', 'version'] as const,
    hot: {
      name: t.string(),
      version: t.string(),
      arch: t.enum(['amd64', 'all']),
      size: t.u32().optional(),
      sum: t.hex(4),
    },
    cold: {
      text: { description: t.string().optional() },
      deps: { depends: t.list(t.string()) },
    },
  });

  test('the same schema twice gives the same fingerprint', () => {
    assert.equal(schema(def()).fingerprint, schema(def()).fingerprint);
    assert.match(schema(def()).fingerprint, /^[0-9a-f]{16}$/);
  });

  const changes: [string, (d: ReturnType<typeof def>) => unknown][] = [
    ['key order', (d) => ({ ...d, key: ['version', 'name'] })],
    ['key subset', (d) => ({ ...d, key: ['name'] })],
    ['field kind', (d) => ({ ...d, hot: { ...d.hot, size: t.u16().optional() } })],
    ['optional → required', (d) => ({ ...d, hot: { ...d.hot, size: t.u32() } })],
    ['indexed', (d) => ({ ...d, hot: { ...d.hot, size: t.u32().optional().indexed() } })],
    ['enum values', (d) => ({ ...d, hot: { ...d.hot, arch: t.enum(['amd64', 'all', 'arm64']) } })],
    ['enum value order', (d) => ({ ...d, hot: { ...d.hot, arch: t.enum(['all', 'amd64']) } })],
    ['closed → open enum', (d) => ({ ...d, hot: { ...d.hot, arch: t.enum() } })],
    ['hex width', (d) => ({ ...d, hot: { ...d.hot, sum: t.hex(5) } })],
    ['hex → bytes', (d) => ({ ...d, hot: { ...d.hot, sum: t.bytes(4) } })],
    [
      'field renamed',
      (d) => {
        const { size, ...rest } = d.hot;
        return { ...d, hot: { ...rest, size2: size } };
      },
    ],
    [
      'hot field order',
      (d) => {
        const { arch, ...rest } = d.hot;
        return { ...d, hot: { ...rest, arch } };
      },
    ],
    ['field added', (d) => ({ ...d, hot: { ...d.hot, extra: t.flag().optional() } })],
    [
      'field moved hot → cold',
      (d) => {
        const { size, ...rest } = d.hot;
        return { ...d, hot: rest, cold: { ...d.cold, text: { ...d.cold.text, size } } };
      },
    ],
    ['group renamed', (d) => ({ ...d, cold: { text2: d.cold.text, deps: d.cold.deps } })],
    ['group order', (d) => ({ ...d, cold: { deps: d.cold.deps, text: d.cold.text } })],
    ['list item kind', (d) => ({ ...d, cold: { ...d.cold, deps: { depends: t.list(t.enum()) } } })],
    ['cold group removed', (d) => ({ ...d, cold: { text: d.cold.text } })],
  ];
  for (const [name, change] of changes)
    test(`changes with: ${name}`, () => {
      const base = schema(def());
      const other = build(change(def()));
      assert.notEqual(other.fingerprint, base.fingerprint);
    });

  test("a descriptor's fingerprint does not depend on the order of its fields' properties", () => {
    fc.assert(
      fc.property(arbitrarySchema(), (s) => {
        const copy = JSON.parse(JSON.stringify(s.descriptor), (_k, v) =>
          v !== null && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        );
        assert.equal(fingerprintOf(copy), s.fingerprint);
      }),
      { numRuns: LONG ? 1000 : 100 },
    );
  });

  test('fingerprints are equal exactly when descriptors are equal', () => {
    fc.assert(
      fc.property(arbitrarySchema(), arbitrarySchema(), (a, b) => {
        const same = JSON.stringify(a.descriptor) === JSON.stringify(b.descriptor);
        assert.equal(a.fingerprint === b.fingerprint, same);
        assert.equal(a.fingerprint, build(rebuildDef(a)).fingerprint);
      }),
      { numRuns: LONG ? 2000 : 150 },
    );
  });
});

/** A fresh definition equal to the one `s` was built from (via the resolved field infos). */
function rebuildDef(s: ReturnType<typeof build>): unknown {
  const obj = (entries: [string, unknown][]) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true });
    return o;
  };
  return {
    key: [...s.key],
    hot: obj(s.hotFields.map((f) => [f.name, f.field])),
    cold: obj(s.groups.map((g) => [g.name, obj(g.fields.map((f) => [f.name, f.field]))])),
  };
}

describe('validation', () => {
  const S = schema({
    key: ['id'],
    hot: {
      id: t.string(),
      s: t.string().optional(),
      e: t.enum(['alpha', 'beta']).optional(),
      oe: t.enum().optional(),
      fl: t.flag().optional(),
      a8: t.u8().optional(),
      a16: t.u16().optional(),
      a32: t.u32().optional(),
      i: t.i32().optional(),
      f4: t.f32().optional(),
      f8: t.f64().optional(),
      by: t.bytes(3).optional(),
      hx: t.hex(2).optional(),
      ls: t.list(t.u8()).optional(),
    },
    cold: { js: t.json().optional(), cs: t.string().optional() },
  });
  const v = new RecordValidator(S);
  const base = { id: 'pkg-key-1' };

  const bad: [field: string, value: unknown, expected: string][] = [
    ['s', 5, 'string'],
    ['s', 'a\ud800b', 'string'],
    ['e', 'gamma', 'enum(alpha|beta)'],
    ['e', 1, 'enum(alpha|beta)'],
    ['oe', '\udfff', 'enum'],
    ['oe', null, 'enum'],
    ['fl', 1, 'flag'],
    ['a8', 256, 'u8'],
    ['a8', -1, 'u8'],
    ['a8', 1.5, 'u8'],
    ['a16', 65536, 'u16'],
    ['a32', 4294967296, 'u32'],
    ['a32', -1, 'u32'],
    ['a32', '1', 'u32'],
    ['i', 2147483648, 'i32'],
    ['i', -2147483649, 'i32'],
    ['i', Number.NaN, 'i32'],
    ['f4', '1.0', 'f32'],
    ['f8', 1n, 'f64'],
    ['by', new Uint8Array(2), 'bytes(3)'],
    ['by', [1, 2, 3], 'bytes(3)'],
    ['hx', 'ABCD', 'hex(2)'],
    ['hx', 'abc', 'hex(2)'],
    ['hx', 'abcdef', 'hex(2)'],
    ['hx', 'zzzz', 'hex(2)'],
    ['ls', [1, 256], 'list<u8>'],
    ['ls', 'a', 'list<u8>'],
    ['js', { a: [1, '\ud800'] }, 'json'],
    ['js', { ['\ud800']: 1 }, 'json'],
    ['js', new Date(0), 'json'],
    ['js', () => 1, 'json'],
    ['js', 1n, 'json'],
    ['cs', 'x\udc00', 'string'],
  ];
  for (const [field, value, expected] of bad)
    test(`E_INVALID_RECORD: ${field} = ${show(value)}`, async () => {
      const err = throwsCode(() => v.validate({ ...base, [field]: value }), 'E_INVALID_RECORD');
      assert.equal(err.field, field);
      assert.ok(err.message.includes(`"${field}"`), err.message);
      assert.ok(err.message.includes(expected), err.message);
      assert.ok(err.message.includes('pkg-key-1'), err.message);
      // Through a store, the same error, with the record's position.
      const store = await openStore(S, { cold: false });
      const e2 = await rejectsCode(
        store.putMany([base, { ...base, id: 'other', [field]: value }]),
        'E_INVALID_RECORD',
      );
      assert.equal(e2.field, field);
      assert.equal(e2.index, 1);
      assert.ok(e2.message.includes('other'), e2.message);
      assert.equal(store.size, 0);
      await store.close();
    });

  test('missing required key field names the field', () => {
    const err = throwsCode(() => v.validate({ s: 'x' }), 'E_INVALID_RECORD');
    assert.equal(err.field, 'id');
    assert.ok(err.message.includes('id'));
  });

  test('unknown fields are rejected, named', () => {
    for (const extra of ['zzz', 'toString', 'constructor', '__proto__']) {
      const rec = { ...base };
      Object.defineProperty(rec, extra, { value: 1, enumerable: true });
      const err = throwsCode(() => v.validate(rec), 'E_INVALID_RECORD');
      assert.equal(err.field, extra);
      assert.ok(err.message.includes(extra), err.message);
      assert.ok(err.message.includes('pkg-key-1'), err.message);
    }
  });

  test('undefined-valued optional fields count as absent', () => {
    v.validate({ ...base, s: undefined, a8: undefined });
  });

  test('own keys are counted exactly: undefined extras pass, an extra beside an undefined field fails', () => {
    v.validate({ ...base, zzz: undefined });
    // As many own keys as fields present, yet one of them is not in the schema.
    const err = throwsCode(() => v.validate({ ...base, s: undefined, zzz: 1 }), 'E_INVALID_RECORD');
    assert.equal(err.field, 'zzz');
    // A record in dictionary mode (many keys added one by one, one deleted), as a parser makes them.
    const dict: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(base)) dict[k] = val;
    for (let i = 0; i < 40; i++) dict[`tmp${i}`] = i;
    for (let i = 0; i < 40; i++) delete dict[`tmp${i}`];
    v.validate(dict);
    dict['yyy'] = 'x';
    assert.equal(throwsCode(() => v.validate(dict), 'E_INVALID_RECORD').field, 'yyy');
  });

  test('not an object', () => {
    for (const r of [null, 1, 'x', [base]]) throwsCode(() => v.validate(r), 'E_INVALID_RECORD');
  });

  test('extreme valid values pass', () => {
    v.validate({
      id: '',
      s: '𝒳\u{10ffff}',
      e: 'beta',
      oe: '',
      fl: false,
      a8: 255,
      a16: 65535,
      a32: 4294967295,
      i: -2147483648,
      f4: Number.NaN,
      f8: -0,
      by: new Uint8Array([0, 255, 1]),
      hx: 'ff00',
      ls: [],
      js: { __proto__: null, a: [null, true, -1.5, 'ü'] } as never,
      cs: '',
    });
  });

  test('arbitraryRecord() records validate, arbitraryInvalidRecord() ones fail on their field', () => {
    const gen = arbitrarySchema().chain((s) =>
      fc.tuple(fc.constant(s), arbitraryRecord(s), arbitraryInvalidRecord(s)),
    );
    fc.assert(
      fc.property(gen, ([s, good, { record, field, reason }]) => {
        const val = new RecordValidator(s);
        val.validate(good);
        const err = throwsCode(() => val.validate(record), 'E_INVALID_RECORD');
        assert.equal(err.field, field, `${reason}: ${err.message}`);
        assert.ok(err.message.includes(field), err.message);
      }),
      { numRuns: LONG ? 3000 : 300 },
    );
  });
});

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'a function';
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (v instanceof Date) return 'a Date';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
