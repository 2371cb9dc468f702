/**
 * The shape check of a decoded cold group (src/cold/shape.ts `fromStored`): a value that
 * does not fit the schema is `E_CORRUPT` naming the field — an undeclared name, a
 * missing required field, a value of the wrong type — and a fitting one comes back with
 * its values converted (json keys unescaped); property: any record's stored form reads
 * back as the record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { schema, t } from 'leanrec';
import { Shape } from '../../src/cold/shape.ts';

const S = schema({
  key: ['id'],
  hot: { id: t.u32() },
  cold: {
    g: {
      name: t.string(),
      note: t.string().optional(),
      n: t.u32().optional(),
      data: t.json().optional(),
      tags: t.list(t.string()).optional(),
    },
  },
});
const shape = new Shape(S.groups[0]!.fields);
const what = () => 'record 7, cold group "g"';

function corrupt(field: string) {
  return (e: { code?: string; message?: string; field?: string }) =>
    e.code === 'E_CORRUPT' &&
    (e.message ?? '').includes('record 7') &&
    (e.message ?? '').includes(field);
}

test('an undeclared name, a missing required field, a wrong type: E_CORRUPT naming the field', () => {
  assert.throws(() => shape.fromStored({ name: 'a', extra: 1 }, what), corrupt('extra'));
  assert.throws(() => shape.fromStored({ note: 'x' }, what), corrupt('name'));
  assert.throws(() => shape.fromStored({}, what), corrupt('name'));
  assert.throws(() => shape.fromStored({ name: 'a', n: 'five' }, what), corrupt('n'));
  assert.throws(() => shape.fromStored({ name: 1 }, what), corrupt('name'));
  assert.throws(() => shape.fromStored({ name: 'a', tags: [1] }, what), corrupt('tags'));
  assert.throws(() => shape.fromStored([] as never, what), corrupt('not a record'));
  // An inherited name is not an own field: still missing.
  assert.throws(() => shape.fromStored(Object.create({ name: 'a' }), what), corrupt('record'));
});

test('property: a record stored by toStored reads back as the record', () => {
  const rec = fc.record(
    {
      name: fc.string(),
      note: fc.string(),
      n: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      data: fc.jsonValue(),
      tags: fc.array(fc.string()),
    },
    { requiredKeys: ['name'], noNullPrototype: true },
  );
  fc.assert(
    fc.property(rec, (r) => {
      const stored = shape.toStored(r);
      const back = shape.fromStored(structuredClone(stored), what);
      assert.deepStrictEqual(back, r);
    }),
    { numRuns: 200 },
  );
});
