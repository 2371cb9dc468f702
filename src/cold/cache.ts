/**
 * The cold-record cache: decoded cold groups by (id, group), bounded by bytes.
 *
 * It holds decoded, frozen objects (a hit costs a lookup, not a decode: W5 cached is
 * bounded by the hot `get` already), and it counts what they take in V8's heap, not their
 * encoded size: decoded groups of the Debian index take ≈ 1.9× their encoded bytes, so
 * counting those made `memory()` under-report by ≈ 6 MB with the cache full.
 * {@link decodedBytes} models V8's layout on 64-bit Node (8-byte pointers, no pointer
 * compression, Node's default build); test/cold/memory-bound.test.ts checks the sum
 * against `process.memoryUsage()` after `gc()`.
 *
 * Eviction is CLOCK (second chance), not LRU: a hit only sets the entry's reference bit,
 * where lru-cache's `get` relinked the entry (and checked TTL and fetch state) on every
 * hit. A hit is one `Map.get` and two array accesses. Measured on W5 cached (the suite's
 * `get` + `cold('control')` + `cold('relations')`, 64 MiB cache, one process, load ≈ 1):
 * see the commit that introduced it. The entries live in parallel arrays (slots), so an
 * entry costs no object of its own either.
 *
 * Cached objects are frozen, so a caller cannot change what the next caller reads.
 */

/**
 * Bytes counted per cache entry on top of its value: its `Map` entry (key and slot, in
 * an OrderedHashMap kept at most half full) and its slot in five arrays (value, id,
 * group, size, reference bit); measured after gc with 40,000 entries of empty objects
 * in two groups: 84–90 B each (lru-cache took 91 by the same measure).
 */
export const ENTRY_OVERHEAD = 88;

export class ColdCache {
  readonly maxBytes: number;
  /** Per group code: id → slot. */
  readonly #slotOf: Map<number, number>[] = [];
  /** Slots: the value (undefined when free), its id, group and counted size. */
  #values: (object | undefined)[] = [];
  #ids: number[] = [];
  #groups: number[] = [];
  #sizes: number[] = [];
  /** Reference bits: set by a hit, cleared as the clock hand passes. */
  #ref: number[] = [];
  /** Free slots. */
  #free: number[] = [];
  #hand = 0;
  #bytes = 0;
  #entries = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get(id: number, group: number): object | undefined {
    const slot = this.#slotOf[group]?.get(id);
    if (slot === undefined) return undefined;
    this.#ref[slot] = 1;
    return this.#values[slot];
  }

  /** Caches `value` (frozen by the caller), counted at its decoded size. */
  set(id: number, group: number, value: object): void {
    if (this.maxBytes <= 0) return;
    const size = decodedBytes(value) + ENTRY_OVERHEAD;
    this.delete(id, group);
    if (size > this.maxBytes) return;
    while (this.#bytes + size > this.maxBytes) this.#evict();
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#values.length;
    this.#values[slot] = value;
    this.#ids[slot] = id;
    this.#groups[slot] = group;
    this.#sizes[slot] = size;
    // A new entry starts unreferenced: one read of many records (a scan) goes first.
    this.#ref[slot] = 0;
    let map = this.#slotOf[group];
    if (map === undefined) {
      for (let g = this.#slotOf.length; g < group; g++) this.#slotOf[g] = new Map();
      map = this.#slotOf[group] = new Map();
    }
    map.set(id, slot);
    this.#bytes += size;
    this.#entries++;
  }

  delete(id: number, group: number): void {
    const slot = this.#slotOf[group]?.get(id);
    if (slot !== undefined) this.#remove(slot);
  }

  clear(): void {
    this.#slotOf.length = 0;
    this.#values = [];
    this.#ids = [];
    this.#groups = [];
    this.#sizes = [];
    this.#ref = [];
    this.#free = [];
    this.#hand = 0;
    this.#bytes = 0;
    this.#entries = 0;
  }

  /** Bytes currently counted. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries currently held. */
  get entries(): number {
    return this.#entries;
  }

  /** Evicts one entry: the first unreferenced one from the hand on (at least one is held). */
  #evict(): void {
    const n = this.#values.length;
    for (;;) {
      const h = this.#hand;
      this.#hand = h + 1 < n ? h + 1 : 0;
      if (this.#values[h] === undefined) continue;
      if (this.#ref[h] === 1) this.#ref[h] = 0;
      else {
        this.#remove(h);
        return;
      }
    }
  }

  #remove(slot: number): void {
    this.#slotOf[this.#groups[slot]!]!.delete(this.#ids[slot]!);
    this.#values[slot] = undefined;
    this.#bytes -= this.#sizes[slot]!;
    this.#entries--;
    this.#free.push(slot);
  }
}

/** V8 object sizes on 64-bit Node without pointer compression, in bytes. */
const OBJECT_HEADER = 24; // map, properties, elements
const ARRAY_HEADER = 32 + 16; // JSArray (map, properties, elements, length) + FixedArray header
const STRING_HEADER = 16; // map, hash, length
/**
 * A string of ≥ 13 characters: a SlicedString (map, hash, length, parent, offset: 32 B)
 * plus 16 B measured: 5,000 decoded `control` groups of the Debian index held after gc
 * took 1.16× what 32 B counted (0.99× with 48), `relations` 1.23× (1.14×); the
 * extractor's joined strings have headers of their own.
 */
const SLICED_STRING = 48;
const HEAP_NUMBER = 16;
const TYPED_ARRAY = 200; // JSTypedArray + JSArrayBuffer + its backing-store record
/** Shortest string V8 makes a slice of (SlicedString::kMinLength); shorter ones are copied. */
const MIN_SLICE = 13;
const LATIN1 = /^[\0-\xff]*$/;

/**
 * What a decoded value takes in V8's heap, estimated from its shape: objects by their
 * properties, arrays by their items, strings by their characters (one byte each for
 * Latin-1, two otherwise). msgpackr's native string extractor returns a record's strings
 * as slices of one joined string, so a string of ≥ 13 characters counts a slice plus its
 * characters (its share of the joined string).
 */
export function decodedBytes(v: unknown): number {
  switch (typeof v) {
    case 'string': {
      const chars = LATIN1.test(v) ? v.length : 2 * v.length;
      return v.length >= MIN_SLICE ? SLICED_STRING + chars : align8(STRING_HEADER + chars);
    }
    case 'number':
      return Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? 0 : HEAP_NUMBER;
    case 'bigint':
      return STRING_HEADER + 8 * Math.ceil(v.toString(16).length / 16);
    case 'object': {
      if (v === null) return 0;
      if (v instanceof Uint8Array) return TYPED_ARRAY + v.byteLength;
      if (Array.isArray(v)) {
        let n = ARRAY_HEADER + 8 * v.length;
        for (const item of v) n += decodedBytes(item);
        return n;
      }
      const keys = Object.keys(v);
      let n = OBJECT_HEADER + 8 * keys.length;
      for (const k of keys) n += decodedBytes((v as Record<string, unknown>)[k]);
      return n;
    }
    default:
      return 0;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
