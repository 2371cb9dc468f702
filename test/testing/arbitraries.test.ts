/**
 * The size knobs of the arbitraries: `distinctValues` (open enums that cross their code
 * width), `numberEdges` (numbers at the edges of their type) and `maxEnumValues`
 * (closed enums past 256 values). Every generated value stays valid, and the defaults
 * are unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LeanrecError, openStore, schema, t } from 'leanrec';
import { arbitraryRecord, arbitrarySchema, arbitraryValue, checkRoundTrip } from 'leanrec/testing';
import { RecordValidator } from '../../src/schema/validate.ts';

test('distinctValues: open enums draw from n values, enough to cross 256', async () => {
  const S = schema({ key: ['id'], hot: { id: t.u32(), tag: t.enum(), tags: t.list(t.enum()) } });
  const recs = fc.sample(arbitraryRecord(S, { distinctValues: 400, maxListLength: 3 }), {
    numRuns: 3000,
    seed: 5,
  });
  const seen = new Set(recs.map((r) => r.tag));
  assert.ok(seen.size > 256 && seen.size <= 400, `${seen.size} distinct values`);
  for (const r of recs) for (const v of [r.tag, ...r.tags]) assert.match(v, /^(v|é|𝒳 )\d+$/);
  // Written with distinct ids, they cross the 1-byte code width and read back as written.
  const st = await openStore(S, { cold: false });
  const withIds = recs.map((r, id) => ({ ...r, id }));
  await st.putMany(withIds);
  for (const r of withIds) {
    assert.equal(st.get({ id: r.id })?.tag, r.tag);
    assert.deepEqual(st.get({ id: r.id })?.tags, r.tags);
  }
  await st.close();
  assert.throws(
    () => arbitraryValue(t.enum(), { distinctValues: 0 }),
    (e: unknown) => e instanceof LeanrecError && e.code === 'E_ARGUMENT',
  );
});

test('numberEdges: mostly the edges of each type, every value valid', () => {
  const kinds = ['u8', 'u16', 'u32', 'i32', 'f32', 'f64'] as const;
  const edges: Record<(typeof kinds)[number], number[]> = {
    u8: [0, 255],
    u16: [0, 65535],
    u32: [0, 4294967295],
    i32: [-2147483648, 2147483647],
    f32: [3.4028234663852886e38, 2 ** -149],
    f64: [Number.MAX_VALUE, Number.MIN_VALUE],
  };
  for (const kind of kinds) {
    const S = schema({ key: ['x'], hot: { x: t[kind]() } });
    const v = new RecordValidator(S);
    const xs = fc.sample(arbitraryValue(t[kind](), { numberEdges: true }), {
      numRuns: 400,
      seed: 9,
    });
    for (const x of xs) v.validate({ x });
    for (const e of edges[kind]) assert.ok(xs.includes(e), `${kind}: ${e} drawn`);
    const atEdges = xs.filter((x) => edges[kind].includes(x)).length;
    const plain = fc.sample(arbitraryValue(t[kind]()), { numRuns: 400, seed: 9 });
    assert.ok(
      atEdges > plain.filter((x) => edges[kind].includes(x)).length,
      `${kind}: more edge values than without the option`,
    );
  }
});

test('maxEnumValues: closed enums of 256, 257 and up to the maximum values', () => {
  const schemas = fc.sample(arbitrarySchema({ maxEnumValues: 300, maxColdGroups: 0 }), {
    numRuns: 200,
    seed: 3,
  });
  const sizes = schemas.flatMap((s) =>
    s.hotFields
      .map((f) => (f.field.kind === 'list' ? f.field.inner! : f.field))
      .filter((f) => f.kind === 'enum' && f.values !== undefined)
      .map((f) => f.values!.length),
  );
  assert.ok(sizes.every((n) => n >= 1 && n <= 300));
  assert.ok(sizes.includes(257) && sizes.includes(256) && sizes.includes(300), `${sizes}`);
  // The default draws 1–6 values, as before.
  const small = fc.sample(arbitrarySchema({ maxColdGroups: 0 }), { numRuns: 100, seed: 3 });
  for (const s of small)
    for (const f of s.hotFields)
      if (f.field.kind === 'enum' && f.field.values) assert.ok(f.field.values.length <= 6);
  assert.throws(
    () => arbitrarySchema({ maxEnumValues: 65537 }),
    (e: unknown) => e instanceof LeanrecError && e.code === 'E_ARGUMENT',
  );
});

test('checkRoundTrip with the knobs: wide schemas and edge values survive close → reopen', async () => {
  const schemas = fc.sample(arbitrarySchema({ maxEnumValues: 300, maxColdGroups: 1 }), {
    numRuns: 3,
    seed: 21,
  });
  for (const s of schemas) {
    const report = await checkRoundTrip(s, {
      numRuns: 2,
      maxRecords: 30,
      seed: 4,
      distinctValues: 300,
      numberEdges: true,
    });
    assert.equal(report.runs, 2);
  }
});
