/**
 * UTF-8 encoding and decoding straight into and out of `Uint8Array`s, with no
 * intermediate buffers: the string pool writes a string's bytes in place and reads
 * them back from a range.
 *
 * Encoding follows the WHATWG encoder (what `TextEncoder` does): a code point becomes
 * 1–4 bytes, a surrogate pair one 4-byte sequence, and a lone surrogate (only possible
 * when the caller broke its promise of a well-formed string) U+FFFD (EF BF BD), so
 * `utf8Length` and `writeUtf8` always agree with `TextEncoder`.
 */

/** One shared decoder; `ignoreBOM` so a leading U+FEFF is kept, not swallowed. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Ranges up to this many bytes are decoded in JS when they are all ASCII (measured on
 * Node 20: ~2× faster than `TextDecoder` for package-name-sized strings, and short
 * enough that V8 still builds flat strings).
 */
const SHORT_DECODE = 16;
/** Strings longer than this are encoded with `TextEncoder.encodeInto` (SIMD) instead of the JS loop. */
export const LONG_ENCODE = 128;

/**
 * Lone surrogates the JS loop of {@link writeUtf8} has met (and written as U+FFFD), ever:
 * a caller that compares the count before and after encoding a string of at most
 * {@link LONG_ENCODE} units learns whether it was well-formed without a second scan.
 */
export const loneSurrogates = { count: 0 };

/**
 * The number of UTF-8 bytes of `s` (lone surrogates count 3, as U+FFFD).
 *
 * @example
 * ```ts
 * utf8Length('é€😀') // 2 + 3 + 4 = 9
 * ```
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // Two UTF-16 units (already counted) become four bytes.
      len += 2;
      i++;
    } else {
      len += 2;
    }
  }
  return len;
}

/**
 * Writes `s` as UTF-8 into `buf` from `pos` and returns the position after the last
 * byte written. The caller guarantees room for `utf8Length(s)` bytes (at most
 * `3 * s.length`) and a well-formed string (a lone surrogate is written as U+FFFD).
 */
export function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const n = s.length;
  if (n > LONG_ENCODE) {
    return pos + encoder.encodeInto(s, buf.subarray(pos)).written;
  }
  let p = pos;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >>> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if ((c & 0xfc00) === 0xd800 && (d & 0xfc00) === 0xdc00) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (cp >>> 18);
          buf[p++] = 0x80 | ((cp >>> 12) & 0x3f);
          buf[p++] = 0x80 | ((cp >>> 6) & 0x3f);
          buf[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
        loneSurrogates.count++;
      }
      buf[p++] = 0xe0 | (c >>> 12);
      buf[p++] = 0x80 | ((c >>> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * Decodes `buf[start..end)` as UTF-8. Short all-ASCII ranges are built in JS; anything
 * else goes through one shared `TextDecoder` (invalid bytes become U+FFFD).
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_DECODE) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeRange(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeRange(buf, start, end);
}

/**
 * Node's native range decoder (`Buffer.prototype.utf8Slice`, which msgpackr also uses):
 * no subarray to allocate, ~25 % faster than `TextDecoder` here. Falls back to the
 * decoder where it is missing.
 */
const utf8Slice = (
  Buffer.prototype as unknown as { utf8Slice?: (this: Uint8Array, s: number, e: number) => string }
).utf8Slice;

function decodeRange(buf: Uint8Array, start: number, end: number): string {
  return utf8Slice !== undefined
    ? utf8Slice.call(buf, start, end)
    : decoder.decode(buf.subarray(start, end));
}

/** `String.prototype.isWellFormed` (ES2024, present on Node 20) without needing the ES2024 lib. */
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean })
  .isWellFormed;

/**
 * True when `s` has no lone surrogate, i.e. it round-trips through UTF-8 unchanged.
 * Public entry points check this before handing a string to the pool.
 */
export function isWellFormed(s: string): boolean {
  if (nativeIsWellFormed !== undefined) return nativeIsWellFormed.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c & 0xf800) !== 0xd800) continue;
    if (c >= 0xdc00 || i + 1 >= s.length || (s.charCodeAt(i + 1) & 0xfc00) !== 0xdc00) {
      return false;
    }
    i++;
  }
  return true;
}

/**
 * A fresh, flat copy of `s` that shares no memory with it. V8 keeps the parent of a
 * sliced string alive: a value cut out of a parser's chunk, or a name cut out of a
 * relation field, would hold all of it for as long as the copy is kept.
 */
export function flatCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
