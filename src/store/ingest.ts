/**
 * The ingest pipeline: a source (iterable or async iterable) read in batches, each
 * validated and handed to a writer one at a time, in order, with the next batch read
 * while the database writes the previous one. The store decides what a write is
 * (`store.ts`, with the plan of `batch-plan.ts`); this file decides when it happens.
 */
import { LeanrecError, withNote } from '../errors.ts';
import { describeValue, type RecordValidator } from '../schema/validate.ts';
import { DEFAULT_BATCH_SIZE, type WriteOptions, type WriteResult } from './options.ts';

/**
 * @internal A batch of an ingest after validation: its valid records, their hot values
 * (record n's hot field i at `hot[n × hot fields + i]`, read once by the validator), and
 * how many were skipped.
 */
export interface ValidBatch {
  readonly records: Record<string, unknown>[];
  readonly hot: unknown[];
  readonly skipped: number;
}

/** @internal Checked options of an ingest. */
export interface IngestSettings {
  readonly batchSize: number;
  readonly onInvalid: 'throw' | 'skip';
  readonly atomic: boolean;
}

/**
 * @internal Checks `source` and `options` before anything is read.
 * @throws LeanrecError `E_ARGUMENT` for a source that is neither iterable nor async
 * iterable, a `batchSize` that is not a positive integer, a non-boolean `atomic`.
 */
export function ingestSettings(source: unknown, options: WriteOptions): IngestSettings {
  if (!isIterable(source))
    throw new LeanrecError(
      'E_ARGUMENT',
      `the source must be an iterable or an async iterable of records, got ${describeValue(source)}`,
    );
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new LeanrecError('E_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
  if (options.atomic !== undefined && typeof options.atomic !== 'boolean')
    throw new LeanrecError(
      'E_ARGUMENT',
      `atomic must be true or false, got ${describeValue(options.atomic)}`,
    );
  return { batchSize, onInvalid: options.onInvalid ?? 'throw', atomic: options.atomic === true };
}

/**
 * @internal Reads `source` in batches of `batchSize`, validates each and hands it to
 * `write`, one at a time, in order. The database writes a batch on its own thread: while it
 * does, the next batch is read and validated here, and only then is the write awaited
 * (so at most two batches are held: the one being written and the one being read).
 * Whatever ends the ingest (the source, an invalid record, a failed write), it ends
 * only once the write under way has settled, and a failed write ends it before the
 * error of any later batch: nothing is written after a batch that failed, and the
 * caller's rollback or `written` count sees every batch that reached the database.
 */
export async function runPipeline(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  settings: IngestSettings,
  validator: RecordValidator,
  onBatch: ((progress: WriteResult) => void) | undefined,
  result: WriteResult,
  write: (batch: ValidBatch) => Promise<void>,
): Promise<void> {
  const { batchSize, onInvalid } = settings;
  let inflight: Promise<void> | undefined;
  /** Waits for the write under way, then reports its batch. */
  const settle = async (): Promise<void> => {
    if (inflight === undefined) return;
    const w = inflight;
    inflight = undefined;
    await w;
    onBatch?.({ ...result });
  };
  let batch: unknown[] = [];
  let start = 0;
  let index = 0;
  /** Adds a record to the batch; true when the batch is full. */
  const add = (rec: unknown): boolean => {
    if (batch.length === 0) start = index;
    batch.push(rec);
    index++;
    return batch.length >= batchSize;
  };
  /** Validates the batch, waits for the write under way, starts this one's. */
  const flush = async (): Promise<void> => {
    const valid = validBatch(validator, batch, start, onInvalid);
    batch = [];
    await settle();
    inflight = startWrite(write, valid);
  };
  try {
    // A sync source (an array, a generator) is read with for…of: for await would wait a
    // microtask turn per record (0.4–2 µs measured on an array, as much as validating one).
    if (
      typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
    ) {
      for (const rec of source as Iterable<unknown>) if (add(rec)) await flush();
    } else for await (const rec of source as AsyncIterable<unknown>) if (add(rec)) await flush();
    if (batch.length > 0) await flush();
    await settle();
  } catch (err) {
    // The write under way settles first (and is reported to onBatch when it stands);
    // if it failed, its error is the one to report (it is the earlier batch), else this one.
    await settle();
    throw err;
  }
}

/**
 * The records of `batch` that are valid (all of them, or with `onInvalid: 'skip'`
 * those that are, counting the others).
 * @throws LeanrecError `E_INVALID_RECORD` naming the record's position in the source.
 */
function validBatch(
  validator: RecordValidator,
  batch: unknown[],
  start: number,
  onInvalid: 'throw' | 'skip',
): ValidBatch {
  const records: Record<string, unknown>[] = [];
  const width = validator.hotFields;
  const hot: unknown[] = [];
  let skipped = 0;
  for (let i = 0; i < batch.length; i++) {
    try {
      // A record that fails leaves part of its values past the valid ones: the next
      // valid record overwrites them, and the writer reads only records.length of them.
      validator.validateInto(batch[i], start + i, hot, records.length * width);
      records.push(batch[i] as Record<string, unknown>);
    } catch (err) {
      if (onInvalid === 'skip' && err instanceof LeanrecError && err.code === 'E_INVALID_RECORD')
        skipped++;
      else throw err;
    }
  }
  return { records, hot, skipped };
}

/**
 * @internal The error that ended a non-atomic write of many records, saying how many
 * records its earlier batches wrote (they stay). Errors that are not leanrec's pass
 * through as they are.
 */
export function withWritten(err: unknown, written: number): unknown {
  if (!(err instanceof LeanrecError) || written === 0) return err;
  const n = written.toLocaleString('en-US');
  return withNote(err, `${n} records written before the error; they stay in the store`, written);
}

/**
 * Starts `write(batch)`. Its failure is awaited later (after the next batch is read), so
 * it is marked handled now: a rejection nobody awaits yet must not end the process as
 * unhandled.
 */
function startWrite(write: (batch: ValidBatch) => Promise<void>, batch: ValidBatch): Promise<void> {
  const p = write(batch);
  p.catch(() => undefined);
  return p;
}

/** True when `source` can be read with `for await` (an iterable or an async iterable). */
function isIterable(source: unknown): boolean {
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) return false;
  const s = source as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  return typeof s[Symbol.asyncIterator] === 'function' || typeof s[Symbol.iterator] === 'function';
}
