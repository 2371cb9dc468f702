/**
 * The byte forms of query tests (src/query/bytes.ts) give the string tests' answers:
 * star globs against the glob's regular expression, version comparisons against dpkg's
 * ordering with aptly's fallback — on random text with '/', digits, '~', ':', '-',
 * spaces and characters of two to four UTF-8 bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UNDECIDED } from '../../src/query/bytes.ts';
import type { QueryOp } from '../../src/query/parse.ts';
import { type TextTest, textTest } from '../../src/query/predicate.ts';

const enc = new TextEncoder();

/** The byte test's answer for `s`, read from inside a larger buffer (as in the pool). */
function byBytes(t: TextTest, s: string): number {
  const body = enc.encode(s);
  const b = new Uint8Array(body.length + 6);
  b.set([0x2f, 0x61, 0x2d], 0);
  b.set(body, 3);
  b.set([0x2d, 0x2f, 0x31], 3 + body.length);
  return t.bytes!(b, 3, 3 + body.length);
}

const chars = ['a', 'b', 'l', 'i', '-', '.', '/', '1', '0', '~', ':', '+', ' ', 'é', '€', '😀'];
const text = (max: number) =>
  fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));

describe('query tests on UTF-8 bytes', () => {
  it('star globs answer as their regular expression (property)', () => {
    const lit = fc.array(fc.constantFrom('a', 'b', 'l', '-', '.', 'é', '😀', '\\*'), {
      maxLength: 3,
    });
    const pattern = fc
      .array(
        lit.map((l) => l.join('')),
        { minLength: 1, maxLength: 4 },
      )
      .map((parts) => parts.join('*'));
    fc.assert(
      fc.property(pattern, fc.array(text(10), { minLength: 1, maxLength: 20 }), (p, samples) => {
        const t = textTest('%', p, 'text');
        assert.ok(t.bytes !== undefined, p);
        for (const s of samples) assert.equal(byBytes(t, s), t(s) ? 1 : 0, `${p} on ${s}`);
      }),
      { numRuns: 500 },
    );
  });

  it('globs with ?, classes or a literal / keep the regular expression only', () => {
    for (const p of ['lib?-dev', 'lib[a-z]*', 'pool/main/*', 'a\\/b'])
      assert.equal(textTest('%', p, 'text').bytes, undefined, p);
    const t = textTest('%', 'lib*-dev', 'text');
    assert.equal(byBytes(t, 'libc-dev'), 1);
    assert.equal(byBytes(t, 'lib/c-dev'), 0);
    assert.equal(byBytes(t, 'lib-dev'), 1);
    assert.equal(byBytes(t, 'libdev'), 0);
  });

  it('version comparisons answer as dpkg (aptly for what is no version), or defer (property)', () => {
    const version = fc
      .tuple(
        fc.constantFrom('', '1:', '0:', '12:', 'x:', ':', '3000000000:'),
        text(6),
        fc.constantFrom('', '-1', '-0', '-1.2~b', '-', '-a-b'),
      )
      .map(([e, u, r]) => e + u + r);
    const ops: QueryOp[] = ['=', '<<', '<=', '>=', '>>'];
    let decided = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.constantFrom('2.0', '1:0', '1.0-1', '2.0~rc1', '0', ' 1.2 ', '1.0+b1-3'),
        fc.array(version, { minLength: 1, maxLength: 20 }),
        (op, value, samples) => {
          const t = textTest(op, value, 'version');
          assert.ok(t.bytes !== undefined);
          for (const s of samples) {
            const m = byBytes(t, s);
            if (m === UNDECIDED) continue;
            decided++;
            assert.equal(m, t(s) ? 1 : 0, `${s} ${op} ${value}`);
          }
        },
      ),
      { numRuns: 500 },
    );
    assert.ok(decided > 250, `only ${decided} samples decided on bytes`);
  });

  it('defers non-ASCII, empty and bad-epoch versions; no byte form for a bad constant', () => {
    const t = textTest('>=', '2.0', 'version');
    for (const s of ['', '  ', 'é1.0', ':1', 'x:1', '3000000000:1'])
      assert.equal(byBytes(t, s), UNDECIDED, s);
    assert.equal(byBytes(t, '10'), 1);
    assert.equal(byBytes(t, '1:0'), 1);
    assert.equal(byBytes(t, '2.0~'), 0);
    assert.equal(textTest('>=', 'x:1', 'version').bytes, undefined);
    assert.equal(textTest('>=', 'é', 'version').bytes, undefined);
  });
});
