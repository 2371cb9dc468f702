/**
 * A plain-object model of the package query language, for the query tests: evaluates a
 * parsed query on a paragraph's `[name, value]` pairs (test/helpers/debian-index.ts),
 * reading each field's text straight from the paragraph, as aptly does record by record.
 * Shares only the leaf test (textTest) with the library; field access, the special fields,
 * relations, Provides and the boolean structure are its own. Also: a formatter (tree →
 * text) and a fast-check arbitrary of query trees.
 */
import fc from 'fast-check';
import type { QueryNode, QueryOp } from 'leanrec/debian';
import { type TextTest, textTest, type ValueKind } from '../../src/query/predicate.ts';

type Pairs = readonly (readonly [string, string])[];

const RELATIONS = new Set(
  [
    'Depends',
    'Pre-Depends',
    'Recommends',
    'Suggests',
    'Enhances',
    'Breaks',
    'Conflicts',
    'Replaces',
    'Provides',
    'Built-Using',
    'Static-Built-Using',
  ].map((n) => n.toLowerCase()),
);

/** Each paragraph's fields by lower-case name, built on first use. */
const byName = new WeakMap<Pairs, Map<string, string>>();
function get(p: Pairs, name: string): string {
  let m = byName.get(p);
  if (m === undefined) {
    m = new Map(p.map(([n, v]) => [n.toLowerCase(), v]));
    byName.set(p, m);
  }
  return m.get(name.toLowerCase()) ?? '';
}

/** The package names of a relation field, alternatives included. */
function relationNames(text: string): string[] {
  return text
    .split(/[,|]/)
    .map((r) => r.trim().split(/[\s(:[<]/)[0]!)
    .filter((n) => n !== '');
}

/** The text aptly reads for a query field. */
function fieldText(p: Pairs, field: string): string {
  const source = get(p, 'Source');
  const paren = source.indexOf('(');
  switch (field) {
    case 'Name':
      return get(p, 'Package');
    case '$Version':
      return get(p, 'Version');
    case '$Architecture':
      return get(p, 'Architecture');
    case '$PackageType':
      return 'deb';
    case '$Source':
      return source === '' ? get(p, 'Package') : paren < 0 ? source : source.slice(0, paren).trim();
    case '$SourceVersion':
      return paren < 0
        ? get(p, 'Version')
        : source.slice(paren + 1, source.lastIndexOf(')')).trim();
    default:
      return get(p, field);
  }
}

const kindOf = (field: string): ValueKind =>
  ['$Version', 'Version', '$SourceVersion'].includes(field)
    ? 'version'
    : ['installed-size', 'size'].includes(field.toLowerCase())
      ? 'number'
      : 'text';

/** The model's predicate for `query` (leaf tests built once, as a caller would). */
export function modelFilter(query: QueryNode): (p: Pairs) => boolean {
  switch (query.type) {
    case 'and': {
      const items = query.items.map(modelFilter);
      return (p) => items.every((i) => i(p));
    }
    case 'or': {
      const items = query.items.map(modelFilter);
      return (p) => items.some((i) => i(p));
    }
    case 'not': {
      const item = modelFilter(query.item);
      return (p) => !item(p);
    }
    case 'key':
      return (p) =>
        get(p, 'Package') === query.package &&
        get(p, 'Version') === query.version &&
        get(p, 'Architecture') === query.architecture;
    case 'field': {
      const { field, op, value } = query;
      if (field === '$Architecture' && op === '=')
        return (p) => archMatches(get(p, 'Architecture'), value!);
      const t = textTest(op, value ?? '', kindOf(field));
      if (RELATIONS.has(field.toLowerCase()))
        return (p) => {
          const text = get(p, field);
          return text === '' ? t('') : relationNames(text).some(t);
        };
      return (p) => t(fieldText(p, field));
    }
    case 'package': {
      const v: TextTest =
        query.op === undefined ? () => true : textTest(query.op, query.version!, 'version');
      const arch = query.architecture;
      return (p) => {
        if (arch !== undefined && !archMatches(get(p, 'Architecture'), arch)) return false;
        if (get(p, 'Package') === query.name && v(get(p, 'Version'))) return true;
        for (const prov of get(p, 'Provides').split(',')) {
          const m = /^\s*(\S+?)\s*(?:\(\s*=\s*([^)\s]+)\s*\))?\s*$/.exec(prov);
          if (m !== null && m[1] === query.name && v(m[2] ?? get(p, 'Version'))) return true;
        }
        return false;
      };
    }
  }
}

const archMatches = (arch: string, want: string): boolean =>
  arch === want || (arch === 'all' && want !== 'source');

/** The tree without its `column`s (to compare trees). */
export function stripColumns(q: QueryNode): unknown {
  if (q.type === 'and' || q.type === 'or')
    return { type: q.type, items: q.items.map(stripColumns) };
  if (q.type === 'not') return { type: 'not', item: stripColumns(q.item) };
  const { column: _c, ...rest } = q;
  return rest;
}

const quote = (v: string): string =>
  /^[^\s()|,!{}'"=<>%~]+$/u.test(v) ? v : `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** Writes a tree as query text that parses back to it. */
export function formatQuery(q: QueryNode): string {
  const sub = (x: QueryNode) =>
    x.type === 'and' || x.type === 'or' ? `(${formatQuery(x)})` : formatQuery(x);
  const cond = (op: QueryOp | undefined, v: string | undefined) =>
    op === undefined ? '' : ` (${op} ${quote(v!)})`;
  switch (q.type) {
    case 'and':
      return q.items.map(sub).join(', ');
    case 'or':
      return q.items.map(sub).join(' | ');
    case 'not':
      return `!${sub(q.item)}`;
    case 'field':
      return `${q.field}${cond(q.op, q.value)}`;
    case 'package':
      return `${q.name}${cond(q.op, q.version)}${q.architecture === undefined ? '' : ` {${q.architecture}}`}`;
    case 'key':
      return `${q.package}_${q.version}_${q.architecture}`;
  }
}

const ORDER: QueryOp[] = ['=', '<<', '<=', '>=', '>>'];
const GLOBS = ['lib*', '*-dev', 'python3-?*', '[a-c]*', '*', '[^l]*'];
const REGEXES = ['^lib', 'dev$', 'x', '^(gnome|kde)', '[0-9]{3}'];
const VERSIONS = ['1.0', '2.36', '1:5.2.1-2', '0.0.1', '5.2.15-2'];
const TEXT_FIELDS = [
  'Priority',
  'Section',
  'Name',
  '$Source',
  'Multi-Arch',
  'Maintainer',
  'Homepage',
  'Tag',
];
const REL_FIELDS = ['Depends', 'Provides', 'Recommends', 'Pre-Depends'];
const VERSION_FIELDS = ['$Version', 'Version', '$SourceVersion'];
const ARCHES = ['amd64', 'all', 'i386', 'source'];

/**
 * Query trees over the fields above: `names` are package names (lower-case, no '_'),
 * `values` the values of text conditions.
 */
export function arbQuery(
  names: readonly string[],
  values: readonly string[],
): fc.Arbitrary<QueryNode> {
  const column = fc.constant(1);
  const pattern = fc.oneof(
    fc.record({ op: fc.constant<QueryOp>('%'), value: fc.constantFrom(...GLOBS) }),
    fc.record({ op: fc.constant<QueryOp>('~'), value: fc.constantFrom(...REGEXES) }),
  );
  const textCond = fc.oneof(
    fc.record({ op: fc.constantFrom(...ORDER), value: fc.constantFrom(...values) }),
    pattern,
  );
  const versionCond = fc.oneof(
    fc.record({ op: fc.constantFrom(...ORDER), value: fc.constantFrom(...VERSIONS) }),
    pattern,
  );
  const field = fc.oneof(
    fc.record({
      type: fc.constant('field' as const),
      field: fc.constantFrom(...TEXT_FIELDS, ...REL_FIELDS, 'Essential', 'Installed-Size'),
      column,
    }),
    fc
      .tuple(
        fc.constantFrom(...TEXT_FIELDS, ...REL_FIELDS, '$Architecture', 'Installed-Size'),
        textCond,
      )
      .map(([f, c]) => ({ type: 'field' as const, field: f, ...c, column: 1 })),
    fc
      .tuple(fc.constantFrom(...VERSION_FIELDS), versionCond)
      .map(([f, c]) => ({ type: 'field' as const, field: f, ...c, column: 1 })),
  );
  const pkg = fc
    .tuple(
      fc.constantFrom(...names),
      fc.option(versionCond, { nil: undefined }),
      fc.option(fc.constantFrom(...ARCHES), { nil: undefined }),
    )
    .map(([name, c, a]) => ({
      type: 'package' as const,
      name,
      column: 1,
      ...(c === undefined ? {} : { op: c.op, version: c.value }),
      ...(a === undefined ? {} : { architecture: a }),
    }));
  const key = fc
    .tuple(fc.constantFrom(...names), fc.constantFrom(...VERSIONS), fc.constantFrom(...ARCHES))
    .map(([p, v, a]) => ({
      type: 'key' as const,
      package: p,
      version: v,
      architecture: a,
      column: 1,
    }));
  const leaf = fc.oneof(
    { weight: 4, arbitrary: field },
    { weight: 2, arbitrary: pkg },
    { weight: 1, arbitrary: key },
  );
  const { tree } = fc.letrec<{ tree: QueryNode }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({
        type: fc.constant('and' as const),
        items: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
      }),
      fc.record({
        type: fc.constant('or' as const),
        items: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('not' as const), item: tie('tree') }),
    ),
  }));
  return tree;
}
