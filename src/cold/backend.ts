/**
 * The database of a store and everything that talks to it directly: the per-process
 * lock on its directory, its creation (the caller's or the built-in one), the metadata
 * entries, atomic batches, and the mapping of database errors to `LeanrecError`s.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pack, unpack } from 'msgpackr/pack';
import { LeanrecError } from '../errors.ts';
import type { SchemaDescriptor } from '../schema/fingerprint.ts';
import { metaKey } from './layout.ts';
import type { ColdOptions, Database, DatabaseOptions } from './options.ts';

/** One operation of an atomic batch. */
export type BatchOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

/** The metadata entries (`m …`, layout.ts), decoded. */
export interface Meta {
  layout?: number;
  schema?: SchemaDescriptor;
  structures?: unknown[][];
  next?: number;
  gen?: number;
  snap?: number;
  since?: number[];
  pending?: number;
  migrate?: number;
}

const META_NAMES = [
  'layout',
  'schema',
  'structures',
  'next',
  'gen',
  'snap',
  'since',
  'pending',
  'migrate',
] as const;

/**
 * Directories held by the open stores of this process. LevelDB refuses a second open in
 * one process only after it has opened and closed the LOCK file, and closing any
 * descriptor of a file drops the process's fcntl lock on it: after a refused second open,
 * another process could open the database too. So a second open is refused here, before
 * LevelDB is touched.
 */
const held = new Set<string>();

/**
 * Takes the directory of `path` for this process; returns the canonical path to give
 * back to {@link release}, or `undefined` for a store without a path.
 * @throws LeanrecError `E_LOCKED` when another store of this process holds it.
 */
export function hold(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const canonical = canonicalPath(path);
  if (held.has(canonical))
    throw new LeanrecError(
      'E_LOCKED',
      `the database at ${path} is open in another store of this process`,
    );
  held.add(canonical);
  return canonical;
}

/** Gives back a directory taken by {@link hold}. */
export function release(canonical: string | undefined): void {
  if (canonical !== undefined) held.delete(canonical);
}

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The database of a store: the caller's (`options.database`) or the built-in one. The
 * built-in modules are imported here, when a store needs one, so that importing leanrec
 * for a schema, a hot-only or an in-memory store loads neither LevelDB nor a native
 * binding.
 */
export async function makeDatabase(
  options: ColdOptions,
  dbOptions: DatabaseOptions,
): Promise<Database> {
  // On disk, msgpackr's native string extractor (msgpackr-extract, a `.node` addon) is
  // worth loading: msgpackr's main entry installs it in the module our codec uses
  // (codec.ts). Without a path it stays unloaded. Measured by bench/extractor.ts.
  if (options.path !== undefined) await import('msgpackr');
  if (options.database !== undefined) return options.database(options.path, { ...dbOptions });
  if (options.path === undefined) {
    const { MemoryLevel } = await import('memory-level');
    return new MemoryLevel<Uint8Array, Uint8Array>({
      keyEncoding: 'view',
      valueEncoding: 'view',
    }) as unknown as Database;
  }
  // classic-level itself: `level` only re-exports it on Node, and adds browser-level.
  const { ClassicLevel } = await import('classic-level');
  return new ClassicLevel<Uint8Array, Uint8Array>(options.path, dbOptions) as unknown as Database;
}

/** What makes `db` (from `options.database`) unfit for a store, if anything. */
export function databaseProblem(db: Database): string | undefined {
  const ok =
    db !== null &&
    typeof db === 'object' &&
    typeof db.open === 'function' &&
    typeof db.close === 'function' &&
    typeof db.batch === 'function' &&
    typeof db.getMany === 'function' &&
    typeof db.keyEncoding === 'function' &&
    typeof db.valueEncoding === 'function';
  if (!ok) return 'options.database must return an abstract-level database';
  const k = db.keyEncoding().commonName;
  const v = db.valueEncoding().commonName;
  if (k !== 'view' || v !== 'view')
    return `the database from options.database must use the 'view' key and value encodings (it uses '${k}' and '${v}')`;
  return undefined;
}

/** Reads every metadata entry. @throws LeanrecError `E_CORRUPT` for one that cannot be decoded. */
export async function readMeta(db: Database): Promise<Meta> {
  const values = await db.getMany(META_NAMES.map((n) => metaKey(n)));
  const meta: Meta = {};
  META_NAMES.forEach((n, i) => {
    const v = values[i];
    if (v === undefined) return;
    try {
      (meta as Record<string, unknown>)[n] = unpack(v);
    } catch (cause) {
      throw new LeanrecError('E_CORRUPT', `metadata entry "${n}" cannot be decoded`, { cause });
    }
  });
  return meta;
}

/** The put of metadata entry `name`. */
export function putMeta(name: string, value: unknown): BatchOp {
  return { type: 'put', key: metaKey(name), value: pack(value) };
}

/**
 * Writes `ops` as one atomic batch. The chained form: abstract-level's array form checks
 * and copies every operation on the way in, which made it 4× slower here (63 × 3,000
 * puts: 2.1 s against 0.5 s). A batch that fails is closed and writes nothing.
 */
export async function writeOps(db: Database, ops: Iterable<BatchOp>, sync: boolean): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await batch.write(syncOpt(sync) as never);
}

/**
 * Deletes every key of `r`, `limit` keys per `write`, so that deleting a large range
 * holds one batch of keys at a time.
 */
export async function deleteRange(
  db: Database,
  r: { gte: Uint8Array; lt: Uint8Array },
  limit: number,
  write: (ops: BatchOp[]) => Promise<void>,
  progress?: (deleted: number) => void | Promise<void>,
): Promise<void> {
  let deleted = 0;
  for (;;) {
    const ops: BatchOp[] = [];
    for await (const key of db.keys({ ...r, limit })) ops.push({ type: 'del', key });
    if (ops.length === 0) return;
    await write(ops);
    deleted += ops.length;
    await progress?.(deleted);
    if (ops.length < limit) return;
  }
}

/** Batch options; `sync` is classic-level's (fsync before the write is acknowledged). */
export function syncOpt(sync: boolean): object {
  return { sync };
}

/** A database error from opening, as a `LeanrecError` (`E_LOCKED` for `LEVEL_LOCKED`). */
export function mapOpenError(err: unknown, path: string | undefined): LeanrecError {
  if (err instanceof LeanrecError) return err;
  const e = err as { code?: string; cause?: { code?: string } };
  if (e?.code === 'LEVEL_LOCKED' || e?.cause?.code === 'LEVEL_LOCKED')
    return new LeanrecError(
      'E_LOCKED',
      `the database at ${path} is open in another store or process`,
      {
        cause: err,
      },
    );
  return new LeanrecError(
    'E_IO',
    `cannot open the database at ${path ?? '(memory)'}: ${(err as Error)?.message}`,
    {
      cause: err,
    },
  );
}

/** A database error as a `LeanrecError`: `E_CLOSED` when the database is closed, else `E_IO`. */
export function ioError(cause: unknown, what: string): LeanrecError {
  if (cause instanceof LeanrecError) return cause;
  const e = cause as { code?: string };
  if (e?.code === 'LEVEL_DATABASE_NOT_OPEN')
    return new LeanrecError('E_CLOSED', `${what}: the database is closed`, { cause });
  return new LeanrecError('E_IO', `${what}: ${(cause as Error)?.message ?? String(cause)}`, {
    cause,
  });
}
