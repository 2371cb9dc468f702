/**
 * A growable scratch buffer for canonical key bytes. One per tier; reused for every
 * key so lookups allocate nothing.
 *
 *   buf: [ field 0 bytes | field 1 bytes | … ]   pos = end of what was written
 */
export class ByteWriter {
  /** The backing bytes; replaced (not resized) when it grows. */
  buf: Uint8Array;
  /** End of the written bytes. */
  pos = 0;
  readonly #f64 = new Float64Array(1);
  readonly #f64bytes = new Uint8Array(this.#f64.buffer);

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Appends an unsigned LEB128 varint. */
  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  /** Appends a number as 8 bytes (float64, platform order: keys never leave the process). */
  f64(n: number): void {
    this.ensure(8);
    this.#f64[0] = n;
    this.buf.set(this.#f64bytes, this.pos);
    this.pos += 8;
  }

  /** Appends bytes `src[start..end)`. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = src[i]!;
    this.pos = p;
  }
}
