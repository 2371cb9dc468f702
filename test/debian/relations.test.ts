import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from '../../src/errors.ts';
import {
  formatRelation,
  formatRelations,
  parseRelations,
  type Relation,
  relationNames,
} from '../../src/query/relations.ts';
import type { VersionOp } from '../../src/query/version.ts';

describe('parseRelations: real Debian values', () => {
  it('parses a Depends line with an OR-group', () => {
    assert.deepEqual(parseRelations('libc6 (>= 2.34), libgcc-s1 (>= 3.0) | libgcc1', 'Depends'), [
      [{ name: 'libc6', op: '>=', version: '2.34' }],
      [{ name: 'libgcc-s1', op: '>=', version: '3.0' }, { name: 'libgcc1' }],
    ]);
  });

  it('parses architecture qualifiers and tilde versions', () => {
    assert.deepEqual(parseRelations('python3:any (>= 3.11~)'), [
      [{ name: 'python3', archQualifier: 'any', op: '>=', version: '3.11~' }],
    ]);
    assert.deepEqual(parseRelations('perl:native, gcc-12:amd64'), [
      [{ name: 'perl', archQualifier: 'native' }],
      [{ name: 'gcc-12', archQualifier: 'amd64' }],
    ]);
  });

  it('parses architecture lists and build profiles', () => {
    assert.deepEqual(parseRelations('foo [amd64 !i386] <!nocheck> <stage1 cross>'), [
      [
        {
          name: 'foo',
          arches: ['amd64', '!i386'],
          profiles: [['!nocheck'], ['stage1', 'cross']],
        },
      ],
    ]);
    assert.deepEqual(
      parseRelations('libseccomp-dev [linux-any], dh-sequence-python3 <!nopython>'),
      [
        [{ name: 'libseccomp-dev', arches: ['linux-any'] }],
        [{ name: 'dh-sequence-python3', profiles: [['!nopython']] }],
      ],
    );
  });

  it('parses a multi-line Build-Depends with continuation lines', () => {
    const text = [
      'debhelper-compat (= 13),',
      ' dh-python,',
      ' libssl-dev (>= 3.0.0~) <!pkg.foo.nossl>,',
      ' python3-all-dev:any (>= 3.9~) [!hurd-i386],',
      '\tpython3-sphinx <!nodoc>',
      '  | python3-docutils,',
      ' zlib1g-dev',
      '',
    ].join('\n');
    assert.deepEqual(parseRelations(text, 'Build-Depends'), [
      [{ name: 'debhelper-compat', op: '=', version: '13' }],
      [{ name: 'dh-python' }],
      [{ name: 'libssl-dev', op: '>=', version: '3.0.0~', profiles: [['!pkg.foo.nossl']] }],
      [
        {
          name: 'python3-all-dev',
          archQualifier: 'any',
          op: '>=',
          version: '3.9~',
          arches: ['!hurd-i386'],
        },
      ],
      [{ name: 'python3-sphinx', profiles: [['!nodoc']] }, { name: 'python3-docutils' }],
      [{ name: 'zlib1g-dev' }],
    ]);
  });

  it('parses Built-Using, Provides and Breaks values', () => {
    assert.deepEqual(
      parseRelations('gcc-12 (= 12.2.0-14), glibc (= 2.36-9+deb12u4)', 'Built-Using'),
      [
        [{ name: 'gcc-12', op: '=', version: '12.2.0-14' }],
        [{ name: 'glibc', op: '=', version: '2.36-9+deb12u4' }],
      ],
    );
    assert.deepEqual(parseRelations('awk, mail-transport-agent (= 1:1.0)', 'Provides'), [
      [{ name: 'awk' }],
      [{ name: 'mail-transport-agent', op: '=', version: '1:1.0' }],
    ]);
    assert.deepEqual(parseRelations('libc6 (<< 2.36), c++-compiler (>> 1:2.0-1~bpo1)'), [
      [{ name: 'libc6', op: '<<', version: '2.36' }],
      [{ name: 'c++-compiler', op: '>>', version: '1:2.0-1~bpo1' }],
    ]);
  });

  it('tolerates extra, missing and odd whitespace', () => {
    assert.deepEqual(parseRelations('  a(>=1.0)|b  ,\n\n c  [ amd64  ]  < !nocheck >  '), [
      [{ name: 'a', op: '>=', version: '1.0' }, { name: 'b' }],
      [{ name: 'c', arches: ['amd64'], profiles: [['!nocheck']] }],
    ]);
  });

  it('normalises the legacy operators < and > to <= and >=', () => {
    assert.deepEqual(parseRelations('a (< 1.0), b (> 2), c (<= 3), d (>= 4)'), [
      [{ name: 'a', op: '<=', version: '1.0' }],
      [{ name: 'b', op: '>=', version: '2' }],
      [{ name: 'c', op: '<=', version: '3' }],
      [{ name: 'd', op: '>=', version: '4' }],
    ]);
  });

  it('accepts names dpkg accepts beyond Policy', () => {
    assert.deepEqual(parseRelations('libFoo_bar, x, 0ad, g++'), [
      [{ name: 'libFoo_bar' }],
      [{ name: 'x' }],
      [{ name: '0ad' }],
      [{ name: 'g++' }],
    ]);
  });

  it('returns [] for empty or blank text and tolerates one trailing comma', () => {
    assert.deepEqual(parseRelations(''), []);
    assert.deepEqual(parseRelations(' \n\t '), []);
    assert.deepEqual(parseRelations('a, b,\n'), [[{ name: 'a' }], [{ name: 'b' }]]);
  });

  it('leaves absent parts absent (not undefined)', () => {
    const [[rel]] = parseRelations('libgcc1') as [[Relation]];
    assert.deepEqual(Object.keys(rel), ['name']);
  });
});

describe('parseRelations: malformed input', () => {
  // [text, expected 1-based column]
  const cases: readonly [string, number][] = [
    ['a | | b', 5],
    ['a |', 3],
    ['| a', 1],
    [', a', 1],
    ['a,, b', 3],
    ['a, b |, c', 7],
    ['a (>= 1', 3],
    ['a (>=', 3],
    ['a (>= 1, b', 3],
    ['a >= 1)', 3],
    ['a )', 3],
    ['a [amd64', 3],
    ['a [amd64, b', 3],
    ['a amd64]', 3],
    ['a ]', 3],
    ['a <!nocheck', 3],
    ['a !nocheck>', 3],
    ['a (>= )', 7],
    ['a ()', 4],
    ['a (1.0)', 4],
    ['a (== 1)', 4],
    ['a (=> 1)', 4],
    ['a (<<= 1)', 4],
    ['a (~ 1)', 4],
    ['a (>= 1.0 b)', 11],
    ['a (>= 1:)', 7],
    ['a (>= x:1)', 7],
    ['Foo$bar', 4],
    ['-foo', 1],
    ['.foo', 1],
    ['foo/bar', 4],
    ['foo, b\u00e4r', 7],
    ['(>= 1)', 1],
    ['a:', 3],
    ['a:any:amd64', 6],
    ['a []', 3],
    ['a <>', 3],
    ['a [amd64] (>= 1)', 11],
    ['a <!nocheck> [amd64]', 14],
    ['a [am$d64]', 6],
    ['a <!no;check>', 7],
    ['a [!]', 4],
    ['a b', 3],
    ['a,\n b\n  c', 9],
  ];
  for (const [text, column] of cases) {
    it(`${JSON.stringify(text)} → E_PARSE at column ${column}`, () => {
      assert.throws(
        () => parseRelations(text, 'Build-Depends'),
        (err: unknown) => {
          assert.ok(isLeanrecError(err, 'E_PARSE'), String(err));
          assert.equal(err.column, column, err.message);
          assert.equal(err.field, 'Build-Depends');
          assert.ok(err.message.includes('Build-Depends'), err.message);
          assert.ok(err.message.includes(`column ${column}`), err.message);
          return true;
        },
      );
    });
  }

  it('names the offending text in the message', () => {
    assert.throws(
      () => parseRelations('libc6 (>= 2.34), Foo$bar (>= 1)', 'Depends'),
      (err: unknown) => isLeanrecError(err, 'E_PARSE') && err.message.includes('Foo$bar'),
    );
    assert.throws(
      () => parseRelations('a (== 1)'),
      (err: unknown) =>
        isLeanrecError(err, 'E_PARSE') && err.message.includes('==') && err.field === undefined,
    );
  });

  it('keeps the version error as the cause', () => {
    assert.throws(
      () => parseRelations('a (>= 1:)'),
      (err: unknown) => isLeanrecError(err, 'E_PARSE') && isLeanrecError(err.cause, 'E_PARSE'),
    );
  });

  it('rejects a non-string with E_ARGUMENT', () => {
    assert.throws(
      () => parseRelations(undefined as unknown as string),
      (err: unknown) => isLeanrecError(err, 'E_ARGUMENT'),
    );
  });
});

describe('formatRelations', () => {
  it('writes canonical text', () => {
    assert.equal(
      formatRelations([
        [
          { name: 'a', op: '>=', version: '1' },
          { name: 'b', archQualifier: 'any', arches: ['amd64'], profiles: [['!nocheck']] },
        ],
        [{ name: 'c', profiles: [['stage1', 'cross'], ['!nodoc']] }],
      ]),
      'a (>= 1) | b:any [amd64] <!nocheck>, c <stage1 cross> <!nodoc>',
    );
    assert.equal(formatRelations([]), '');
    assert.equal(
      formatRelation({ name: 'x', arches: ['!i386', 'linux-any'] }),
      'x [!i386 linux-any]',
    );
  });

  it('normalises legacy operators and whitespace when round-tripping text', () => {
    const text = 'a(<1.0) |b [ amd64 ],\n c (> 2)';
    assert.equal(formatRelations(parseRelations(text)), 'a (<= 1.0) | b [amd64], c (>= 2)');
  });
});

describe('relationNames', () => {
  it('lists distinct names in order of first appearance', () => {
    assert.deepEqual(relationNames('a (>= 1) | b, a:any, c [amd64] | b'), ['a', 'b', 'c']);
    assert.deepEqual(relationNames(''), []);
  });
});

const nameArb = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...'abcxyz0189+.-'), minLength: 1, maxLength: 12 }),
  )
  .map(([first, rest]) => first + rest);
const archArb = fc.constantFrom(
  'amd64',
  'i386',
  'arm64',
  'armhf',
  'linux-any',
  'any-amd64',
  'hurd-i386',
);
const qualifierArb = fc.constantFrom('any', 'native', 'amd64', 'i386');
const opArb = fc.constantFrom<VersionOp>('<<', '<=', '=', '>=', '>>');
const versionArb = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    fc.stringMatching(/^[0-9][0-9a-z.+~]{0,10}$/),
    fc.option(fc.stringMatching(/^[0-9a-z.+~]{1,8}$/), { nil: undefined }),
  )
  .map(
    ([e, up, rev]) => (e === undefined ? '' : `${e}:`) + up + (rev === undefined ? '' : `-${rev}`),
  );
const negatable = (arb: fc.Arbitrary<string>) =>
  fc.tuple(fc.boolean(), arb).map(([neg, s]) => (neg ? `!${s}` : s));
const profileArb = fc.constantFrom('nocheck', 'nodoc', 'stage1', 'stage2', 'cross', 'pkg.foo.bar');

const relationArb: fc.Arbitrary<Relation> = fc
  .record({
    name: nameArb,
    qual: fc.option(qualifierArb, { nil: undefined }),
    constraint: fc.option(fc.tuple(opArb, versionArb), { nil: undefined }),
    arches: fc.option(fc.array(negatable(archArb), { minLength: 1, maxLength: 4 }), {
      nil: undefined,
    }),
    profiles: fc.option(
      fc.array(fc.array(negatable(profileArb), { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 3,
      }),
      { nil: undefined },
    ),
  })
  .map(({ name, qual, constraint, arches, profiles }) => {
    const rel: Relation = { name };
    if (qual !== undefined) rel.archQualifier = qual;
    if (constraint !== undefined) [rel.op, rel.version] = constraint;
    if (arches !== undefined) rel.arches = arches;
    if (profiles !== undefined) rel.profiles = profiles;
    return rel;
  });
const groupsArb = fc.array(fc.array(relationArb, { minLength: 1, maxLength: 3 }), { maxLength: 6 });

describe('parseRelations ∘ formatRelations', () => {
  it('round-trips random valid groups', () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        assert.deepEqual(parseRelations(formatRelations(groups)), groups);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips with random extra whitespace and newlines', () => {
    const ws = fc.constantFrom(' ', '  ', '\n ', '\t', '\n\t');
    fc.assert(
      fc.property(groupsArb, ws, (groups, space) => {
        const text = formatRelations(groups).replaceAll(' ', space).replaceAll(', ', `,${space}`);
        assert.deepEqual(parseRelations(`${space}${text}${space}`), groups);
      }),
      { numRuns: 300 },
    );
  });
});
