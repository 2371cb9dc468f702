/**
 * The one error class of leanrec. Every failure a user can meet carries a stable
 * `code` (documented one by one in the README's "Errors" section), the original error
 * as `cause` where there was one, and context: the field, the record key and, for
 * parsers, the file, line and column.
 */

/**
 * Stable error codes. Codes are never renamed or reused for another meaning; each one is
 * thrown by the library (test/errors.test.ts makes each happen through the public API).
 * The `leanrec` command adds its own: `E_USAGE`, `E_NOT_FOUND` and `E_INTERNAL`.
 */
export type ErrorCode =
  /**
   * The schema definition is invalid (`schema()`), or a database was written with an
   * incompatible schema or a newer layout (`openStore`).
   */
  | 'E_SCHEMA'
  /**
   * A record does not match the schema (wrong type, missing required field, out of
   * range, undeclared field): `put`, `ingest`. Names the field, the key and `index`.
   */
  | 'E_INVALID_RECORD'
  /**
   * Text input could not be parsed: deb822 (`parseDeb822`, the readers), compressed input
   * that is truncated or corrupt, relations, versions, package queries. Names the file,
   * line and column where there are.
   */
  | 'E_PARSE'
  /** The store was used after `close()`. */
  | 'E_CLOSED'
  /** The database directory is held by another open store (this or another process). */
  | 'E_LOCKED'
  /** Stored bytes are missing or undecodable, or decode to a value the schema refuses. */
  | 'E_CORRUPT'
  /**
   * An argument to a public function is invalid: a key missing a key field, a filter on
   * an unknown or cold field, a cold read on a hot-only store, bad options.
   */
  | 'E_ARGUMENT'
  /**
   * A capacity limit was reached (string pool past 2^32 − 1 bytes, more than 2^32 − 2
   * rows, an open enum past 65,536 values, an xz input that needs more memory than
   * allowed…); the batch is refused before anything is written.
   */
  | 'E_LIMIT'
  /** The underlying database failed (I/O error); the original error is the `cause`. */
  | 'E_IO'
  /** An optional peer dependency a function needs is not installed (the message names it). */
  | 'E_MISSING_PEER';

/** Context attached to a {@link LeanrecError}. Every member is optional. */
export interface ErrorContext {
  /** The field concerned, as named in the schema or the input. */
  field?: string;
  /** The record's key, rendered as text (e.g. `"bash 5.2.15-2+b2 amd64"`). */
  key?: string;
  /** The input file, for parse errors. */
  file?: string;
  /** 1-based line number, for parse errors. */
  line?: number;
  /** 1-based column, for parse errors. */
  column?: number;
  /** The position of the record in the batch or input (0-based). */
  index?: number;
  /** The original error. */
  cause?: unknown;
  /** Records a failed non-atomic `ingest` had written before the error. */
  written?: number;
}

/**
 * The error thrown by every leanrec API.
 *
 * @example
 * ```ts
 * try { await store.put(record) }
 * catch (err) { if (err instanceof LeanrecError && err.code === 'E_INVALID_RECORD') console.error(err.field) }
 * ```
 */
export class LeanrecError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** The field concerned, if any. */
  readonly field: string | undefined;
  /** The record key concerned, if any. */
  readonly key: string | undefined;
  /** The input file, for parse errors. */
  readonly file: string | undefined;
  /** 1-based line, for parse errors. */
  readonly line: number | undefined;
  /** 1-based column, for parse errors. */
  readonly column: number | undefined;
  /** Position of the record in its batch or input. */
  readonly index: number | undefined;
  /**
   * For an error that ended a non-atomic `ingest`: the records written by
   * its earlier batches, which stay in the store (the message says so too).
   */
  readonly written: number | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'LeanrecError';
    this.code = code;
    this.field = context.field;
    this.key = context.key;
    this.file = context.file;
    this.line = context.line;
    this.column = context.column;
    this.index = context.index;
    this.written = context.written;
  }
}

/** True when `err` is a {@link LeanrecError}, optionally with the given code. */
export function isLeanrecError(err: unknown, code?: ErrorCode): err is LeanrecError {
  return err instanceof LeanrecError && (code === undefined || err.code === code);
}

/**
 * @internal `err` with `(note)` after its message: the same code, context, cause and stack (and
 * `written` when given). For errors that end a write of many records.
 */
export function withNote(err: LeanrecError, note: string, written?: number): LeanrecError {
  const out = new LeanrecError(err.code, `${err.message} (${note})`, {
    ...(err.field === undefined ? {} : { field: err.field }),
    ...(err.key === undefined ? {} : { key: err.key }),
    ...(err.file === undefined ? {} : { file: err.file }),
    ...(err.line === undefined ? {} : { line: err.line }),
    ...(err.column === undefined ? {} : { column: err.column }),
    ...(err.index === undefined ? {} : { index: err.index }),
    ...(err.cause === undefined ? {} : { cause: err.cause }),
    ...(written === undefined ? {} : { written }),
  });
  // The stack of where the error happened (the parser, the database call), not of this
  // helper's caller: its first line is the message, which gets the note too.
  const head = `${err.name}: ${err.message}`;
  if (err.stack?.startsWith(head))
    out.stack = `${out.name}: ${out.message}${err.stack.slice(head.length)}`;
  else if (err.stack !== undefined) out.stack = err.stack;
  return out;
}
