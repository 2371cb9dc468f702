/** `leanrec verify <db|index>`: list unsatisfied Pre-Depends/Depends groups and malformed fields. */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Unsatisfied, verifyDependencies, verifyIndexFile } from '../../debian/index.ts';
import { PACKAGE_RELATIONS, SOURCE_RELATIONS } from '../../debian/schemas.ts';
import { LeanrecError } from '../../errors.ts';
import {
  CliError,
  type Command,
  EXIT_HELP,
  fileError,
  int,
  UsageError,
  withStore,
} from '../common.ts';
import { MEMSTATS_HELP, memstatsOptions, startMemstats } from '../options.ts';
import { buildDeps, buildSummary } from './verify-build.ts';

type RelationField = keyof typeof PACKAGE_RELATIONS;

/** The exit code when some relation field is malformed (1 and 2 are failures and usage). */
export const EXIT_MALFORMED = 3;

/** The marker in the fifth column of a malformed field's line (a group starts with a letter or digit). */
const MALFORMED = '!malformed';

const help = `Usage: leanrec verify <db|index> [--fields Pre-Depends,Depends] [--arch <arch>]
       leanrec verify --build-deps <sources> --against <packages> [--arch <arch>]
                      [--profiles nocheck,...]

Checks that every dependency group is satisfied by some package (a real package of a
matching version, or a Provides). <db> is a database directory; an index file is read
twice instead (nothing is written; memory is that of the hot tier). Prints one line per
unsatisfied group:
  package<TAB>version<TAB>architecture<TAB>field<TAB>group
and one line per relation field that does not parse:
  package<TAB>version<TAB>architecture<TAB>field<TAB>${MALFORMED}<TAB>group<TAB>message
(group: its first malformed group as written; message: the parser's, with the column
in the field). A malformed field is reported once; its well-formed groups and the other
fields are still checked; a malformed Provides is reported even when not in --fields.
Their numbers go to stderr.

Architecture qualifiers follow apt: :any, :native and the index's own architecture are
ignored; any other (g++:powerpc) is only satisfied by a package of that architecture.
The own architecture is the one the packages have besides "all"; name it with --arch
when there are several.

With --build-deps, checks the build dependencies of every source package of <sources>
(a Sources store or index) against the binary packages of <packages> (a Packages store
or index), as archive tools do on upload: each OR-group of Build-Depends,
Build-Depends-Arch and Build-Depends-Indep that applies to the build (architecture
restrictions such as [amd64 !i386 linux-any], wildcards matched as dpkg-architecture
does, and build-profile formulas such as <!nocheck> <stage1 cross>, evaluated for --arch
and --profiles) must be satisfied with the rules above; a Build-Conflicts* relation is
reported when the build cannot avoid what it names (an Essential or Build-Essential
package, or one a build dependency without alternatives requires). Same output, the
architecture column being the build's; sources not built on --arch are skipped.

Exit status: 0 when every field parses (whether or not some groups are unsatisfied),
${EXIT_MALFORMED} when some relation field is malformed; on an error:
${EXIT_HELP}

Options:
  --fields <list>     relation fields to check, comma-separated
                      (default Pre-Depends,Depends; any of ${Object.keys(PACKAGE_RELATIONS).join(', ')})
  --arch <arch>       the index's own architecture (needed when the packages have several);
                      with --build-deps, the build's
  --build-deps <src>  check the build dependencies of the sources in <src> (store or file)
  --against <pkgs>    ... against the binary packages in <pkgs> (store or file)
  --profiles <list>   active build profiles, comma-separated (default none)
${MEMSTATS_HELP}
  -h, --help          this help`;

/** One output line for a finding. */
function line(u: Unsatisfied): string {
  const key = `${u.package}\t${u.version}\t${u.architecture}\t${u.field}`;
  return u.malformed === undefined
    ? `${key}\t${u.group}\n`
    : `${key}\t${MALFORMED}\t${u.group}\t${u.malformed.replace(/\s+/g, ' ')}\n`;
}

export const verify: Command = {
  name: 'verify',
  summary: 'list unsatisfied dependencies of a store or an index file',
  help,
  async run(args, ctx) {
    const { out, err } = ctx;
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        fields: { type: 'string' },
        arch: { type: 'string' },
        'build-deps': { type: 'string' },
        against: { type: 'string' },
        profiles: { type: 'string' },
        ...memstatsOptions,
      },
    });
    if (values['build-deps'] !== undefined) {
      const findings = await buildDeps(values, positionals, ctx);
      for (const u of findings) await out.write(line(u));
      await out.flush();
      ctx.err(buildSummary(findings, values.arch));
      return findings.some((u) => u.malformed !== undefined) ? EXIT_MALFORMED : 0;
    }
    if (values.against !== undefined || values.profiles !== undefined)
      throw new UsageError('--against and --profiles go with --build-deps <sources>');
    if (positionals.length !== 1) throw new UsageError('verify takes one <db|index>');
    const fields = (values.fields ?? 'Pre-Depends,Depends')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    for (const f of fields) {
      if (Object.hasOwn(SOURCE_RELATIONS, f))
        throw new CliError('E_USAGE', `--fields: ${f} is a field of source packages`, {
          hint: 'check it against binary packages with "leanrec verify --build-deps <sources> --against <packages>"',
        });
      if (!Object.hasOwn(PACKAGE_RELATIONS, f))
        throw new UsageError(
          `--fields: "${f}" is not a relation field of binary packages (${Object.keys(PACKAGE_RELATIONS).join(', ')})`,
        );
    }
    const target = positionals[0]!;
    let isDir: boolean;
    try {
      isDir = statSync(target).isDirectory();
    } catch (e) {
      throw fileError(e, `no database or index at ${target}`);
    }
    const options = {
      fields: fields as RelationField[],
      ...(values.arch === undefined ? {} : { architecture: values.arch }),
    };
    let findings: Unsatisfied[] = [];
    let packages = 0;
    const memstats = startMemstats(values);
    try {
      if (isDir) {
        await withStore(target, async (db) => {
          if (db.kind !== 'debian-packages')
            throw new CliError('E_USAGE', `${target} holds source packages`, {
              hint: `check their build dependencies with "leanrec verify --build-deps ${target} --against <packages>"`,
            });
          findings = await verifyDependencies(db.store, options);
          packages = db.store.size;
        });
      } else ({ findings, packages } = await verifyIndexFile(target, options));
      memstats?.mark('verify done');
    } catch (e) {
      if (e instanceof LeanrecError && e.code === 'E_ARGUMENT' && e.field === 'architecture')
        throw new UsageError(
          e.message
            .replace('with the "architecture" option', 'with --arch')
            .replace(/^verify: /, ''),
        );
      throw e;
    } finally {
      await memstats?.stop();
    }
    let malformed = 0;
    for (const u of findings) {
      if (u.malformed !== undefined) malformed++;
      await out.write(line(u));
    }
    await out.flush();
    const unsatisfied = findings.length - malformed;
    const s = (n: number) => (n === 1 ? '' : 's');
    err(
      `${int(unsatisfied)} unsatisfied group${s(unsatisfied)}` +
        (malformed > 0 ? `, ${int(malformed)} malformed field${s(malformed)}` : '') +
        ` in ${int(packages)} packages`,
    );
    return malformed > 0 ? EXIT_MALFORMED : 0;
  },
};
