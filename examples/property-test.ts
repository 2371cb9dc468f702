/**
 * Property-testing your own schema with `leanrec/testing`: a small npm-like package
 * index, checked to come back unchanged from a store on disk after close and reopen.
 * In a test suite: `test('round trip', () => checkRoundTrip(NpmPackages))`.
 */

import fc from 'fast-check';
import { openStore, schema, t } from 'leanrec';
import { arbitraryInvalidRecord, checkRoundTrip } from 'leanrec/testing';

const NpmPackages = schema({
  key: ['name', 'version'],
  hot: {
    name: t.string(),
    version: t.string(),
    license: t.enum().optional(),
    deprecated: t.flag(),
    unpackedSize: t.u32().optional(),
    integrity: t.hex(32).optional(),
  },
  cold: {
    meta: { description: t.string().optional(), keywords: t.list(t.string()) },
    deps: { dependencies: t.json<Record<string, string>>().optional() },
  },
});

const { runs, records } = await checkRoundTrip(NpmPackages, { numRuns: 10, maxRecords: 30 });
console.log(
  `round trip held for ${records} packages over ${runs} runs (write, close, reopen, read)`,
);

// And every record with one wrong field is refused, naming that field.
const store = await openStore(NpmPackages);
await fc.assert(
  fc.asyncProperty(arbitraryInvalidRecord(NpmPackages), async ({ record, field }) => {
    const err = await store.put(record as never).then(
      () => undefined,
      (e: unknown) => e as { code?: string; field?: string },
    );
    if (err?.code !== 'E_INVALID_RECORD' || err.field !== field)
      throw new Error(`expected E_INVALID_RECORD on ${field}, got ${err?.code} on ${err?.field}`);
  }),
  { numRuns: 50 },
);
console.log('50 packages with one wrong field each were refused, naming the field');
await store.close();
