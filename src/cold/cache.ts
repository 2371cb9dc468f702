/**
 * The cold-record cache: decoded cold groups by (id, group), bounded by bytes.
 * The size of an entry is the encoded size of its group plus a fixed overhead per
 * entry (lru-cache counts whatever `sizeCalculation` returns; here that unit is bytes).
 * Cached objects are frozen, so a caller cannot change what the next caller reads.
 */
import { LRUCache } from 'lru-cache';

/** Bytes counted per cache entry on top of the encoded size (the key, the node, the object header). */
export const ENTRY_OVERHEAD = 64;

export class ColdCache {
  readonly #lru: LRUCache<number, object, unknown> | undefined;
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
    this.#lru =
      maxBytes > 0
        ? new LRUCache<number, object, unknown>({ maxSize: maxBytes, sizeCalculation: () => 1 })
        : undefined;
  }

  static key(id: number, group: number): number {
    return id * 256 + group;
  }

  get(id: number, group: number): object | undefined {
    return this.#lru?.get(ColdCache.key(id, group));
  }

  set(id: number, group: number, value: object, encodedBytes: number): void {
    const size = encodedBytes + ENTRY_OVERHEAD;
    if (this.#lru === undefined || size > this.maxBytes) return;
    this.#lru.set(ColdCache.key(id, group), value, { size });
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
