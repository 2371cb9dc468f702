/**
 * The query language's parser (every form and operator, precedence, quoting, errors with
 * columns) and the shell-glob matcher (Go's filepath.Match cases).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LeanrecError } from 'leanrec';
import { parseQuery, type QueryNode } from 'leanrec/debian';
import { compileGlob } from '../../src/query/glob.ts';
import { arbQuery, formatQuery, stripColumns } from '../helpers/query-model.ts';

const f = (field: string, op?: string, value?: string) =>
  op === undefined ? { type: 'field', field } : { type: 'field', field, op, value };

describe('parseQuery', () => {
  it('reads field conditions with every operator; no operator means =', () => {
    const ops: [string, string][] = [
      ['', '='],
      ['=', '='],
      ['>=', '>='],
      ['<=', '<='],
      ['>>', '>>'],
      ['<<', '<<'],
      ['>', '>='],
      ['<', '<='],
      ['%', '%'],
      ['~', '~'],
    ];
    for (const [written, op] of ops)
      assert.deepEqual(
        stripColumns(parseQuery(`$Version (${written} 1.0)`)),
        f('$Version', op, '1.0'),
      );
    assert.deepEqual(stripColumns(parseQuery('$Version (>=1.0)')), f('$Version', '>=', '1.0'));
    assert.deepEqual(stripColumns(parseQuery('Essential')), f('Essential'));
    assert.deepEqual(
      stripColumns(parseQuery('Installed-Size (<< 10)')),
      f('Installed-Size', '<<', '10'),
    );
  });

  it('tells fields, package references and keys apart as aptly does', () => {
    assert.deepEqual(stripColumns(parseQuery('bash')), { type: 'package', name: 'bash' });
    assert.deepEqual(stripColumns(parseQuery('libc6 (>= 2.36) {amd64}')), {
      type: 'package',
      name: 'libc6',
      op: '>=',
      version: '2.36',
      architecture: 'amd64',
    });
    assert.deepEqual(stripColumns(parseQuery('awk {all}')), {
      type: 'package',
      name: 'awk',
      architecture: 'all',
    });
    assert.deepEqual(stripColumns(parseQuery('bash_5.2.15-2+b13_amd64')), {
      type: 'key',
      package: 'bash',
      version: '5.2.15-2+b13',
      architecture: 'amd64',
    });
    // One '_' is no key; with a condition a name_ is a package name.
    assert.deepEqual(stripColumns(parseQuery('a_b')), { type: 'package', name: 'a_b' });
    assert.equal(parseQuery('a_b_c (>= 1)').type, 'package');
    // Upper case with '_' is a package name (aptly's rule), '$' always a field.
    assert.equal(parseQuery('A_b_c').type, 'key');
    assert.equal(parseQuery('$Source (glibc)').type, 'field');
  });

  it('binds ! tighter than , tighter than |, and parentheses override', () => {
    const q = stripColumns(parseQuery('a | b, !c | (d | e), f'));
    assert.deepEqual(q, {
      type: 'or',
      items: [
        { type: 'package', name: 'a' },
        {
          type: 'and',
          items: [
            { type: 'package', name: 'b' },
            { type: 'not', item: { type: 'package', name: 'c' } },
          ],
        },
        {
          type: 'and',
          items: [
            {
              type: 'or',
              items: [
                { type: 'package', name: 'd' },
                { type: 'package', name: 'e' },
              ],
            },
            { type: 'package', name: 'f' },
          ],
        },
      ],
    });
    assert.deepEqual(stripColumns(parseQuery('!!a')), {
      type: 'not',
      item: { type: 'not', item: { type: 'package', name: 'a' } },
    });
  });

  it('reads quoted values with escapes', () => {
    assert.deepEqual(
      stripColumns(parseQuery(`Maintainer (~ 'Adrian Bunk')`)),
      f('Maintainer', '~', 'Adrian Bunk'),
    );
    assert.deepEqual(
      stripColumns(parseQuery(`Description (~ "a \\"b\\" \\\\(c")`)),
      f('Description', '~', 'a "b" \\(c'),
    );
    assert.deepEqual(stripColumns(parseQuery(`Name ('x,y|z')`)), f('Name', '=', 'x,y|z'));
  });

  it('records the 1-based column of each term', () => {
    const q = parseQuery('Priority (required), $Architecture (amd64) | Name (% lib*-dev)');
    assert.equal(q.type, 'or');
    const [and, name] = (q as Extract<QueryNode, { type: 'or' }>).items;
    assert.deepEqual(
      (and as Extract<QueryNode, { type: 'and' }>).items.map(
        (i) => (i as { column: number }).column,
      ),
      [1, 22],
    );
    assert.equal((name as { column: number }).column, 46);
  });

  it('fails with E_PARSE and the column of the offending token', () => {
    const cases: [string, number][] = [
      ['', 1],
      ['   ', 4],
      ['Priority (', 11],
      ['Priority (required', 19],
      ['Priority (>= )', 14],
      ['a, ', 4],
      ['a |', 4],
      ['(a', 3],
      ['a)', 2],
      ['x y', 3],
      ['a {amd64', 9],
      ['a {}', 4],
      ['Priority (required) {amd64}', 21],
      ["Name ('abc", 7],
      ['Name (% [)', 9],
      ['Name (~ a(b)', 10],
      ['Name (~ "(")', 9],
      ['$Version (>= :1)', 14],
      ['libc6 (>= 1:)', 11],
      [',', 1],
      ['!', 2],
    ];
    for (const [text, column] of cases) {
      assert.throws(
        () => parseQuery(text),
        (e: unknown) => e instanceof LeanrecError && e.code === 'E_PARSE' && e.column === column,
        `${JSON.stringify(text)} at column ${column}`,
      );
    }
  });

  it('parses what formatQuery writes back to the same tree (property)', () => {
    fc.assert(
      fc.property(
        arbQuery(['bash', 'a-b', 'x.y+z'], ['required', 'lib*', '1:2.0-1', "it's", 'a b']),
        (q) => {
          assert.deepEqual(stripColumns(parseQuery(formatQuery(q))), stripColumns(q));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('compileGlob (Go filepath.Match)', () => {
  const BAD = 'bad';
  // Go's own table (path/filepath match_test.go), Unix separator.
  const cases: [string, string, boolean | typeof BAD][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', BAD],
    ['[-]', '-', BAD],
    ['[x-]', 'x', BAD],
    ['[-x]', 'x', BAD],
    ['\\', 'a', BAD],
    ['[a-b-c]', 'a', BAD],
    ['[', 'a', BAD],
    ['[^', 'a', BAD],
    ['[^bc', 'a', BAD],
    ['a[', 'a', BAD],
    ['a/b[', 'x', BAD],
    ['*x', 'xxx', true],
    ['[z-a]', 'm', false],
    ['lib*-dev', 'libfoo-dev', true],
    ['lib*-dev', 'libfoo-dev2', false],
  ];
  for (const [pattern, text, want] of cases)
    it(`${pattern} vs ${text}: ${want}`, () => {
      if (want === BAD) assert.throws(() => compileGlob(pattern), { code: 'E_ARGUMENT' });
      else assert.equal(compileGlob(pattern).test(text), want);
    });
});
