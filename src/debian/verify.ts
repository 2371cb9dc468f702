/**
 * Dependency verification over a store of `debianPackages` records — aptly's
 * `snapshot verify`: every OR-group of the chosen relation fields of every package must
 * be satisfied by some package in the store.
 *
 * It runs from the hot tier plus the `relations` group loaded in batches (`loadMany`):
 * pass 1 collects what each package Provides (name → provided versions), pass 2 checks
 * each group. Real packages are found through the secondary index on `package`. The
 * index is never materialised as objects.
 */
import { LeanrecError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { RecordView } from '../store/types.ts';
import { flatCopy } from '../util/utf8.ts';
import { parseRelations, type Relation } from './relations.ts';
import { type debianPackages, PACKAGE_RELATIONS } from './schemas.ts';
import { satisfies } from './version.ts';

type PackagesStore = Store<typeof debianPackages>;
type View = RecordView<typeof debianPackages>;

/** Options of {@link verifyDependencies}. */
export interface VerifyOptions {
  /**
   * The relation fields to check, as deb822 names.
   * @defaultValue ['Pre-Depends', 'Depends']
   */
  fields?: readonly (keyof typeof PACKAGE_RELATIONS)[];
  /**
   * Packages whose relations are loaded per `loadMany` call (two batches are in flight:
   * the next one is read while this one is checked). Larger batches are not faster, and
   * more of them is live when V8 collects its young generation: on the Debian index that
   * generation grew to 32 MiB with batches of 512, and stays at 16 MiB with 64.
   * @defaultValue 64
   */
  batchSize?: number;
}

/** One OR-group that no package in the store satisfies. */
export interface Unsatisfied {
  package: string;
  version: string;
  architecture: string;
  /** The deb822 field, e.g. `Depends`. */
  field: string;
  /** The group as written in the index (whitespace runs folded to one space). */
  group: string;
}

/**
 * Finds every unsatisfied dependency group. An alternative is satisfied by a real
 * package of that name (whose version satisfies the relation, when it has one) or by a
 * package that Provides the name (for a versioned relation: a versioned Provides
 * `name (= v)` whose `v` satisfies it). Architecture qualifiers (`:any`, `:native`,
 * `:amd64`) are ignored for matching; legacy `<`/`>` mean `<=`/`>=`.
 *
 * @returns the unsatisfied groups, sorted by package, version, field.
 * @throws LeanrecError `E_PARSE` when a relation field is malformed (naming the package).
 * @example
 * ```ts
 * for (const u of await verifyDependencies(store)) console.log(u.package, u.field, u.group)
 * ```
 */
export async function verifyDependencies(
  store: PackagesStore,
  options: VerifyOptions = {},
): Promise<Unsatisfied[]> {
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
  const provided: Provided = new Map();
  await eachBatch(store, batchSize, (view, rel) => {
    const text = rel.provides as string | undefined;
    if (text === undefined) return;
    for (const group of parse(text, 'Provides', view))
      for (const r of group) {
        const v: Provision = r.op === '=' && r.version !== undefined ? flatCopy(r.version) : true;
        const had = provided.get(r.name);
        if (had === undefined) provided.set(flatCopy(r.name), v);
        else if (Array.isArray(had)) had.push(v);
        else provided.set(r.name, [had, v]);
      }
  });
  const out: Unsatisfied[] = [];
  await eachBatch(store, batchSize, (view, rel) => {
    for (const field of fields) {
      const text = rel[PACKAGE_RELATIONS[field]] as string | undefined;
      if (text === undefined) continue;
      const groups = parse(text, field, view);
      let written: string[] | undefined;
      groups.forEach((group, i) => {
        if (group.some((alt) => satisfied(store, provided, alt))) return;
        written ??= splitGroups(text);
        out.push({
          package: view.package,
          version: view.version,
          architecture: view.architecture,
          field,
          group: written[i] ?? '',
        });
      });
    }
  });
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
 * What a package Provides under one name: the version of a versioned Provides
 * (`name (= v)`), `true` for an unversioned one.
 */
type Provision = string | true;

/**
 * Provided names → provisions. Most names are provided once, so a single provision is
 * held as is and only repeated names get an array: the map of a whole index (tens of
 * thousands of names) stays a few MB instead of one array each.
 */
type Provided = Map<string, Provision | Provision[]>;

function satisfied(store: PackagesStore, provided: Provided, alt: Relation): boolean {
  for (const real of store.where({ package: alt.name }, { reuse: true })) {
    if (alt.op === undefined || alt.version === undefined) return true;
    if (satisfies(real.version, alt.op, alt.version)) return true;
  }
  const prov = provided.get(alt.name);
  if (prov === undefined) return false;
  if (alt.op === undefined || alt.version === undefined) return true;
  if (!Array.isArray(prov)) return prov !== true && satisfies(prov, alt.op, alt.version);
  for (const v of prov) if (v !== true && satisfies(v, alt.op, alt.version)) return true;
  return false;
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

function parse(text: string, field: string, view: View): Relation[][] {
  try {
    return parseRelations(text, field);
  } catch (err) {
    if (err instanceof LeanrecError)
      throw new LeanrecError(
        'E_PARSE',
        `${view.package} ${view.version} ${view.architecture}: ${err.message}`,
        {
          field,
          key: `${view.package} ${view.version} ${view.architecture}`,
          ...(err.column === undefined ? {} : { column: err.column }),
          cause: err,
        },
      );
    throw err;
  }
}

/** The groups of a relation field as written (split on top-level commas, whitespace folded). */
function splitGroups(text: string): string[] {
  return text
    .split(',')
    .map((g) => g.replace(/\s+/g, ' ').trim())
    .filter((g) => g !== '');
}
