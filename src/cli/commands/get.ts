/** `leanrec get <db> <package> [version] [arch]`: print records as deb822 paragraphs. */
import { parseArgs } from 'node:util';
import { toDeb822 } from '../../debian/index.ts';
import { CliError, type Command, EXIT_HELP, UsageError, withStore } from '../common.ts';

const help = `Usage: leanrec get <db> <package> [version] [architecture]

Prints the record(s) of <package> as deb822 paragraphs, exactly as they were in the
index, separated by blank lines; <db> holds a Packages or a Sources index. Without
version/architecture: every record of the package. Exits 1 (E_NOT_FOUND) when there is none.

Options:
  -h, --help          this help

${EXIT_HELP}`;

export const get: Command = {
  name: 'get',
  summary: 'print the paragraph(s) of a package',
  help,
  async run(args, { out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length < 2 || positionals.length > 4)
      throw new UsageError('get takes <db> <package> [version] [architecture]');
    const [db, pkg, version, arch] = positionals as [string, string, string?, string?];
    await withStore(db, async ({ store }) => {
      let views = [...store.where({ package: pkg })];
      if (version !== undefined) views = views.filter((v) => v.version === version);
      if (arch !== undefined) views = views.filter((v) => v.architecture === arch);
      if (views.length === 0) {
        const what = [pkg, version, arch].filter((s) => s !== undefined).join(' ');
        throw new CliError(
          'E_NOT_FOUND',
          `no record of ${what} in ${db}`,
          version === undefined ? {} : { hint: `"leanrec get ${db} ${pkg}" prints every version` },
        );
      }
      for (let i = 0; i < views.length; i++) {
        const text = toDeb822(views[i]!.record());
        // The blank line between paragraphs ends as their lines do (CRLF paragraphs: CRLF).
        await out.write((i > 0 ? (text.endsWith('\r\n') ? '\r\n' : '\n') : '') + text);
      }
    });
    return 0;
  },
};
