/**
 * `validateInto` (the check that hands the hot values over to the writer, reading each
 * field once) decides exactly as `validate` did: the same records refused, with the same
 * code, field and message, on random schemas (hostile field names included) and on
 * valid and invalid records of them; and what it hands over is each hot field's own value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { LeanrecError } from 'leanrec';
import { arbitraryInvalidRecord, arbitraryRecord, arbitrarySchema } from 'leanrec/testing';
import type { AnySchema } from '../../src/schema/schema.ts';
import { ownValue, RecordValidator } from '../../src/schema/validate.ts';

const runs = process.env.LEANREC_LONG === '1' ? 2000 : 200;

/** What a call did: nothing thrown, or the error's code, field and message. */
function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof LeanrecError, String(err));
    return JSON.stringify([err.code, (err as { field?: string }).field, err.message]);
  }
}

function compare(S: AnySchema, rec: unknown, index: number): string {
  const v = new RecordValidator(S);
  const before = outcome(() => v.validate(rec, index));
  const width = S.hotFields.length;
  const out: unknown[] = Array.from({ length: 3 * width }, () => 'stale');
  const after = outcome(() => v.validateInto(rec, index, out, width));
  assert.equal(after, before);
  if (after === 'ok') {
    for (const f of S.hotFields)
      assert.equal(out[width + f.index], ownValue(rec as object, f.name), f.name);
    // Nothing outside the record's own slots is written.
    assert.ok(out.slice(0, width).every((x) => x === 'stale'));
    assert.ok(out.slice(2 * width).every((x) => x === 'stale'));
  }
  return after;
}

test('validateInto refuses exactly what validate refuses, with the same error', () => {
  fc.assert(
    fc.property(
      arbitrarySchema().chain((S) =>
        fc.tuple(
          fc.constant(S),
          fc.oneof(
            arbitraryRecord(S).map((r) => ({ record: r as unknown, field: undefined })),
            arbitraryInvalidRecord(S),
            fc.anything().map((a) => ({ record: a, field: undefined })),
          ),
          fc.option(fc.nat(1000), { nil: undefined }),
        ),
      ),
      ([S, { record }, index]) => {
        compare(S, record, index ?? 0);
      },
    ),
    { numRuns: runs },
  );
});

test('an invalid record is refused by validateInto naming the field arbitraryInvalidRecord names', () => {
  fc.assert(
    fc.property(
      arbitrarySchema().chain((S) => fc.tuple(fc.constant(S), arbitraryInvalidRecord(S))),
      ([S, { record, field }]) => {
        const got = compare(S, record, 7);
        assert.notEqual(got, 'ok');
        const [code, f] = JSON.parse(got) as [string, string];
        assert.equal(code, 'E_INVALID_RECORD');
        assert.equal(f, field);
      },
    ),
    { numRuns: runs },
  );
});

test('the same where code cannot be made from strings (the generic walk captures too)', {
  skip: process.execArgv.includes('--disallow-code-generation-from-strings'),
}, () => {
  const r = spawnSync(
    process.execPath,
    [
      '--disallow-code-generation-from-strings',
      '--conditions=leanrec-source',
      '--import',
      'tsx',
      '--test',
      '--test-reporter=tap',
      fileURLToPath(import.meta.url),
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 2/);
});
