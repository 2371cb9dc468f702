/**
 * What every `leanrec` command shares: the errors (errors.ts), opening an existing store
 * of either Debian schema, buffered output that respects pipes, and number formatting.
 */
import { statSync } from 'node:fs';
import { debianPackages, debianSources } from '../debian/index.ts';
import { LeanrecError } from '../errors.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { CliError, inDatabase } from './errors.ts';

export {
  asUsage,
  CliError,
  describeError,
  EXIT,
  EXIT_HELP,
  exitCodeOf,
  fileError,
  inDatabase,
  UsageError,
} from './errors.ts';

/** A store of Debian Packages records. */
export type PackagesStore = Store<typeof debianPackages>;
/** A store of Debian Sources records. */
export type SourcesStore = Store<typeof debianSources>;

/** An open store and which Debian schema it holds. */
export type DebianStore =
  | { kind: 'debian-packages'; store: PackagesStore }
  | { kind: 'debian-sources'; store: SourcesStore };

/** The schemas a `--schema` option names. */
export const SCHEMAS = { 'debian-packages': debianPackages, 'debian-sources': debianSources };

/** What a command's `run` gets. */
export interface CommandContext {
  /** Writes to stdout (buffered; flushed before the command returns). */
  out: Output;
  /** Writes one line to stderr. */
  err: (line: string) => void;
  /** True when stderr is a terminal (progress bars). */
  tty: boolean;
}

/**
 * One subcommand. A command reports a failure by throwing: a `UsageError` for a wrong
 * command line, a `CliError` with a code, or whatever the library throws (`LeanrecError`);
 * `main` prints it as `leanrec: E_CODE: message: cause; what to do` and exits with the
 * code's class ({@link EXIT}).
 */
export interface Command {
  name: string;
  /** One line for `leanrec --help`. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command on its arguments (after the command name); resolves to the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** Throws unless `dir` is a directory that holds a LevelDB database (opening would create one). */
export function checkDatabaseDir(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (cause) {
    throw new CliError('E_NOT_FOUND', `no database at ${dir}`, {
      cause,
      hint: `create one with "leanrec ingest <index> --db ${dir}"`,
    });
  }
  if (!isDir) throw new CliError('E_NOT_FOUND', `no database at ${dir}: it is not a directory`);
  let hasCurrent = false;
  try {
    hasCurrent = statSync(`${dir}/CURRENT`).isFile();
  } catch {}
  if (!hasCurrent)
    throw new CliError(
      'E_NOT_FOUND',
      `no database at ${dir}: the directory has no LevelDB CURRENT file`,
    );
}

/**
 * Opens the store in the directory `dir`, which must already hold one (a missing or empty
 * directory is `E_NOT_FOUND`: opening would create a database there), with the Debian
 * schema it was written with: Packages or Sources.
 */
export async function openExisting(dir: string): Promise<DebianStore> {
  checkDatabaseDir(dir);
  try {
    return { kind: 'debian-packages', store: await openStore(debianPackages, { path: dir }) };
  } catch (e) {
    if (!(e instanceof LeanrecError && e.code === 'E_SCHEMA')) throw inDatabase(e, dir);
    try {
      return { kind: 'debian-sources', store: await openStore(debianSources, { path: dir }) };
    } catch (e2) {
      if (e2 instanceof LeanrecError && e2.code === 'E_SCHEMA')
        throw new LeanrecError(
          'E_SCHEMA',
          `the database at ${dir} holds neither Debian Packages nor Sources records (as Packages: ${e.message.replace(/^.*incompatible schema: /, '')})`,
        );
      throw inDatabase(e2, dir);
    }
  }
}

/**
 * Opens the store in `dir` (see {@link openExisting}), runs `fn` on it and closes it;
 * an error on the way names the database (the `leanrec repair` hint of a damaged store).
 */
export async function withStore<T>(dir: string, fn: (db: DebianStore) => Promise<T>): Promise<T> {
  const db = await openExisting(dir);
  let result: T;
  try {
    result = await fn(db);
  } catch (e) {
    await db.store.close().catch(() => {});
    throw inDatabase(e, dir);
  }
  try {
    await db.store.close();
  } catch (e) {
    throw inDatabase(e, dir);
  }
  return result;
}

/** Buffered stdout: collects text, writes it in large chunks, waits for the pipe to drain. */
export class Output {
  #parts: string[] = [];
  #size = 0;
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  /** Appends `text`; writes once 64 KiB are pending. */
  async write(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= 65536) await this.flush();
  }

  /** Writes whatever is pending and waits until the stream accepts more. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (!this.#stream.write(text))
      await new Promise<void>((resolve) => this.#stream.once('drain', resolve));
  }
}

/** `12,345` */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes as `1.5 MiB`, `812 KiB`, `96 B`. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
