/**
 * Reads of cold groups: synchronous (`getSync`) and asynchronous (`get`, `getMany`), each
 * through the byte-bounded cache of decoded groups (cache.ts).
 *
 * One LevelDB read per record, however many of its groups are asked for (layout.ts):
 * `load`/`loadMany` read each record's entry once for all the groups they want, and the
 * synchronous `read` keeps the bytes of the last record it read, so that
 * `view.cold('a')` then `view.cold('b')` — the usual way to read two groups of one
 * record — costs one `getSync`. Those bytes are dropped by the next write (and counted in
 * `memory()` as the part `cache:last-record`).
 *
 * Private methods trust their arguments: `ColdTier` checks groups and ids first.
 */
import { LeanrecError } from '../errors.ts';
import type { AnySchema, ColdGroup } from '../schema/schema.ts';
import { ioError } from './backend.ts';
import type { ColdCache } from './cache.ts';
import type { RecordCodec } from './codec.ts';
import { recordKey } from './layout.ts';
import type { Database } from './options.ts';
import { Shape } from './shape.ts';

const GET_MANY_BATCH = 256;
/** classic-level's read option that keeps the blocks read out of LevelDB's block cache. */
const NO_FILL = { fillCache: false } as object;
/** Bytes counted for the last record's buffer on top of its length (a `Buffer` and its store). */
const BUFFER_OVERHEAD = 200;

export class ColdReads {
  readonly #db: Database;
  readonly #schema: AnySchema;
  readonly #codec: RecordCodec;
  readonly #cache: ColdCache;
  readonly #shapes: readonly Shape[];
  readonly #since: readonly number[];
  /** Group name → code. */
  readonly #codes: Map<string, number>;
  /** Bumped by every completed write: a read that spans one keeps nothing. */
  #writes = 0;
  /** The last record `read` fetched: its id, its bytes, and `#writes` when it was read. */
  #lastId = -1;
  #lastBytes: Uint8Array | undefined;
  #lastWrites = -1;
  /** True once `#lastBytes` passed its check (a second group of the record skips it). */
  #lastChecked = false;

  constructor(
    db: Database,
    schema: AnySchema,
    codec: RecordCodec,
    cache: ColdCache,
    since: readonly number[],
  ) {
    this.#db = db;
    this.#schema = schema;
    this.#codec = codec;
    this.#cache = cache;
    this.#shapes = schema.groups.map((g) => new Shape(g.fields));
    this.#since = since;
    this.#codes = new Map(schema.groups.map((g) => [g.name, g.code]));
  }

  /** A write completed (or failed): what was read before may be stale. */
  written(): void {
    this.#writes++;
    this.#lastBytes = undefined;
    this.#lastId = -1;
  }

  /** Forgets the cached groups of `id` (after it was replaced or deleted). */
  forget(id: number): void {
    for (const g of this.#schema.groups) this.#cache.delete(id, g.code);
  }

  /** Bytes held for the last record read (0 when none). */
  get lastRecordBytes(): number {
    return this.#lastBytes === undefined ? 0 : this.#lastBytes.byteLength + BUFFER_OVERHEAD;
  }

  groupsFor(group: string | undefined): readonly ColdGroup[] {
    if (group === undefined) return this.#schema.groups;
    const g = this.#schema.group(group);
    if (g === undefined)
      throw new LeanrecError(
        'E_ARGUMENT',
        `unknown cold group "${group}" (groups: ${this.#schema.groups.map((x) => x.name).join(', ') || 'none'})`,
      );
    return [g];
  }

  /**
   * Group `group` of record `id` when the cache holds it, else `undefined` (unknown
   * groups too: `read` reports them). The hit path of `view.cold(group)`: no array of
   * groups, no key-text closure, no read state touched.
   */
  cached(id: number, group: string): object | undefined {
    const code = this.#codes.get(group);
    return code === undefined ? undefined : this.#cache.get(id, code);
  }

  /** Cold fields of record `id`: one group, or every group merged. Synchronous. */
  read(id: number, group: string | undefined, keyText: () => string): Record<string, unknown> {
    const groups = this.groupsFor(group);
    if (groups.length === 1)
      return this.#readGroup(id, groups[0]!, keyText) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const g of groups) mergeInto(out, this.#readGroup(id, g, keyText));
    return out;
  }

  #readGroup(id: number, g: ColdGroup, keyText: () => string): object {
    const hit = this.#cache.get(id, g.code);
    if (hit !== undefined) return hit;
    const bytes = this.#recordSync(id, keyText);
    const value = this.#decode(id, g, bytes, keyText, true, this.#lastChecked);
    // Decoded without throwing: the bytes passed their check.
    if (bytes !== undefined && bytes === this.#lastBytes) this.#lastChecked = true;
    return value;
  }

  /** The bytes of record `id`: the last record's when it is that one, else one `getSync`. */
  #recordSync(id: number, keyText: () => string): Uint8Array | undefined {
    if (id === this.#lastId && this.#lastWrites === this.#writes) return this.#lastBytes;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#db.getSync(recordKey(id));
    } catch (cause) {
      if ((cause as { code?: string })?.code === 'LEVEL_NOT_SUPPORTED')
        throw new LeanrecError(
          'E_ARGUMENT',
          `reading record ${keyText()}: the database has no getSync(); use load() or loadMany()`,
          { cause },
        );
      throw ioError(cause, `reading record ${keyText()}`);
    }
    this.#lastId = id;
    this.#lastBytes = bytes;
    this.#lastWrites = this.#writes;
    this.#lastChecked = false;
    return bytes;
  }

  /** Like `read`, asynchronously: one read of the record for every group not in the cache. */
  async load(
    id: number,
    group: string | undefined,
    keyText: () => string,
  ): Promise<Record<string, unknown>> {
    const groups = this.groupsFor(group);
    // Hits are taken now: decoding the missing groups below may evict them from the cache.
    const hits = groups.map((g) => this.#cache.get(id, g.code));
    let bytes: Uint8Array | undefined;
    const writes = this.#writes;
    if (hits.includes(undefined)) {
      try {
        // getMany, not get: `get` is what the commit protocol reads `m gen` back with.
        [bytes] = await this.#db.getMany([recordKey(id)]);
      } catch (cause) {
        throw ioError(cause, `reading record ${keyText()}`);
      }
    }
    // What was read before a write completed may be older than it: not for the cache.
    const fresh = writes === this.#writes;
    const out: Record<string, unknown> = {};
    let checked = false;
    for (const [k, g] of groups.entries()) {
      const v = hits[k] ?? this.#decode(id, g, bytes, keyText, fresh, checked);
      if (groups.length === 1) return v as Record<string, unknown>;
      checked ||= hits[k] === undefined;
      mergeInto(out, v);
    }
    return out;
  }

  /** Cold fields of many records: `getMany` of 256 records at a time, one key per record. */
  async loadMany(
    ids: readonly number[],
    group: string | undefined,
    keyTextAt: (i: number) => string,
    cache = true,
  ): Promise<Record<string, unknown>[]> {
    const groups = this.groupsFor(group);
    const one = groups.length === 1;
    const out: Record<string, unknown>[] = new Array(ids.length);
    // The next batch is read (on LevelDB's thread) while this one is decoded (on this one).
    let next = this.#fetch(ids, 0, groups, out, cache);
    for (let start = 0; start < ids.length; start += GET_MANY_BATCH) {
      const { want, values, writes } = await next;
      // What was read before a write completed may be older than it: not for the cache.
      const fresh = cache && writes === this.#writes;
      if (start + GET_MANY_BATCH < ids.length)
        next = this.#fetch(ids, start + GET_MANY_BATCH, groups, out, cache);
      for (let k = 0; k < want.length; k++) {
        const i = want[k]!;
        const id = ids[i]!;
        if (one) {
          out[i] = this.#decode(id, groups[0]!, values[k], () => keyTextAt(i), fresh) as Record<
            string,
            unknown
          >;
          continue;
        }
        const o: Record<string, unknown> = {};
        let checked = false;
        for (const g of groups) {
          const hit = this.#cache.get(id, g.code);
          mergeInto(o, hit ?? this.#decode(id, g, values[k], () => keyTextAt(i), fresh, checked));
          checked ||= hit === undefined;
        }
        out[i] = o;
      }
    }
    return out;
  }

  /**
   * The batch of `loadMany` from position `start`: fills `out` with what the cache holds
   * and reads the rest (`want`: their positions; `values`: their entries, in order).
   * `writes`: the write count when the read began (what it read may enter the cache
   * only if no write completed before it is decoded).
   * Its rejection is handled here too, so that a batch read ahead of one that failed
   * never surfaces as unhandled; the caller still sees it on `await`.
   */
  #fetch(
    ids: readonly number[],
    start: number,
    groups: readonly ColdGroup[],
    out: Record<string, unknown>[],
    cache: boolean,
  ): Promise<{ want: number[]; values: (Uint8Array | undefined)[]; writes: number }> {
    const end = Math.min(ids.length, start + GET_MANY_BATCH);
    const want: number[] = [];
    for (let i = start; i < end; i++) {
      const id = ids[i]!;
      if (groups.length === 1) {
        const hit = this.#cache.get(id, groups[0]!.code);
        if (hit !== undefined) out[i] = hit as Record<string, unknown>;
        else want.push(i);
        continue;
      }
      // Several groups: a record is read when any of them is not cached.
      const o: Record<string, unknown> = {};
      let all = true;
      for (const g of groups) {
        const hit = this.#cache.get(id, g.code);
        if (hit === undefined) all = false;
        else mergeInto(o, hit);
      }
      if (all) out[i] = o;
      else want.push(i);
    }
    const writes = this.#writes;
    if (want.length === 0) return Promise.resolve({ want, values: [], writes });
    // getMany, not an iterator over the range: measured on a scan of every record in key
    // order, an iterator (nextv of 64 or 256) took as much CPU and peaked at ≈ 88 MB of
    // RSS against ≈ 42 MB. A pass that keeps nothing (`cache` false) leaves LevelDB's
    // block cache alone too: its blocks would only evict what random reads keep using.
    const read = this.#db
      .getMany(
        want.map((i) => recordKey(ids[i]!)),
        cache ? {} : NO_FILL,
      )
      .then(
        (values) => ({ want, values, writes }),
        (cause: unknown) => {
          throw ioError(cause, 'reading records');
        },
      );
    read.catch(() => undefined);
    return read;
  }

  /**
   * Decodes group `g` of a stored record, or handles its absence; caches it when `cache`.
   * `checked`: an earlier group decoded from the same `bytes` passed the value's check.
   */
  #decode(
    id: number,
    g: ColdGroup,
    bytes: Uint8Array | undefined,
    keyText: () => string,
    cache: boolean,
    checked = false,
  ): object {
    const what = groupText(keyText, g.name);
    const raw =
      bytes === undefined ? undefined : this.#codec.decodePart(bytes, 1 + g.code, what, checked);
    if (raw === undefined) {
      // A group added to the schema after this record was written: all its fields absent.
      if (bytes !== undefined && id < (this.#since[g.code] ?? 0)) return {};
      throw new LeanrecError(
        'E_CORRUPT',
        bytes === undefined
          ? `record ${keyText()}: its entry is missing from the database (cold group "${g.name}")`
          : `record ${keyText()}: cold group "${g.name}" is missing from the database`,
        { key: keyText() },
      );
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new LeanrecError(
        'E_CORRUPT',
        `record ${keyText()}: cold group "${g.name}" is not a record`,
        { key: keyText() },
      );
    const value = this.#shapes[g.code]!.fromStored(raw as Record<string, unknown>, what);
    // Cached objects are shared by every reader, so they are frozen; others are the caller's.
    if (cache && this.#cache.maxBytes > 0) this.#cache.set(id, g.code, deepFreeze(value));
    return value;
  }
}

/**
 * Names group `group` of a record in messages. Built here rather than as a named arrow
 * at the call: tsx (as the bench and the tests run the sources) keeps function names, and
 * naming a closure per read cost ≈ 1 µs of `defineProperty` on every uncached read.
 */
function groupText(keyText: () => string, group: string): () => string {
  return () => `record ${keyText()}, cold group "${group}"`;
}

function mergeInto(out: Record<string, unknown>, part: object): void {
  for (const k of Object.keys(part))
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: (part as Record<string, unknown>)[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = (part as Record<string, unknown>)[k];
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v) && !(v instanceof Uint8Array)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
