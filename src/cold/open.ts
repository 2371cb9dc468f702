/**
 * Opening the database of a store: the directory's lock, the database (the caller's or
 * the built-in one), the layout version — a layout-1 store is migrated in place
 * (migrate.ts), a newer one refused — the schema check and the schema's evolution, then
 * the undo of an atomic ingest a killed process left (`m pending`, see store/staging.ts).
 */
import { LeanrecError } from '../errors.ts';
import { fingerprintOf, schemaDifferences } from '../schema/fingerprint.ts';
import type { AnySchema } from '../schema/schema.ts';
import {
  type BatchOp,
  databaseProblem,
  deleteRange,
  hold,
  ioError,
  type Meta,
  makeDatabase,
  mapOpenError,
  putMeta,
  readMeta,
  release,
  writeOps,
} from './backend.ts';
import { BLOCK_SIZE, LAYOUT_VERSION, metaKey, recordsFrom } from './layout.ts';
import { cleanV1, migrateV1 } from './migrate.ts';
import type { ColdOptions, Database } from './options.ts';

/**
 * LevelDB's block cache (native memory, outside V8). 2 MiB keeps a store of the Debian
 * index under ~12 MB in all; a larger cache speeds uncached reads (measured on idle
 * hardware: 1 MiB → 190 k, 8 MiB → 350 k raw getSync/s), so it is an option.
 */
const DEFAULT_LEVEL_CACHE = 2 * 1024 * 1024;
const DEFAULT_WRITE_BUFFER = 1024 * 1024;
/** Entries deleted per batch when a failed atomic ingest is undone. */
export const UNDO_BATCH = 4096;

/** An open database, ready for the cold tier. */
export interface OpenDatabase {
  db: Database;
  meta: Meta;
  /** LevelDB's configured native buffers (0 without a path). */
  levelBytes: number;
  /** The directory held for this store (backend.ts `hold`). */
  lockPath: string | undefined;
  /** True when a killed atomic ingest was undone (the snapshot is then not trusted). */
  recovered: boolean;
}

/**
 * Opens (or creates) the database of a store.
 * @throws LeanrecError `E_SCHEMA` for an incompatible schema or a newer layout;
 * `E_LOCKED`, `E_CORRUPT`, `E_IO`, `E_ARGUMENT` as `openStore` documents.
 */
export async function openDatabase(schema: AnySchema, options: ColdOptions): Promise<OpenDatabase> {
  // Checked before a Level instance exists: an instance opens itself in a microtask
  // (abstract-level's deferred open), which would drop the lock (backend.ts).
  const lockPath = hold(options.path);
  const cacheSize = options.levelCacheBytes ?? DEFAULT_LEVEL_CACHE;
  const writeBufferSize = options.levelWriteBufferBytes ?? DEFAULT_WRITE_BUFFER;
  const dbOptions = {
    keyEncoding: 'view',
    valueEncoding: 'view',
    cacheSize,
    writeBufferSize,
    blockSize: BLOCK_SIZE,
  } as const;
  let db: Database | undefined;
  try {
    db = await makeDatabase(options, dbOptions);
    const problem = databaseProblem(db);
    if (problem !== undefined) throw new LeanrecError('E_ARGUMENT', `openStore: ${problem}`);
    await db.open();
  } catch (err) {
    // A database refused here may have begun to open itself: it is closed again.
    if (err instanceof LeanrecError) await db?.close?.().catch(() => undefined);
    release(lockPath);
    throw mapOpenError(err, options.path);
  }
  const where = options.path ?? '(memory)';
  try {
    const meta = await readMeta(db);
    const sync = options.sync === true;
    const ops: BatchOp[] = [];
    if (meta.schema === undefined) {
      meta.schema = schema.descriptor;
      meta.since = schema.groups.map(() => 0);
      meta.gen = 0;
      meta.layout = LAYOUT_VERSION;
      ops.push(
        putMeta('layout', LAYOUT_VERSION),
        putMeta('schema', meta.schema),
        putMeta('since', meta.since),
        putMeta('gen', 0),
      );
    } else {
      const layout = meta.layout ?? 1;
      if (!Number.isSafeInteger(layout) || layout < 1)
        throw new LeanrecError(
          'E_CORRUPT',
          `the database at ${where}: metadata entry "layout" is ${String(layout)}, not a layout version`,
        );
      if (layout > LAYOUT_VERSION)
        throw new LeanrecError(
          'E_SCHEMA',
          `the database at ${where} has layout version ${String(layout)}, written by a newer leanrec; this version reads layout versions 1 to ${LAYOUT_VERSION}`,
        );
      // The stored descriptor's fingerprint against the schema's: equal, nothing to check
      // or evolve; different, the differences say whether the store can open over them.
      const sameSchema = fingerprintOf(meta.schema) === schema.fingerprint;
      if (!sameSchema) {
        const diffs = schemaDifferences(meta.schema, schema.descriptor);
        if (diffs.length > 0)
          throw new LeanrecError(
            'E_SCHEMA',
            `the database at ${where} was written with an incompatible schema: ${diffs.join('; ')}`,
          );
      }
      const migrate = { batch: options._migrateBatch, onStep: options._onMigrate };
      if (layout === 1) await migrateV1(db, meta.schema.groups.length, migrate);
      else if (meta.migrate !== undefined) await cleanV1(db, migrate);
      meta.layout = LAYOUT_VERSION;
      if (!sameSchema) {
        const since = meta.since ?? [];
        for (let g = since.length; g < schema.groups.length; g++) since.push(meta.next ?? 0);
        meta.since = since;
        meta.schema = schema.descriptor;
        ops.push(putMeta('schema', meta.schema), putMeta('since', since));
      }
    }
    if (ops.length > 0) await writeOps(db, ops, sync);
    // An atomic ingest died before its last batch: its staged records go, and with
    // them any reason to trust the snapshot (the hot tier is rebuilt from what stays).
    const recovered = meta.pending !== undefined;
    if (recovered) {
      await deleteRange(db, recordsFrom(meta.pending!), UNDO_BATCH, (o) => writeOps(db!, o, sync));
      await writeOps(db, [{ type: 'del', key: metaKey('pending') }], sync);
      delete meta.pending;
    }
    const levelBytes = options.path === undefined ? 0 : cacheSize + writeBufferSize;
    return { db, meta, levelBytes, lockPath, recovered };
  } catch (err) {
    await db.close().catch(() => undefined);
    release(lockPath);
    throw ioError(err, `opening the database at ${where}`);
  }
}
