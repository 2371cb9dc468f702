/**
 * Query tests run on a pooled string's UTF-8 bytes where they agree with the string test
 * (predicate.ts), so that the hot tier answers them without decoding a string:
 *
 *   star globs   `lib*-dev`: literal parts and `*` only (no `?`, no class, no literal
 *                `/`) → prefix and suffix compared, middle parts found left to right, and
 *                no `/` byte anywhere (a `*` never matches `/`, and no literal holds one).
 *                UTF-8 is self-synchronising, so a literal's bytes only ever match at a
 *                character boundary: bytes and code points give the same answer.
 *   versions     dpkg's comparison against a constant parsed once, the candidate split
 *                and compared in place. ASCII candidates only (code units = bytes there);
 *                anything else — a byte ≥ 0x80, an empty or bad epoch, where the string
 *                test falls back to aptly's ordering — is {@link UNDECIDED} and goes to
 *                the string test.
 */
import { compareVersions } from './version.ts';

/** A test of the bytes `b[start, end)`; {@link UNDECIDED} sends the row to the string test. */
export type BytesTest = (b: Uint8Array, start: number, end: number) => number;

/** Returned by a {@link BytesTest} that cannot answer for these bytes. */
export const UNDECIDED = 2;

const utf8 = new TextEncoder();

/** The parts of a star glob split at `*`, as UTF-8; undefined for any other glob. */
function starParts(pattern: string): Uint8Array[] | undefined {
  const parts: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    let c = pattern[i]!;
    if (c === '?' || c === '[' || c === '/') return undefined;
    if (c === '*') {
      parts.push('');
      continue;
    }
    if (c === '\\') {
      c = pattern[++i] ?? '';
      if (c === '' || c === '/') return undefined; // a bad pattern: the regex path says so
    }
    parts[parts.length - 1] += c;
  }
  return parts.map((p) => utf8.encode(p));
}

/** True when `b[at, at + lit.length)` is `lit`. */
function bytesAt(b: Uint8Array, at: number, lit: Uint8Array): boolean {
  for (let i = 0; i < lit.length; i++) if (b[at + i] !== lit[i]) return false;
  return true;
}

/**
 * The byte test of glob `pattern` (1 match, 0 no match), or undefined when the pattern
 * is not a star glob without `/` (its regex is used then).
 */
export function globBytes(pattern: string): BytesTest | undefined {
  const parts = starParts(pattern);
  if (parts === undefined) return undefined;
  const first = parts[0]!;
  if (parts.length === 1)
    return (b, s, e) => (e - s === first.length && bytesAt(b, s, first) ? 1 : 0);
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  let least = first.length + last.length;
  for (const p of middle) least += p.length;
  const nf = first.length;
  const nl = last.length;
  return (b, s, e) => {
    if (e - s < least) return 0;
    for (let i = 0; i < nf; i++) if (b[s + i] !== first[i]) return 0;
    const lim = e - nl;
    for (let i = 0; i < nl; i++) if (b[lim + i] !== last[i]) return 0;
    // The literals hold no '/': the stars' bytes, between them, must not either.
    for (let i = s + nf; i < lim; i++) if (b[i] === 0x2f) return 0;
    if (middle.length === 0) return 1;
    let p = s + nf;
    for (const m of middle) {
      let found = -1;
      for (let i = p; i + m.length <= lim; i++)
        if (b[i] === m[0] && bytesAt(b, i, m)) {
          found = i;
          break;
        }
      if (found < 0) return 0;
      p = found + m.length;
    }
    return 1;
  };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** dpkg's `order()` of a byte, -1 for the end of the string (as version.ts). */
function order(c: number): number {
  if (c < 0 || isDigit(c)) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** dpkg's `verrevcmp` over `a[ai, ae)` and `b[bi, be)`, bytes (ASCII) on both sides. */
function verrevcmp(
  a: Uint8Array,
  ai: number,
  ae: number,
  b: Uint8Array,
  bi: number,
  be: number,
): number {
  while (ai < ae || bi < be) {
    for (;;) {
      const ac = ai < ae ? a[ai]! : -1;
      const bc = bi < be ? b[bi]! : -1;
      if ((ac < 0 || isDigit(ac)) && (bc < 0 || isDigit(bc))) break;
      const ao = order(ac);
      const bo = order(bc);
      if (ao !== bo) return ao - bo;
      ai++;
      bi++;
    }
    while (ai < ae && a[ai] === 48) ai++;
    while (bi < be && b[bi] === 48) bi++;
    let firstDiff = 0;
    while (ai < ae && bi < be) {
      const ac = a[ai]!;
      const bc = b[bi]!;
      if (!isDigit(ac) || !isDigit(bc)) break;
      if (firstDiff === 0) firstDiff = ac - bc;
      ai++;
      bi++;
    }
    if (ai < ae && isDigit(a[ai]!)) return 1;
    if (bi < be && isDigit(b[bi]!)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** A version split in place: epoch, and the upstream and revision ranges; undefined: no version. */
interface Split {
  epoch: number;
  up: number;
  hyphen: number;
  rev: number;
  end: number;
}

/**
 * Splits `b[s, e)` as `compareVersions` does, in one pass (first `:`, last `-`, and
 * whether every byte is ASCII); undefined where it would throw, or for non-ASCII bytes.
 */
function split(b: Uint8Array, s: number, e: number, out: Split): Split | undefined {
  while (e > s && isSpace(b[e - 1]!)) e--;
  while (s < e && isSpace(b[s]!)) s++;
  if (s === e) return undefined;
  let colon = -1;
  let hyphen = -1;
  let high = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    high |= c;
    if (c === 45) hyphen = i;
    else if (c === 58 && colon < 0) colon = i;
  }
  if (high >= 0x80) return undefined;
  let epoch = 0;
  if (colon >= 0) {
    if (colon === s) return undefined;
    for (let i = s; i < colon; i++) {
      const c = b[i]!;
      if (!isDigit(c)) return undefined;
      epoch = epoch * 10 + (c - 48);
      if (epoch > 2147483647) return undefined;
    }
  }
  const up = colon < 0 ? s : colon + 1;
  // The revision starts after the last '-' of the upstream part (none before the epoch's ':').
  if (hyphen < up) hyphen = e;
  out.epoch = epoch;
  out.up = up;
  out.hyphen = hyphen;
  out.rev = hyphen < e ? hyphen + 1 : e;
  out.end = e;
  return out;
}

/**
 * The byte test `cmp(candidate, value) op 0` in dpkg's order (1 holds, 0 does not,
 * {@link UNDECIDED}), or undefined when `value` itself is no version dpkg compares, or
 * not ASCII (the string test then decides every row).
 */
export function versionBytes(
  value: string,
  holds: (cmp: number) => boolean,
): BytesTest | undefined {
  try {
    compareVersions(value, value);
  } catch {
    return undefined;
  }
  const t = utf8.encode(value);
  const target = split(t, 0, t.length, { epoch: 0, up: 0, hyphen: 0, rev: 0, end: 0 });
  if (target === undefined) return undefined;
  const c: Split = { epoch: 0, up: 0, hyphen: 0, rev: 0, end: 0 };
  return (b, s, e) => {
    if (split(b, s, e, c) === undefined) return UNDECIDED;
    let r = c.epoch - target.epoch;
    if (r === 0) r = verrevcmp(b, c.up, c.hyphen, t, target.up, target.hyphen);
    if (r === 0) r = verrevcmp(b, c.rev, c.end, t, target.rev, target.end);
    return holds(r) ? 1 : 0;
  };
}
