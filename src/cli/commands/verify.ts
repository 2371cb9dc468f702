/** `leanrec verify <db|index>`: list unsatisfied Pre-Depends/Depends groups. */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  debianPackages,
  PACKAGE_RELATIONS,
  readPackages,
  verifyDependencies,
} from '../../debian/index.ts';
import { openStore } from '../../index.ts';
import {
  CliError,
  type Command,
  int,
  openExisting,
  type PackagesStore,
  UsageError,
} from '../common.ts';

type RelationField = keyof typeof PACKAGE_RELATIONS;

const help = `Usage: leanrec verify <db|index> [--fields Pre-Depends,Depends]

Checks that every dependency group is satisfied by some package (a real package of a
matching version, or a Provides). <db> is a database directory; an index file is read
into a temporary in-memory store first (nothing is written). Prints one line per
unsatisfied group:  package<TAB>version<TAB>architecture<TAB>field<TAB>group
and their number on stderr. Exits 0 whether or not some are unsatisfied.

Options:
  --fields <list>     relation fields to check, comma-separated
                      (default Pre-Depends,Depends; any of ${Object.keys(PACKAGE_RELATIONS).join(', ')})
  -h, --help          this help`;

export const verify: Command = {
  name: 'verify',
  summary: 'list unsatisfied dependencies of a store or an index file',
  help,
  async run(args, { out, err }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { fields: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('verify takes one <db|index>');
    const fields = (values.fields ?? 'Pre-Depends,Depends')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    for (const f of fields)
      if (!Object.hasOwn(PACKAGE_RELATIONS, f))
        throw new UsageError(`--fields: "${f}" is not a relation field`);
    const target = positionals[0]!;
    let isDir: boolean;
    try {
      isDir = statSync(target).isDirectory();
    } catch {
      throw new CliError(`no database or index at ${target}`);
    }
    let store: PackagesStore;
    if (isDir) store = await openExisting(target);
    else {
      store = await openStore(debianPackages); // cold tier in memory: nothing on disk
      try {
        await store.ingest(readPackages(target));
      } catch (e) {
        await store.close();
        throw e;
      }
    }
    try {
      const unsatisfied = await verifyDependencies(store, {
        fields: fields as RelationField[],
      });
      for (const u of unsatisfied)
        await out.write(`${u.package}\t${u.version}\t${u.architecture}\t${u.field}\t${u.group}\n`);
      await out.flush();
      err(
        `${int(unsatisfied.length)} unsatisfied group${unsatisfied.length === 1 ? '' : 's'} in ${int(store.size)} packages`,
      );
    } finally {
      await store.close();
    }
    return 0;
  },
};
