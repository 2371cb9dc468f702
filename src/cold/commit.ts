/**
 * The commit protocol: every write of the cold tier is one LevelDB batch that also
 * carries the metadata going with it (new shared structures, the next id, a new
 * generation).
 *
 * Every batch writes a generation never written before, so when the database reports a
 * failure the tier can read `m gen` back and tell whether the batch was applied all the
 * same (a lost acknowledgement): if it was, the write stands; if it was not, nothing
 * changes; if that cannot be read either, the tier is *unsure* and refuses later writes
 * until the store is reopened (which rebuilds from what the database holds).
 */
import { unpack } from 'msgpackr/pack';
import { LeanrecError } from '../errors.ts';
import { type BatchOp, ioError, putMeta, writeOps } from './backend.ts';
import type { RecordCodec } from './codec.ts';
import { metaKey } from './layout.ts';
import type { Database } from './options.ts';

export class Commits {
  readonly #db: Database;
  readonly #codec: RecordCodec;
  readonly #sync: boolean;
  /** Called after every batch, applied or not (reads drop what they kept). */
  readonly #written: () => void;
  /** The last generation written (or tried: a failed batch's generation is never reused). */
  #gen: number;
  /** True once the data has changed since the last snapshot (the generation was bumped). */
  #dirty: boolean;
  /**
   * Set when a write failed and reading back whether it was applied failed too: the
   * database may hold a batch this tier does not know of.
   */
  #unsure: LeanrecError | undefined;
  #nextIdStored: number;

  constructor(
    db: Database,
    codec: RecordCodec,
    sync: boolean,
    stored: { gen: number; snap: number | undefined; next: number },
    written: () => void,
  ) {
    this.#db = db;
    this.#codec = codec;
    this.#sync = sync;
    this.#written = written;
    this.#gen = stored.gen;
    this.#dirty = stored.snap !== stored.gen;
    this.#nextIdStored = stored.next;
  }

  get gen(): number {
    return this.#gen;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  get nextIdStored(): number {
    return this.#nextIdStored;
  }

  get unsure(): LeanrecError | undefined {
    return this.#unsure;
  }

  /** Records a failure whose outcome is unknown (the first one is kept). */
  markUnsure(err: LeanrecError): void {
    this.#unsure ??= err;
  }

  /** The stored snapshot was dropped: `close()` must write one. */
  snapshotDropped(): void {
    this.#dirty = true;
  }

  /** A snapshot of generation `gen` is stored: the data is clean again. */
  snapshotStored(): void {
    this.#dirty = false;
  }

  /** @throws LeanrecError `E_IO` when the tier is unsure (see the file header). */
  writable(what: string): void {
    if (this.#unsure !== undefined)
      throw new LeanrecError(
        'E_IO',
        `${what}: an earlier write failed and whether it reached the database is unknown; close and reopen the store`,
        { cause: this.#unsure },
      );
  }

  /**
   * Writes `ops`, then `more`, then the metadata that goes with every write (new shared
   * structures, the next id, the generation) as one batch. `more` is consumed as the batch
   * is filled, so its values may be views that the next one overwrites (for a database
   * that copies them on `put`), and the codec's new structures are read after it: they
   * include those its records created. Resolves when the batch is in the database — also
   * when the database reported a failure but `m gen` reads back as this batch's
   * generation.
   * @throws the error `more` throws (a record that cannot be encoded; `E_IO` when it is
   *   not leanrec's): nothing was written, the codec's new structures are rolled back.
   * @throws LeanrecError `E_IO` when the batch is not in the database, after rolling back
   *   the codec's new structures.
   */
  async commit(
    ops: BatchOp[],
    nextId: number,
    what: string,
    more?: Iterable<BatchOp>,
  ): Promise<void> {
    const dirty = this.#dirty;
    // A generation is never reused, not even one whose batch failed: a later read-back
    // must not mistake an older batch for this one.
    const gen = ++this.#gen;
    this.#dirty = true;
    let failedToProduce = false;
    const source =
      more === undefined
        ? ops
        : chain(
            ops,
            guarded(more, () => {
              failedToProduce = true;
            }),
          );
    try {
      await writeOps(this.#db, chain(source, this.#meta(nextId, gen)), this.#sync);
    } catch (cause) {
      if (failedToProduce) {
        // The batch was dropped before it was written: nothing reached the database, so
        // the generation and the dirty mark are as they were.
        this.#gen = gen - 1;
        this.#dirty = dirty;
        this.#codec.rollback();
        throw cause instanceof LeanrecError ? cause : ioError(cause, what);
      }
      let applied: boolean;
      try {
        const stored = await this.#db.get(metaKey('gen'));
        applied = stored !== undefined && unpack(stored) === gen;
      } catch (readCause) {
        this.#unsure = ioError(readCause, `${what}: reading back whether it was applied`);
        applied = false;
      }
      if (!applied) {
        this.#written();
        this.#codec.rollback();
        throw ioError(cause, what);
      }
    }
    this.#written();
    this.#codec.commit();
    this.#nextIdStored = nextId;
  }

  /** The metadata of a batch, read once its records are encoded. */
  *#meta(nextId: number, gen: number): Generator<BatchOp, void, undefined> {
    const pending = this.#codec.pending;
    if (pending !== undefined) yield putMeta('structures', pending);
    if (nextId !== this.#nextIdStored) yield putMeta('next', nextId);
    yield putMeta('gen', gen);
  }
}

function* chain(a: Iterable<BatchOp>, b: Iterable<BatchOp>): Generator<BatchOp, void, undefined> {
  yield* a;
  yield* b;
}

/** `source`, calling `failed` when producing its next entry throws. */
function* guarded(
  source: Iterable<BatchOp>,
  failed: () => void,
): Generator<BatchOp, void, undefined> {
  try {
    yield* source;
  } catch (err) {
    failed();
    throw err;
  }
}
