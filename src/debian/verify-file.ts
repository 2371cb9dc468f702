/**
 * Dependency verification of a Packages index file without a database: the answer of
 * {@link verifyDependencies} on a store made from the file, in the memory of a hot tier.
 *
 * Reading the file into a store whose cold tier was in RAM peaked at 472–514 MB RSS; a
 * temporary store on disk (cold fields other than the relations dropped) still peaked at
 * 172–178 MB, LevelDB's memory on top of the ingest's, against 142–155 MB for verifying
 * a store made beforehand. Instead the file is
 * read twice: pass 1 streams it into a hot-only store (the keys and versions every
 * lookup needs, a few MB) while collecting what each package Provides; pass 2 streams
 * it again and checks each package's relation fields as they go by. Only the findings
 * are kept.
 */
import { openStore } from '../store/open.ts';
import { readPackages } from './read.ts';
import { debianPackages } from './schemas.ts';
import { checkOptions, sortFindings, type Unsatisfied, type VerifyOptions } from './verify.ts';
import { Checker, type Finding, ownArchitecture } from './verify-check.ts';
import { PackageIndex } from './verify-index.ts';

/** What {@link verifyIndexFile} found. */
export interface IndexVerification {
  /** The findings, as {@link verifyDependencies} returns them. */
  findings: Unsatisfied[];
  /** Packages in the index (distinct keys: a repeated key counts once). */
  packages: number;
}

/**
 * Verifies the dependencies of the Packages index at `path` (plain, `.gz`, `.xz` or
 * `.lz4`) as {@link verifyDependencies} does on a store ingested from it, without one.
 * The file is read twice. `batchSize` is accepted and has no effect (nothing is loaded
 * in batches).
 *
 * A key that repeats in the file is checked once per paragraph, where a store keeps
 * only the last paragraph.
 *
 * @throws LeanrecError `E_PARSE` / `E_INVALID_RECORD` when the file is not a valid index
 *   (as `ingest` would), `E_ARGUMENT` as {@link verifyDependencies}.
 * @example
 * ```ts
 * const { findings, packages } = await verifyIndexFile('Packages.gz')
 * ```
 */
export async function verifyIndexFile(
  path: string,
  options: VerifyOptions = {},
): Promise<IndexVerification> {
  const { fields } = checkOptions(options);
  const store = await openStore(debianPackages, { cold: false });
  try {
    const checker = new Checker();
    const out: Finding[] = [];
    // Pass 1: the hot tier, and what each package Provides.
    async function* providing() {
      for await (const r of readPackages(path, { file: path })) {
        const m = checker.addProvides(r, r);
        if (m !== undefined) out.push(m);
        yield r;
      }
    }
    // Small batches: the records of a batch (every field of each paragraph) are what
    // survives V8's young-generation collections; on the Debian index the whole verify
    // peaked at 167 MB RSS with batches of 1000 and 154 MB with 64.
    await store.ingest(providing(), { batchSize: 64 });
    const index = PackageIndex.fromStore(store);
    checker.usePackages(index, ownArchitecture(index, options.architecture));
    checker.providesComplete = true;
    // Pass 2: every package's relation fields, as they stream by.
    for await (const r of readPackages(path, { file: path })) checker.check(r, r, fields, out);
    return { findings: sortFindings(out), packages: store.size };
  } finally {
    await store.close();
  }
}
