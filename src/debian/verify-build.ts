/**
 * The build-dependency check archive tools run on every upload: for each source package,
 * each OR-group of `Build-Depends`, `Build-Depends-Arch` and `Build-Depends-Indep` that
 * applies to the build (its architecture restrictions and build-profile formulas
 * evaluated for the architecture and profiles given) must be satisfied by the binary
 * packages, with the rules of {@link verifyDependencies} (versions, Provides, apt's
 * architecture qualifiers); a `Build-Conflicts*` relation is reported when the build
 * cannot avoid what it names: an Essential or Build-Essential package, or one that a
 * build dependency without alternatives requires.
 */

import type { Relation } from '../query/relations.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { readPackages, readSources } from './read.ts';
import { applies, archListAdmits } from './restrictions.ts';
import { debianPackages, type debianSources, SOURCE_RELATIONS } from './schemas.ts';
import { sortFindings, type Unsatisfied } from './verify.ts';
import {
  Checker,
  checkArchitecture,
  type Finding,
  ownArchitecture,
  parseField,
  writtenGroup,
} from './verify-check.ts';
import { PackageIndex } from './verify-index.ts';

type PackagesStore = Store<typeof debianPackages>;
type SourcesStore = Store<typeof debianSources>;

/** Options of {@link verifyBuildDependencies}. */
export interface BuildDependencyOptions {
  /**
   * The architecture of the build: restrictions (`[amd64 !i386 linux-any]`) are evaluated
   * for it and its qualifier is ignored like `:native`.
   * @defaultValue the one architecture of the packages besides `all`
   */
  arch?: string;
  /** The active build profiles (`nocheck`, `stage1`…). @defaultValue none */
  profiles?: readonly string[];
}

const DEPENDS = ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep'] as const;
const CONFLICTS = ['Build-Conflicts', 'Build-Conflicts-Arch', 'Build-Conflicts-Indep'] as const;
const BATCH = 64;

/**
 * Checks the build dependencies of every source package of `sources` (a store of
 * `debianSources` records, or the path of a Sources index) against the binary packages
 * of `packages` (a `debianPackages` store, or a Packages index path, read into a
 * hot-only store). A source whose Architecture admits neither the build's architecture
 * nor `all` is not built there and is skipped.
 *
 * @returns the findings in {@link Unsatisfied}'s shape, `architecture` being the build's:
 *   unsatisfied groups, violated conflicts, malformed fields (`malformed` set).
 * @throws LeanrecError `E_ARGUMENT` for a bad option or when the packages have several
 *   architectures and `arch` is not given; `E_PARSE` for an index that does not parse.
 * @example
 * ```ts
 * const findings = await verifyBuildDependencies('Sources.xz', 'Packages.gz', { arch: 'amd64', profiles: ['nocheck'] })
 * ```
 */
export async function verifyBuildDependencies(
  sources: SourcesStore | string,
  packages: PackagesStore | string,
  options: BuildDependencyOptions = {},
): Promise<Unsatisfied[]> {
  if (options.arch !== undefined) checkArchitecture(options.arch);
  const profiles = new Set(options.profiles ?? []);
  const out: Finding[] = [];
  const own =
    typeof packages === 'string' ? await openStore(debianPackages, { cold: false }) : undefined;
  try {
    const store = own ?? (packages as PackagesStore);
    const checker = new Checker();
    // What Provides offers (a malformed Provides is the Packages side's problem: not reported).
    if (typeof packages === 'string') {
      await store.ingest(
        (async function* () {
          for await (const r of readPackages(packages)) {
            checker.addProvides(r, r);
            yield r;
          }
        })(),
      );
    } else
      for await (const [views, rels] of batches(store))
        for (let i = 0; i < views.length; i++) checker.addProvides(views[i]!, rels[i]!);
    const index = PackageIndex.fromStore(store);
    const arch = ownArchitecture(index, options.arch) ?? 'all';
    checker.usePackages(index, arch);
    checker.providesComplete = true;
    const always = new Set<string>();
    for (const v of store.where({ essential: true })) always.add(v.package);
    for (const v of store.where({ buildEssential: true })) always.add(v.package);

    const check = (
      src: { package: string; version: string; architecture?: string | undefined },
      rel: Record<string, unknown>,
    ) => {
      const list = src.architecture?.split(/\s+/).filter((a) => a !== '');
      if (list !== undefined && !list.includes('all') && !archListAdmits(list, arch)) return;
      const id = { package: src.package, version: src.version, architecture: arch };
      const needed = new Set(always);
      for (const field of DEPENDS) {
        const text = rel[SOURCE_RELATIONS[field]];
        if (typeof text !== 'string') continue;
        const { groups, malformed } = parseField(text, field, id);
        if (malformed !== undefined) out.push(malformed);
        groups.forEach((alts, i) => {
          const live = alts?.filter((a) => applies(a, arch, profiles)) ?? [];
          if (live.length === 0) return;
          if (live.length === 1) needed.add(live[0]!.name);
          if (!live.some((a) => checker.satisfiedBy(a)))
            out.push({ ...id, field, group: writtenGroup(text, i) });
        });
      }
      for (const field of CONFLICTS) {
        const text = rel[SOURCE_RELATIONS[field]];
        if (typeof text !== 'string') continue;
        const { groups, malformed } = parseField(text, field, id);
        if (malformed !== undefined) out.push(malformed);
        groups.forEach((alts, i) => {
          const violated = (a: Relation) =>
            applies(a, arch, profiles) && needed.has(a.name) && checker.satisfiedBy(a);
          if (alts?.some(violated)) out.push({ ...id, field, group: writtenGroup(text, i) });
        });
      }
    };
    if (typeof sources === 'string') for await (const r of readSources(sources)) check(r, r);
    else
      for await (const [views, rels] of batches(sources))
        for (let i = 0; i < views.length; i++) check(views[i]!, rels[i]!);
  } finally {
    await own?.close();
  }
  return sortFindings(out);
}

/** The records of `store` with their `relations` group, a batch at a time. */
async function* batches<V extends object>(store: {
  where(): Iterable<V>;
  loadMany(
    views: V[],
    group: 'relations',
    options: { cache: boolean },
  ): Promise<Record<string, unknown>[]>;
}): AsyncGenerator<[V[], Record<string, unknown>[]]> {
  let batch: V[] = [];
  for (const v of store.where()) {
    batch.push(v);
    if (batch.length < BATCH) continue;
    yield [batch, await store.loadMany(batch, 'relations', { cache: false })];
    batch = [];
  }
  if (batch.length > 0) yield [batch, await store.loadMany(batch, 'relations', { cache: false })];
}
