/** `leanrec repair <db>`: LevelDB's repair, then the store's checks; lists what was lost. */
import { parseArgs } from 'node:util';
import { debianPackages, debianSources } from '../../debian/index.ts';
import type { AnySchema } from '../../schema/schema.ts';
import { repairStore } from '../../store/repair.ts';
import {
  type Command,
  checkDatabaseDir,
  EXIT,
  EXIT_HELP,
  inDatabase,
  int,
  UsageError,
} from '../common.ts';

const help = `Usage: leanrec repair <db>

Repairs a damaged store (the errors that lead here say E_CORRUPT). Runs LevelDB's own
repair (it keeps every block that passes its checks), then checks each record: its hot
entry decodes and its key is its own, every cold group is there and decodes. A record
that fails is removed whole; then the hot tier is rebuilt from the records that stayed.
Nothing may have the store open meanwhile. Copy the directory first to keep the
damaged original.

Prints one line per record removed:
  lost<TAB>key<TAB>reason          (key: "package version architecture")
  lost<TAB>id N<TAB>reason         (a record whose hot entry, with its key, is lost)
  lost<TAB>ids N-M<TAB>reason      (ids of which nothing is left: lost whole, or
                                    deleted before the damage)
and on stderr what LevelDB reported and the numbers.

Exit status: 0 when every record was kept, ${EXIT.data} when some were removed; on an error:
${EXIT_HELP}

Options:
  -h, --help          this help`;

export const repair: Command = {
  name: 'repair',
  summary: 'repair a damaged store; list the records that could not be kept',
  help,
  async run(args, { out, err }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('repair takes one <db>');
    const dir = positionals[0]!;
    checkDatabaseDir(dir);
    let report: Awaited<ReturnType<typeof repairStore>>;
    try {
      report = await repairStore(dir, [
        debianPackages as unknown as AnySchema,
        debianSources as unknown as AnySchema,
      ]);
    } catch (e) {
      throw inDatabase(e, dir);
    }
    for (const l of report.lost) {
      const who = l.key ?? (l.to === undefined ? `id ${l.id}` : `ids ${l.id}-${l.to}`);
      await out.write(`lost\t${who}\t${l.reason}\n`);
    }
    await out.flush();
    for (const line of report.levelDb) err(`leveldb: ${line}`);
    const n = report.lost.length;
    err(
      `${int(report.kept)} records kept, ${int(n)} removed` +
        (n === 0 ? '' : ' (listed on stdout)') +
        `; ${dir} is consistent again`,
    );
    return n === 0 ? 0 : EXIT.data;
  },
};
