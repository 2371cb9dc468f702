import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from '../../src/errors.ts';
import {
  type AnyVersionOp,
  compareVersions,
  parseVersion,
  satisfies,
} from '../../src/query/version.ts';

/** [a, b, expected sign of compareVersions(a, b)], checked by hand against dpkg's rules. */
const VERSION_CASES: readonly (readonly [string, string, -1 | 0 | 1])[] = [
  // equality and simple numbers
  ['1.0', '1.0', 0],
  ['1.0', '1.1', -1],
  ['9', '10', -1],
  ['1.2', '1.10', -1],
  ['2.30-1', '2.3-1', 1],
  ['1.0', '1.0.1', -1],
  ['1.0.0', '1.0', 1],
  ['1.2.3', '1.2.3.0', -1],
  ['0.0', '0', 1],
  // epochs
  ['1:1.0', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1:1.0', '1:1.0', 0],
  ['2:0.1', '1:9.9', 1],
  ['10:1', '9:1', 1],
  ['1:0', '0:9999', 1],
  ['0:0', '0', 0],
  ['00:1', '0:1', 0],
  ['1:2:3', '1:2:4', -1],
  ['1:1.0-1', '1:1.0-1', 0],
  // tildes
  ['1.0~rc1', '1.0', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~~a', '1.0~~', 1],
  ['1.0~', '1.0', -1],
  ['1.0~~~', '1.0~~', -1],
  ['1~', '1~~', 1],
  ['1~a', '1~b', -1],
  ['1~', '1~a', -1],
  ['1~1', '1~a', -1],
  ['1.0~rc1', '1.0~rc10', -1],
  ['1.0~rc2', '1.0~rc10', -1],
  ['3.0~rc1-1', '3.0-1', -1],
  ['3.0~rc1-1', '3.0~beta1-1', 1],
  ['1.0~dfsg', '1.0', -1],
  ['1.0+~', '1.0+', -1],
  ['1+', '1~', 1],
  // letters, digits and other characters
  ['1.0a', '1.0', 1],
  ['1.0a', '1.0b', -1],
  ['1.0a', '1.0+', -1],
  ['1.0+', '1.0.', -1],
  ['1.0+dfsg', '1.0', 1],
  ['1.0+dfsg', '1.0.1', -1],
  ['1.2a', '1.2.0', -1],
  ['a', 'b', -1],
  ['a1', 'a', 1],
  ['1a', '1A', 1],
  ['1Z', '1a', -1],
  ['1.2+git20230101', '1.2+git20221231', 1],
  ['1.0-a', '1.0-A', 1],
  ['1.0-1.a', '1.0-1.+', -1],
  // revisions
  ['1.0-1', '1.0-2', -1],
  ['1.0-1', '1.0-1', 0],
  ['1.0', '1.0-0', 0],
  ['1.0', '1.0-1', -1],
  ['1.0-0', '1.0-00', 0],
  ['1.0-1', '1.0-1.1', -1],
  ['1.0-1~bpo1', '1.0-1', -1],
  ['1.0-1+b1', '1.0-1', 1],
  ['1.0-1+deb12u1', '1.0-1+b1', 1],
  ['1.0-10', '1.0-9', 1],
  ['1.0-1', '1.0.1', -1],
  ['1.0-1-1', '1.0-1', 1],
  ['1.0-1-1', '1.0-1-2', -1],
  ['2.36-9+deb12u4', '2.36-9+deb12u10', -1],
  ['5.2.15-2+b2', '5.2.15-2+b10', -1],
  ['1.0-1ubuntu1', '1.0-1', 1],
  ['1.0-1ubuntu1', '1.0-1build1', 1],
  ['1.0-1ubuntu0.1', '1.0-1', 1],
  ['1.0-0.1', '1.0', 1],
  ['1.0-~', '1.0', -1],
  ['1-1', '1-a', -1],
  // leading zeros and huge digit runs
  ['001', '1', 0],
  ['1.001', '1.1', 0],
  ['1.010', '1.9', 1],
  ['1.0001', '1.01', 0],
  ['1.0', '1.00', 0],
  ['0000000000000000000000001', '1', 0],
  ['99999999999999999999999', '99999999999999999999998', 1],
  ['100000000000000000000000', '99999999999999999999999', 1],
  ['1.18446744073709551617', '1.18446744073709551616', 1],
  ['1.000000000000000000000000000000000002', '1.1', 1],
  // empty parts
  ['1..0', '1.0', 1],
  ['1.', '1', 1],
  ['1.', '1.0', 0],
  ['1.0a', '1.0a0', 0],
  // surrounding whitespace is ignored
  [' 1.0 ', '1.0', 0],
  ['\t2:1\n', '2:1', 0],
];

describe('compareVersions: table', () => {
  it('has at least 70 cases', () => {
    assert.ok(VERSION_CASES.length >= 70);
  });
  for (const [a, b, want] of VERSION_CASES) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)} → ${want}`, () => {
      assert.equal(Math.sign(compareVersions(a, b)), want, `cmp(${a}, ${b})`);
      assert.equal(Math.sign(compareVersions(b, a)), want === 0 ? 0 : -want, `cmp(${b}, ${a})`);
    });
  }

  it('sorts like dpkg', () => {
    const sorted = ['2.0', '1.0-1', '1.0~b', '1:0.1', '1.0', '1.0+b1', '1.0~~'].sort(
      compareVersions,
    );
    assert.deepEqual(sorted, ['1.0~~', '1.0~b', '1.0', '1.0-1', '1.0+b1', '2.0', '1:0.1']);
  });

  it('throws E_PARSE for an empty version or a bad epoch', () => {
    for (const bad of ['', '   ', ':1', 'a:1', '1a:1', '99999999999:1', '2147483648:1']) {
      assert.throws(
        () => compareVersions(bad, '1'),
        (err: unknown) => isLeanrecError(err, 'E_PARSE'),
        bad,
      );
      assert.throws(
        () => compareVersions('1', bad),
        (err: unknown) => isLeanrecError(err, 'E_PARSE'),
      );
    }
    assert.equal(compareVersions('2147483647:1', '2147483646:9'), 1);
  });
});

/** Realistic version strings: optional epoch, upstream with ~ + . letters, optional revision. */
const segment = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map(String),
  fc.constantFrom('0', '00', '007', '123456789012345678901234567890'),
  fc.constantFrom('a', 'b', 'rc', 'beta', 'dfsg', 'git', 'Z', 'ubuntu', 'deb', 'bpo'),
);
const separator = fc.constantFrom('.', '+', '~', '', '.', '~~');
const part = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.array(fc.tuple(separator, segment), { maxLength: 4 }))
  .map(([lead, rest]) => String(lead) + rest.map(([s, g]) => s + g).join(''));
const versionArb = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    part,
    fc.option(part, { nil: undefined }),
  )
  .map(
    ([epoch, up, rev]) =>
      (epoch === undefined ? '' : `${epoch}:`) + up + (rev === undefined ? '' : `-${rev}`),
  );

describe('compareVersions: properties', () => {
  it('is reflexive', () => {
    fc.assert(fc.property(versionArb, (v) => compareVersions(v, v) === 0));
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(versionArb, versionArb, (a, b) => {
        assert.equal(Math.sign(compareVersions(a, b)), -Math.sign(compareVersions(b, a)) || 0);
      }),
    );
  });

  it('is transitive (a sorted triple stays ordered)', () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort(compareVersions) as [string, string, string];
        assert.ok(compareVersions(a, b) <= 0);
        assert.ok(compareVersions(b, c) <= 0);
        assert.ok(compareVersions(a, c) <= 0, `${a} <= ${c}`);
      }),
      { numRuns: 500 },
    );
  });

  it('ignores leading zeros in digit runs', () => {
    fc.assert(
      fc.property(versionArb, fc.integer({ min: 1, max: 5 }), (v, n) => {
        const padded = v.replace(/(^|[^0-9])([0-9])/g, `$1${'0'.repeat(n)}$2`);
        assert.equal(compareVersions(v, padded), 0, `${v} = ${padded}`);
      }),
    );
  });

  it('agrees with parseVersion on the epoch', () => {
    fc.assert(
      fc.property(versionArb, versionArb, (a, b) => {
        const ea = parseVersion(a).epoch;
        const eb = parseVersion(b).epoch;
        if (ea !== eb) assert.equal(Math.sign(compareVersions(a, b)), Math.sign(ea - eb));
      }),
    );
  });
});

describe('parseVersion', () => {
  it('splits epoch, upstream and revision', () => {
    assert.deepEqual(parseVersion('1:2.36-9+deb12u4'), {
      epoch: 1,
      upstream: '2.36',
      revision: '9+deb12u4',
    });
    assert.deepEqual(parseVersion('1.0'), { epoch: 0, upstream: '1.0', revision: '' });
    assert.deepEqual(parseVersion('1.0-1-2'), { epoch: 0, upstream: '1.0-1', revision: '2' });
    assert.deepEqual(parseVersion('2:1:2-3'), { epoch: 2, upstream: '1:2', revision: '3' });
    assert.deepEqual(parseVersion('  3.0~rc1 \n'), { epoch: 0, upstream: '3.0~rc1', revision: '' });
    assert.deepEqual(parseVersion('007:1'), { epoch: 7, upstream: '1', revision: '' });
  });

  it('is lenient where dpkg only warns', () => {
    assert.deepEqual(parseVersion('abc'), { epoch: 0, upstream: 'abc', revision: '' });
    assert.deepEqual(parseVersion('1.0_x'), { epoch: 0, upstream: '1.0_x', revision: '' });
  });

  it('rejects what dpkg only warns about in strict mode', () => {
    for (const bad of ['abc', '1.0_x', '1.0-a_b', '1.0-1:2']) {
      assert.throws(
        () => parseVersion(bad, { strict: true }),
        (err: unknown) => isLeanrecError(err, 'E_PARSE') && err.message.includes(bad),
        bad,
      );
    }
    assert.deepEqual(parseVersion('1:2.0~rc1+dfsg-1.1~bpo12+1', { strict: true }), {
      epoch: 1,
      upstream: '2.0~rc1+dfsg',
      revision: '1.1~bpo12+1',
    });
  });

  it('throws E_PARSE naming the version', () => {
    const bad = [
      '',
      '  ',
      '1 .0',
      '1.0 -1',
      ':1.0',
      'x:1.0',
      '-1:1.0',
      '2147483648:1',
      '1:',
      '1:-1',
      '-1',
      '1.0-',
    ];
    for (const v of bad) {
      assert.throws(
        () => parseVersion(v),
        (err: unknown) => isLeanrecError(err, 'E_PARSE') && err.message.includes(JSON.stringify(v)),
        JSON.stringify(v),
      );
    }
  });
});

describe('satisfies', () => {
  const cases: readonly [string, AnyVersionOp, string, boolean][] = [
    ['1.0', '<<', '1.1', true],
    ['1.1', '<<', '1.1', false],
    ['1.0~rc1', '<<', '1.0', true],
    ['1.0', '<=', '1.0', true],
    ['1.0', '<=', '1.0-0', true],
    ['1.1', '<=', '1.0', false],
    ['1.0', '=', '1.0-0', true],
    ['1:1.0', '=', '1.0', false],
    ['2.36-9', '>=', '2.34', true],
    ['2.33', '>=', '2.34', false],
    ['1.0+b1', '>>', '1.0', true],
    ['1.0', '>>', '1.0', false],
    // legacy operators: '<' means '<=', '>' means '>='
    ['1.0', '<', '1.0', true],
    ['0.9', '<', '1.0', true],
    ['1.1', '<', '1.0', false],
    ['1.0', '>', '1.0', true],
    ['1.1', '>', '1.0', true],
    ['0.9', '>', '1.0', false],
  ];
  for (const [v, op, w, want] of cases) {
    it(`${v} ${op} ${w} is ${want}`, () => assert.equal(satisfies(v, op, w), want));
  }

  it('rejects an unknown operator with E_ARGUMENT', () => {
    assert.throws(
      () => satisfies('1', '==' as AnyVersionOp, '1'),
      (err: unknown) => isLeanrecError(err, 'E_ARGUMENT'),
    );
  });

  it('propagates E_PARSE for an invalid version', () => {
    assert.throws(
      () => satisfies('', '>=', '1'),
      (err: unknown) => isLeanrecError(err, 'E_PARSE'),
    );
  });
});
