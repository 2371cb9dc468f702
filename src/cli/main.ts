/**
 * The `leanrec` command: `main(argv)` dispatches to one of the commands in `commands/`
 * and turns every failure into ONE line on stderr, `leanrec: E_CODE: message: cause; what
 * to do`, and an exit code per class of failure (errors.ts: 1 not found, 2 usage, 3 bad
 * data, 4 system). A new command only has to throw.
 */
import { readFileSync } from 'node:fs';
import { diff } from './commands/diff.ts';
import { estimateCommand } from './commands/estimate.ts';
import { get } from './commands/get.ts';
import { ingest } from './commands/ingest.ts';
import { plot } from './commands/plot.ts';
import { query } from './commands/query.ts';
import { repair } from './commands/repair.ts';
import { stats } from './commands/stats.ts';
import { verify } from './commands/verify.ts';
import {
  asUsage,
  type Command,
  describeError,
  EXIT_HELP,
  exitCodeOf,
  Output,
  UsageError,
} from './common.ts';

const commands: readonly Command[] = [
  ingest,
  get,
  query,
  diff,
  verify,
  stats,
  plot,
  estimateCommand,
  repair,
];

const usage = `Usage: leanrec <command> [options]

Debian package indexes in a few MB of RAM.

Commands:
${commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "leanrec <command> --help" for a command's options.
Options: -h, --help   this help;  -v, --version   the version

Errors are one line on stderr: "leanrec: E_CODE: message: cause; what to do".
${EXIT_HELP}`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the command line `argv` (without `node` and the script). Resolves to the exit code;
 * never throws.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const stdout = process.stdout;
  // A closed pipe (`leanrec query … | head`) ends the output quietly.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const out = new Output(stdout);
  const err = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      if (name === 'help' && rest[0] !== undefined) {
        const c = commands.find((x) => x.name === rest[0]);
        if (c === undefined) throw new UsageError(`unknown command "${rest[0]}"`);
        await out.write(`${c.help}\n`);
      } else await out.write(`${usage}\n`);
      await out.flush();
      return name === undefined ? 2 : 0;
    }
    if (name === '-v' || name === '--version') {
      await out.write(`${version()}\n`);
      await out.flush();
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined)
      throw new UsageError(
        name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`,
      );
    if (rest.includes('-h') || rest.includes('--help')) {
      await out.write(`${command.help}\n`);
      await out.flush();
      return 0;
    }
    let code: number;
    try {
      code = await command.run(rest, { out, err, tty: process.stderr.isTTY === true });
    } catch (e) {
      throw asUsage(e);
    }
    await out.flush();
    return code;
  } catch (e) {
    await out.flush().catch(() => {});
    const known = commands.some((c) => c.name === name);
    const hint = e instanceof UsageError ? ` (see leanrec ${known ? `${name} ` : ''}--help)` : '';
    err(`leanrec: ${describeError(e)}${hint}`);
    return exitCodeOf(e);
  }
}
