/**
 * LZ4 frame decoder (lz4_Frame_format.md, lz4_Block_format.md), streaming: it takes the
 * compressed bytes chunk by chunk and yields one chunk per block. No npm package decodes
 * frames as a stream on Node 20 without a native build (lz4-napi and lz4js take the whole
 * file at once), so the framing and the block decoder live here. Linked blocks (apt's
 * default) need the last 64 KiB of output as dictionary, kept at the front of `out`.
 *
 * ```
 * frame  = magic(4) FLG BD [contentSize(8)] [dictId(4)] HC  block* endMark(4) [xxh32(4)]
 * block  = size(4, bit 31 = stored uncompressed) data [xxh32(4)]
 * skippable frame = 0x184D2A5? size(4) data
 * ```
 *
 * Every checksum present is verified, and the content size when given: a flipped bit in
 * an lz4 input is E_PARSE, as gzip's CRC and xz's check make it for those formats. The
 * content checksum and size are checked at the end of the frame, after its text was
 * yielded (holding a frame of up to 4 GiB back is not an option). Memory: one output
 * buffer of 64 KiB + the frame's block maximum (at most 4 MiB), and the input bytes of
 * one block; a skippable frame is dropped as it arrives.
 */

import { LeanrecError } from '../errors.ts';
import { Xxh32, xxh32 } from '../util/xxh32.ts';
import { HANDED_OUT } from './xz.ts';

const LZ4_MAGIC = 0x184d2204;
const LZ4_HISTORY = 64 * 1024;

/** Reads exact byte counts from an async iterable of chunks. */
class ByteReader {
  #it: AsyncIterator<Uint8Array>;
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #done = false;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.#it = input[Symbol.asyncIterator]();
  }

  /** Makes `n` bytes available; false when the input ends first. */
  async need(n: number): Promise<boolean> {
    while (this.#end - this.#start < n) {
      if (this.#done) return false;
      const r = await this.#it.next();
      if (r.done === true) {
        this.#done = true;
        continue;
      }
      const chunk = r.value;
      const have = this.#end - this.#start;
      if (have + chunk.length > this.#buf.length) {
        const next = new Uint8Array(Math.max(this.#buf.length * 2, have + chunk.length, 1 << 16));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#buf.set(chunk, have);
      this.#start = 0;
      this.#end = have + chunk.length;
    }
    return true;
  }

  /** Drops the next `n` bytes without holding them; false when the input ends first. */
  async skip(n: number): Promise<boolean> {
    for (;;) {
      const have = this.#end - this.#start;
      if (have >= n) {
        this.#start += n;
        return true;
      }
      n -= have;
      this.#start = this.#end = 0;
      if (!(await this.need(1))) return false;
    }
  }

  /** True when no byte is left (reads ahead to know). */
  async atEnd(): Promise<boolean> {
    return !(await this.need(1));
  }

  /** The next `n` bytes, already made available by {@link need}; valid until the next `need`. */
  take(n: number): Uint8Array {
    const s = this.#start;
    this.#start += n;
    return this.#buf.subarray(s, s + n);
  }

  u32(): number {
    const b = this.take(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

/**
 * @internal Decodes the LZ4 frames of `input` (skippable frames are dropped), yielding one
 * chunk per block; each chunk belongs to the caller. `file` names the input in errors.
 *
 * @throws LeanrecError `E_PARSE` (`truncated or corrupt lz4 input: <file>`, the reason as
 * `cause`) for a bad magic number, an unsupported or damaged header, a block over the
 * frame's maximum, a malformed block, a failed checksum or content size, a cut frame. A
 * failed content checksum or size is found after the frame's text was yielded: the
 * message says so.
 */
export async function* lz4Decode(
  input: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  const r = new ByteReader(input);
  const fail = (why: string, late = false): LeanrecError => {
    const after = late ? ` (${HANDED_OUT})` : '';
    return new LeanrecError('E_PARSE', `truncated or corrupt lz4 input: ${file}${after}`, {
      file,
      cause: new Error(why),
    });
  };
  const need = async (n: number): Promise<void> => {
    if (!(await r.need(n))) throw fail('unexpected end of input');
  };
  try {
    while (!(await r.atEnd())) {
      await need(4);
      const magic = r.u32();
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        await need(4);
        const size = r.u32();
        // Dropped as it arrives: a frame of up to 4 GiB is never held.
        if (!(await r.skip(size))) throw fail('unexpected end of input');
        continue;
      }
      if (magic !== LZ4_MAGIC) throw fail('bad frame magic');
      await need(3);
      const [flg, bd] = r.take(2) as unknown as [number, number];
      if (flg >> 6 !== 1) throw fail('unsupported frame version');
      if ((flg & 0x01) !== 0) throw fail('dictionary frames are not supported');
      const blockChecksum = (flg & 0x10) !== 0;
      const contentSize = (flg & 0x08) !== 0;
      const contentChecksum = (flg & 0x04) !== 0;
      const bsid = (bd >> 4) & 7;
      if (bsid < 4) throw fail('bad block size');
      const blockMax = 1 << (8 + 2 * bsid);
      const rest = (contentSize ? 8 : 0) + 1; // + header checksum byte
      await need(rest);
      const desc = r.take(rest);
      const descHash = new Xxh32();
      descHash.update(Uint8Array.of(flg, bd));
      descHash.update(desc.subarray(0, rest - 1));
      if (((descHash.digest() >>> 8) & 0xff) !== desc[rest - 1]) throw fail('header checksum');
      // The content size, below 2^53 (a larger one is not a size any input here has).
      const size = contentSize ? u32le(desc, 0) + u32le(desc, 4) * 0x100000000 : -1;
      const content = contentChecksum ? new Xxh32() : undefined;
      let total = 0;
      const out = new Uint8Array(LZ4_HISTORY + blockMax);
      let op = 0;
      for (;;) {
        await need(4);
        const word = r.u32();
        if (word === 0) break;
        const size = word & 0x7fffffff;
        if (size > blockMax) throw fail('block larger than the frame allows');
        await need(size + (blockChecksum ? 4 : 0));
        const data = r.take(size);
        if (blockChecksum && xxh32(data) !== r.u32()) throw fail('block checksum');
        if (op + blockMax > out.length) {
          // Keep the last 64 KiB as the dictionary of the next (linked) block.
          const keep = Math.min(op, LZ4_HISTORY);
          out.copyWithin(0, op - keep, op);
          op = keep;
        }
        const start = op;
        if ((word & 0x80000000) !== 0) {
          out.set(data, op);
          op += size;
        } else {
          op = lz4Block(data, out, op, op + blockMax);
          if (op < 0) throw fail('corrupt block');
        }
        const chunk = out.slice(start, op);
        content?.update(chunk);
        total += chunk.length;
        yield chunk;
      }
      // Both cover the whole frame, so they fail after its text was yielded.
      if (size >= 0 && total !== size) throw fail('content size', true);
      if (content !== undefined) {
        await need(4);
        if (content.digest() !== r.u32()) throw fail('content checksum', true);
      }
    }
  } finally {
    await r.close();
  }
}

function u32le(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/**
 * @internal Decodes one LZ4 block from `src` into `dst` at `op` (bytes before `op` are
 * the dictionary, for matches reaching back into earlier blocks), writing nothing at or
 * past `limit`. Returns the new output position, or -1 when the block is malformed (a
 * length past the end of `src`, an output past `limit`, an offset of 0 or before the
 * start of `dst`, a block that ends on a match).
 */
export function lz4Block(src: Uint8Array, dst: Uint8Array, op: number, limit: number): number {
  const end = src.length;
  let ip = 0;
  while (ip < end) {
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) return -1;
        b = src[ip++]!;
        lit += b;
      }
    }
    if (ip + lit > end || op + lit > limit) return -1;
    if (lit < 16) {
      for (let i = 0; i < lit; i++) dst[op++] = src[ip++]!;
    } else {
      dst.set(src.subarray(ip, ip + lit), op);
      ip += lit;
      op += lit;
    }
    if (ip === end) return op; // the last sequence has literals only
    if (ip + 2 > end) return -1;
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) return -1;
        b = src[ip++]!;
        len += b;
      }
    }
    len += 4;
    let from = op - offset;
    if (offset === 0 || from < 0 || op + len > limit) return -1;
    if (offset >= len && len > 32) {
      dst.copyWithin(op, from, from + len);
      op += len;
    } else {
      for (let i = 0; i < len; i++) dst[op++] = dst[from++]!;
    }
  }
  return -1; // a block never ends on a match
}
