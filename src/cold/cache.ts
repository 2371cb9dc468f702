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
 * Eviction is lru-cache's LRU. A slot-array CLOCK cache was measured in its place: two
 * `cold()` hits cost 137 ns against 270 ns, but a whole cached fetch (`get` + two `cold()`)
 * stayed at ≈ 2.0 µs either way (the hot `get` is most of it), so the library stays on the
 * well-kept package.
 *
 * Cached objects are frozen, so a caller cannot change what the next caller reads.
 */

import { LRUCache } from 'lru-cache';

/**
 * Bytes counted per cache entry on top of its value: lru-cache's slot (its key map entry,
 * key, value, size and two list links); measured after gc with 40,000 entries of empty
 * objects in two groups: 91 B each.
 */
export const ENTRY_OVERHEAD = 92;

export class ColdCache {
  readonly #lru: LRUCache<number, object, unknown> | undefined;
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
    // Every `set` passes the entry's size, so lru-cache needs no sizeCalculation.
    this.#lru =
      maxBytes > 0 ? new LRUCache<number, object, unknown>({ maxSize: maxBytes }) : undefined;
  }

  /** One number per (id, group): ids are below 2^32 and group codes below 256. */
  static key(id: number, group: number): number {
    return id * 256 + group;
  }

  get(id: number, group: number): object | undefined {
    return this.#lru?.get(ColdCache.key(id, group));
  }

  /** Caches `value` (frozen by the caller), counted at its decoded size. */
  set(id: number, group: number, value: object): void {
    if (this.#lru === undefined) return;
    const key = ColdCache.key(id, group);
    const size = decodedBytes(value) + ENTRY_OVERHEAD;
    if (size > this.maxBytes) {
      this.#lru.delete(key);
      return;
    }
    this.#lru.set(key, value, { size });
  }

  delete(id: number, group: number): void {
    this.#lru?.delete(ColdCache.key(id, group));
  }

  clear(): void {
    this.#lru?.clear();
  }

  /** Bytes currently counted. */
  get bytes(): number {
    return this.#lru?.calculatedSize ?? 0;
  }

  /** Entries currently held. */
  get entries(): number {
    return this.#lru?.size ?? 0;
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
