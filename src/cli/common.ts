/**
 * What every `leanrec` command shares: the usage error, opening an existing store,
 * buffered output that respects pipes, and number formatting.
 */
import { statSync } from 'node:fs';
import { debianPackages } from '../debian/index.ts';
import { LeanrecError, openStore, type Store } from '../index.ts';

/** Exit codes: 1 for a failure or nothing found, 2 for a usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure that is not a bug (a missing database, nothing found): one line, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** A store of Debian Packages records. */
export type PackagesStore = Store<typeof debianPackages>;

/** What a command's `run` gets. */
export interface CommandContext {
  /** Writes to stdout (buffered; flushed before the command returns). */
  out: Output;
  /** Writes one line to stderr. */
  err: (line: string) => void;
  /** True when stderr is a terminal (progress bars). */
  tty: boolean;
}

/** One subcommand. */
export interface Command {
  name: string;
  /** One line for `leanrec --help`. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command on its arguments (after the command name); resolves to the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/**
 * Opens the store in the directory `dir`, which must already hold one: a missing or
 * empty directory is an error (opening would create a database there).
 */
export async function openExisting(dir: string): Promise<PackagesStore> {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new CliError(`no database at ${dir}`);
  }
  if (!isDir) throw new CliError(`${dir} is not a database directory`);
  let hasCurrent = false;
  try {
    hasCurrent = statSync(`${dir}/CURRENT`).isFile();
  } catch {}
  if (!hasCurrent) throw new CliError(`no database at ${dir} (no LevelDB CURRENT file)`);
  return openStore(debianPackages, { path: dir });
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

/** The text of an error as one line for stderr (without the `leanrec: ` prefix). */
export function errorLine(err: unknown): string {
  const msg =
    err instanceof LeanrecError
      ? `${err.code}: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  return msg.replace(/\s*\n\s*/g, '; ');
}

/** The exit code for an error. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof LeanrecError && err.code === 'E_ARGUMENT') return EXIT_USAGE;
  return EXIT_FAILURE;
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
