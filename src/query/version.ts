/**
 * Debian version numbers: parsing, ordering and relation checks, exactly as dpkg
 * implements them (`lib/dpkg/parsehelp.c` `parseversion`, `lib/dpkg/version.c`
 * `dpkg_version_compare` / `verrevcmp`).
 *
 * ```
 *   [epoch:]upstream[-revision]
 *    │      │         └ after the LAST '-' (absent → "", which compares equal to "0")
 *    │      └ everything between; may itself contain ':' and '-'
 *    └ before the FIRST ':' — decimal, 0 … 2147483647 (absent → 0)
 * ```
 *
 * Ordering of upstream and revision (`verrevcmp`): the strings are cut into alternating
 * runs of non-digits and digits. Non-digit runs compare character by character with
 * `~` < end of string < letters (ASCII order) < every other character; digit runs
 * compare numerically with leading zeros ignored, at any length (never through
 * `Number`, so `18446744073709551617` works).
 *
 * {@link compareVersions} is on the hot path of dependency verification (millions of
 * calls), so it walks the two strings by index: no regexes, no substrings, no objects.
 */

import { LeanrecError } from '../errors.ts';

/** A relation operator as written in canonical Debian relation fields. */
export type VersionOp = '<<' | '<=' | '=' | '>=' | '>>';

/**
 * Every operator {@link satisfies} accepts: the five canonical ones plus the deprecated
 * `<` (meaning `<=`) and `>` (meaning `>=`) still understood by dpkg.
 */
export type AnyVersionOp = VersionOp | '<' | '>';

/** A version split into its three parts by {@link parseVersion}. */
export interface ParsedVersion {
  /** The epoch; 0 when the version has none. */
  epoch: number;
  /** The upstream version (never empty). */
  upstream: string;
  /** The Debian revision; `""` when the version has none. */
  revision: string;
}

/** Options of {@link parseVersion}. */
export interface ParseVersionOptions {
  /**
   * Also reject what dpkg only warns about: an upstream version that does not start
   * with a digit, and characters outside `[A-Za-z0-9.+~:-]` (upstream) or
   * `[A-Za-z0-9.+~]` (revision).
   * @defaultValue `false`
   */
  strict?: boolean;
}

/** Largest epoch dpkg accepts (`INT_MAX`). */
const MAX_EPOCH = 2147483647;

const CH_0 = 48;
const CH_9 = 57;
const CH_TILDE = 126;

/** dpkg's `c_isspace`: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * dpkg's `order()`: the weight of a non-digit character. `c` is a UTF-16 code unit,
 * or -1 for "end of string" (and digits, which only reach here as terminators).
 */
function order(c: number): number {
  if (c < 0 || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === CH_TILDE) return -1;
  return c + 256;
}

/**
 * dpkg's `verrevcmp` over `a[ai, ae)` and `b[bi, be)`. Trusts its ranges.
 * Returns negative, 0 or positive.
 */
function verrevcmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): number {
  while (ai < ae || bi < be) {
    // Non-digit run: compare weights until both sides reach a digit or the end.
    for (;;) {
      const ac = ai < ae ? a.charCodeAt(ai) : -1;
      const bc = bi < be ? b.charCodeAt(bi) : -1;
      const aText = ac >= 0 && !isDigit(ac);
      const bText = bc >= 0 && !isDigit(bc);
      if (!aText && !bText) break;
      const ao = order(ac);
      const bo = order(bc);
      if (ao !== bo) return ao - bo;
      // Equal weights with one side non-digit means both are the same non-digit
      // character, so neither index runs past its end.
      ai++;
      bi++;
    }
    // Digit run: skip leading zeros, then the longer run wins, else the first difference.
    while (ai < ae && a.charCodeAt(ai) === CH_0) ai++;
    while (bi < be && b.charCodeAt(bi) === CH_0) bi++;
    let firstDiff = 0;
    while (ai < ae && bi < be) {
      const ac = a.charCodeAt(ai);
      const bc = b.charCodeAt(bi);
      if (!isDigit(ac) || !isDigit(bc)) break;
      if (firstDiff === 0) firstDiff = ac - bc;
      ai++;
      bi++;
    }
    if (ai < ae && isDigit(a.charCodeAt(ai))) return 1;
    if (bi < be && isDigit(b.charCodeAt(bi))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

// Splitting helpers. They return plain numbers (indexes into the string) so that
// compareVersions keeps everything in locals: no substrings, no objects, no shared state.

/** End of `v` without trailing whitespace. */
function trimmedEnd(v: string): number {
  let end = v.length;
  while (end > 0 && isSpace(v.charCodeAt(end - 1))) end--;
  return end;
}

/** Start of `v` without leading whitespace. Throws E_PARSE when nothing is left. */
function trimmedStart(v: string, end: number): number {
  let start = 0;
  while (start < end && isSpace(v.charCodeAt(start))) start++;
  if (start === end) throw parseError(v, 'version string is empty');
  return start;
}

/** Index of the colon ending the epoch (the first ':'), or -1 when there is no epoch. */
function epochColon(v: string, start: number, end: number): number {
  const colon = v.indexOf(':', start);
  return colon < end ? colon : -1;
}

/** The epoch in `v[start, colon)`. Throws E_PARSE when empty, not decimal or too big. */
function parseEpoch(v: string, start: number, colon: number): number {
  if (colon === start) throw parseError(v, 'epoch is empty');
  let epoch = 0;
  for (let i = start; i < colon; i++) {
    const c = v.charCodeAt(i);
    if (!isDigit(c)) throw parseError(v, 'epoch is not a number');
    epoch = epoch * 10 + (c - CH_0);
    if (epoch > MAX_EPOCH) throw parseError(v, 'epoch is too big');
  }
  return epoch;
}

/** Index of the hyphen starting the revision (the last '-' after `upStart`), or `end`. */
function revisionHyphen(v: string, upStart: number, end: number): number {
  const hyphen = v.lastIndexOf('-', end - 1);
  return hyphen < upStart ? end : hyphen;
}

function parseError(v: string, why: string): LeanrecError {
  return new LeanrecError('E_PARSE', `invalid version ${JSON.stringify(v)}: ${why}`);
}

/**
 * Compares two Debian versions exactly as dpkg does: epochs numerically, then the
 * upstream versions, then the revisions, each with dpkg's `verrevcmp`. A missing
 * revision compares as `""`, which equals `"0"` (`1.0` = `1.0-0`); a missing epoch is 0.
 *
 * Leading and trailing whitespace is ignored. For speed the function only checks what
 * it must to split the strings (non-empty, valid epoch); validate untrusted input with
 * {@link parseVersion} first.
 *
 * @param a - First version, e.g. `"1:2.3-4"`.
 * @param b - Second version.
 * @returns A negative number when `a` sorts before `b`, 0 when they are equal, a
 *   positive number when `a` sorts after `b` (only the sign is meaningful).
 * @throws {@link LeanrecError} `E_PARSE` when either version is empty or has an invalid
 *   epoch (empty, not decimal, above 2147483647).
 *
 * @example
 * ```ts
 * compareVersions('1.0~rc1', '1.0') < 0;   // true: '~' sorts before the end
 * compareVersions('1:0.9', '2.0') > 0;     // true: the epoch wins
 * compareVersions('1.0', '1.0-0') === 0;   // true
 * ['2.0', '1.0-1', '1.0~b'].sort(compareVersions); // ['1.0~b', '1.0-1', '2.0']
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const aEnd = trimmedEnd(a);
  const aStart = trimmedStart(a, aEnd);
  const aColon = epochColon(a, aStart, aEnd);
  const bEnd = trimmedEnd(b);
  const bStart = trimmedStart(b, bEnd);
  const bColon = epochColon(b, bStart, bEnd);
  const aEpoch = aColon < 0 ? 0 : parseEpoch(a, aStart, aColon);
  const bEpoch = bColon < 0 ? 0 : parseEpoch(b, bStart, bColon);
  if (aEpoch !== bEpoch) return aEpoch - bEpoch;
  const aUp = aColon < 0 ? aStart : aColon + 1;
  const bUp = bColon < 0 ? bStart : bColon + 1;
  const aHy = revisionHyphen(a, aUp, aEnd);
  const bHy = revisionHyphen(b, bUp, bEnd);
  const r = verrevcmp(a, aUp, aHy, b, bUp, bHy);
  if (r !== 0) return r;
  // Revisions start after the hyphen; with no hyphen the range is empty (end, end).
  return verrevcmp(a, aHy < aEnd ? aHy + 1 : aEnd, aEnd, b, bHy < bEnd ? bHy + 1 : bEnd, bEnd);
}

/**
 * Splits and validates a Debian version like dpkg's `parseversion`.
 *
 * Rejected (E_PARSE): an empty or all-whitespace string, embedded whitespace, an epoch
 * that is empty, not decimal or above 2147483647, an empty upstream version (`"1:"`,
 * `"-1"`), an empty revision (`"1.0-"`). Leading and trailing whitespace is ignored.
 * What dpkg only warns about (upstream not starting with a digit, unusual characters)
 * is accepted unless `options.strict` is set.
 *
 * @param s - The version text, e.g. `"1:2.36-9+deb12u4"`.
 * @param options - See {@link ParseVersionOptions}.
 * @returns `{ epoch, upstream, revision }`; `revision` is `""` when absent.
 * @throws {@link LeanrecError} `E_PARSE` with a message naming the version.
 *
 * @example
 * ```ts
 * parseVersion('1:2.36-9+deb12u4'); // { epoch: 1, upstream: '2.36', revision: '9+deb12u4' }
 * ```
 */
export function parseVersion(s: string, options: ParseVersionOptions = {}): ParsedVersion {
  const end = trimmedEnd(s);
  const start = trimmedStart(s, end);
  const colon = epochColon(s, start, end);
  const epoch = colon < 0 ? 0 : parseEpoch(s, start, colon);
  const upStart = colon < 0 ? start : colon + 1;
  const hyphen = revisionHyphen(s, upStart, end);
  // The epoch, if any, is digits only (checked by parseEpoch), so only the rest can hold spaces.
  for (let i = upStart; i < end; i++) {
    if (isSpace(s.charCodeAt(i))) throw parseError(s, 'version string has embedded spaces');
  }
  if (upStart === end || hyphen === upStart) {
    throw parseError(s, upStart === end ? 'nothing after colon' : 'upstream version is empty');
  }
  if (hyphen < end && hyphen + 1 === end) throw parseError(s, 'revision is empty');
  const revStart = hyphen < end ? hyphen + 1 : end;
  if (options.strict === true) {
    if (!isDigit(s.charCodeAt(upStart))) {
      throw parseError(s, 'upstream version does not start with a digit');
    }
    for (let i = upStart; i < hyphen; i++) {
      const c = s.charCodeAt(i);
      if (!isAlpha(c) && !isDigit(c) && '.-+~:'.indexOf(s[i]!) < 0) {
        throw parseError(s, `invalid character ${JSON.stringify(s[i])} in upstream version`);
      }
    }
    for (let i = revStart; i < end; i++) {
      const c = s.charCodeAt(i);
      if (!isAlpha(c) && !isDigit(c) && '.+~'.indexOf(s[i]!) < 0) {
        throw parseError(s, `invalid character ${JSON.stringify(s[i])} in revision`);
      }
    }
  }
  return { epoch, upstream: s.slice(upStart, hyphen), revision: s.slice(revStart, end) };
}

/**
 * True when `version` satisfies the relation `op wanted`, e.g.
 * `satisfies('2.36-9', '>=', '2.34')`. The deprecated operators `<` and `>` mean `<=`
 * and `>=`, as in dpkg.
 *
 * @param version - The candidate version.
 * @param op - `<<`, `<=`, `=`, `>=`, `>>`, or the legacy `<` / `>`.
 * @param wanted - The version on the right-hand side of the relation.
 * @throws {@link LeanrecError} `E_PARSE` when a version is empty or has an invalid epoch
 *   (see {@link compareVersions}); `E_ARGUMENT` for an unknown operator.
 *
 * @example
 * ```ts
 * satisfies('1.0~rc1', '<<', '1.0'); // true
 * satisfies('1.0', '>', '1.0');      // true: legacy '>' means '>='
 * ```
 */
export function satisfies(version: string, op: AnyVersionOp, wanted: string): boolean {
  const c = compareVersions(version, wanted);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
    case '<':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
    case '>':
      return c >= 0;
    case '>>':
      return c > 0;
    default:
      throw new LeanrecError('E_ARGUMENT', `unknown version operator ${JSON.stringify(op)}`);
  }
}
