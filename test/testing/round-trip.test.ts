import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { schema, t } from 'leanrec';
import { arbitrarySchema, checkRoundTrip } from 'leanrec/testing';

test('checkRoundTrip passes on random schemas (hostile names, every kind)', async () => {
  const schemas = fc.sample(arbitrarySchema(), {
    numRuns: process.env.LEANREC_LONG ? 20 : 5,
    seed: 7,
  });
  for (const s of schemas) {
    const report = await checkRoundTrip(s, { numRuns: 4, maxRecords: 15, seed: 11 });
    assert.equal(report.runs, 4);
  }
});

test('checkRoundTrip writes and reads back every record it generates', async () => {
  const S = schema({
    key: ['id'],
    hot: { id: t.u32(), name: t.string() },
    cold: { body: t.json().optional() },
  });
  const report = await checkRoundTrip(S, { numRuns: 5, maxRecords: 20, seed: 3 });
  assert.equal(report.runs, 5);
  assert.ok(report.records > 0);
});
