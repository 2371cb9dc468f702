/**
 * The three ways a store runs, for the conformance suite (abstract-level's shared test
 * suite is the model: each suite file exports a function that takes a mode and registers
 * its tests; `hot-only.test.ts`, `memory.test.ts` and `disk.test.ts` call them all).
 *
 * - hot-only: `openStore(S, { cold: false })`, cold fields validated and dropped;
 * - memory-level: `openStore(S)`, the cold tier in a memory-level database;
 * - classic-level: `openStore(S, { path })`, LevelDB in a temp directory, which also
 *   survives close → reopen (and a simulated crash, through `FaultyLevel`).
 *
 * Every suite works on one {@link Place} per store: the directory (on disk) and the
 * database of the last open, so that a test can close the store and reopen it.
 */
import assert from 'node:assert/strict';
import { type AnySchema, openStore } from 'leanrec';
import { FaultyLevel } from 'leanrec/testing';
import { removeTempDir, tempDir } from '../helpers/temp.ts';

export type Rec = Record<string, unknown>;

/** A read view, untyped (the suites build schemas dynamically). */
export type View = Rec & {
  toObject(): Rec;
  record(): Rec;
  cold(group?: string): Rec;
  load(group?: string): Promise<Rec>;
  loadRecord(): Promise<Rec>;
};

/** What a write of many records reports. */
export interface WriteResult {
  written: number;
  inserted: number;
  updated: number;
  skipped: number;
  batches: number;
}

/** The public Store API, untyped. */
export interface AnyStore {
  readonly size: number;
  readonly closed: boolean;
  get(key: unknown): View | undefined;
  has(key: unknown): boolean;
  put(record: unknown): Promise<void>;
  ingest(
    source: Iterable<unknown> | AsyncIterable<unknown>,
    options?: { batchSize?: number; atomic?: boolean; onInvalid?: 'throw' | 'skip' },
  ): Promise<WriteResult>;
  delete(key: unknown): Promise<boolean>;
  where(filter?: unknown, options?: { reuse?: boolean }): Generator<View>;
  count(filter?: unknown): number;
  load(key: unknown, group?: string): Promise<Rec | undefined>;
  loadMany(views: Iterable<View>, group?: string, options?: { cache?: boolean }): Promise<Rec[]>;
  compact(): Promise<void>;
  close(): Promise<void>;
  memory(): {
    total: number;
    hot: number;
    records: number;
    parts: { name: string; bytes: number }[];
  };
  /** Internal, for the tests that check rows and ids. */
  _tier: { ids: ArrayLike<number>; rowCount: number; findRow(key: unknown): number };
  /** Internal: how the last open found the hot tier ('new', 'snapshot' or 'rebuild'). */
  _cold?: { openMode: string };
}

/** One of the three modes. */
export interface Mode {
  readonly name: 'hot-only' | 'memory-level' | 'classic-level';
  /** Cold fields are kept (`record()`, `cold()`, `load()` read them). */
  readonly cold: boolean;
  /** The records survive close → reopen. */
  readonly persistent: boolean;
  /**
   * fast-check runs for a property that opens a store per run: `n` hot-only, fewer
   * where an open costs more (LevelDB on disk), so that the three modes together cost
   * about what the three files they replaced did.
   */
  runs(n: number): number;
}

const LONG = process.env.LEANREC_LONG === '1';
const scaled = (factor: number) => (n: number) =>
  Math.max(2, Math.round(n * factor * (LONG ? 10 : 1)));

export const HOT_ONLY: Mode = { name: 'hot-only', cold: false, persistent: false, runs: scaled(1) };
export const MEMORY: Mode = {
  name: 'memory-level',
  cold: true,
  persistent: false,
  runs: scaled(0.6),
};
export const DISK: Mode = {
  name: 'classic-level',
  cold: true,
  persistent: true,
  runs: scaled(0.07),
};

/** Options of {@link Place.open}. */
export interface OpenOptions {
  /** Wrap the database in a `FaultyLevel` (then {@link Place.db} can crash it). */
  faulty?: boolean;
  /** Byte bound of the cold-record cache. */
  cacheBytes?: number;
}

/** Where one store lives in a mode: its directory on disk, and the database of its last open. */
export class Place {
  readonly dir: string | undefined;
  /** The `FaultyLevel` of the last open with `faulty`. */
  db: FaultyLevel | undefined;
  store: AnyStore | undefined;

  constructor(readonly mode: Mode) {
    this.dir = mode.persistent ? tempDir('conformance') : undefined;
  }

  /** Opens (or reopens) the store of `schema` here. */
  async open(schema: AnySchema, options: OpenOptions = {}): Promise<AnyStore> {
    const { faulty = false, ...rest } = options;
    const store = this.mode.cold
      ? await openStore(schema, {
          ...rest,
          ...(this.dir === undefined ? {} : { path: this.dir }),
          ...(faulty ? { database: (p, o) => (this.db = FaultyLevel.wrap(p, o)) } : {}),
        })
      : await openStore(schema, { ...rest, cold: false });
    this.store = store as unknown as AnyStore;
    return this.store;
  }

  /**
   * Persistent modes: closes the store and opens it again, which must load the snapshot
   * that `close()` wrote. Other modes: the same store (nothing to reopen).
   */
  async reopen(schema: AnySchema, options: OpenOptions = {}): Promise<AnyStore> {
    const store = this.store;
    assert.ok(store !== undefined);
    if (!this.mode.persistent) return store;
    await store.close();
    const again = await this.open(schema, options);
    // A clean close wrote the snapshot (or there was nothing to write): never a rebuild.
    assert.notEqual(again._cold?.openMode, 'rebuild', 'a reopen after close() rebuilt');
    return again;
  }

  /** Closes the store (if open) and removes the directory. */
  async dispose(): Promise<void> {
    await this.store?.close().catch(() => undefined);
    if (this.dir !== undefined) removeTempDir(this.dir);
  }
}

/** Runs `fn` with a fresh place of `mode`, disposed of afterwards. */
export async function withPlace<T>(mode: Mode, fn: (place: Place) => Promise<T>): Promise<T> {
  const place = new Place(mode);
  try {
    return await fn(place);
  } finally {
    await place.dispose();
  }
}

/** The part of `record` named by `names` (absent values left out). */
export function pick(record: Rec, names: readonly string[]): Rec {
  const out: Rec = {};
  for (const n of names) if (record[n] !== undefined) out[n] = record[n];
  return out;
}

/** A value as readable text for assertion messages (NaN, ±Infinity, −0, bytes). */
export function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v)
      ? String(v)
      : Object.is(v, -0)
        ? '-0'
        : v instanceof Uint8Array
          ? `bytes(${Array.from(v)})`
          : v,
  );
}
