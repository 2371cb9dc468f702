/** `leanrec diff <a> <b>`: what changed between two indexes (stores or Packages files). */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { debianPackages, diffStores, readPackages } from '../../debian/index.ts';
import { openStore } from '../../store/open.ts';
import { CliError, type Command, openExisting, type PackagesStore, UsageError } from '../common.ts';

const help = `Usage: leanrec diff <a> <b> [--hot]

Compares two Packages indexes, each a leanrec database directory or a Packages file
(plain, .gz, .xz, .lz4: read into memory first), per package and architecture. Prints
one TSV line per difference:

  kind  package  architecture  versionA  versionB

kind is added, removed, upgraded, downgraded (dpkg order) or changed (same version,
other fields); "-" stands for a version that is absent. Changed records come first,
then the rest by package and architecture. Exit code 0 whether or not they differ.

Options:
  --hot        compare hot fields only (reads no cold group: a changed description
               is not seen)
  -h, --help   this help`;

/** A database directory as it is, or a Packages file read into an in-memory store. */
async function openSide(path: string): Promise<PackagesStore> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (cause) {
    throw new CliError('E_NOT_FOUND', `no database or index file at ${path}`, { cause });
  }
  if (isDir) {
    const db = await openExisting(path);
    if (db.kind === 'debian-packages') return db.store;
    await db.store.close();
    throw new CliError(
      'E_USAGE',
      `${path} holds Debian Sources records: diff compares Packages indexes`,
    );
  }
  const store = await openStore(debianPackages);
  try {
    await store.ingest(readPackages(path));
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

export const diff: Command = {
  name: 'diff',
  summary: 'TSV of added/removed/upgraded/downgraded/changed packages between two indexes',
  help,
  async run(args, { out }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { hot: { type: 'boolean' } },
    });
    if (positionals.length !== 2) throw new UsageError('diff takes <a> <b>');
    const a = await openSide(positionals[0]!);
    let b: PackagesStore | undefined;
    try {
      b = await openSide(positionals[1]!);
      for await (const d of diffStores(a, b, { cold: values.hot !== true }))
        await out.write(
          `${d.kind}\t${d.package}\t${d.architecture}\t${d.versionA ?? '-'}\t${d.versionB ?? '-'}\n`,
        );
    } finally {
      await a.close();
      await b?.close();
    }
    return 0;
  },
};
