/**
 * How the `leanrec` command reports a failure: ONE line, `leanrec: E_CODE: message`, where
 * the message ends with the root cause in words (the deepest `cause`, not the wrapper
 * LevelDB puts around it) and, where there is one, what to do next; and an exit code per
 * class of failure. Every command gets this for free by throwing: `main` formats
 * whatever a command throws with {@link describeError} and {@link exitCodeOf}.
 */
import { type ErrorCode, LeanrecError } from '../errors.ts';

/**
 * The codes the command line prints: the library's, `E_USAGE` for a wrong command line,
 * `E_NOT_FOUND` for a missing database, file or package, and `E_INTERNAL` for what none
 * of them covers (a bug: the message says to report it).
 */
export type CliCode = ErrorCode | 'E_USAGE' | 'E_NOT_FOUND' | 'E_INTERNAL';

/** Exit codes of every command (documented in `leanrec --help` and the README). */
export const EXIT = {
  ok: 0,
  /** Nothing found (`get` of a missing package, a missing database or file). */
  notFound: 1,
  /** A wrong command line: unknown command or option, bad value (E_USAGE, E_ARGUMENT). */
  usage: 2,
  /** Bad data: input that does not parse, a damaged store, a limit reached, malformed fields. */
  data: 3,
  /** The system failed: permissions, disk space, a lock held by another process. */
  io: 4,
} as const;

/** The exit-code table for `--help` texts. */
export const EXIT_HELP = `Exit status: 0 success; 1 not found (E_NOT_FOUND); 2 usage (E_USAGE, E_ARGUMENT);
3 bad data (E_PARSE, E_INVALID_RECORD, E_SCHEMA, E_CORRUPT, E_LIMIT); 4 system
(E_IO, E_LOCKED, E_CLOSED, E_MISSING_PEER) or a bug (E_INTERNAL).`;

/** A failure of the command line, with its code and, optionally, what to do next. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: CliCode;
  /** What the user can do about it (printed after the cause). */
  readonly hint: string | undefined;

  constructor(code: CliCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** A wrong command line (`E_USAGE`, exit 2); `main` adds where to find the help. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** The database directory an error happened in, for the `leanrec repair` hint. */
const databases = new WeakMap<object, string>();

/** Remembers that `err` happened on the database at `dir` (returns `err`). */
export function inDatabase<E>(err: E, dir: string): E {
  if (err !== null && typeof err === 'object' && !databases.has(err)) databases.set(err, dir);
  return err;
}

/** What a chain of causes comes down to, in words. */
interface RootCause {
  /** The cause in words (`permission denied on db/LOCK`). */
  text: string;
  /** The code it implies when the top error's own code says less (LevelDB's corruption). */
  code?: CliCode;
  /** What to do next, when the cause alone tells. */
  hint?: string;
}

const ERRNO: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** The causes of `err`, outermost first (bounded: a cycle of causes ends the walk). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 16; ) {
    if (out.includes(e)) break;
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** The root cause of `err` in words, or undefined when `err` is its own cause. */
export function rootCause(err: unknown): RootCause | undefined {
  const all = chain(err);
  for (let i = all.length - 1; i >= 0; i--) {
    const e = all[i] as NodeJS.ErrnoException;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    if (code !== undefined && ERRNO[code] !== undefined) {
      const words = ERRNO[code]!;
      return { text: e.path === undefined ? words : `${words} on ${e.path}`, ...errnoHint(code) };
    }
    const msg = e instanceof Error ? e.message : undefined;
    if (msg === undefined || i === 0) continue;
    const words = levelDbWords(msg, code);
    if (words !== undefined) return words;
  }
  if (all.length < 2) return undefined;
  const last = all[all.length - 1];
  const text = last instanceof Error ? last.message : String(last);
  return { text };
}

function errnoHint(code: string): { hint?: string } {
  if (code === 'EACCES' || code === 'EPERM')
    return { hint: 'check the permissions (LevelDB creates its LOCK file even to read)' };
  if (code === 'ENOSPC' || code === 'EDQUOT') return { hint: 'free some disk space and retry' };
  return {};
}

/** LevelDB's messages (`IO error: <path>: Permission denied`, `Corruption: …`) in words. */
function levelDbWords(msg: string, code: string | undefined): RootCause | undefined {
  let m =
    /^IO error: (.*?): ?(Permission denied|No space left on device|Read-only file system|No such file or directory)/i.exec(
      msg,
    );
  if (m !== null) {
    const what = m[2]!.toLowerCase();
    const hint =
      what === 'permission denied'
        ? 'check the permissions (LevelDB creates its LOCK file even to read)'
        : what === 'no space left on device'
          ? 'free some disk space and retry'
          : undefined;
    return { text: `${what} on ${m[1]}`, ...(hint === undefined ? {} : { hint }) };
  }
  // A table file LevelDB cannot read as one (truncated, its footer overwritten).
  m = /^IO error: (?:.*\/)?(\d{6}\.(?:ldb|sst)): (Invalid argument.*)$/s.exec(msg);
  if (m !== null)
    return { text: `damaged table file ${m[1]} (LevelDB: ${m[2]})`, code: 'E_CORRUPT' };
  m = /^Corruption: (.*)$/s.exec(msg);
  if (m !== null || code === 'LEVEL_CORRUPTION') {
    const detail = (m?.[1] ?? msg).trim();
    const file = /\b(\d{6}\.(?:ldb|sst|log))\b/.exec(detail)?.[1];
    return {
      text:
        file === undefined
          ? `corrupted data (LevelDB: ${detail})`
          : `corrupted block in ${file} (LevelDB: ${detail})`,
      code: 'E_CORRUPT',
    };
  }
  if (/^IO error: /.test(msg)) return { text: msg.replace(/^IO error: /, '') };
  return undefined;
}

/** The code an error is printed with. */
export function codeOf(err: unknown): CliCode {
  const errno = (err as NodeJS.ErrnoException)?.code;
  const own: CliCode =
    err instanceof CliError || err instanceof LeanrecError
      ? (err.code as CliCode)
      : typeof errno === 'string' && ERRNO[errno] !== undefined
        ? errno === 'ENOENT'
          ? 'E_NOT_FOUND'
          : 'E_IO'
        : 'E_INTERNAL';
  // LevelDB's corruption reaches the library as an I/O failure: it is a damaged store.
  if (own === 'E_IO' && rootCause(err)?.code === 'E_CORRUPT') return 'E_CORRUPT';
  return own;
}

/**
 * The text of an error for stderr, without the `leanrec: ` prefix:
 * `E_CODE: message: root cause; what to do next`, on one line.
 */
export function describeError(err: unknown): string {
  const code = codeOf(err);
  let msg = err instanceof Error ? err.message : String(err);
  const root = err instanceof UsageError ? undefined : rootCause(err);
  if (root !== undefined && !msg.includes(root.text)) {
    // The wrapper's own copy of its direct cause's message gives way to the root cause.
    const direct = (err as { cause?: unknown }).cause;
    const said = direct instanceof Error ? direct.message : undefined;
    if (said !== undefined && msg.endsWith(`: ${said}`)) msg = msg.slice(0, -said.length - 2);
    // A closing note in parentheses (what a failed ingest left behind) stays last.
    const note = trailingNote(msg);
    msg = `${msg.slice(0, msg.length - note.length)}: ${root.text}${note}`;
  }
  const hints: string[] = [];
  if (err instanceof CliError && err.hint !== undefined) hints.push(err.hint);
  else if (root?.hint !== undefined) hints.push(root.hint);
  const db = databases.get(err as object);
  if (code === 'E_CORRUPT')
    hints.push(
      `run "leanrec repair ${db ?? '<db>'}" to keep every record that is intact and list the others`,
    );
  if (code === 'E_LOCKED') hints.push('wait for the other process to finish, or close it');
  if (code === 'E_INTERNAL')
    hints.push('this is a bug in leanrec: please report it with the command line that led here');
  const text = `${code}: ${msg}${hints.map((h) => `; ${h}`).join('')}`;
  return text.replace(/\s*\n\s*/g, '; ');
}

/** The ` (…)` that ends `msg`, parentheses balanced, or `''`. */
function trailingNote(msg: string): string {
  if (!msg.endsWith(')')) return '';
  let depth = 0;
  for (let i = msg.length - 1; i > 0; i--) {
    if (msg[i] === ')') depth++;
    else if (msg[i] === '(' && --depth === 0) return msg[i - 1] === ' ' ? msg.slice(i - 1) : '';
  }
  return '';
}

/** The exit code for an error (see {@link EXIT}). */
export function exitCodeOf(err: unknown): number {
  switch (codeOf(err)) {
    case 'E_NOT_FOUND':
      return EXIT.notFound;
    case 'E_USAGE':
    case 'E_ARGUMENT':
      return EXIT.usage;
    case 'E_PARSE':
    case 'E_INVALID_RECORD':
    case 'E_SCHEMA':
    case 'E_CORRUPT':
    case 'E_LIMIT':
      return EXIT.data;
    case 'E_IO':
    case 'E_LOCKED':
    case 'E_CLOSED':
    case 'E_MISSING_PEER':
    case 'E_INTERNAL':
      return EXIT.io;
  }
}

/**
 * `node:util` parseArgs errors (unknown option, missing value, extra positional) as usage
 * errors; anything else passes through.
 */
export function asUsage(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    return new UsageError((err as Error).message);
  return err;
}

/** An error of the file system (reading an index, writing an output) as a CLI error. */
export function fileError(err: unknown, what: string): CliError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const cli: CliCode = code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_IO';
  return new CliError(cli, what, { cause: err });
}
