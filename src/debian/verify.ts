/**
 * Dependency verification over a store of `debianPackages` records — aptly's
 * `snapshot verify`: every OR-group of the chosen relation fields of every package must
 * be satisfied by some package in the store.
 *
 * It runs from the hot tier plus the `relations` group, read once, in batches
 * (`loadMany`, rows in order). The real packages come from the hot tier alone, indexed
 * by name before the relations are read (verify-index.ts); the relations then give what
 * each package Provides and the groups to check in the same pass: a group a real
 * package satisfies is decided at once, the others once every Provides is known (the
 * rules are in verify-check.ts). The records are never materialised as objects.
 */
import { LeanrecError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { RecordView } from '../store/types.ts';
import { type debianPackages, PACKAGE_RELATIONS } from './schemas.ts';
import { Checker, checkArchitecture, type Finding, ownArchitecture } from './verify-check.ts';
import { PackageIndex } from './verify-index.ts';

type PackagesStore = Store<typeof debianPackages>;
type View = RecordView<typeof debianPackages>;
type RelationField = keyof typeof PACKAGE_RELATIONS;

/** Options of {@link verifyDependencies}. */
export interface VerifyOptions {
  /**
   * The relation fields to check, as deb822 names.
   * @defaultValue ['Pre-Depends', 'Depends']
   */
  fields?: readonly RelationField[];
  /**
   * Packages whose relations are loaded per `loadMany` call (two batches are in flight:
   * the next one is read while this one is checked). Larger batches are not faster, and
   * more of them is live when V8 collects its young generation: on the Debian index that
   * generation grew to 32 MiB with batches of 512, and stays at 16 MiB with 64.
   * @defaultValue 64
   */
  batchSize?: number;
  /**
   * The index's own architecture, whose qualifier (`libc6:amd64`) is ignored like `:any`
   * and `:native`. Needed only when the packages have several architectures besides
   * `all` (a merged index); else it is the one they have.
   * @defaultValue the one architecture of the packages besides `all`
   */
  architecture?: string;
}

/**
 * One finding: an OR-group that no package satisfies, or (when `malformed` is set) a
 * relation field that does not parse.
 */
export interface Unsatisfied {
  package: string;
  version: string;
  architecture: string;
  /** The deb822 field, e.g. `Depends`. */
  field: string;
  /**
   * The group as written in the index (whitespace runs folded to one space). For a
   * malformed field: its first group that does not parse.
   */
  group: string;
  /**
   * Only on a malformed field: the parser's message (`Depends: unbalanced '(' at column
   * 5: "(>>"`, the column counted in the whole field). Such a field is reported once;
   * its well-formed groups (each comma-separated group is parsed on its own) and the
   * package's other fields are still checked, and reported as usual when unsatisfied.
   * A malformed Provides is reported whatever `fields` says (what it provides is lost).
   * Absent on an unsatisfied group.
   */
  malformed?: string;
}

/**
 * Finds every unsatisfied dependency group, and every relation field that does not
 * parse. An alternative is satisfied by a real package of that name (whose version
 * satisfies the relation, when it has one) or by a package that Provides the name (for
 * a versioned relation: a versioned Provides `name (= v)` whose `v` satisfies it);
 * legacy `<`/`>` mean `<=`/`>=`.
 *
 * Architecture qualifiers follow apt: `:any`, `:native` and the index's own architecture
 * ({@link VerifyOptions.architecture}) are ignored; any other (`g++:powerpc`) is only
 * satisfied by a package of that architecture (a real one, or one that Provides the
 * name), which a single-architecture index does not hold.
 *
 * @returns the findings, sorted by package, version, architecture, field (a malformed
 *   field before the unsatisfied groups of the same field; see {@link Unsatisfied.malformed}).
 * @throws LeanrecError `E_ARGUMENT` for a bad option, or when the store holds packages of
 *   several architectures (besides `all`) and `architecture` is not given.
 * @example
 * ```ts
 * for (const u of await verifyDependencies(store))
 *   console.log(u.package, u.field, u.malformed ?? 'unsatisfied', u.group)
 * ```
 */
export async function verifyDependencies(
  store: PackagesStore,
  options: VerifyOptions = {},
): Promise<Unsatisfied[]> {
  const { fields, batchSize } = checkOptions(options);
  const index = PackageIndex.fromStore(store);
  const checker = new Checker(index, ownArchitecture(index, options.architecture));
  const out: Finding[] = [];
  await eachBatch(store, batchSize, (view, rel) => {
    const m = checker.addProvides(view, rel);
    if (m !== undefined) out.push(m);
    checker.check(view, rel, fields, out);
  });
  checker.finish(out);
  return sortFindings(out);
}

/** @internal The options of {@link verifyDependencies}, checked, with their defaults. */
export function checkOptions(options: VerifyOptions): {
  fields: readonly RelationField[];
  batchSize: number;
} {
  const fields = options.fields ?? (['Pre-Depends', 'Depends'] as const);
  for (const f of fields)
    if (!(f in PACKAGE_RELATIONS))
      throw new LeanrecError('E_ARGUMENT', `verifyDependencies: "${f}" is not a relation field`);
  const batchSize = options.batchSize ?? 64;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new LeanrecError(
      'E_ARGUMENT',
      `verifyDependencies: batchSize must be a positive integer, got ${String(batchSize)}`,
    );
  // Checked here rather than only once the packages are known: verifyIndexFile reads the
  // whole file before it needs the architecture.
  if (options.architecture !== undefined) checkArchitecture(options.architecture);
  return { fields, batchSize };
}

/** @internal Sorts findings by package, version, architecture, field (stable: group order kept). */
export function sortFindings(out: Unsatisfied[]): Unsatisfied[] {
  return out.sort(
    (a, b) =>
      cmp(a.package, b.package) ||
      cmp(a.version, b.version) ||
      cmp(a.architecture, b.architecture) ||
      cmp(a.field, b.field),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Calls `fn` for every package with its `relations` group, loaded `batchSize` packages
 * at a time. The next batch is read while the current one is checked, so the database
 * reads (on libuv's threads) overlap the parsing and matching (on this one).
 */
async function eachBatch(
  store: PackagesStore,
  batchSize: number,
  fn: (view: View, relations: Record<string, unknown>) => void,
): Promise<void> {
  type Loading = { views: View[]; rels: Promise<Record<string, unknown>[]> };
  const load = (views: View[]): Loading => {
    const rels = store.loadMany(views, 'relations', { cache: false });
    // Awaited after the batch before it is checked; if that check throws, this
    // rejection must not surface as unhandled.
    rels.catch(() => undefined);
    return { views, rels };
  };
  const check = async ({ views, rels }: Loading) => {
    const loaded = await rels;
    for (let i = 0; i < views.length; i++) fn(views[i]!, loaded[i]!);
  };
  let pending: Loading | undefined;
  let batch: View[] = [];
  for (const view of store.where()) {
    batch.push(view);
    if (batch.length < batchSize) continue;
    const next = load(batch);
    batch = [];
    if (pending !== undefined) await check(pending);
    pending = next;
  }
  const last = batch.length > 0 ? load(batch) : undefined;
  if (pending !== undefined) await check(pending);
  if (last !== undefined) await check(last);
}
