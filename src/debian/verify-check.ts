/**
 * The rules of dependency verification, shared by {@link verifyDependencies} (over a
 * store) and {@link verifyIndexFile} (over an index file): what Provides offers, when an
 * alternative is satisfied (apt's architecture-qualifier rule included), and how a
 * relation field that does not parse becomes a finding without hiding the rest.
 */
import { LeanrecError } from '../errors.ts';
import { parseRelations, type Relation } from '../query/relations.ts';
import { satisfies } from '../query/version.ts';
import { flatCopy } from '../util/utf8.ts';
import { PACKAGE_RELATIONS } from './schemas.ts';
import type { PackageIndex } from './verify-index.ts';

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
 * A group as written that no real package satisfies, waiting for every Provides to be
 * known, with the checks that met it (the same group recurs: `r-api-4.0` in 1,290
 * packages of the Debian index, 30,413 such checks for ≈ 3,000 distinct groups).
 */
interface Deferred {
  /** Its alternatives, parsed from the written text (so they hold no larger string). */
  relations: Relation[];
  /** The checks that met it, as positions in `Checker.#waitingPkg` / `#waitingField`. */
  checks: number[];
}

/**
 * Dependency checking against the real packages of a {@link PackageIndex} and the
 * Provides collected with {@link addProvides}.
 *
 * Most groups are satisfied by a real package, which does not depend on any Provides: a
 * group is decided at once when one of its alternatives names a real package that fits.
 * Until {@link providesComplete} is set, any other group is kept — once per distinct
 * group as written, with the package and field of each check that met it (30,413 checks
 * of ≈ 3,000 groups on the Debian index) — and decided by {@link finish}, so one pass
 * over the relations does what took one pass for Provides and one for checks.
 */
export class Checker {
  #index: PackageIndex | undefined;
  /**
   * The index's own architecture (`amd64`): qualifiers naming it are stripped like
   * `:any` and `:native`. Undefined when the index only holds `all`.
   */
  #own: string | undefined;
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
  /** Groups to decide once every Provides is known, by their written text. */
  readonly #deferred = new Map<string, Deferred>();
  /**
   * The package and the field of each deferred check, in the order of the checks. The
   * package as given (a view of the store): its key is read when a finding is made.
   */
  readonly #waitingPkg: PackageId[] = [];
  readonly #waitingField: string[] = [];
  /**
   * True once {@link addProvides} has seen every package: {@link check} then decides
   * every group at once (the order of the findings stays that of the groups).
   */
  providesComplete = false;

  /**
   * Without `index` (its packages not known yet), only {@link addProvides} may be
   * called until {@link usePackages} gives it.
   */
  constructor(index?: PackageIndex, own?: string) {
    this.#index = index;
    this.#own = own;
  }

  /** The real packages and the own architecture (see the constructor). */
  usePackages(index: PackageIndex, own: string | undefined): void {
    this.#index = index;
    this.#own = own;
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
   * `pkg` (or keeps a group for {@link finish}, see the class). A malformed Provides is
   * left to {@link addProvides}, which reported it.
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
      let segments: string[] | undefined;
      for (let i = 0; i < groups.length; i++) {
        const relations = groups[i];
        if (relations === undefined || this.#anyReal(relations)) continue;
        if (this.providesComplete) {
          if (!this.#anyProvided(relations))
            out.push({ ...idOf(pkg), field, group: flatCopy(writtenGroup(text, i)) });
          continue;
        }
        // The field is split once, for its first deferred group.
        segments ??= text.split(',');
        const written = fold(segments[i] ?? '');
        let d = this.#deferred.get(written);
        if (d === undefined) {
          d = { relations: reparsed(written, field, relations), checks: [] };
          this.#deferred.set(flatCopy(written), d);
        }
        d.checks.push(this.#waitingPkg.length);
        this.#waitingPkg.push(pkg);
        this.#waitingField.push(field);
      }
    }
  }

  /**
   * Decides the groups {@link check} kept, each once; call once every Provides is known.
   * Findings come out in the order of the checks.
   */
  finish(out: Finding[]): void {
    this.providesComplete = true;
    const found: [number, Finding][] = [];
    for (const [group, d] of this.#deferred)
      if (!this.#anyProvided(d.relations))
        for (const c of d.checks)
          found.push([c, { ...idOf(this.#waitingPkg[c]!), field: this.#waitingField[c]!, group }]);
    found.sort((a, b) => a[0] - b[0]);
    for (const [, f] of found) out.push(f);
    this.#deferred.clear();
    this.#waitingPkg.length = 0;
    this.#waitingField.length = 0;
  }

  /** Checks kept for {@link finish} so far, and their distinct groups. */
  get deferred(): { checks: number; groups: number } {
    return { checks: this.#waitingPkg.length, groups: this.#deferred.size };
  }

  /**
   * Whether some package, real or provided, satisfies `alt` (the build-dependency
   * check's question). Call once every Provides is known and the packages are given.
   */
  satisfiedBy(alt: Relation): boolean {
    return this.#real(alt) || this.#provides(alt);
  }

  /** The architecture a qualifier restricts an alternative to, or undefined for none. */
  #qualifier(alt: Relation): string | undefined {
    const q = alt.archQualifier;
    // apt: `:any`, `:native` and the index's own architecture are stripped; any other
    // qualifier stays, and only a package of that architecture matches it.
    return q === undefined || q === 'any' || q === 'native' || q === this.#own ? undefined : q;
  }

  /** Whether a real package satisfies one of `relations`. */
  #anyReal(relations: readonly Relation[]): boolean {
    for (let a = 0; a < relations.length; a++) if (this.#real(relations[a]!)) return true;
    return false;
  }

  /** Whether a provider satisfies one of `relations`. */
  #anyProvided(relations: readonly Relation[]): boolean {
    for (let a = 0; a < relations.length; a++) if (this.#provides(relations[a]!)) return true;
    return false;
  }

  #real(alt: Relation): boolean {
    const arch = this.#qualifier(alt);
    const index = this.#index!;
    for (let i = index.first(alt.name); i >= 0; i = index.next(i)) {
      if (arch !== undefined && index.architecture(i) !== arch) continue;
      if (alt.op === undefined || alt.version === undefined) return true;
      if (satisfies(index.version(i), alt.op, alt.version)) return true;
    }
    return false;
  }

  #provides(alt: Relation): boolean {
    const arch = this.#qualifier(alt);
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
 * the packages carry (undefined when there is none).
 * @throws LeanrecError `E_ARGUMENT` (field `architecture`) when there are several and
 *   none is given, or `given` is not an architecture name.
 */
export function ownArchitecture(
  index: PackageIndex,
  given: string | undefined,
): string | undefined {
  if (given !== undefined) return checkArchitecture(given);
  const seen = index.architectures.filter((a) => a !== 'all');
  if (seen.length > 1)
    throw new LeanrecError(
      'E_ARGUMENT',
      `verify: the packages have several architectures (${[...seen].sort().join(', ')}); ` +
        'name the index\'s own with the "architecture" option',
      { field: 'architecture' },
    );
  return seen[0];
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
  /** The finding when the field does not parse. */
  malformed?: Finding;
}

/**
 * The alternatives of a group parsed again from its written text: the first parse's
 * strings are slices of the whole field, which a deferred group would keep alive.
 */
function reparsed(written: string, field: string, parsed: Relation[]): Relation[] {
  try {
    const again = parseRelations(flatCopy(written), field);
    if (again.length === 1) return again[0]!;
  } catch (err) {
    if (!(err instanceof LeanrecError)) throw err;
  }
  return parsed;
}

/** Group `i` of a relation field as written, whitespace runs folded to one space. */
export function writtenGroup(text: string, i: number): string {
  return fold(text.split(',')[i] ?? '');
}

/**
 * Parses a relation field. When it does not parse, the field is reported once (the
 * parser's message, which names the first error's column in the field) and its groups
 * are parsed one by one: commas never occur inside a relation, so each top-level
 * segment is a group and the well-formed ones are still checked.
 */
export function parseField(text: string, field: string, pkg: PackageId): ParsedField {
  try {
    return { groups: parseRelations(text, field) };
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
      group: flatCopy(first < 0 ? fold(text) : writtenGroup(text, first)),
      malformed: err.message,
    };
    return { groups, malformed };
  }
}

function fold(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
