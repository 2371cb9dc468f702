/**
 * Hot columns: one typed-array column per hot field, indexed by row.
 *
 *   string   Uint32Array  pool offset per row           (4 B/row; bytes live once in the pool)
 *   enum     Uint8Array → Uint16Array dictionary code   (1–2 B/row; dictionary is tiny)
 *   flag     Bitset                                     (1 bit/row)
 *   u8…f64   the matching typed array                   (1–8 B/row)
 *   bytes(n) Uint8Array of n bytes per row              (n B/row; hex(n) is the same)
 *   list     Uint32Array start + Uint32Array length per row, items in one shared inner column
 *
 * Invariants: capacity grows by doubling and is trimmed to whole 32-row words after a
 * bulk write (`trim`, `rowCapacity`), never below the rows held; a column never knows
 * whether a row is live or whether an optional value is present (the tier keeps those
 * bitsets); `set` trusts its value (validated at the store's boundary).
 */
import { LeanrecError } from '../errors.ts';
import type { AnyField, FieldKind, NumberKind } from '../schema/field.ts';
import { grow, rowCapacity, trimRows } from '../util/grow.ts';
import { flatCopy, utf8Length, writeUtf8 } from '../util/utf8.ts';
import { Bitset } from './bitset.ts';
import { ByteWriter } from './byte-writer.ts';
import type { StringPool } from './string-pool.ts';
import { ValueRows } from './value-rows.ts';

/** One hot column. */
export interface Column {
  /** Makes room for rows `0 … rows-1`. */
  ensure(rows: number): void;
  /** Stores `value` at `row`. */
  set(row: number, value: unknown): void;
  /** Reads the value at `row`. */
  get(row: number): unknown;
  /** Writes the canonical key bytes of a value (the same bytes `writeRowKey` gives for it). */
  writeKey(value: unknown, w: ByteWriter): void;
  /** Writes the canonical key bytes of the value at `row`. */
  writeRowKey(row: number, w: ByteWriter): void;
  /**
   * Compares the canonical key bytes of the value at `row` with `key` from `pos`.
   * Returns the position after them when equal, else -1. Allocates nothing.
   */
  matchKey(row: number, key: Uint8Array, pos: number): number;
  /** Copies row `from` of `src` (a column of the same field) to row `to` of this. */
  copyRow(src: Column, from: number, to: number): void;
  /** Allocated bytes. */
  byteLength(): number;
  /** The raw arrays, for snapshots. */
  parts(): Uint8Array[];
  /**
   * Restores from `parts()` of an equal column, for `rows` rows. With `own`, the parts
   * belong to the caller no more: an array of the exact size is taken as it is, not
   * copied (what restoring a snapshot read from disk wants).
   */
  restore(parts: readonly Uint8Array[], rows: number, own?: boolean): void;
  /** Empties the column, keeping `rows` of capacity. */
  reset(rows: number): void;
  /** Frees capacity past `rows` rows (see `rowCapacity`); a later `ensure` grows again. */
  trim(rows: number): void;
}

/** Everything a column may need from its tier. */
export interface ColumnContext {
  readonly pool: StringPool;
  /** The tier's `HotLimits` (limits.ts, which imports the column types): the list length. */
  readonly limits: { readonly listItems: number };
}

type NumberArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

const numberArrays: { [K in NumberKind]: new (n: number) => NumberArray } = {
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
};

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function fromBytes<T extends NumberArray>(
  Ctor: new (n: number) => T,
  bytes: Uint8Array | undefined,
  minLength: number,
  own = false,
): T {
  const el = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const cap = rowCapacity(minLength);
  if (own && bytes !== undefined && isWhole(bytes, cap * el)) {
    return new (Ctor as unknown as new (b: ArrayBufferLike) => T)(bytes.buffer);
  }
  const arr = new Ctor(cap);
  // Snapshots written before trimming hold the spare capacity too: only the rows count.
  const n = bytes ? Math.min(Math.floor(bytes.byteLength / el), arr.length) : 0;
  if (bytes) bytesOf(arr).set(bytes.subarray(0, n * el));
  return arr;
}

/** `bytes` is all of its (non-shared) buffer, `length` bytes long. */
export function isWhole(bytes: Uint8Array, length: number): boolean {
  return (
    bytes.byteLength === length &&
    bytes.byteOffset === 0 &&
    bytes.buffer.byteLength === length &&
    bytes.buffer instanceof ArrayBuffer
  );
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

class NumberColumn implements Column {
  readonly #Ctor: new (
    n: number,
  ) => NumberArray;
  /** One-element scratch: rounds a query value through the column's own type. */
  readonly #one: NumberArray;
  data: NumberArray;
  constructor(kind: NumberKind) {
    this.#Ctor = numberArrays[kind];
    this.#one = new this.#Ctor(1);
    this.data = new this.#Ctor(16);
  }
  ensure(rows: number): void {
    if (rows > this.data.length) this.data = grow(this.data, rows);
  }
  set(row: number, v: unknown): void {
    this.data[row] = v as number;
  }
  get(row: number): number {
    return this.data[row]!;
  }
  // Key bytes are those of `value + 0`: -0 becomes 0, so a key equals another exactly
  // when the numbers are equal (as filters compare them), not when their bits are.
  writeKey(v: unknown, w: ByteWriter): void {
    // Round through the column's own type so a query for 0.1 finds an f32 row holding fround(0.1).
    this.#one[0] = v as number;
    w.f64(this.#one[0]! + 0);
  }
  writeRowKey(row: number, w: ByteWriter): void {
    w.f64(this.data[row]! + 0);
  }
  matchKey(row: number, key: Uint8Array, pos: number): number {
    F64[0] = this.data[row]! + 0;
    for (let i = 0; i < 8; i++) if (key[pos + i] !== F64_BYTES[i]) return -1;
    return pos + 8;
  }
  copyRow(src: Column, from: number, to: number): void {
    this.data[to] = (src as NumberColumn).data[from]!;
  }
  byteLength(): number {
    return this.data.byteLength;
  }
  parts(): Uint8Array[] {
    return [bytesOf(this.data)];
  }
  restore(parts: readonly Uint8Array[], rows: number, own = false): void {
    this.data = fromBytes(this.#Ctor, parts[0], rows, own);
  }
  reset(rows: number): void {
    this.data = new this.#Ctor(rowCapacity(rows));
  }
  trim(rows: number): void {
    this.data = trimRows(this.data, rows);
  }
}

class StringColumn implements Column {
  readonly #pool: StringPool;
  data = new Uint32Array(16);
  constructor(ctx: ColumnContext) {
    this.#pool = ctx.pool;
  }
  ensure(rows: number): void {
    if (rows > this.data.length) this.data = grow(this.data, rows);
  }
  set(row: number, v: unknown): void {
    this.data[row] = this.#pool.intern(v as string);
  }
  get(row: number): string {
    return this.#pool.read(this.data[row]! as never);
  }
  writeKey(v: unknown, w: ByteWriter): void {
    writeStringKey(v as string, w);
  }
  writeRowKey(row: number, w: ByteWriter): void {
    const pool = this.#pool;
    const off = this.data[row]! as never;
    const start = pool.bytesStart(off);
    const len = pool.byteLengthOf(off);
    w.varint(len);
    w.bytes(pool.bytes, start, start + len);
  }
  matchKey(row: number, key: Uint8Array, pos: number): number {
    // A pool entry is exactly the key encoding: varint length, then the bytes.
    const pool = this.#pool;
    const off = this.data[row]! as never;
    const end = pool.bytesStart(off) + pool.byteLengthOf(off);
    const b = pool.bytes;
    for (let i = off as number; i < end; i++, pos++) if (b[i] !== key[pos]) return -1;
    return pos;
  }
  copyRow(src: Column, from: number, to: number): void {
    const s = src as StringColumn;
    this.data[to] = this.#pool.internFrom(s.#pool, s.data[from]! as never);
  }
  byteLength(): number {
    return this.data.byteLength;
  }
  parts(): Uint8Array[] {
    return [bytesOf(this.data)];
  }
  restore(parts: readonly Uint8Array[], rows: number, own = false): void {
    this.data = fromBytes(Uint32Array, parts[0], rows, own);
  }
  reset(rows: number): void {
    this.data = new Uint32Array(rowCapacity(rows));
  }
  trim(rows: number): void {
    this.data = trimRows(this.data, rows);
  }
}

/** Canonical key bytes of a string: LEB128 byte length, then UTF-8 (the pool's entry format). */
export function writeStringKey(s: string, w: ByteWriter): void {
  const n = s.length;
  if (n <= 42) {
    // At most 3 bytes per UTF-16 unit: ≤ 126 bytes, so the length is one varint byte,
    // written after the bytes in one pass.
    w.ensure(1 + 3 * n);
    const at = w.pos;
    const end = writeUtf8(s, w.buf, at + 1);
    w.buf[at] = end - at - 1;
    w.pos = end;
    return;
  }
  const len = utf8Length(s);
  w.varint(len);
  w.ensure(len);
  w.pos = writeUtf8(s, w.buf, w.pos);
}

/**
 * Dictionary-coded strings. Codes are assigned in first-seen order (closed sets: in
 * declaration order, so codes are stable across stores of one schema).
 */
export class EnumColumn implements Column {
  /** Values by code. */
  readonly values: string[] = [];
  readonly #codes = new Map<string, number>();
  readonly #closed: boolean;
  readonly #name: string;
  /** Key bytes of each value, made on first comparison. */
  readonly #encoded: (Uint8Array | undefined)[] = [];
  codes: Uint8Array | Uint16Array = new Uint8Array(16);
  /** Row bitsets of the values filters asked for, kept exact on every write (value-rows.ts). */
  readonly valueRows = new ValueRows();
  constructor(field: AnyField, name: string) {
    this.#closed = field.values !== undefined;
    this.#name = name;
    // Declared values are held by the schema anyway: no copy (65,536 copies cost ~0.4 s).
    for (const v of field.values ?? []) this.#add(v, false);
  }
  #add(v: string, copy = true): number {
    const code = this.values.length;
    if (code >= 65536)
      throw new LeanrecError('E_LIMIT', `enum field "${this.#name}" has more than 65,536 values`, {
        field: this.#name,
      });
    if (code === 256 && this.codes instanceof Uint8Array) this.codes = Uint16Array.from(this.codes);
    // A copy, never the caller's string: a value sliced from a parser's chunk would keep
    // the whole chunk alive for as long as the store lives.
    if (copy) v = flatCopy(v);
    this.values.push(v);
    this.#codes.set(v, code);
    return code;
  }
  /** The code of `v`, or -1 when the dictionary does not hold it. */
  codeOf(v: string): number {
    return this.#codes.get(v) ?? -1;
  }
  ensure(rows: number): void {
    if (rows <= this.codes.length) return;
    const from = this.codes.length;
    this.codes = grow(this.codes, rows);
    if (this.valueRows.held !== 0) this.valueRows.grew(from, this.codes.length);
  }
  /** The row bitset of `code` (made on first ask), or undefined past the column's cap. */
  rowsOf(code: number): Bitset | undefined {
    return this.valueRows.of(code, this.codes);
  }
  set(row: number, v: unknown): void {
    // The code first, then the array: adding the 257th value swaps `codes` for a wider
    // one, and `this.codes[row] = …#add()` would write into the array it discards.
    let code = this.#codes.get(v as string);
    if (code === undefined) code = this.#add(v as string);
    if (this.valueRows.held !== 0) this.valueRows.move(row, this.codes[row]!, code);
    this.codes[row] = code;
  }
  get(row: number): string {
    return this.values[this.codes[row]!]!;
  }
  writeKey(v: unknown, w: ByteWriter): void {
    writeStringKey(v as string, w);
  }
  writeRowKey(row: number, w: ByteWriter): void {
    writeStringKey(this.values[this.codes[row]!]!, w);
  }
  matchKey(row: number, key: Uint8Array, pos: number): number {
    const code = this.codes[row]!;
    let enc = this.#encoded[code];
    if (enc === undefined) {
      const w = new ByteWriter(16);
      writeStringKey(this.values[code]!, w);
      enc = this.#encoded[code] = w.buf.slice(0, w.pos);
    }
    for (let i = 0; i < enc.length; i++, pos++) if (enc[i] !== key[pos]) return -1;
    return pos;
  }
  copyRow(src: Column, from: number, to: number): void {
    this.set(to, (src as EnumColumn).get(from));
  }
  byteLength(): number {
    let dict = 0;
    for (const v of this.values) dict += 16 + v.length;
    return this.codes.byteLength + dict + this.valueRows.byteLength;
  }
  parts(): Uint8Array[] {
    return [bytesOf(this.codes), new TextEncoder().encode(JSON.stringify(this.values))];
  }
  restore(parts: readonly Uint8Array[], rows: number, own = false): void {
    const values = JSON.parse(new TextDecoder().decode(parts[1])) as string[];
    this.valueRows.clear();
    if (!this.#closed || values.length !== this.values.length) {
      this.values.length = 0;
      this.#encoded.length = 0;
      this.#codes.clear();
      for (const v of values) this.#add(v);
    }
    this.codes =
      this.values.length > 256
        ? fromBytes(Uint16Array, parts[0], rows, own)
        : fromBytes(Uint8Array, parts[0], rows, own);
  }
  reset(rows: number): void {
    this.valueRows.clear();
    this.codes =
      this.values.length > 256
        ? new Uint16Array(rowCapacity(rows))
        : new Uint8Array(rowCapacity(rows));
  }
  trim(rows: number): void {
    this.codes = trimRows(this.codes, rows);
    if (this.valueRows.held !== 0) this.valueRows.trim(this.codes.length);
  }
}

class FlagColumn implements Column {
  bits = new Bitset();
  ensure(rows: number): void {
    this.bits.ensure(rows);
  }
  set(row: number, v: unknown): void {
    this.bits.assign(row, v as boolean);
  }
  get(row: number): boolean {
    return this.bits.get(row);
  }
  writeKey(v: unknown, w: ByteWriter): void {
    w.byte(v ? 1 : 0);
  }
  writeRowKey(row: number, w: ByteWriter): void {
    w.byte(this.bits.get(row) ? 1 : 0);
  }
  matchKey(row: number, key: Uint8Array, pos: number): number {
    return key[pos] === (this.bits.get(row) ? 1 : 0) ? pos + 1 : -1;
  }
  copyRow(src: Column, from: number, to: number): void {
    this.bits.assign(to, (src as FlagColumn).bits.get(from));
  }
  byteLength(): number {
    return this.bits.byteLength;
  }
  parts(): Uint8Array[] {
    return [this.bits.toBytes()];
  }
  restore(parts: readonly Uint8Array[], rows: number): void {
    this.bits = parts[0] ? Bitset.fromBytes(parts[0]) : new Bitset();
    this.bits.ensure(rows);
    this.bits.trim(rows);
  }
  reset(rows: number): void {
    this.bits = new Bitset();
    this.bits.ensure(rows);
  }
  trim(rows: number): void {
    this.bits.trim(rows);
  }
}

const HEX_DIGITS = '0123456789abcdef';

class FixedBytesColumn implements Column {
  readonly #width: number;
  readonly #hex: boolean;
  data: Uint8Array;
  constructor(field: AnyField) {
    this.#width = field.width;
    this.#hex = field.kind === 'hex';
    this.data = new Uint8Array(16 * this.#width);
  }
  ensure(rows: number): void {
    if (rows * this.#width > this.data.length) this.data = grow(this.data, rows * this.#width);
  }
  set(row: number, v: unknown): void {
    const base = row * this.#width;
    if (this.#hex) {
      const s = v as string;
      for (let i = 0; i < this.#width; i++)
        this.data[base + i] = (hexVal(s.charCodeAt(2 * i)) << 4) | hexVal(s.charCodeAt(2 * i + 1));
    } else this.data.set(v as Uint8Array, base);
  }
  get(row: number): Uint8Array | string {
    const base = row * this.#width;
    if (!this.#hex) return this.data.slice(base, base + this.#width);
    let s = '';
    for (let i = 0; i < this.#width; i++) {
      const b = this.data[base + i]!;
      s += HEX_DIGITS[b >>> 4]! + HEX_DIGITS[b & 15]!;
    }
    return s;
  }
  writeKey(v: unknown, w: ByteWriter): void {
    w.ensure(this.#width);
    if (this.#hex) {
      const s = v as string;
      for (let i = 0; i < this.#width; i++)
        w.buf[w.pos++] = (hexVal(s.charCodeAt(2 * i)) << 4) | hexVal(s.charCodeAt(2 * i + 1));
    } else {
      w.buf.set(v as Uint8Array, w.pos);
      w.pos += this.#width;
    }
  }
  writeRowKey(row: number, w: ByteWriter): void {
    const base = row * this.#width;
    w.bytes(this.data, base, base + this.#width);
  }
  matchKey(row: number, key: Uint8Array, pos: number): number {
    const base = row * this.#width;
    for (let i = 0; i < this.#width; i++, pos++) if (this.data[base + i] !== key[pos]) return -1;
    return pos;
  }
  copyRow(src: Column, from: number, to: number): void {
    const s = (src as FixedBytesColumn).data;
    this.data.set(s.subarray(from * this.#width, (from + 1) * this.#width), to * this.#width);
  }
  byteLength(): number {
    return this.data.byteLength;
  }
  parts(): Uint8Array[] {
    return [this.data];
  }
  restore(parts: readonly Uint8Array[], rows: number, own = false): void {
    const src = parts[0] ?? new Uint8Array(0);
    const length = rowCapacity(rows) * this.#width;
    if (own && isWhole(src, length)) {
      this.data = src;
      return;
    }
    this.data = new Uint8Array(length);
    this.data.set(src.subarray(0, Math.min(src.length, this.data.length)));
  }
  reset(rows: number): void {
    this.data = new Uint8Array(rowCapacity(rows) * this.#width);
  }
  trim(rows: number): void {
    this.data = trimRows(this.data, rows, this.#width);
  }
}

function hexVal(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/**
 * Lists: each row holds a range of a shared item column. Rewriting a row appends a new
 * range; the old one becomes garbage until `compact()`.
 *
 *   starts[row] ──► items[start … start+lengths[row])
 */
class ListColumn implements Column {
  starts = new Uint32Array(16);
  lengths = new Uint32Array(16);
  readonly items: Column;
  /** Item slots in use (live and garbage). */
  itemCount = 0;
  readonly #name: string;
  readonly #maxItems: number;
  constructor(field: AnyField, ctx: ColumnContext, name: string) {
    this.items = makeColumn(field.inner!, ctx, name);
    this.#name = name;
    this.#maxItems = ctx.limits.listItems;
  }
  ensure(rows: number): void {
    if (rows > this.starts.length) {
      this.starts = grow(this.starts, rows);
      this.lengths = grow(this.lengths, rows);
    }
  }
  set(row: number, v: unknown): void {
    const arr = v as unknown[];
    const start = this.itemCount;
    // The store refuses such a batch before writing (limits.ts); this is the last guard.
    if (start + arr.length > this.#maxItems)
      throw new LeanrecError(
        'E_LIMIT',
        `list field "${this.#name}" holds at most ${this.#maxItems} items`,
        { field: this.#name },
      );
    this.items.ensure(start + arr.length);
    for (let i = 0; i < arr.length; i++) this.items.set(start + i, arr[i]);
    this.itemCount = start + arr.length;
    this.starts[row] = start;
    this.lengths[row] = arr.length;
  }
  get(row: number): unknown[] {
    const start = this.starts[row]!;
    const n = this.lengths[row]!;
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.items.get(start + i);
    return out;
  }
  writeKey(): void {
    throw new LeanrecError('E_SCHEMA', 'a list cannot be part of a key');
  }
  writeRowKey(): void {
    throw new LeanrecError('E_SCHEMA', 'a list cannot be part of a key');
  }
  matchKey(): number {
    throw new LeanrecError('E_SCHEMA', 'a list cannot be part of a key');
  }
  copyRow(src: Column, from: number, to: number): void {
    const s = src as ListColumn;
    const start = this.itemCount;
    const n = s.lengths[from]!;
    this.items.ensure(start + n);
    for (let i = 0; i < n; i++) this.items.copyRow(s.items, s.starts[from]! + i, start + i);
    this.itemCount = start + n;
    this.starts[to] = start;
    this.lengths[to] = n;
  }
  byteLength(): number {
    return this.starts.byteLength + this.lengths.byteLength + this.items.byteLength();
  }
  parts(): Uint8Array[] {
    return [
      bytesOf(this.starts),
      bytesOf(this.lengths),
      bytesOf(Uint32Array.of(this.itemCount)),
      ...this.items.parts(),
    ];
  }
  restore(parts: readonly Uint8Array[], rows: number, own = false): void {
    this.starts = fromBytes(Uint32Array, parts[0], rows, own);
    this.lengths = fromBytes(Uint32Array, parts[1], rows, own);
    this.itemCount = parts[2] ? new Uint32Array(parts[2].slice().buffer)[0]! : 0;
    this.items.restore(parts.slice(3), this.itemCount, own);
  }
  reset(rows: number): void {
    this.starts = new Uint32Array(rowCapacity(rows));
    this.lengths = new Uint32Array(rowCapacity(rows));
    this.itemCount = 0;
    this.items.reset(16);
  }
  trim(rows: number): void {
    this.starts = trimRows(this.starts, rows);
    this.lengths = trimRows(this.lengths, rows);
    this.items.trim(this.itemCount);
  }
}

/** One column constructor per field kind (`json` is cold-only). */
const columnFactories: {
  [K in FieldKind]: (f: AnyField, ctx: ColumnContext, name: string) => Column;
} = {
  string: (_f, ctx) => new StringColumn(ctx),
  enum: (f, _ctx, name) => new EnumColumn(f, name),
  flag: () => new FlagColumn(),
  u8: () => new NumberColumn('u8'),
  u16: () => new NumberColumn('u16'),
  u32: () => new NumberColumn('u32'),
  i32: () => new NumberColumn('i32'),
  f32: () => new NumberColumn('f32'),
  f64: () => new NumberColumn('f64'),
  bytes: (f) => new FixedBytesColumn(f),
  hex: (f) => new FixedBytesColumn(f),
  list: (f, ctx, name) => new ListColumn(f, ctx, name),
  json: (_f, _ctx, name) => {
    throw new LeanrecError('E_SCHEMA', `field "${name}": t.json() cannot be a hot column`);
  },
};

/** Makes the column for a hot field. */
export function makeColumn(field: AnyField, ctx: ColumnContext, name: string): Column {
  return columnFactories[field.kind](field, ctx, name);
}

export { FixedBytesColumn, FlagColumn, ListColumn, NumberColumn, StringColumn };
