import { LeanrecError } from '../errors.ts';
import { HotTier } from '../hot/tier.ts';
import { type AnySchema, Schema } from '../schema/schema.ts';
import type { StoreOptions } from './options.ts';
import { createStore, type Store } from './store.ts';

/**
 * Opens a store of records of `schema`.
 *
 * - `{ path }`: LevelDB on disk. Reopening loads the hot snapshot written by `close()`
 *   when it matches the database, and otherwise rebuilds the hot tier from the database
 *   (after a crash).
 * - no `path`: the cold tier lives in memory (`memory-level`).
 * - `{ cold: false }`: hot-only; cold fields are validated and dropped.
 * - `{ database }`: your own abstract-level database (see {@link StoreOptions.database}).
 *
 * A store written by an older leanrec (layout version 1) is migrated in place on its
 * first open (cold/migrate.ts).
 *
 * @throws LeanrecError `E_SCHEMA` when the database was written with an incompatible
 * schema (the message lists what differs) or by a newer leanrec (its layout version is
 * above this one's: the message names both); `E_LOCKED` when another store holds the
 * directory; `E_CORRUPT` when its metadata is unreadable; `E_IO` when the database fails;
 * `E_ARGUMENT` for bad options.
 * @example
 * ```ts
 * const store = await openStore(Packages, { path: './pkgs.db' })
 * await store.ingest(records)
 * store.get({ package: 'bash', version: '5.2.15-2+b2', architecture: 'amd64' })?.cold('control')
 * await store.close()
 * ```
 */
export async function openStore<S extends AnySchema>(
  schema: S,
  options: StoreOptions = {},
): Promise<Store<S>> {
  if (!(schema instanceof Schema))
    throw new LeanrecError('E_ARGUMENT', 'openStore(schema): schema must come from schema()');
  if (options === null || typeof options !== 'object')
    throw new LeanrecError('E_ARGUMENT', 'openStore(schema, options): options must be an object');
  if (options.cold === false && options.path !== undefined)
    throw new LeanrecError(
      'E_ARGUMENT',
      'openStore: { cold: false } keeps nothing on disk; drop `path` or the `cold: false`',
    );
  if (options.database !== undefined && typeof options.database !== 'function')
    throw new LeanrecError(
      'E_ARGUMENT',
      'openStore: `database` must be a function (path, options) => database',
    );
  if (options.cold === false && options.database !== undefined)
    throw new LeanrecError(
      'E_ARGUMENT',
      'openStore: { cold: false } uses no database; drop `database` or the `cold: false`',
    );
  for (const k of ['cacheBytes', 'levelCacheBytes', 'levelWriteBufferBytes'] as const) {
    const v = options[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new LeanrecError('E_ARGUMENT', `openStore: ${k} must be a non-negative integer`);
  }
  const chunk = options.snapshotChunkBytes;
  if (chunk !== undefined && (!Number.isSafeInteger(chunk) || chunk < 1))
    throw new LeanrecError(
      'E_ARGUMENT',
      'openStore: snapshotChunkBytes must be a positive integer',
    );
  const tier = new HotTier(schema, {
    ...(options.hash === undefined ? {} : { hash: options.hash }),
    ...(options._limits === undefined ? {} : { limits: options._limits }),
  });
  if (options.cold === false) return createStore(schema, tier, undefined);
  // Imported with the first store that has a database: a schema or a hot-only store
  // loads none of the cold tier (msgpackr, lru-cache, and the LevelDB modules that
  // cold-tier.ts imports when it opens a database).
  const { ColdTier } = await import('../cold/cold-tier.ts');
  const { restoreHot } = await import('./restore.ts');
  const cold = await ColdTier.open(schema, options);
  try {
    await restoreHot(cold, tier);
  } catch (err) {
    await cold.close().catch(() => undefined);
    throw err instanceof LeanrecError
      ? err
      : new LeanrecError(
          'E_IO',
          `opening the database at ${options.path ?? '(memory)'}: ${(err as Error)?.message ?? String(err)}`,
          { cause: err },
        );
  }
  return createStore(schema, tier, cold);
}
