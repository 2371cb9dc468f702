/**
 * Are two stored segments, of two stores, the same value? Answered on their bytes, without
 * decoding, for the diff of two stores (store/diff.ts).
 *
 * Each store has its own msgpackr shared structures (codec.ts), numbered in the order its
 * ingest met them, so one value is written with other record ids in two stores: equal
 * bytes do not mean equal values, nor different bytes different ones. The two segments
 * are walked token by token in step:
 *
 *   record reference   0x40–0x5f: structure id & 0x3f; 0x60–0x7f: a second byte h follows,
 *                      id = (byte & 0x3f) + 32·h (msgpackr's two-byte ids). Same value
 *                      when both ids name the same list of keys in their store.
 *   string, binary     header and payload compared as bytes (the bulk of a record)
 *   everything else    nil, booleans, numbers, array and map headers: bytes compared
 *
 * Any difference, and whatever else msgpackr may write — extensions (inline record
 * definitions, bundled strings, dates), an id past the known structures (a structure this
 * walk does not know, or an integer msgpackr reads where no structure is defined) — is
 * `undefined`: the caller decodes the segments. Only `true` is answered from bytes, and
 * it is exact: the same tokens, records of the same keys, so the same decoded value.
 */

/** Compares segments of store A with segments of store B (see the file comment). */
export class SegmentComparer {
  readonly #a: Int32Array;
  readonly #b: Int32Array;

  /** `a`, `b`: the shared structures (lists of keys) of the two stores. */
  constructor(a: readonly (readonly unknown[])[], b: readonly (readonly unknown[])[]) {
    // Each list of keys gets a number; equal lists, equal numbers.
    const ids = new Map<string, number>();
    const canon = (s: readonly (readonly unknown[])[]) =>
      Int32Array.from(s, (keys) => {
        const k = JSON.stringify(keys);
        let n = ids.get(k);
        if (n === undefined) {
          n = ids.size;
          ids.set(k, n);
        }
        return n;
      });
    this.#a = canon(a);
    this.#b = canon(b);
  }

  /**
   * True when the segments are the same value; undefined when this walk cannot tell
   * (different values included: they are rare, and decoding names the fields).
   */
  same(x: Uint8Array, y: Uint8Array): true | undefined {
    const a = this.#a;
    const b = this.#b;
    let i = 0;
    let j = 0;
    const nx = x.length;
    const ny = y.length;
    while (i < nx && j < ny) {
      const t = x[i]!;
      const u = y[j]!;
      if (t >= 0x40 && t < 0x80) {
        if (u < 0x40 || u >= 0x80) return undefined;
        let p = t & 0x3f;
        let q = u & 0x3f;
        i++;
        j++;
        if (p >= 32) {
          if (i >= nx) return undefined;
          p += x[i++]! << 5;
        }
        if (q >= 32) {
          if (j >= ny) return undefined;
          q += y[j++]! << 5;
        }
        if (p >= a.length || q >= b.length) return undefined;
        if (a[p] !== b[q]) return undefined;
        continue;
      }
      if (t !== u) return undefined;
      const n = sizeAfter(x, i, t);
      if (n < 0 || i + n > nx || j + n > ny) return undefined;
      for (let k = 1; k < n; k++) if (x[i + k] !== y[j + k]) return undefined;
      i += n;
      j += n;
    }
    return i === nx && j === ny ? true : undefined;
  }
}

const be = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 256 + (b[at + k] ?? 0);
  return v;
};

/**
 * Bytes of the token at `b[at]` (`t`) compared as bytes: the token byte, its header and,
 * for strings and binaries, the payload (array and map headers only: their items follow
 * as tokens). -1 for a token this walk does not read (record references are the caller's;
 * 0xc1 and extensions).
 */
function sizeAfter(b: Uint8Array, at: number, t: number): number {
  if (t < 0x40 || t >= 0xe0) return 1; // fixints
  if (t < 0x80) return -1; // record references: the caller's
  if (t < 0xa0) return 1; // fixmap, fixarray
  if (t < 0xc0) return 1 + (t & 0x1f); // fixstr
  switch (t) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return 1;
    case 0xc4:
    case 0xd9:
      return 2 + be(b, at + 1, 1);
    case 0xc5:
    case 0xda:
      return 3 + be(b, at + 1, 2);
    case 0xc6:
    case 0xdb:
      return 5 + be(b, at + 1, 4);
    case 0xca:
      return 5;
    case 0xcb:
      return 9;
    case 0xcc:
    case 0xd0:
      return 2;
    case 0xcd:
    case 0xd1:
    case 0xdc:
    case 0xde:
      return 3;
    case 0xce:
    case 0xd2:
    case 0xdd:
    case 0xdf:
      return 5;
    case 0xcf:
    case 0xd3:
      return 9;
    default:
      return -1; // 0xc1, extensions
  }
}
