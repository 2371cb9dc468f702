/**
 * `leanrec verify --build-deps <sources> --against <packages>`: the build-dependency
 * check of every source package, each side a store or an index file.
 */
import { statSync } from 'node:fs';
import {
  type BuildDependencyOptions,
  type Unsatisfied,
  verifyBuildDependencies,
} from '../../debian/index.ts';
import { LeanrecError } from '../../errors.ts';
import {
  CliError,
  type CommandContext,
  type DebianStore,
  fileError,
  int,
  openExisting,
  UsageError,
} from '../common.ts';
import { startMemstats } from '../options.ts';

/** The options `verify --build-deps` reads. */
export interface BuildDepsArgs {
  'build-deps'?: string | undefined;
  against?: string | undefined;
  arch?: string | undefined;
  profiles?: string | undefined;
  fields?: string | undefined;
  memstats?: string | undefined;
  'memstats-interval'?: string | undefined;
}

/** A store of the expected kind (opened) or an index file (its path). */
async function side(
  path: string,
  kind: DebianStore['kind'],
  option: string,
): Promise<DebianStore | string> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw fileError(e, `${option}: no database or index at ${path}`);
  }
  if (!isDir) return path;
  const db = await openExisting(path);
  if (db.kind !== kind) {
    await db.store.close();
    throw new CliError('E_USAGE', `${option} ${path}: the store holds ${db.kind}, not ${kind}`);
  }
  return db;
}

/**
 * Runs the check and writes its findings with `write`; resolves to the findings. The
 * caller prints them as `verify` prints its own.
 */
export async function buildDeps(
  values: BuildDepsArgs,
  positionals: readonly string[],
  _ctx: CommandContext,
): Promise<Unsatisfied[]> {
  if (positionals.length > 0)
    throw new UsageError('verify --build-deps <sources> takes no other <db|index>');
  if (values.against === undefined)
    throw new UsageError('verify --build-deps <sources> needs --against <packages>');
  if (values.fields !== undefined)
    throw new UsageError('--fields does not apply to --build-deps (it checks every Build-* field)');
  const options: BuildDependencyOptions = {};
  if (values.arch !== undefined) options.arch = values.arch;
  if (values.profiles !== undefined)
    options.profiles = values.profiles
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  const sourcesPath = values['build-deps']!;
  const packagesPath = values.against;
  const opened: DebianStore[] = [];
  const memstats = startMemstats(values);
  try {
    const sources = await side(sourcesPath, 'debian-sources', '--build-deps');
    if (typeof sources !== 'string') opened.push(sources);
    const packages = await side(packagesPath, 'debian-packages', '--against');
    if (typeof packages !== 'string') opened.push(packages);
    const findings = await verifyBuildDependencies(
      typeof sources === 'string' ? sources : (sources.store as never),
      typeof packages === 'string' ? packages : (packages.store as never),
      options,
    ).catch((e) => {
      if (e instanceof LeanrecError && e.code === 'E_ARGUMENT' && e.field === 'architecture')
        throw new UsageError(
          e.message
            .replace('with the "architecture" option', 'with --arch')
            .replace(/^verify: /, ''),
        );
      throw e;
    });
    memstats?.mark('verify done');
    return findings;
  } finally {
    for (const db of opened) await db.store.close();
    await memstats?.stop();
  }
}

/** The summary line on stderr. */
export function buildSummary(findings: readonly Unsatisfied[], arch: string | undefined): string {
  const malformed = findings.filter((f) => f.malformed !== undefined).length;
  const conflicts = findings.filter(
    (f) => f.malformed === undefined && f.field.startsWith('Build-Conflicts'),
  ).length;
  const unsatisfied = findings.length - malformed - conflicts;
  const s = (n: number) => (n === 1 ? '' : 's');
  return (
    `${int(unsatisfied)} unsatisfied build dependenc${unsatisfied === 1 ? 'y' : 'ies'}, ` +
    `${int(conflicts)} violated build conflict${s(conflicts)}` +
    (malformed > 0 ? `, ${int(malformed)} malformed field${s(malformed)}` : '') +
    ` (for ${arch ?? findings[0]?.architecture ?? "the packages' architecture"})`
  );
}
