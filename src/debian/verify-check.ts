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
   * Provided names → provisions, under `name` for a provider of architecture `all` and
   * `name:arch` for the others (package names cannot hold `:`), so that a qualified
   * relation finds the providers of its architecture without a second map. Most names
   * are provided once, so a single provision is held as is and only repeated names get
   * an array: the map of a whole index stays a few MB instead of one array each.
   */
  readonly #provided = new Map<string, Provision | Provision[]>();
  /** The architectures of the providers besides `all` (one in a single-architecture index). */
  readonly #providerArches: string[] = [];

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
    const arch = pkg.architecture;
    if (arch !== 'all' && !this.#providerArches.includes(arch))
      this.#providerArches.push(flatCopy(arch));
    for (const relations of groups)
      for (const r of relations ?? []) {
        const v: Provision = r.op === '=' && r.version !== undefined ? flatCopy(r.version) : true;
        const key = arch === 'all' ? r.name : `${r.name}:${arch}`;
        const had = this.#provided.get(key);
        if (had === undefined) this.#provided.set(flatCopy(key), v);
        else if (Array.isArray(had)) had.push(v);
        else this.#provided.set(key, [had, v]);
      }
    return malformed;
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
      const { groups, written, malformed } = parseField(text, field, pkg);
      if (malformed !== undefined && field !== 'Provides') out.push(malformed);
      for (let i = 0; i < groups.length; i++) {
        const relations = groups[i];
        if (relations === undefined || relations.some((alt) => this.#satisfied(alt))) continue;
        out.push({ ...idOf(pkg), field, group: flatCopy(written(i)) });
      }
    }
  }

  /** Whether some package satisfies `alt` (the build-dependency check's question). */
  satisfiedBy(alt: Relation): boolean {
    return this.#satisfied(alt);
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
    if (arch !== undefined) return this.#providedAs(`${alt.name}:${arch}`, alt);
    // Unqualified: a provider of any architecture (Multi-Arch is not modelled).
    if (this.#providedAs(alt.name, alt)) return true;
    for (const a of this.#providerArches)
      if (this.#providedAs(`${alt.name}:${a}`, alt)) return true;
    return false;
  }

  /** Whether the provisions under `key` satisfy `alt`. */
  #providedAs(key: string, alt: Relation): boolean {
    const prov = this.#provided.get(key);
    if (prov === undefined) return false;
    if (alt.op === undefined || alt.version === undefined) return true;
    if (!Array.isArray(prov)) return prov !== true && satisfies(prov, alt.op, alt.version);
    for (const v of prov) if (v !== true && satisfies(v, alt.op, alt.version)) return true;
    return false;
  }
}

/**
 * `given` when it is an architecture name (checked before any work starts).
 * @throws LeanrecError `E_ARGUMENT` (field `architecture`) otherwise.
 */
export function checkArchitecture(given: unknown): string {
  if (typeof given !== 'string' || !/^[A-Za-z0-9-]+$/.test(given))
    throw new LeanrecError(
      'E_ARGUMENT',
      `verify: architecture must be an architecture name, got ${JSON.stringify(given)}`,
      { field: 'architecture' },
    );
  return given;
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
  if (given !== undefined) return checkArchitecture(given);
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

/** A relation field, parsed. */
export interface ParsedField {
  /** One entry per comma-separated group: its alternatives, or undefined when malformed. */
  groups: (Relation[] | undefined)[];
  /** Group `i` as written, whitespace runs folded to one space (computed on demand). */
  written: (i: number) => string;
  /** The finding when the field does not parse. */
  malformed?: Finding;
}

/**
 * Parses a relation field. When it does not parse, the field is reported once (the
 * parser's message, which names the first error's column in the field) and its groups
 * are parsed one by one: commas never occur inside a relation, so each top-level
 * segment is a group and the well-formed ones are still checked.
 */
export function parseField(text: string, field: string, pkg: PackageId): ParsedField {
  let split: string[] | undefined;
  const written = (i: number): string => {
    split ??= text.split(',').map(fold);
    return split[i] ?? '';
  };
  try {
    return { groups: parseRelations(text, field), written };
  } catch (err) {
    if (!(err instanceof LeanrecError)) throw err;
    const segments = text.split(',');
    // A trailing comma is tolerated (as parseRelations does); an empty group elsewhere is not.
    if (segments.length > 1 && fold(segments[segments.length - 1]!) === '') segments.pop();
    const groups = segments.map((segment) => {
      try {
        const parsed = parseRelations(segment, field);
        return parsed.length === 1 ? parsed[0] : undefined;
      } catch (e) {
        if (!(e instanceof LeanrecError)) throw e;
        return undefined;
      }
    });
    const first = groups.indexOf(undefined);
    const malformed: Finding = {
      ...idOf(pkg),
      field,
      group: flatCopy(first < 0 ? fold(text) : written(first)),
      malformed: err.message,
    };
    return { groups, written, malformed };
  }
}

function fold(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
