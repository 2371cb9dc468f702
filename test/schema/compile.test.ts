import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type AnyField, t } from 'leanrec';
import { compileRecordCheck } from '../../src/schema/compile.ts';
import { checkFor } from '../../src/schema/validate.ts';

const runs = process.env.LEANREC_LONG ? 2000 : 300;

/** Every kind, with the parameters that change its inlined test. */
const FIELDS: [string, AnyField][] = [
  ['string', t.string()],
  ['open enum', t.enum()],
  ['closed enum', t.enum(['a', 'b', 'toString'])],
  ['flag', t.flag()],
  ['u8', t.u8()],
  ['u16', t.u16()],
  ['u32', t.u32()],
  ['i32', t.i32()],
  ['f32', t.f32()],
  ['f64', t.f64()],
  ['bytes(4)', t.bytes(4)],
  ['hex(2)', t.hex(2)],
  ['list(u8)', t.list(t.u8())],
  ['json', t.json()],
];

/** The values where the inlined tests could differ from the generic checks. */
const EDGES: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  -1,
  1.5,
  0xff,
  0x100,
  0xffff,
  0x10000,
  0xffffffff,
  2 ** 32,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 31 - 1,
  2 ** 31,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  3.5e38,
  Number.MAX_SAFE_INTEGER,
  '',
  'a',
  'b',
  'toString',
  '00ff',
  '0aF0',
  '0a0',
  'zz00',
  '\ud800',
  'x\udc00y',
  '\ud83d\ude00',
  true,
  false,
  new Uint8Array(4),
  new Uint8Array(3),
  [1, 2],
  [1, 300],
  {},
  { a: 1 },
  Object.create({ inherited: 1 }),
  1n,
  Symbol.for('s'),
  () => 1,
];

type Outcome = 'ok' | 'missing' | 'invalid';

/** What the generic path decides for one field's value. */
function expected(f: AnyField, v: unknown): Outcome {
  if (v === undefined) return f.isOptional ? 'ok' : 'missing';
  return checkFor(f)(v) ? 'ok' : 'invalid';
}

/** What the compiled check of a one-field record decides. */
function compiled(name: string, f: AnyField, obj: Record<string, unknown>): Outcome {
  const check = compileRecordCheck([
    { name, field: f, check: checkFor(f), guarded: name in Object.prototype },
  ]);
  assert.ok(check !== undefined, 'code generation is available under node --test');
  try {
    const n = check(obj, (i, invalid) => {
      assert.equal(i, 0);
      throw invalid === 1 ? 'invalid' : 'missing';
    });
    assert.equal(n, obj[name] === undefined || !Object.hasOwn(obj, name) ? 0 : 1);
    return 'ok';
  } catch (e) {
    if (e === 'invalid' || e === 'missing') return e;
    throw e;
  }
}

// The compiled record check inlines the type tests of most kinds: it must decide exactly
// as the per-kind checks do (validate.ts), for required and optional fields, on edge
// values and on anything fast-check makes.
test('compiled record checks decide as the generic checks, for every kind', () => {
  for (const [label, base] of FIELDS)
    for (const f of [base, base.optional() as AnyField]) {
      for (const v of EDGES)
        assert.equal(compiled('x', f, { x: v }), expected(f, v), `${label}: ${String(v)}`);
      fc.assert(
        fc.property(fc.anything({ withTypedArray: true, withBigInt: true }), (v) => {
          assert.equal(compiled('x', f, { x: v }), expected(f, v), label);
        }),
        { numRuns: runs },
      );
    }
});

// A field named like a property of Object.prototype is read as an own property only.
test('compiled record checks read fields named like Object.prototype members as own', () => {
  const f = t.string();
  assert.equal(compiled('toString', f, {}), 'missing');
  assert.equal(compiled('constructor', f.optional() as AnyField, {}), 'ok');
  assert.equal(compiled('toString', f, { toString: 'x' }), 'ok');
  assert.equal(compiled('valueOf', f, Object.create({ valueOf: 'x' })), 'missing');
});

// Fields are checked in order and the first bad one is reported.
test('compiled record checks report the first bad field and count the present ones', () => {
  const fields = [t.u8(), t.string().optional(), t.flag(), t.hex(1)].map((field, i) => ({
    name: `f${i}`,
    field: field as AnyField,
    check: checkFor(field as AnyField),
    guarded: false,
  }));
  const check = compileRecordCheck(fields)!;
  const fail = (i: number, invalid: 0 | 1): never => {
    throw [i, invalid];
  };
  assert.equal(check({ f0: 1, f2: true, f3: 'ab' }, fail), 3);
  assert.equal(check({ f0: 1, f1: 's', f2: false, f3: '0f' }, fail), 4);
  assert.throws(
    () => check({ f0: 256, f2: 'x' }, fail),
    (e) => String(e) === '0,1',
  );
  assert.throws(
    () => check({ f0: 1, f1: 's' }, fail),
    (e) => String(e) === '2,0',
  );
  assert.throws(
    () => check({ f0: 1, f2: true, f3: 'AB' }, fail),
    (e) => String(e) === '3,1',
  );
});
