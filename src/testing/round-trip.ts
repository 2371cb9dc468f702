/**
 * `checkRoundTrip`: the property a user runs in their own test suite to prove that
 * their schema survives leanrec unchanged — random valid records are written to an
 * on-disk store, the store is closed and reopened, and every record read back (hot
 * fields, every cold group, the whole record) must equal what was written.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Infer } from '../schema/infer.ts';
import type { AnySchema } from '../schema/schema.ts';
import { openStore } from '../store/open.ts';
import type { DatabaseFactory } from '../store/options.ts';
import { arbitraryRecord, type RecordOptions } from './values.ts';

/** Options of {@link checkRoundTrip}. */
export interface RoundTripOptions extends RecordOptions {
  /** fast-check runs (each writes, closes and reopens one store). @defaultValue 20 */
  numRuns?: number;
  /** Most records written per run. @defaultValue 40 */
  maxRecords?: number;
  /** fast-check seed, to replay a failure. */
  seed?: number;
  /** Folder for the temporary databases. @defaultValue `os.tmpdir()` */
  dir?: string;
  /**
   * Makes each database instead of the built-in classic-level, as `openStore`'s
   * `database` option (e.g. your own abstract-level database, which must persist across
   * close → reopen at the same path).
   */
  database?: DatabaseFactory;
}

/** What {@link checkRoundTrip} checked. */
export interface RoundTripReport {
  /** Runs that passed. */
  runs: number;
  /** Records written and read back over all runs. */
  records: number;
}

/**
 * Checks that records of `schema` come back unchanged after put → close → reopen →
 * get/load, on LevelDB on disk. Rejects with fast-check's report (the shrunk failing
 * records and the seed) when a record differs.
 *
 * @example
 * ```ts
 * import { test } from 'node:test'
 * import { checkRoundTrip } from 'leanrec/testing'
 * test('our schema round-trips', () => checkRoundTrip(MyPackages, { numRuns: 50 }))
 * ```
 */
export async function checkRoundTrip(
  schema: AnySchema,
  options: RoundTripOptions = {},
): Promise<RoundTripReport> {
  const report: RoundTripReport = { runs: 0, records: 0 };
  const records = fc.uniqueArray(arbitraryRecord(schema, options), {
    maxLength: options.maxRecords ?? 40,
    selector: (r) => keyOf(schema, r as object),
  });
  await fc.assert(
    fc.asyncProperty(records, async (recs) => {
      const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'leanrec-roundtrip-'));
      try {
        const at = { path: dir, ...(options.database ? { database: options.database } : {}) };
        const writer = await openStore(schema, at);
        await writer.ingest(recs);
        await writer.close();
        const reader = await openStore(schema, at);
        try {
          deepStrictEqual(reader.size, recs.length, 'records after reopen');
          for (const rec of recs) {
            const view = reader.get(rec as never);
            if (view === undefined)
              throw new Error(`record ${keyOf(schema, rec)} is missing after reopen`);
            deepStrictEqual(view.record(), plain(rec), `record ${keyOf(schema, rec)}`);
            deepStrictEqual(
              await view.loadRecord(),
              plain(rec),
              `record ${keyOf(schema, rec)} (async)`,
            );
          }
        } finally {
          await reader.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      report.runs++;
      report.records += recs.length;
    }),
    {
      numRuns: options.numRuns ?? 20,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
  );
  return report;
}

/** The record as a store gives it back: only the fields that are present. */
function plain(rec: Infer<AnySchema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(rec))
    if ((rec as Record<string, unknown>)[k] !== undefined)
      Object.defineProperty(out, k, {
        value: (rec as Record<string, unknown>)[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return out;
}

/** A record's key as text, distinguishing every value the key index does (-0, NaN, bytes). */
function keyOf(schema: AnySchema, rec: object): string {
  return schema.key
    .map((k) => {
      const v = Object.hasOwn(rec, k) ? (rec as Record<string, unknown>)[k] : undefined;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
      if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
      return String(v);
    })
    .join('\u0000');
}
