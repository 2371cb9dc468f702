/**
 * aptly's package query language ("Package queries", reprepro-like), parsed to a typed tree.
 *
 * Grammar (`|` binds loosest, then `,`, then `!`; whitespace separates tokens):
 *
 *   query     := and ( '|' and )*
 *   and       := not ( ',' not )*
 *   not       := '!' not | primary
 *   primary   := '(' query ')' | term
 *   term      := FIELD condition?                      field: starts with '$' or with an
 *                                                       upper-case letter and has no '_'
 *              | NAME '_' VERSION '_' ARCH             a key (exactly one package)
 *              | NAME condition? ( '{' ARCH '}' )?     a package reference (name or Provides)
 *   condition := '(' op? VALUE ')'                     no op means '='
 *   op        := '=' | '<<' | '<=' | '<' | '>=' | '>' | '>>' | '%' | '~'
 *                                                       '<' is '<=' and '>' is '>=' (as dpkg)
 *   STRING    := an unquoted run of characters other than whitespace and ( ) | , ! { }
 *              | '…' or "…" with '\' escaping the next character
 *
 * A field with no condition matches records where the field is present. `%` is a shell
 * glob over the whole value (Go's filepath.Match: `*` `?` `[…]` `[^…]` `\`), `~` a
 * regular expression found anywhere in the value. Errors are `E_PARSE` with the 1-based
 * column of the offending token.
 */
import { LeanrecError } from '../errors.ts';
import { compileGlob } from './glob.ts';
import { parseVersion } from './version.ts';

/** A comparison operator of a condition (`<` and `>` are read as `<=` and `>=`). */
export type QueryOp = '=' | '<<' | '<=' | '>=' | '>>' | '%' | '~';

/** A parsed query: see {@link parseQuery}. Every leaf carries the column it starts at. */
export type QueryNode =
  | { readonly type: 'and'; readonly items: readonly QueryNode[] }
  | { readonly type: 'or'; readonly items: readonly QueryNode[] }
  | { readonly type: 'not'; readonly item: QueryNode }
  | QueryField
  | QueryPackage
  | QueryKey;

/** `Field`, `Field (value)` or `Field (op value)`: a condition on one field. */
export interface QueryField {
  readonly type: 'field';
  /** As written: `Priority`, `$Source`, `Installed-Size`… */
  readonly field: string;
  /** Absent: the field only has to be present. */
  readonly op?: QueryOp;
  readonly value?: string;
  readonly column: number;
}

/** `name`, `name (op version)`, `name {arch}`: a package by name, or one that Provides it. */
export interface QueryPackage {
  readonly type: 'package';
  readonly name: string;
  readonly op?: QueryOp;
  readonly version?: string;
  readonly architecture?: string;
  readonly column: number;
}

/** `name_version_arch`: exactly one package. */
export interface QueryKey {
  readonly type: 'key';
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly column: number;
}

type Tok = '(' | ')' | '{' | '}' | '|' | ',' | '!' | QueryOp | 'str' | 'eof';
interface Token {
  t: Tok;
  v: string;
  col: number;
}

const SPACE = /\s/u;
const STOP = '()|,!{}';

function fail(msg: string, col: number): never {
  throw new LeanrecError('E_PARSE', `query, column ${col}: ${msg}`, { column: col });
}

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const col = i + 1;
    if (SPACE.test(c)) i++;
    else if (STOP.includes(c) || c === '=' || c === '%' || c === '~') {
      out.push({ t: c as Tok, v: c, col });
      i++;
    } else if (c === '<' || c === '>') {
      const n = text[i + 1];
      const op = n === c ? (`${c}${c}` as QueryOp) : (`${c}=` as QueryOp);
      out.push({ t: op, v: op, col });
      i += n === c || n === '=' ? 2 : 1;
    } else if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted string', col);
        let d = text[i++]!;
        if (d === c) break;
        if (d === '\\') {
          if (i >= text.length) fail('unterminated quoted string', col);
          d = text[i++]!;
        }
        s += d;
      }
      out.push({ t: 'str', v: s, col });
    } else {
      const start = i;
      while (i < text.length && !SPACE.test(text[i]!) && !STOP.includes(text[i]!)) i++;
      out.push({ t: 'str', v: text.slice(start, i), col });
    }
  }
  out.push({ t: 'eof', v: '', col: text.length + 1 });
  return out;
}

const OPS = new Set<Tok>(['=', '<<', '<=', '>=', '>>', '%', '~']);
const VERSION_FIELDS = new Set(['$Version', 'Version', '$SourceVersion']);
const describe = (k: Token): string => (k.t === 'eof' ? 'end of query' : JSON.stringify(k.v));

class Parser {
  #toks: Token[];
  #i = 0;
  constructor(text: string) {
    this.#toks = lex(text);
  }
  get #cur(): Token {
    return this.#toks[this.#i]!;
  }
  #expect(t: Tok, what: string): Token {
    const k = this.#cur;
    if (k.t !== t) fail(`expected ${what}, found ${describe(k)}`, k.col);
    this.#i++;
    return k;
  }
  parse(): QueryNode {
    const q = this.#query();
    if (this.#cur.t !== 'eof')
      fail(`expected end of query, found ${describe(this.#cur)}`, this.#cur.col);
    return q;
  }
  #list(type: 'or' | 'and', sep: Tok, next: () => QueryNode): QueryNode {
    const items = [next()];
    while (this.#cur.t === sep) {
      this.#i++;
      items.push(next());
    }
    return items.length === 1 ? items[0]! : { type, items };
  }
  #query(): QueryNode {
    return this.#list('or', '|', () => this.#and());
  }
  #and(): QueryNode {
    return this.#list('and', ',', () => this.#not());
  }
  #not(): QueryNode {
    if (this.#cur.t === '!') {
      this.#i++;
      return { type: 'not', item: this.#not() };
    }
    if (this.#cur.t === '(') {
      this.#i++;
      const q = this.#query();
      this.#expect(')', "')'");
      return q;
    }
    return this.#term();
  }
  #term(): QueryNode {
    const head = this.#expect('str', 'a field or package name');
    const name = head.v;
    const cond = this.#condition();
    if (name.startsWith('$') || (/^\p{Lu}/u.test(name) && !name.includes('_'))) {
      if (cond === undefined) return { type: 'field', field: name, column: head.col };
      checkValue(cond, VERSION_FIELDS.has(name));
      return { type: 'field', field: name, op: cond.op, value: cond.value, column: head.col };
    }
    if (cond === undefined) {
      const a = name.indexOf('_');
      const b = name.lastIndexOf('_');
      if (a > 0 && b > a)
        return {
          type: 'key',
          package: name.slice(0, a),
          version: name.slice(a + 1, b),
          architecture: name.slice(b + 1),
          column: head.col,
        };
    }
    let architecture: string | undefined;
    if (this.#cur.t === '{') {
      this.#i++;
      architecture = this.#expect('str', 'an architecture').v;
      this.#expect('}', "'}'");
    }
    if (cond !== undefined) checkValue(cond, true);
    return {
      type: 'package',
      name,
      column: head.col,
      ...(cond === undefined ? {} : { op: cond.op, version: cond.value }),
      ...(architecture === undefined ? {} : { architecture }),
    };
  }
  #condition(): { op: QueryOp; value: string; col: number } | undefined {
    if (this.#cur.t !== '(') return undefined;
    this.#i++;
    let op: QueryOp = '=';
    if (OPS.has(this.#cur.t)) op = this.#toks[this.#i++]!.t as QueryOp;
    const v = this.#expect('str', 'a value');
    this.#expect(')', "')'");
    return { op, value: v.v, col: v.col };
  }
}

/** Rejects at parse time what could never match: a bad glob, regex or version. */
function checkValue(c: { op: QueryOp; value: string; col: number }, version: boolean): void {
  try {
    if (c.op === '%') compileGlob(c.value);
    else if (c.op === '~') new RegExp(c.value, 'u');
    else if (version) parseVersion(c.value);
  } catch (e) {
    fail(`bad value ${JSON.stringify(c.value)}: ${(e as Error).message}`, c.col);
  }
}

/**
 * Parses an aptly package query (see the grammar at the top of this file).
 *
 * @example
 * ```ts
 * parseQuery('Priority (required), $Architecture (amd64) | Name (% lib*-dev)');
 * // { type: 'or', items: [ { type: 'and', items: [field Priority, field $Architecture] },
 * //                        { type: 'field', field: 'Name', op: '%', value: 'lib*-dev' } ] }
 * ```
 * @throws LeanrecError `E_PARSE` with `column` (1-based) for a syntax error, an
 * unterminated quote, or an invalid glob, regular expression or version.
 */
export function parseQuery(text: string): QueryNode {
  if (typeof text !== 'string') throw new LeanrecError('E_ARGUMENT', 'a query is a string');
  return new Parser(text).parse();
}
