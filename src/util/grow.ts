/**
 * Power-of-two growth for typed arrays, and little-endian (de)serialisation of
 * `Uint32Array`s for snapshots.
 *
 * Capacities are powers of two (ntopng's lesson: sized allocations waste less and
 * fragment less), growth doubles, so appending n elements copies O(n) in total.
 * Snapshots are little-endian on every host: on little-endian hosts (all that Node
 * commonly runs on) a copy is one `set` of bytes; big-endian hosts take a slower loop.
 */

/** Every non-BigInt typed array; what {@link grow} and {@link trim} accept. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** The largest capacity {@link nextPow2} returns (2^32; larger lengths are not indexable by a u32). */
const MAX_POW2 = 2 ** 32;

/**
 * The smallest power of two ≥ `n` (1 for `n ≤ 1`). Defined up to 2^32.
 *
 * @example
 * ```ts
 * nextPow2(5) // 8
 * nextPow2(8) // 8
 * ```
 */
export function nextPow2(n: number): number {
  if (n <= 1) return 1;
  if (n > 0x80000000) return MAX_POW2;
  return 2 ** (32 - Math.clz32(Math.ceil(n) - 1));
}

/**
 * Returns a new array of the same type as `arr` with capacity
 * `max(2 * arr.length, nextPow2(minLength))`, holding a copy of `arr`; the rest is zero.
 * Returns `arr` itself when it already holds `minLength` elements.
 *
 * @example
 * ```ts
 * let col = new Uint32Array(4);
 * col = grow(col, 5); // length 8, first 4 elements copied
 * ```
 */
export function grow<T extends TypedArray>(arr: T, minLength: number): T {
  if (arr.length >= minLength) return arr;
  const cap = Math.max(2 * arr.length, nextPow2(minLength));
  const Ctor = arr.constructor as new (length: number) => T;
  const next = new Ctor(cap);
  (next as Uint8Array).set(arr as Uint8Array);
  return next;
}

/**
 * Returns a copy of `arr[0..length)` when `arr` is longer (to free spare capacity), or
 * `arr` itself when it is not.
 */
export function trim<T extends TypedArray>(arr: T, length: number): T {
  return arr.length > length ? (arr.slice(0, length) as T) : arr;
}

/** {@link trim} to the capacity of `rows` rows ({@link rowCapacity}), `width` elements per row. */
export function trimRows<T extends TypedArray>(arr: T, rows: number, width = 1): T {
  return trim(arr, rowCapacity(rows) * width);
}

/**
 * The capacity of per-row arrays sized for exactly `rows` rows: `rows` rounded up to a
 * multiple of 32 (whole bitset words, and whole u32 words for the four-codes-at-a-time
 * enum scan), at least 16. Used when a tier is trimmed, restored or compacted; growth
 * still doubles.
 */
export function rowCapacity(rows: number): number {
  return rows <= 16 ? 16 : Math.ceil(rows / 32) * 32;
}

/** True on little-endian hosts, where a `Uint32Array`'s bytes are already the snapshot format. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes `src[0..count)` as little-endian u32s into `dst` from byte `pos` and returns
 * the position after them. The caller guarantees room for `4 * count` bytes.
 */
export function writeU32sLE(src: Uint32Array, count: number, dst: Uint8Array, pos: number): number {
  if (LITTLE_ENDIAN) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, count * 4), pos);
    return pos + count * 4;
  }
  for (let i = 0; i < count; i++) {
    const v = src[i]!;
    dst[pos++] = v & 0xff;
    dst[pos++] = (v >>> 8) & 0xff;
    dst[pos++] = (v >>> 16) & 0xff;
    dst[pos++] = v >>> 24;
  }
  return pos;
}

/**
 * Reads `count` little-endian u32s from `src` at byte `pos` (any alignment) into
 * `dst[0..count)`. The caller guarantees `src` holds `4 * count` bytes from `pos`.
 */
export function readU32sLE(src: Uint8Array, pos: number, dst: Uint32Array, count: number): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(dst.buffer, dst.byteOffset, count * 4).set(src.subarray(pos, pos + count * 4));
    return;
  }
  for (let i = 0; i < count; i++, pos += 4) {
    dst[i] =
      (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
  }
}
