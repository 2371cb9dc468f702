/**
 * Batch planning: how one validated batch of records lands in the store. For each
 * record, whether it inserts (a new id) or replaces a stored record (its row and id), or
 * replaces an earlier record of the same batch; then, once the cold tier has stored the
 * batch, the plan applied to the hot tier and counted.
 *
 * Invariants:
 * - A plan is computed before anything is written: a batch refused here (`E_LIMIT`)
 *   changes nothing, in the cold tier or the hot one.
 * - Each record's key is encoded and hashed once; the hash serves to find an earlier
 *   record of the batch with the same key, to probe the key index and to insert.
 * - Ids are never reused: a new record takes `nextId`, and `nextId` never passes
 *   {@link MAX_ID} + 1.
 */
import { LeanrecError } from '../errors.ts';
import type { HotTier } from '../hot/tier.ts';
import type { WriteResult } from './options.ts';

/**
 * @internal The largest record id. Ids are u32s in the cold tier's keys and never reused, so a
 * store assigns 2^32 − 1 of them in its life (0 … 0xFFFFFFFE): `nextId` itself must
 * stay a u32.
 */
export const MAX_ID = 0xfffffffe;

/** @internal One planned write of a batch. */
export interface PlannedWrite {
  /** The validated record. */
  readonly rec: Record<string, unknown>;
  /** Its existing row, or -1 for a new record. */
  row: number;
  /** Its id (existing or newly assigned). */
  readonly id: number;
  /** Replaced by a later record with the same key in the same batch. */
  superseded: boolean;
  /** Replaces an earlier record with the same key in the same batch. */
  readonly replacesEarlier: boolean;
  /** In an atomic ingest, the row of the record it replaces under a new id, else -1. */
  readonly hides: number;
}

/** @internal A batch's plan, the key hashes of its records and the store's next id after it. */
export interface BatchPlan {
  readonly plan: PlannedWrite[];
  /** The records' hot values: record n's hot field i at `hot[n × width + i]`. */
  readonly hot: readonly unknown[];
  /** Hot fields per record in `hot`. */
  readonly width: number;
  /** Each record's key hash, lo and hi (`2n`, `2n + 1`), computed once. */
  readonly hashes: Float64Array;
  /** The next free id once the batch is written. */
  readonly nextId: number;
}

/**
 * @internal Plans one batch of valid records against the hot tier; writes nothing.
 * `hot` holds the records' hot values as the validator handed them over
 * (`RecordValidator.validateInto`: record n's hot field i at `hot[n × hot fields + i]`):
 * the records themselves are not read again.
 * With `stagingStart` (an atomic ingest: the first id it assigns), a record that replaces
 * one stored before the ingest gets a new id, and the old row is to be hidden
 * (`hides`) instead of overwritten, so that a rollback finds it intact.
 *
 * @throws LeanrecError `E_LIMIT` naming the first record without an id.
 */
export function planBatch(
  tier: HotTier,
  records: readonly Record<string, unknown>[],
  hot: readonly unknown[],
  stagingStart: number | undefined,
  keyText: (rec: Record<string, unknown>) => string,
): BatchPlan {
  const plan: PlannedWrite[] = [];
  const hashes = new Float64Array(2 * records.length);
  const width = tier.columns.length;
  // lo >>> 2 → the last plan index with it: a small integer key (lo itself may pass
  // 2^30, and such numbers are boxed in a Map). Candidates are checked on lo, hi, bytes.
  const seen = new Map<number, number>();
  const sameLo: number[] = []; // plan index → the earlier one with the same lo, or -1
  let nextId = tier.nextId;
  for (let n = 0; n < records.length; n++) {
    const rec = records[n]!;
    tier.encodeKeyAt(hot, n * width);
    const lo = tier.keyHash[0]!;
    const hi = tier.keyHash[1]!;
    hashes[2 * n] = lo;
    hashes[2 * n + 1] = hi;
    const last = seen.get(lo >>> 2);
    // A hash match is confirmed on the key bytes.
    let j = last ?? -1;
    while (
      j >= 0 &&
      (hashes[2 * j] !== lo || hashes[2 * j + 1] !== hi || !tier.encodedEqualsAt(hot, j * width))
    )
      j = sameLo[j]!;
    const prev = j >= 0 ? plan[j] : undefined;
    let p: PlannedWrite;
    if (prev !== undefined) {
      // A later record with the same key in one batch replaces the earlier one.
      prev.superseded = true;
      p = { rec, row: prev.row, id: prev.id, superseded: false, replacesEarlier: true, hides: -1 };
    } else {
      const row = tier.findEncoded();
      if (row >= 0 && stagingStart !== undefined && tier.ids[row]! < stagingStart)
        p = { rec, row: -1, id: nextId++, superseded: false, replacesEarlier: false, hides: row };
      else {
        const id = row >= 0 ? tier.ids[row]! : nextId++;
        p = { rec, row, id, superseded: false, replacesEarlier: false, hides: -1 };
      }
    }
    if (nextId > MAX_ID + 1) {
      const key = keyText(rec);
      throw new LeanrecError(
        'E_LIMIT',
        `record ${key}: record ids are exhausted (ids are u32s, never reused; the last is ${MAX_ID}); the batch was not written`,
        { key },
      );
    }
    sameLo.push(last ?? -1);
    seen.set(lo >>> 2, n);
    plan.push(p);
  }
  return { plan, hot, width, hashes, nextId };
}

/**
 * @internal Applies a planned batch (already stored in the cold tier) to the hot tier and
 * counts it in `result`. Counted as if the batch's records were written one after the
 * other: a key's first record inserts (or updates a stored one), each later record with
 * that key updates.
 */
export function applyPlan(tier: HotTier, batch: BatchPlan, result: WriteResult): void {
  const { plan, hashes, hot, width } = batch;
  for (let n = 0; n < plan.length; n++) {
    const p = plan[n]!;
    result.written++;
    const update = p.row >= 0 || p.replacesEarlier || p.hides >= 0;
    if (update) result.updated++;
    else result.inserted++;
    if (p.superseded) continue;
    if (p.row >= 0) tier.updateAt(p.row, hot, n * width);
    else p.row = tier.insertAt(hot, n * width, p.id, hashes[2 * n]!, hashes[2 * n + 1]!);
  }
  if (batch.nextId > tier.nextId) tier.nextId = batch.nextId;
  result.batches++;
}
