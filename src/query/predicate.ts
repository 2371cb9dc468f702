/**
 * The test one query condition applies to one field's text, built once per condition
 * and then run once per distinct value (dictionary entry, pooled string or version).
 *
 * Comparisons follow aptly: version-like fields (`$Version`, `Version`, `$SourceVersion`,
 * a package reference's version) compare as dpkg does; numbers as numbers; every other
 * field with aptly's ordering for all fields (runs of digits compare as numbers, letters
 * sort before other characters, `~` before everything), but `=` there is plain equality. An absent field reads as the
 * empty string, as in aptly: `!Priority (optional)` keeps records without a Priority.
 */

import { type BytesTest, globBytes, versionBytes } from './bytes.ts';
import { compileGlob } from './glob.ts';
import type { QueryOp } from './parse.ts';
import { compareVersions } from './version.ts';

/** How a field's values compare. */
export type ValueKind = 'version' | 'number' | 'text';

/**
 * A test of one field's text (`''` when the field is absent). `exact` is set when the
 * test is plain string equality, which the hot tier answers from pool offsets; `bytes`
 * when the same test can run on a pooled string's UTF-8 bytes (bytes.ts).
 */
export type TextTest = ((text: string) => boolean) & { exact?: string; bytes?: BytesTest };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** aptly's compareLexicographic: `~` first, then letters, then other characters. */
function lexCompare(a: string, b: string): number {
  for (let i = 0; ; i++) {
    if (i === a.length && i === b.length) return 0;
    if (i === b.length) return a.charCodeAt(i) === 126 ? -1 : 1;
    if (i === a.length) return b.charCodeAt(i) === 126 ? 1 : -1;
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 126) return -1;
    if (y === 126) return 1;
    const lx = isLetter(x);
    const ly = isLetter(y);
    if (lx !== ly) return lx ? -1 : 1;
    return x < y ? -1 : 1;
  }
}

function partCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  for (;;) {
    let i2 = i;
    let j2 = j;
    while (i2 < a.length && !isDigit(a.charCodeAt(i2))) i2++;
    while (j2 < b.length && !isDigit(b.charCodeAt(j2))) j2++;
    const r = lexCompare(a.slice(i, i2), b.slice(j, j2));
    if (r !== 0) return r;
    i = i2;
    j = j2;
    while (i2 < a.length && isDigit(a.charCodeAt(i2))) i2++;
    while (j2 < b.length && isDigit(b.charCodeAt(j2))) j2++;
    const n = Number(a.slice(i, i2) || '0') - Number(b.slice(j, j2) || '0');
    if (n !== 0) return n < 0 ? -1 : 1;
    i = i2;
    j = j2;
    if (i === a.length && j === b.length) return 0;
  }
}

/**
 * aptly's `CompareVersions`, which it applies to every field: epoch before the first
 * `:`, revision after the first `-`, each part compared as above. Never throws.
 */
export function aptlyCompare(a: string, b: string): number {
  const split = (s: string): [string, string, string] => {
    const c = s.indexOf(':');
    const epoch = c < 0 ? '' : s.slice(0, c);
    const rest = c < 0 ? s : s.slice(c + 1);
    const h = rest.indexOf('-');
    return h < 0 ? [epoch, rest, ''] : [epoch, rest.slice(0, h), rest.slice(h + 1)];
  };
  const x = split(a);
  const y = split(b);
  return partCompare(x[0], y[0]) || partCompare(x[1], y[1]) || partCompare(x[2], y[2]);
}

/** dpkg's ordering; text that is no valid version (empty, bad epoch) falls back to aptly's. */
function versionCompare(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } catch {
    return aptlyCompare(a, b);
  }
}

const INTEGER = /^[0-9]+$/;

/** Whether a comparison's result satisfies each operator. */
const HOLDS: Record<Exclude<QueryOp, '%' | '~'>, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>=': (c) => c >= 0,
  '>>': (c) => c > 0,
};

/**
 * The test for `op value` on a field whose values are of `kind`; `op` undefined tests
 * presence (a non-empty value).
 */
export function textTest(op: QueryOp | undefined, value: string, kind: ValueKind): TextTest {
  if (op === undefined) return (s) => s !== '';
  if (op === '%') {
    const re = compileGlob(value);
    const glob: TextTest = (s) => re.test(s);
    const bytes = globBytes(value);
    if (bytes !== undefined) glob.bytes = bytes;
    return glob;
  }
  if (op === '~') {
    const re = new RegExp(value, 'u');
    return (s) => re.test(s);
  }
  let cmp: (s: string) => number;
  if (kind === 'version') cmp = (s) => versionCompare(s, value);
  else if (kind === 'number' && INTEGER.test(value)) {
    const n = Number(value);
    cmp = (s) => (s === '' ? -1 : Number(s) - n);
  } else cmp = (s) => aptlyCompare(s, value);
  const holds = HOLDS[op];
  if (kind === 'version') {
    const t: TextTest = (s) => holds(cmp(s));
    const bytes = versionBytes(value, holds);
    if (bytes !== undefined) t.bytes = bytes;
    return t;
  }
  switch (op) {
    case '=': {
      if (kind !== 'text') return (s) => cmp(s) === 0;
      // "strict match" (aptly's documentation): the text itself, not aptly's ordering,
      // which would also equate `a` and `a0`.
      const eq: TextTest = (s) => s === value;
      eq.exact = value;
      return eq;
    }
    case '<<':
      return (s) => cmp(s) < 0;
    case '<=':
      return (s) => cmp(s) <= 0;
    case '>=':
      return (s) => cmp(s) >= 0;
    case '>>':
      return (s) => cmp(s) > 0;
  }
}
