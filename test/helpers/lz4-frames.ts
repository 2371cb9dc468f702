/**
 * An LZ4 frame writer for tests (lz4_Frame_format.md, lz4_Block_format.md), so that
 * block and frame edges can be placed exactly: block size ids 4…7, blocks stored
 * uncompressed or compressed (a greedy matcher, linked across blocks or not), block
 * checksums, content size and content checksum each present or absent, skippable frames.
 * Checksums are real xxh32, so `lz4 -t` accepts what this writes.
 */

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const u32 = (b: Uint8Array, i: number) =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** xxHash32 of `b`, seed 0. */
export function xxh32(b: Uint8Array): number {
  const len = b.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    const v = [(P1 + P2) >>> 0, P2, 0, (0 - P1) >>> 0];
    while (i <= len - 16) {
      for (let k = 0; k < 4; k++, i += 4)
        v[k] = mul(rotl((v[k]! + mul(u32(b, i), P2)) >>> 0, 13), P1);
    }
    h = (rotl(v[0]!, 1) + rotl(v[1]!, 7) + rotl(v[2]!, 12) + rotl(v[3]!, 18)) >>> 0;
  } else h = P5;
  h = (h + len) >>> 0;
  for (; i + 4 <= len; i += 4) h = mul(rotl((h + mul(u32(b, i), P3)) >>> 0, 17), P4);
  for (; i < len; i++) h = mul(rotl((h + mul(b[i]!, P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function lengthBytes(n: number, out: number[]): void {
  while (n >= 255) {
    out.push(255);
    n -= 255;
  }
  out.push(n);
}

function sequence(
  out: number[],
  data: Uint8Array,
  litStart: number,
  litEnd: number,
  match?: [offset: number, len: number],
): void {
  const lit = litEnd - litStart;
  const ml = match === undefined ? 0 : match[1] - 4;
  out.push((Math.min(lit, 15) << 4) | Math.min(ml, 15));
  if (lit >= 15) lengthBytes(lit - 15, out);
  for (let i = litStart; i < litEnd; i++) out.push(data[i]!);
  if (match === undefined) return;
  out.push(match[0] & 0xff, match[0] >>> 8);
  if (ml >= 15) lengthBytes(ml - 15, out);
}

/**
 * LZ4 block of `data[start, end)`; matches may reach back to `windowStart` (the block's
 * own start for independent blocks, up to 65,535 bytes before it for linked ones).
 * `literalsOnly` makes a valid block without any match.
 */
export function compressBlock(
  data: Uint8Array,
  start: number,
  end: number,
  windowStart: number,
  literalsOnly = false,
): Uint8Array {
  const out: number[] = [];
  const table = new Map<number, number>();
  const hashAt = (i: number) => u32(data, i);
  for (let i = Math.max(windowStart, start - 65535); i + 4 <= start; i++) table.set(hashAt(i), i);
  let anchor = start;
  let i = start;
  // The last match starts at least 12 bytes before the end; the last 5 bytes are literals.
  const matchLimit = end - 12;
  while (!literalsOnly && i < matchLimit) {
    const h = hashAt(i);
    const cand = table.get(h);
    table.set(h, i);
    if (cand !== undefined && i - cand <= 65535 && cand >= windowStart && u32(data, cand) === h) {
      let len = 4;
      while (i + len < end - 5 && data[cand + len] === data[i + len]) len++;
      sequence(out, data, anchor, i, [i - cand, len]);
      for (let k = i + 1; k < i + len && k + 4 <= end; k++) table.set(hashAt(k), k);
      i += len;
      anchor = i;
    } else i++;
  }
  sequence(out, data, anchor, end);
  return Uint8Array.from(out);
}

export interface FrameOptions {
  /** Block size id 4…7 (64 KiB, 256 KiB, 1 MiB, 4 MiB). @defaultValue 4 */
  bsid?: number;
  /** Bytes of content per block (≤ the block maximum); the last block takes the rest. */
  blockBytes?: number;
  /** Blocks reference earlier blocks. @defaultValue true */
  linked?: boolean;
  blockChecksum?: boolean;
  contentSize?: boolean;
  /** @defaultValue true */
  contentChecksum?: boolean;
  /** How each block is stored. @defaultValue 'compressed' */
  store?: 'compressed' | 'uncompressed' | 'literals';
}

/** One LZ4 frame holding `data`. */
export function lz4Frame(data: Uint8Array, o: FrameOptions = {}): Uint8Array {
  const bsid = o.bsid ?? 4;
  const blockMax = 1 << (8 + 2 * bsid);
  const blockBytes = o.blockBytes ?? blockMax;
  if (blockBytes > blockMax || blockBytes < 1) throw new Error('bad blockBytes');
  const linked = o.linked ?? true;
  const flg =
    0x40 |
    (linked ? 0 : 0x20) |
    (o.blockChecksum ? 0x10 : 0) |
    (o.contentSize ? 0x08 : 0) |
    ((o.contentChecksum ?? true) ? 0x04 : 0);
  const desc = [flg, bsid << 4];
  if (o.contentSize) {
    desc.push(...le32(data.length >>> 0), ...le32(Math.floor(data.length / 2 ** 32)));
  }
  const out: Uint8Array[] = [
    Uint8Array.from([...le32(0x184d2204), ...desc, (xxh32(Uint8Array.from(desc)) >>> 8) & 0xff]),
  ];
  for (let s = 0; s < data.length; s += blockBytes) {
    const e = Math.min(data.length, s + blockBytes);
    let stored: Uint8Array;
    let raw = o.store === 'uncompressed';
    if (raw) stored = data.subarray(s, e);
    else {
      stored = compressBlock(data, s, e, linked ? 0 : s, o.store === 'literals');
      // A block that would not shrink is stored as it is, as lz4 does.
      if (stored.length > e - s && o.store !== 'literals') {
        stored = data.subarray(s, e);
        raw = true;
      }
    }
    out.push(Uint8Array.from(le32((stored.length | (raw ? 0x80000000 : 0)) >>> 0)), stored);
    if (o.blockChecksum) out.push(Uint8Array.from(le32(xxh32(stored))));
  }
  out.push(new Uint8Array(4));
  if (o.contentChecksum ?? true) out.push(Uint8Array.from(le32(xxh32(data))));
  return new Uint8Array(Buffer.concat(out));
}

/** A skippable frame (magic 0x184D2A5x) of `size` bytes. */
export function skippableFrame(size: number, nibble = 0): Uint8Array {
  return Uint8Array.from([
    ...le32(0x184d2a50 + nibble),
    ...le32(size),
    ...new Array(size).fill(0xa5),
  ]);
}
