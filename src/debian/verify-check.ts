/**
 * The rules of dependency verification, shared by {@link verifyDependencies} (over a
 * store) and {@link verifyIndexFile} (over an index file): what Provides offers, when an
 * alternative is satisfied (apt's architecture-qualifier rule included), and how a
 * relation field that does not parse becomes a finding without hiding the rest.
 */
import { LeanrecError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { flatCopy } from '../util/utf8.ts';
import { parseRelations, type Relation } from './relations.ts';
import { type debianPackages, PACKAGE_RELATIONS } from './schemas.ts';
import { satisfies } from './version.ts';

type PackagesStore = Store<typeof debianPackages>;

/** What identifies a package in a finding. */
export interface PackageId {
  package: string;
  version: string;
  architecture: string;
}

/** One finding: see `Unsatisfied` in verify.ts (re-exported there with its TSDoc). */
export interface Finding extends PackageId {
  field: string;
  group: string;
  malformed?: string;
}

/** The relation fields of a package by record key (`depends`, `provides`…). */
export type RelationValues = Readonly<Record<string, unknown>>;

/**
 * What a package Provides under one name: the version of a versioned Provides
 * (`name (= v)`), `true` for an unversioned one.
 */
type Provision = string | true;

/**
 * Dependency checking against the real packages of `store` (its hot tier) and the
 * Provides collected with {@link addProvides}.
 */
export class Checker {
  readonly #store: PackagesStore;
  /**
   * The index's own architecture (`amd64`): qualifiers naming it are stripped like
   * `:any` and `:native`. Undefined when the index only holds `all`. Set before
   * {@link check}; {@link addProvides} does not depend on it.
   */
  own: string | undefined;
  /**
   * Provided names → provisions; a provider of a specific architecture also provides
   * `name:arch` (package names cannot hold `:`), for qualified relations. Most names are
   * provided once, so a single provision is held as is and only repeated names get an
   * array: the map of a whole index stays a few MB instead of one array each.
   */
  readonly #provided = new Map<string, Provision | Provision[]>();

  constructor(store: PackagesStore) {
    this.#store = store;
  }

  /**
   * Records what `pkg` Provides. Returns the finding for a malformed Provides field (its
   * well-formed groups are still recorded), else undefined.
   */
  addProvides(pkg: PackageId, rel: RelationValues): Finding | undefined {
    const text = rel.provides;
    if (typeof text !== 'string') return undefined;
    const { groups, malformed } = parseField(text, 'Provides', pkg);
    for (const { relations } of groups)
      for (const r of relations ?? []) {
        const v: Provision = r.op === '=' && r.version !== undefined ? flatCopy(r.version) : true;
        this.#provide(r.name, v);
        if (pkg.architecture !== 'all') this.#provide(`${r.name}:${pkg.architecture}`, v);
      }
    return malformed;
  }

  #provide(name: string, v: Provision): void {
    const had = this.#provided.get(name);
    if (had === undefined) this.#provided.set(flatCopy(name), v);
    else if (Array.isArray(had)) had.push(v);
    else this.#provided.set(name, [had, v]);
  }

  /**
   * Appends to `out` every unsatisfied group and malformed field among `fields` of
   * `pkg`. A malformed Provides is left to {@link addProvides}, which reported it.
   */
  check(
    pkg: PackageId,
    rel: RelationValues,
    fields: readonly (keyof typeof PACKAGE_RELATIONS)[],
    out: Finding[],
  ): void {
    for (const field of fields) {
      const text = rel[PACKAGE_RELATIONS[field]];
      if (typeof text !== 'string') continue;
      const { groups, malformed } = parseField(text, field, pkg);
      if (malformed !== undefined && field !== 'Provides') out.push(malformed);
      for (const { relations, written } of groups) {
        if (relations === undefined || relations.some((alt) => this.#satisfied(alt))) continue;
        out.push({ ...idOf(pkg), field, group: flatCopy(written()) });
      }
    }
  }

  #satisfied(alt: Relation): boolean {
    const q = alt.archQualifier;
    // apt: `:any`, `:native` and the index's own architecture are stripped; any other
    // qualifier stays, and only a package of that architecture matches it.
    const arch = q === undefined || q === 'any' || q === 'native' || q === this.own ? undefined : q;
    for (const real of this.#store.where({ package: alt.name }, { reuse: true })) {
      if (arch !== undefined && real.architecture !== arch) continue;
      if (alt.op === undefined || alt.version === undefined) return true;
      if (satisfies(real.version, alt.op, alt.version)) return true;
    }
    const prov = this.#provided.get(arch === undefined ? alt.name : `${alt.name}:${arch}`);
    if (prov === undefined) return false;
    if (alt.op === undefined || alt.version === undefined) return true;
    if (!Array.isArray(prov)) return prov !== true && satisfies(prov, alt.op, alt.version);
    for (const v of prov) if (v !== true && satisfies(v, alt.op, alt.version)) return true;
    return false;
  }
}

/**
 * The index's own architecture: `given`, else the one architecture besides `all` that
 * the store's records carry (undefined when there is none).
 * @throws LeanrecError `E_ARGUMENT` (field `architecture`) when there are several and
 *   none is given, or `given` is not an architecture name.
 */
export function ownArchitecture(
  store: PackagesStore,
  given: string | undefined,
): string | undefined {
  if (given !== undefined) {
    if (typeof given !== 'string' || !/^[A-Za-z0-9-]+$/.test(given))
      throw new LeanrecError(
        'E_ARGUMENT',
        `verify: architecture must be an architecture name, got ${JSON.stringify(given)}`,
        { field: 'architecture' },
      );
    return given;
  }
  const seen = new Set<string>();
  for (const view of store.where(undefined, { reuse: true }))
    if (view.architecture !== 'all') seen.add(view.architecture);
  if (seen.size > 1)
    throw new LeanrecError(
      'E_ARGUMENT',
      `verify: the packages have several architectures (${[...seen].sort().join(', ')}); ` +
        'name the index\'s own with the "architecture" option',
      { field: 'architecture' },
    );
  return seen.values().next().value;
}

/** A copy of the key that does not keep the parser's input chunk alive (see flatCopy). */
function idOf(pkg: PackageId): PackageId {
  return {
    package: flatCopy(pkg.package),
    version: flatCopy(pkg.version),
    architecture: flatCopy(pkg.architecture),
  };
}

/** One comma-separated group of a field: its relations (undefined when malformed). */
interface Group {
  relations: Relation[] | undefined;
  /** The group as written, whitespace runs folded to one space (computed on demand). */
  written: () => string;
}

/**
 * Parses a relation field. When it does not parse, the field is reported once (the
 * parser's message, which names the first error's column in the field) and its groups
 * are parsed one by one: commas never occur inside a relation, so each top-level
 * segment is a group and the well-formed ones are still checked.
 */
function parseField(
  text: string,
  field: string,
  pkg: PackageId,
): { groups: Group[]; malformed?: Finding } {
  let whole: Relation[][];
  try {
    whole = parseRelations(text, field);
  } catch (err) {
    if (!(err instanceof LeanrecError)) throw err;
    const groups: Group[] = [];
    let first: string | undefined;
    const segments = text.split(',');
    segments.forEach((segment, i) => {
      const written = fold(segment);
      // A trailing comma is tolerated (as parseRelations does); an empty group elsewhere is not.
      if (written === '' && i === segments.length - 1 && i > 0) return;
      let relations: Relation[] | undefined;
      try {
        const parsed = written === '' ? [] : parseRelations(segment, field);
        if (parsed.length === 1) relations = parsed[0];
      } catch (e) {
        if (!(e instanceof LeanrecError)) throw e;
      }
      if (relations === undefined) first ??= written;
      groups.push({ relations, written: () => written });
    });
    const malformed: Finding = {
      ...idOf(pkg),
      field,
      group: flatCopy(first ?? fold(text)),
      malformed: err.message,
    };
    return { groups, malformed };
  }
  let split: string[] | undefined;
  return {
    groups: whole.map((relations, i) => ({
      relations,
      written: () => {
        split ??= text.split(',').map(fold);
        return split[i] ?? '';
      },
    })),
  };
}

function fold(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
