/**
 * The source of the model-based tests' atomic-ingest command (test/conformance/model.ts):
 * the records, with an optional failure part-way (the source throws, or yields a record the schema refuses), and the
 * arbitrary that draws such failures, as many ingests that succeed as that fail.
 */
import fc from 'fast-check';
import { LeanrecError } from 'leanrec';

/** Where the source fails (`at` is taken modulo the records + 1) and how. */
export interface SourceFailure {
  at: number;
  kind: 'throw' | 'invalid';
}

/** A failure half of the time, `undefined` otherwise. */
export const sourceFailureArb: fc.Arbitrary<SourceFailure | undefined> = fc.option(
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('throw', 'invalid') as fc.Arbitrary<'throw' | 'invalid'>,
  }),
  { nil: undefined, freq: 2 },
);

/**
 * `recs` as an async source that fails as `failure` says, yielding `invalid` for an
 * invalid record. `fail` is the failure with `at` within the records; `isFailure` tells
 * the error the ingest must reject with.
 */
export function failingSource<R>(
  recs: readonly R[],
  failure: SourceFailure | undefined,
  invalid: unknown,
): {
  source: () => AsyncGenerator<unknown, void, undefined>;
  fail: SourceFailure | undefined;
  isFailure: (err: unknown) => boolean;
} {
  const fail =
    failure === undefined ? undefined : { ...failure, at: failure.at % (recs.length + 1) };
  const boom = new Error('the source failed');
  async function* source(): AsyncGenerator<unknown, void, undefined> {
    for (let i = 0; i <= recs.length; i++) {
      if (i === fail?.at) {
        if (fail.kind === 'throw') throw boom;
        yield invalid;
      }
      if (i < recs.length) yield recs[i]!;
    }
  }
  const isFailure = (err: unknown): boolean =>
    fail?.kind === 'throw'
      ? err === boom
      : err instanceof LeanrecError && err.code === 'E_INVALID_RECORD';
  return { source, fail, isFailure };
}
