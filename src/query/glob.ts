/**
 * Shell globs as aptly matches them (Go's `path/filepath.Match` on Unix), compiled once
 * to a regular expression anchored at both ends.
 *
 *   *        any run of characters other than '/'
 *   ?        one character other than '/'
 *   [a-z_]   one character in the set (ranges lo-hi; '\' escapes), '/' included
 *   [^…]     one character not in the set
 *   \c       the character c
 *
 * Malformed patterns (an unclosed or empty class, '-' or ']' unescaped at the start of
 * a range, a trailing '\') are errors, as `filepath.ErrBadPattern`.
 */
import { LeanrecError } from '../errors.ts';

const esc = (cp: number): string =>
  cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\u{${cp.toString(16)}}`;

function bad(pattern: string, why: string): never {
  throw new LeanrecError('E_ARGUMENT', `bad glob ${JSON.stringify(pattern)}: ${why}`);
}

/**
 * Compiles `pattern` to a RegExp that tests a whole string.
 * @throws LeanrecError `E_ARGUMENT` for a malformed pattern.
 */
export function compileGlob(pattern: string): RegExp {
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  let re = '^';
  let i = 0;
  // One character of a class: a plain character or '\' c.
  const classChar = (): number => {
    let c = cps[i];
    if (c === undefined) bad(pattern, 'unclosed [');
    if (c === 0x5c) {
      i++;
      c = cps[i];
      if (c === undefined) bad(pattern, 'unclosed [');
    } else if (c === 0x2d || c === 0x5d)
      bad(pattern, `unexpected ${String.fromCodePoint(c)} in [ ]`);
    i++;
    return c;
  };
  while (i < cps.length) {
    const c = cps[i++]!;
    if (c === 0x2a) re += '[^/]*';
    else if (c === 0x3f) re += '[^/]';
    else if (c === 0x5c) {
      if (i >= cps.length) bad(pattern, 'trailing \\');
      re += esc(cps[i++]!);
    } else if (c === 0x5b) {
      const negate = cps[i] === 0x5e;
      if (negate) i++;
      const ranges: string[] = [];
      let n = 0;
      for (;;) {
        if (cps[i] === 0x5d && n > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (cps[i] === 0x2d) {
          i++;
          hi = classChar();
        }
        n++;
        // A reversed range is no error in Go; it matches nothing.
        if (lo <= hi) ranges.push(lo === hi ? esc(lo) : `${esc(lo)}-${esc(hi)}`);
      }
      if (ranges.length > 0) re += `[${negate ? '^' : ''}${ranges.join('')}]`;
      else re += negate ? '[^]' : '(?!)';
    } else re += esc(c);
  }
  // Without '?' or a class every pattern character is a code point of its own and '*'
  // cannot split a surrogate pair usefully, so code units will do: the 'u' flag, which
  // makes V8's matcher slower, is only needed to count characters as code points.
  const units = !cps.includes(0x3f) && !cps.includes(0x5b) && cps.every((c) => c < 0x10000);
  return new RegExp(`${re}$`, units ? 's' : 'su');
}
