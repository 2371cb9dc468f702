/**
 * The segment table of a record value (layout version 2, see layout.ts):
 *
 *   [ format:u8 ][ n−1:u8 ][ len 0 ] … [ len n−1 ][ segment 0 ] … [ segment n−1 ][ check:u32le ]
 *
 * (n − 1, so that the hot segment and 255 cold groups fit a byte: 1 ≤ n ≤ 256.)
 *
 * Each `len` is an unsigned LEB128 varint (7 bits a byte, low bits first; a segment
 * under 128 bytes costs one byte of table). Segment i starts where segments 0…i−1 end.
 * Invariants checked on read: the lengths add up to exactly the bytes after the table,
 * and no varint runs past the value or past 5 bytes (a u32). Reading segment i walks the
 * table (n ≤ 256 entries), never the segments.
 *
 * `check` is the xxHash32 of every byte before it. LevelDB checks its blocks' CRCs only
 * when asked (`verify_checksums`, which classic-level does not set), and a damaged block
 * that is stored uncompressed, or whose damage still decompresses, reads back as other
 * bytes: without this check a flipped byte inside a string reads as a valid record with
 * a wrong value (a repair test caught one: a `Depends` with garbage in it). Hashing a
 * record's ≈ 500 bytes costs well under a microsecond, against ≈ 10 µs for its read.
 */
import { LeanrecError } from '../errors.ts';
import { xxh32 } from '../util/xxh32.ts';

/** Bytes of the check at the end of a value. */
const CHECK = 4;
/** @internal Bytes of the check at the end of a value. */
export const CHECK_BYTES = CHECK;

/** Bounds of one segment in a record value. */
export interface SegmentBounds {
  start: number;
  end: number;
}

/** The value: `format`, the table of `lengths`, then `body` (the segments, joined). */
export function writeTable(
  format: number,
  lengths: readonly number[],
  body: Uint8Array,
): Uint8Array {
  let table = 2;
  for (const n of lengths) table += varintSize(n);
  const out = new Uint8Array(table + body.length + CHECK);
  out[0] = format;
  out[1] = lengths.length - 1;
  let at = 2;
  for (let n of lengths) {
    while (n >= 0x80) {
      out[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[at++] = n;
  }
  out.set(body, at);
  const end = at + body.length;
  const check = xxh32(out.subarray(0, end));
  out[end] = check & 0xff;
  out[end + 1] = (check >>> 8) & 0xff;
  out[end + 2] = (check >>> 16) & 0xff;
  out[end + 3] = check >>> 24;
  return out;
}

/** Most bytes the table of `n` segments takes: format, count, a 5-byte varint per length. */
export function tableRoom(n: number): number {
  return 2 + 5 * n;
}

/**
 * Seals a record value in place: `buf` holds the segments, joined, from `bodyStart` to
 * `bodyEnd`, with {@link tableRoom} bytes free before them and {@link CHECK_BYTES} after.
 * The table is written to end where the segments start and the check after them, so the
 * value is a view of `buf` (no copy): its bytes are the same as {@link writeTable}'s.
 */
export function sealTable(
  format: number,
  lengths: ArrayLike<number>,
  n: number,
  buf: Uint8Array,
  bodyStart: number,
  bodyEnd: number,
): Uint8Array {
  let table = 2;
  for (let i = 0; i < n; i++) table += varintSize(lengths[i]!);
  const begin = bodyStart - table;
  buf[begin] = format;
  buf[begin + 1] = n - 1;
  let at = begin + 2;
  for (let i = 0; i < n; i++) {
    let len = lengths[i]!;
    while (len >= 0x80) {
      buf[at++] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    buf[at++] = len;
  }
  const check = xxh32(buf.subarray(begin, bodyEnd));
  buf[bodyEnd] = check & 0xff;
  buf[bodyEnd + 1] = (check >>> 8) & 0xff;
  buf[bodyEnd + 2] = (check >>> 16) & 0xff;
  buf[bodyEnd + 3] = check >>> 24;
  return buf.subarray(begin, bodyEnd + CHECK);
}

/**
 * Checks the format byte and the xxHash32 of a record value: once per value read, however
 * many of its segments are then decoded ({@link readTable} with `checked`).
 * @throws LeanrecError `E_CORRUPT` for another format byte or a failed check.
 */
export function checkValue(bytes: Uint8Array, format: number, what: () => string): void {
  if (bytes.length < 2 + CHECK || bytes[0] !== format)
    throw new LeanrecError(
      'E_CORRUPT',
      `${what()}: stored value has format byte ${bytes[0] ?? 'none'}, expected ${format}`,
    );
  const size = bytes.length - CHECK;
  const stored =
    (bytes[size]! |
      (bytes[size + 1]! << 8) |
      (bytes[size + 2]! << 16) |
      (bytes[size + 3]! << 24)) >>>
    0;
  if (xxh32(bytes.subarray(0, size)) >>> 0 !== stored)
    throw new LeanrecError(
      'E_CORRUPT',
      `${what()}: the stored record fails its checksum (damaged on disk; repairStore or "leanrec repair" keeps the intact records)`,
    );
}

/**
 * Where segment `index` of `bytes` lies; `undefined` when the value has fewer segments.
 * The value is checked first ({@link checkValue}) unless `checked` says it was.
 * @throws LeanrecError `E_CORRUPT` for another format byte, a failed check or a broken table.
 */
export function readTable(
  bytes: Uint8Array,
  format: number,
  index: number,
  what: () => string,
  checked = false,
): SegmentBounds | undefined {
  if (!checked) checkValue(bytes, format, what);
  const size = bytes.length - CHECK;
  const n = bytes[1]! + 1;
  let at = 2;
  let start = 0;
  let foundStart = -1;
  let foundEnd = -1;
  for (let i = 0; i < n; i++) {
    // Integer arithmetic only (`2 ** shift` made this loop cost as much as the value's
    // checksum): a length under 2^28 takes the shifts, the fifth byte a multiply.
    if (at >= size) throw broken(what);
    let b = bytes[at++]!;
    let len = b & 0x7f;
    if (b >= 0x80) {
      let shift = 7;
      do {
        if (at >= size || shift > 28) throw broken(what);
        b = bytes[at++]!;
        len = shift < 28 ? len | ((b & 0x7f) << shift) : len + (b & 0x7f) * 0x10000000;
        shift += 7;
      } while (b >= 0x80);
    }
    if (i === index) {
      foundStart = start;
      foundEnd = start + len;
    }
    start += len;
  }
  if (start !== size - at) throw broken(what);
  if (foundStart < 0) return undefined;
  return { start: foundStart + at, end: foundEnd + at };
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

function broken(what: () => string): LeanrecError {
  return new LeanrecError('E_CORRUPT', `${what()}: the record's segment table is broken`);
}

/**
 * Every segment of `bytes` at once, the checksum verified once: `[start 0, end 0, start 1,
 * end 1, …]` (n segments), for readers that look at several segments of one value.
 * @throws LeanrecError `E_CORRUPT` as {@link readTable}.
 */
export function readAllSegments(bytes: Uint8Array, format: number, what: () => string): number[] {
  const last = readTable(bytes, format, 0, what); // checks format, checksum and table
  const n = bytes[1]! + 1;
  const out: number[] = new Array(2 * n);
  let at = 2;
  let start = 0;
  for (let i = 0; i < n; i++) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    out[2 * i] = start;
    out[2 * i + 1] = start + len;
    start += len;
  }
  // readTable placed segment 0 at `last.start`: the table ends there.
  const base = last!.start;
  for (let i = 0; i < 2 * n; i++) out[i]! += base;
  return out;
}
