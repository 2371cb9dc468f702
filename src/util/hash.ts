/**
 * 64-bit hashing of byte ranges, as two 32-bit halves, with `Math.imul` only (no
 * BigInt, no allocation).
 *
 * `hash64` runs two MurmurHash3-style lanes side by side over the same little-endian
 * 32-bit words, each with its own seed, multipliers and rotations, then cross-mixes
 * the lanes and finalises each with an fmix avalanche:
 *
 * ```
 * bytes  [w0 w0 w0 w0][w1 w1 w1 w1] … [tail 0–3]
 *            │             │
 *   lane lo: h1 = rotl(h1 ^ mixA(w), 13) * 5 + c
 *   lane hi: h2 = rotl(h2 ^ mixB(w), 17) * 9 + d
 *   end:     h ^= len; h1 += h2; h2 += h1; fmix both; h1 += h2; h2 += h1
 *   out[0] = h1 (lo)   out[1] = h2 (hi)
 * ```
 *
 * The hash of a range depends only on its bytes, never on where it sits in `bytes`.
 * It is not a cryptographic hash: the key index never trusts it alone (a hash match is
 * confirmed against the row's key bytes), so a collision costs time, not correctness.
 */

/**
 * Writes the 64-bit hash of `bytes[start..end)` into `out` as `out[0]` = low 32 bits,
 * `out[1]` = high 32 bits. Must be a pure function of the bytes.
 */
export type HashFn = (bytes: Uint8Array, start: number, end: number, out: Uint32Array) => void;

const SEED_LO = 0x9747b28c;
const SEED_HI = 0x5bd1e995;
// Lane lo: MurmurHash3 x86_32 constants.
const A1 = 0xcc9e2d51;
const A2 = 0x1b873593;
// Lane hi: xxHash32 primes, so the lanes do not share a multiplier.
const B1 = 0x85ebca77;
const B2 = 0xc2b2ae3d;

/** MurmurHash3 finaliser (full avalanche of a 32-bit word). */
function fmixA(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** xxHash32 finaliser, a different avalanche so the two halves stay independent. */
function fmixB(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  return h ^ (h >>> 15);
}

/**
 * The end shared by {@link hash64} and {@link hashAsciiKey}: mixes the last, partial word
 * `tail` (0 when the length is a multiple of 4: mixing a zero word changes neither lane),
 * then the length, then both finalisers, into `out`.
 */
function finish(h1: number, h2: number, tail: number, len: number, out: Uint32Array): void {
  let k1 = Math.imul(tail, A1);
  k1 = Math.imul((k1 << 15) | (k1 >>> 17), A2);
  h1 ^= k1 ^ len;
  let k2 = Math.imul(tail, B1);
  k2 = Math.imul((k2 << 13) | (k2 >>> 19), B2);
  h2 ^= k2 ^ len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmixA(h1);
  h2 = fmixB(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

/**
 * The default key and string hash: 64 bits from two independent 32-bit lanes.
 * About 1–2 ns per byte plus ~10 ns per call on Node 20; well distributed in both
 * halves (the key index picks the slot from `out[0]` and a filter tag from `out[1]`).
 *
 * @example
 * ```ts
 * const out = new Uint32Array(2);
 * hash64(new TextEncoder().encode('bash'), 0, 4, out); // out[0] = lo, out[1] = hi
 * ```
 */
export const hash64: HashFn = (bytes, start, end, out) => {
  let h1 = SEED_LO;
  let h2 = SEED_HI;
  const len = end - start;
  const end4 = start + (len & ~3);
  let i = start;
  while (i < end4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    i += 4;
    let k1 = Math.imul(w, A1);
    k1 = Math.imul((k1 << 15) | (k1 >>> 17), A2);
    h1 ^= k1;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w, B1);
    k2 = Math.imul((k2 << 13) | (k2 >>> 19), B2);
    h2 ^= k2;
    h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 9) + 0x52dce729) | 0;
  }
  const rest = end - i;
  let w = 0;
  if (rest > 0) w = bytes[i]!;
  if (rest > 1) w |= bytes[i + 1]! << 8;
  if (rest > 2) w |= bytes[i + 2]! << 16;
  finish(h1, h2, w, len, out);
};

/**
 * {@link hash64} of the canonical key bytes of `n` ASCII strings (`strs[0..n)`), read
 * straight from their UTF-16 code units: no UTF-8 copy, no joined string. A key string's
 * bytes are its LEB128 length then its UTF-8 (key-bytes of a string, see columns.ts); for
 * an ASCII string of under 128 units both are its code units, so the words hashed here
 * are exactly those `hash64` reads from the encoded key. Returns false (out untouched)
 * when a string has a unit above 0x7F or 128 units or more: the caller then encodes the
 * key and calls `hash64`.
 *
 *   strs ["bash", "5.2"] → bytes 04 62 61 73 68 03 35 2e 32 → words 0x73616204, …
 */
export function hashAsciiKey(strs: readonly string[], n: number, out: Uint32Array): boolean {
  let h1 = SEED_LO;
  let h2 = SEED_HI;
  let w = 0; // the word being filled, little-endian
  let sh = 0; // bits of w filled
  let len = 0;
  for (let k = 0; k < n; k++) {
    const s = strs[k]!;
    const m = s.length;
    if (m > 0x7f) return false;
    len += m + 1;
    for (let i = -1; i < m; i++) {
      const c = i < 0 ? m : s.charCodeAt(i);
      if (c > 0x7f) return false;
      w |= c << sh;
      sh += 8;
      if (sh === 32) {
        let k1 = Math.imul(w, A1);
        k1 = Math.imul((k1 << 15) | (k1 >>> 17), A2);
        h1 ^= k1;
        h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
        let k2 = Math.imul(w, B1);
        k2 = Math.imul((k2 << 13) | (k2 >>> 19), B2);
        h2 ^= k2;
        h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 9) + 0x52dce729) | 0;
        w = 0;
        sh = 0;
      }
    }
  }
  finish(h1, h2, w, len, out);
  return true;
}

/**
 * A hash that maps every input to 0 (both halves). For tests only: it makes every key
 * collide, so correctness must come from the byte comparison alone.
 */
export const constantHash: HashFn = (_bytes, _start, _end, out) => {
  out[0] = 0;
  out[1] = 0;
};
