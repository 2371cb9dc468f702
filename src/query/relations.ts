/**
 * Debian relation fields (Depends, Pre-Depends, Recommends, Suggests, Enhances, Breaks,
 * Conflicts, Replaces, Provides, Built-Using, Static-Built-Using, Build-Depends*,
 * Build-Conflicts*): parsing to data and formatting back to canonical text.
 *
 * ```
 *   libc6 (>= 2.34), libgcc-s1 (>= 3.0) | libgcc1, foo:any [amd64 !i386] <!nocheck> <stage1 cross>
 *   └─ Relation ─┘   └──── Relation ───┘   └Rel.┘
 *   └ group 1 ──┘   └────────── group 2 (OR) ───┘  └──────────────── group 3 ────────────────────┘
 *   result: Relation[][] — an AND-list of OR-groups
 * ```
 *
 * One relation is `name[:archQualifier] [(op version)] [[arch …]] [<profile …>]…`, in that
 * order; whitespace (including the newlines of continuation lines) may surround every
 * token. Package names follow dpkg (`pkg_name_is_illegal`), which is laxer than Policy:
 * a letter or digit, then letters, digits, `+ . - _` (upper case is accepted because
 * real third-party indexes contain it).
 */

import { LeanrecError } from '../errors.ts';
import { parseVersion, type VersionOp } from './version.ts';

/** One package relation: an alternative inside an OR-group. */
export interface Relation {
  /** The package name, e.g. `libc6`. */
  name: string;
  /** The architecture qualifier after `:`, e.g. `any` in `python3:any`. */
  archQualifier?: string;
  /**
   * The version operator. The deprecated `<` and `>` are normalised to `<=` and `>=`
   * (their meaning in dpkg), so formatting writes the modern spelling.
   * Present exactly when `version` is.
   */
  op?: VersionOp;
  /** The version on the right of `op`, as written (e.g. `2.34`, `1:3.11~`). */
  version?: string;
  /** The architecture restriction list, terms as written (`amd64`, `!i386`, `linux-any`). */
  arches?: string[];
  /** Build-profile restrictions: one inner list per `<…>` group, terms as written (`!nocheck`). */
  profiles?: string[][];
}

/** Characters that may end a name or an architecture qualifier. */
function isTokenEnd(c: number): boolean {
  // end, whitespace , | ( ) : [ ] < >
  return (
    c < 0 ||
    isSpace(c) ||
    c === 44 ||
    c === 124 ||
    c === 40 ||
    c === 41 ||
    c === 58 ||
    c === 91 ||
    c === 93 ||
    c === 60 ||
    c === 62
  );
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** dpkg package-name characters after the first: alnum and `+ - . _`. */
function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 45 || c === 46 || c === 95;
}

/** Architecture names and wildcards: alnum and `-`. */
function isArchChar(c: number): boolean {
  return isAlnum(c) || c === 45;
}

/** Build-profile names: alnum and `+ - . _` (e.g. `pkg.foo.nodoc`). */
const isProfileChar = isNameChar;

/**
 * Recursive-descent parser over one field value. Private: trusts that `text` is a string.
 */
class RelationParser {
  readonly #text: string;
  readonly #field: string | undefined;
  #pos = 0;

  constructor(text: string, field: string | undefined) {
    this.#text = text;
    this.#field = field;
  }

  parse(): Relation[][] {
    const text = this.#text;
    this.#skipSpace();
    if (this.#pos === text.length) return [];
    const groups: Relation[][] = [];
    for (;;) {
      const group: Relation[] = [];
      let sep = -1; // position of the separator before the alternative, -1 at the start
      for (;;) {
        this.#skipSpace();
        const c = this.#peek();
        if (c < 0 || c === 44 || c === 124) {
          const at = c < 0 && sep >= 0 ? sep : this.#pos;
          const what = group.length > 0 ? 'empty alternative' : 'empty relation';
          throw this.#error(what, at, c < 0 && sep >= 0 ? text[sep]! : this.#excerpt(at));
        }
        group.push(this.#relation());
        this.#skipSpace();
        if (this.#peek() !== 124) break;
        sep = this.#pos++;
      }
      groups.push(group);
      const c = this.#peek();
      if (c < 0) return groups;
      if (c !== 44) throw this.#unexpected();
      this.#pos++;
      this.#skipSpace();
      // A trailing comma is tolerated (apt does; debian/control files often have one).
      if (this.#pos === text.length) return groups;
    }
  }

  #relation(): Relation {
    const text = this.#text;
    const start = this.#pos;
    if (!isAlnum(this.#peek())) {
      const c = this.#peek();
      throw c === 40 || c === 91 || c === 60
        ? this.#error('missing package name', start, this.#excerpt(start))
        : this.#error(
            'package name must start with a letter or digit',
            start,
            this.#excerpt(start),
          );
    }
    this.#pos++;
    while (isNameChar(this.#peek())) this.#pos++;
    this.#expectTokenEnd('package name', start);
    const rel: Relation = { name: text.slice(start, this.#pos) };

    if (this.#peek() === 58) {
      const qs = ++this.#pos;
      while (isArchChar(this.#peek())) this.#pos++;
      if (this.#pos === qs)
        throw this.#error('missing architecture qualifier', qs, this.#excerpt(start));
      this.#expectTokenEnd('architecture qualifier', start);
      rel.archQualifier = text.slice(qs, this.#pos);
    }
    this.#skipSpace();

    if (this.#peek() === 40) this.#constraint(rel);
    if (this.#peek() === 91) {
      rel.arches = this.#list(91, 93, isArchChar, 'architecture');
    }
    while (this.#peek() === 60) {
      if (rel.profiles === undefined) rel.profiles = [];
      rel.profiles.push(this.#list(60, 62, isProfileChar, 'build profile'));
    }
    return rel;
  }

  /** `( op version )`; the cursor is on `(`. Leaves the cursor after `)` and spaces. */
  #constraint(rel: Relation): void {
    const text = this.#text;
    const open = this.#pos++;
    this.#skipSpace();
    const opStart = this.#pos;
    let op: VersionOp;
    const c = this.#peek();
    const next = this.#peekAt(this.#pos + 1);
    if (c === 60) {
      op = next === 60 ? '<<' : '<=';
      this.#pos += next === 60 || next === 61 ? 2 : 1; // bare '<' is the legacy '<='
    } else if (c === 62) {
      op = next === 62 ? '>>' : '>=';
      this.#pos += next === 62 || next === 61 ? 2 : 1; // bare '>' is the legacy '>='
    } else if (c === 61) {
      op = '=';
      this.#pos++;
    } else {
      if (c < 0) throw this.#error("unbalanced '('", open, text.slice(open));
      throw this.#error('missing version operator', opStart, this.#excerpt(opStart));
    }
    const after = this.#peek();
    if (after === 60 || after === 61 || after === 62) {
      let end = this.#pos;
      while (end < text.length && '<=>'.includes(text[end]!)) end++;
      throw this.#error('invalid version operator', opStart, text.slice(opStart, end));
    }
    this.#skipSpace();
    const vs = this.#pos;
    // Versions may contain ':' (epochs), so only whitespace and delimiters end them.
    for (let ch = this.#peek(); !(isTokenEnd(ch) && ch !== 58); ) {
      ch = this.#peekAt(++this.#pos);
    }
    if (this.#pos === vs) {
      const ch = this.#peek();
      if (ch === 41) throw this.#error('missing version', vs, text.slice(open, vs + 1));
      throw this.#error("unbalanced '('", open, this.#excerpt(open));
    }
    const version = text.slice(vs, this.#pos);
    try {
      parseVersion(version);
    } catch (err) {
      throw this.#error('invalid version', vs, version, err);
    }
    this.#skipSpace();
    const close = this.#peek();
    if (close !== 41) {
      if (close < 0 || close === 44 || close === 124) {
        throw this.#error("unbalanced '('", open, text.slice(open, this.#pos).trimEnd());
      }
      throw this.#error(
        'unexpected text in version constraint',
        this.#pos,
        this.#excerpt(this.#pos),
      );
    }
    this.#pos++;
    this.#skipSpace();
    rel.op = op;
    rel.version = version;
  }

  /**
   * A `[…]` or `<…>` list of optionally `!`-negated terms; the cursor is on the opener.
   * Leaves the cursor after the closer and spaces.
   */
  #list(openCh: number, closeCh: number, isChar: (c: number) => boolean, what: string): string[] {
    const text = this.#text;
    const open = this.#pos++;
    const terms: string[] = [];
    for (;;) {
      this.#skipSpace();
      const c = this.#peek();
      if (c === closeCh) break;
      if (c < 0 || c === 44 || c === 124 || c === openCh) {
        const opener = String.fromCharCode(openCh);
        throw this.#error(`unbalanced '${opener}'`, open, text.slice(open, this.#pos).trimEnd());
      }
      const ts = this.#pos;
      if (c === 33) this.#pos++;
      const ns = this.#pos;
      while (isChar(this.#peek())) this.#pos++;
      const end = this.#peek();
      if (
        this.#pos === ns ||
        !(end < 0 || isSpace(end) || end === closeCh || end === 44 || end === 124)
      ) {
        const bad = this.#pos === ns ? ts : this.#pos;
        throw this.#error(`invalid ${what}`, bad, this.#excerpt(ts));
      }
      terms.push(text.slice(ts, this.#pos));
    }
    if (terms.length === 0)
      throw this.#error(`empty ${what} list`, open, text.slice(open, this.#pos + 1));
    this.#pos++;
    this.#skipSpace();
    return terms;
  }

  /** After a name or qualifier: the next character must end the token. */
  #expectTokenEnd(what: string, start: number): void {
    if (isTokenEnd(this.#peek())) return;
    const at = this.#pos;
    const ch = this.#text[at]!;
    throw this.#error(
      `illegal character ${JSON.stringify(ch)} in ${what}`,
      at,
      this.#excerpt(start),
    );
  }

  /** Something other than `,` / `|` / end after a complete relation. */
  #unexpected(): LeanrecError {
    const at = this.#pos;
    const c = this.#peek();
    if (c === 41 || c === 93 || c === 62) {
      return this.#error(`unbalanced '${this.#text[at]!}'`, at, this.#excerpt(at));
    }
    return this.#error("unexpected text (expected ',' or '|')", at, this.#excerpt(at));
  }

  #skipSpace(): void {
    const text = this.#text;
    while (this.#pos < text.length && isSpace(text.charCodeAt(this.#pos))) this.#pos++;
  }

  #peek(): number {
    return this.#peekAt(this.#pos);
  }

  #peekAt(i: number): number {
    return i < this.#text.length ? this.#text.charCodeAt(i) : -1;
  }

  /** The text from `at` up to the next separator, capped, for error messages. */
  #excerpt(at: number): string {
    const text = this.#text;
    let end = at;
    while (end < text.length && end - at < 40 && text[end] !== ',' && text[end] !== '|') end++;
    return text.slice(at, end).trimEnd() || text.slice(at, at + 1);
  }

  #error(why: string, at: number, offending: string, cause?: unknown): LeanrecError {
    const column = at + 1;
    const where = this.#field === undefined ? '' : `${this.#field}: `;
    const message = `${where}${why} at column ${column}: ${JSON.stringify(offending)}`;
    return new LeanrecError('E_PARSE', message, {
      ...(this.#field === undefined ? {} : { field: this.#field }),
      column,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * Parses a Debian relation field value into an AND-list of OR-groups.
 *
 * Accepts continuation lines (any whitespace, newlines included, may surround tokens),
 * the legacy operators `<` / `>` (stored as `<=` / `>=`), and one trailing comma.
 * Empty or all-whitespace text gives `[]`. Versions are checked with
 * {@link parseVersion} (lenient mode).
 *
 * @param text - The field value, e.g. `"libc6 (>= 2.34), libgcc-s1 (>= 3.0) | libgcc1"`.
 * @param field - The field name, used in error messages and as the error's `field`.
 * @returns One inner array per comma-separated group, one {@link Relation} per `|` alternative.
 * @throws {@link LeanrecError} `E_PARSE` for malformed text (empty alternative or group,
 *   unbalanced `(` `[` `<`, missing or invalid operator or version, illegal character
 *   in a name, empty list). The message names the field, the offending text and the
 *   1-based column; `err.column` is that column counted in `text` (newlines count as
 *   one character each, so it is an offset into the whole value, not a line column).
 *
 * @example
 * ```ts
 * parseRelations('libc6 (>= 2.34), libgcc-s1 (>= 3.0) | libgcc1', 'Depends');
 * // [[{ name: 'libc6', op: '>=', version: '2.34' }],
 * //  [{ name: 'libgcc-s1', op: '>=', version: '3.0' }, { name: 'libgcc1' }]]
 * parseRelations('foo:any [amd64 !i386] <!nocheck> <stage1 cross>');
 * // [[{ name: 'foo', archQualifier: 'any', arches: ['amd64', '!i386'],
 * //     profiles: [['!nocheck'], ['stage1', 'cross']] }]]
 * ```
 */
export function parseRelations(text: string, field?: string): Relation[][] {
  if (typeof text !== 'string') {
    throw new LeanrecError('E_ARGUMENT', 'parseRelations: text must be a string', {
      ...(field === undefined ? {} : { field }),
    });
  }
  return new RelationParser(text, field).parse();
}

/**
 * Formats one relation canonically: `name[:qual] (op version) [arches] <profiles>…`,
 * single spaces between parts. Does not validate its input.
 *
 * @example
 * ```ts
 * formatRelation({ name: 'b', archQualifier: 'any', arches: ['amd64'] }); // 'b:any [amd64]'
 * ```
 */
export function formatRelation(rel: Relation): string {
  let s = rel.archQualifier === undefined ? rel.name : `${rel.name}:${rel.archQualifier}`;
  if (rel.op !== undefined && rel.version !== undefined) s += ` (${rel.op} ${rel.version})`;
  if (rel.arches !== undefined) s += ` [${rel.arches.join(' ')}]`;
  if (rel.profiles !== undefined) {
    for (const group of rel.profiles) s += ` <${group.join(' ')}>`;
  }
  return s;
}

/**
 * Formats relation groups as canonical field text: groups joined by `, `, alternatives
 * by ` | `. For any `groups` that {@link parseRelations} returns,
 * `parseRelations(formatRelations(groups))` deep-equals `groups`. Does not validate.
 *
 * @example
 * ```ts
 * formatRelations([[{ name: 'a', op: '>=', version: '1' }, { name: 'b', archQualifier: 'any' }]]);
 * // 'a (>= 1) | b:any'
 * ```
 */
export function formatRelations(groups: readonly (readonly Relation[])[]): string {
  return groups.map((group) => group.map(formatRelation).join(' | ')).join(', ');
}

/**
 * The distinct package names mentioned in a relation field, in order of first
 * appearance (every alternative counts; qualifiers and versions are dropped).
 *
 * @param text - The field value.
 * @param field - The field name, for error messages.
 * @throws {@link LeanrecError} `E_PARSE` as {@link parseRelations}.
 *
 * @example
 * ```ts
 * relationNames('a (>= 1) | b, a:any'); // ['a', 'b']
 * ```
 */
export function relationNames(text: string, field?: string): string[] {
  const seen = new Set<string>();
  for (const group of parseRelations(text, field)) {
    for (const rel of group) seen.add(rel.name);
  }
  return [...seen];
}
