/**
 * An atomic ingest (`ingest(source, { atomic: true })`): all of its records or none.
 *
 * The source is still read and written one batch at a time (one LevelDB batch each, at
 * most two batches of records in memory: the one written and the next), so the records are *staged* where the store keeps its
 * records anyway, in a form that one last batch can make final and that can always be
 * undone:
 *
 * ```
 * ids:   0 ……………… start−1 │ start ……………… nextId−1
 *        records before     │ staged: every record the ingest writes gets a NEW id,
 *        the ingest         │ also when it replaces a record with the same key
 *
 * DB:    h/c entries of both sides; `m pending = start` written with the first batch
 * hot:   a replaced record's row is hidden (free bit set, key out of the key index, not
 *        reusable); the staged record takes another row. `hidden` lists those rows.
 * ```
 *
 * - Commit (after the last batch): one LevelDB batch deletes the replaced records' old
 *   entries and `m pending`; the hidden rows become ordinary tombstones.
 * - Failure (the source throws, a record is invalid, a batch fails): the staged rows
 *   (ids ≥ start) are removed from the hot tier and the hidden rows shown again; the
 *   cold tier deletes every entry with an id ≥ start, then `m pending`.
 * - Crash: `m pending` is still there, so the next open deletes the entries with ids ≥
 *   start and rebuilds the hot tier from what stays. A crash during the commit batch
 *   leaves all of it or none of it (LevelDB), so a reopen finds the old records or the
 *   new ones, never a mix.
 *
 * Ids are never reused, so `nextId` stays past the staged ids after a rollback. New
 * msgpackr structures and open-enum values the staged records brought stay too: they are
 * persisted with each batch, so the stored structure list and the codec's stay equal, and
 * an unused structure or enum value reads back no record differently.
 *
 * Memory: two batches, plus 4 bytes per replaced record (`hidden`). The commit batch holds
 * one delete per replaced record and cold group (in LevelDB's batch, not in JS). The
 * replaced records' rows end as ordinary tombstones, reused by later inserts (a whole
 * index ingested again leaves one per record: 70 → 107 B per record of hot memory on the
 * Debian index, until `compact()`). The ingest never compacts by itself: rows that move
 * would break the views and `where()` iterators the caller holds.
 *
 * Outcome unknown: when the commit batch fails and the cold tier cannot read back whether
 * it was applied (it becomes unsure and refuses writes until reopened), the database
 * holds either the old records or all the new ones. The hot tier then keeps the new ones
 * (`unknown`): their entries are stored in both cases, whereas the replaced records'
 * entries may be gone, so reads stay whole until the reopen decides.
 */
import type { ColdTier } from '../cold/cold-tier.ts';
import { LeanrecError, withNote } from '../errors.ts';
import type { HotTier } from '../hot/tier.ts';
import { grow } from '../util/grow.ts';

/** The bookkeeping of one atomic ingest. */
export class Staging {
  /** The first id of the ingest: every id ≥ it is staged. */
  readonly start: number;
  /** True once a batch reached the database (and `m pending` with it). */
  begun = false;
  /** True when the commit failed and whether it reached the database is unknown. */
  unknown = false;
  /** Rows of the records the ingest replaced, hidden until it ends. */
  #hidden = new Uint32Array(16);
  #count = 0;

  constructor(start: number) {
    this.start = start;
  }

  /** Trusted: hides the live row of a record the ingest replaces. */
  hide(tier: HotTier, row: number): void {
    tier.hide(row);
    if (this.#count >= this.#hidden.length) this.#hidden = grow(this.#hidden, this.#count + 1);
    this.#hidden[this.#count++] = row;
  }

  /**
   * Makes the staged records final: the replaced ones' entries go, their rows are freed.
   * When the commit fails and whether it reached the database cannot be read back, the
   * rows are freed all the same (the hot tier keeps the new records), `unknown` is set
   * and the error is rethrown: there is nothing to roll back.
   */
  async commit(tier: HotTier, cold: ColdTier | undefined): Promise<void> {
    const rows = this.#hidden.subarray(0, this.#count);
    let failure: unknown;
    if (cold !== undefined && this.begun) {
      const oldIds = new Uint32Array(rows.length);
      for (let i = 0; i < rows.length; i++) oldIds[i] = tier.ids[rows[i]!]!;
      try {
        await cold.commitStaged(oldIds);
      } catch (err) {
        if (!cold.unsure) throw err;
        this.unknown = true;
        failure = err;
      }
    }
    for (const row of rows) tier.release(row);
    this.#count = 0;
    if (this.unknown) throw failure;
  }

  /**
   * Undoes the ingest: the hot tier first (it cannot fail), then the database (which,
   * when it fails, leaves the undo to the next open; see `ColdTier.abortStaged`).
   * Resolves to `'undone'`, or `'reopen'` when the database's undo is left to the next
   * open (writes are refused until then).
   */
  async rollback(tier: HotTier, cold: ColdTier | undefined): Promise<'undone' | 'reopen'> {
    const start = this.start;
    for (let r = 0; r < tier.rowCount; r++)
      if (tier.ids[r]! >= start && tier.isLive(r)) tier.remove(r);
    for (const row of this.#hidden.subarray(0, this.#count)) tier.unhide(row);
    this.#count = 0;
    if (cold === undefined || !this.begun) return 'undone';
    return (await cold.abortStaged(start)) ? 'undone' : 'reopen';
  }
}

/**
 * The error that ended an atomic ingest once records were staged, saying what became of
 * them. Errors that are not leanrec's pass through as they are.
 */
export function undone(
  err: unknown,
  staged: number,
  outcome: 'undone' | 'reopen' | 'unknown',
): unknown {
  if (!(err instanceof LeanrecError) || staged === 0) return err;
  const n = staged.toLocaleString('en-US');
  if (outcome === 'unknown')
    return withNote(
      err,
      `atomic ingest outcome unknown: its last batch failed and whether it reached the database could not be read back; until the store is reopened it reads what the ingest wrote and refuses writes; after a reopen it holds either the records from before the ingest or all ${n} records the ingest wrote`,
    );
  const note = `atomic ingest undone: the ${n} records staged before the error were dropped; the store is as it was`;
  return withNote(
    err,
    outcome === 'undone'
      ? note
      : `${note}; writes are refused until the store is reopened, which removes the staged entries from the database`,
  );
}
