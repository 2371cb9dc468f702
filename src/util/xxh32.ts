/**
 * xxHash32 (seed 0), streaming: the checksum of LZ4 frames (their header byte, block and
 * content checksums) and of layout-2 record values (cold/segments.ts). Whole 16-byte stripes are read as little-endian u32 words through a
 * `Uint32Array` when the bytes are 4-aligned on a little-endian host (the decoder's output
 * chunks are fresh, aligned buffers), else byte by byte: about 1 GB/s here either way
 * for the aligned case, so checking an index costs a few percent of parsing it.
 */

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function u32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** An xxHash32 computed over bytes given in any number of pieces. */
export class Xxh32 {
  #v1 = (P1 + P2) | 0;
  #v2 = P2 | 0;
  #v3 = 0;
  #v4 = -P1 | 0;
  #total = 0;
  /** Bytes of an incomplete stripe. */
  readonly #mem = new Uint8Array(16);
  #memLen = 0;

  /** Adds `b` to the hashed bytes. */
  update(b: Uint8Array): void {
    const n = b.length;
    let i = 0;
    this.#total += n;
    if (this.#memLen > 0) {
      const take = Math.min(16 - this.#memLen, n);
      this.#mem.set(b.subarray(0, take), this.#memLen);
      this.#memLen += take;
      i = take;
      if (this.#memLen < 16) return;
      this.#stripes(this.#mem, 0, 16);
      this.#memLen = 0;
    }
    const end = i + ((n - i) & ~15);
    if (end > i) this.#stripes(b, i, end);
    if (end < n) {
      this.#mem.set(b.subarray(end), 0);
      this.#memLen = n - end;
    }
  }

  #stripes(b: Uint8Array, i: number, end: number): void {
    let v1 = this.#v1;
    let v2 = this.#v2;
    let v3 = this.#v3;
    let v4 = this.#v4;
    if (LITTLE_ENDIAN && ((b.byteOffset + i) & 3) === 0) {
      const w = new Uint32Array(b.buffer, b.byteOffset + i, (end - i) >> 2);
      for (let k = 0; k < w.length; k += 4) {
        v1 = Math.imul(rotl(v1 + Math.imul(w[k]!, P2), 13), P1);
        v2 = Math.imul(rotl(v2 + Math.imul(w[k + 1]!, P2), 13), P1);
        v3 = Math.imul(rotl(v3 + Math.imul(w[k + 2]!, P2), 13), P1);
        v4 = Math.imul(rotl(v4 + Math.imul(w[k + 3]!, P2), 13), P1);
      }
    } else {
      for (; i < end; i += 16) {
        v1 = Math.imul(rotl(v1 + Math.imul(u32(b, i), P2), 13), P1);
        v2 = Math.imul(rotl(v2 + Math.imul(u32(b, i + 4), P2), 13), P1);
        v3 = Math.imul(rotl(v3 + Math.imul(u32(b, i + 8), P2), 13), P1);
        v4 = Math.imul(rotl(v4 + Math.imul(u32(b, i + 12), P2), 13), P1);
      }
    }
    this.#v1 = v1;
    this.#v2 = v2;
    this.#v3 = v3;
    this.#v4 = v4;
  }

  /** The hash of every byte given so far (the state is left as it is). */
  digest(): number {
    let h =
      this.#total >= 16
        ? rotl(this.#v1, 1) + rotl(this.#v2, 7) + rotl(this.#v3, 12) + rotl(this.#v4, 18)
        : P5;
    // The length is added modulo 2^32, as the reference does.
    h = (h + (this.#total % 0x100000000)) | 0;
    const m = this.#mem;
    let i = 0;
    for (; i + 4 <= this.#memLen; i += 4) h = Math.imul(rotl(h + Math.imul(u32(m, i), P3), 17), P4);
    for (; i < this.#memLen; i++) h = Math.imul(rotl(h + Math.imul(m[i]!, P5), 11), P1);
    h = Math.imul(h ^ (h >>> 15), P2);
    h = Math.imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }
}

/**
 * xxHash32 of `b`, in one pass without the streaming state: a record read checks one
 * value of ≈ 650 bytes per read (cold/segments.ts), where allocating an {@link Xxh32}
 * and staging the tail through it cost as much as hashing the stripes.
 */
export function xxh32(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  let h: number;
  if (n >= 16) {
    let v1 = (P1 + P2) | 0;
    let v2 = P2 | 0;
    let v3 = 0;
    let v4 = -P1 | 0;
    const end = n & ~15;
    if (LITTLE_ENDIAN && (b.byteOffset & 3) === 0) {
      const w = new Uint32Array(b.buffer, b.byteOffset, end >> 2);
      for (let k = 0; k < w.length; k += 4) {
        v1 = Math.imul(rotl(v1 + Math.imul(w[k]!, P2), 13), P1);
        v2 = Math.imul(rotl(v2 + Math.imul(w[k + 1]!, P2), 13), P1);
        v3 = Math.imul(rotl(v3 + Math.imul(w[k + 2]!, P2), 13), P1);
        v4 = Math.imul(rotl(v4 + Math.imul(w[k + 3]!, P2), 13), P1);
      }
    } else {
      for (let k = 0; k < end; k += 16) {
        v1 = Math.imul(rotl(v1 + Math.imul(u32(b, k), P2), 13), P1);
        v2 = Math.imul(rotl(v2 + Math.imul(u32(b, k + 4), P2), 13), P1);
        v3 = Math.imul(rotl(v3 + Math.imul(u32(b, k + 8), P2), 13), P1);
        v4 = Math.imul(rotl(v4 + Math.imul(u32(b, k + 12), P2), 13), P1);
      }
    }
    i = end;
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
  } else h = P5;
  h = (h + n) | 0;
  for (; i + 4 <= n; i += 4) h = Math.imul(rotl(h + Math.imul(u32(b, i), P3), 17), P4);
  for (; i < n; i++) h = Math.imul(rotl(h + Math.imul(b[i]!, P5), 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
