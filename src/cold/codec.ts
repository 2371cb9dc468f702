/**
 * The record codec: one msgpackr `Packr` per store, with record structures shared
 * across all values and persisted in the database.
 *
 *   value    = [ FORMAT_V1 ][ msgpack (records referencing shared structures) ]   (layout 1)
 *   record   = [ FORMAT_V2 ][ segment table ][ msgpack ][ msgpack ] …            (layout 2)
 *
 * The record form (one segment per part, see layout.ts) is built and split by
 * `encodeRecord` and `decodePart`; the table's format is in segments.ts.
 *
 * msgpackr's sharp edges stay in this file:
 * - It calls `saveStructures` synchronously inside `pack()`, but LevelDB cannot write
 *   synchronously. New structures are collected here as *pending*; the store writes
 *   them (`m structures`) in the same atomic batch as the records that use them, then
 *   calls `commit()`. If the batch fails, `rollback()` rebuilds the Packr from the
 *   committed structures, so no record can reference a structure that is not stored.
 * - `pack()` returns a view into one reused buffer that the next `pack()` overwrites:
 *   every encoded value is copied (with its format byte) before it is returned.
 * - A value encoded with structures also parses as plain msgpack (its first byte reads
 *   as the integer 64), hence the format byte: anything else is `E_CORRUPT`.
 */
// 'msgpackr/pack' is msgpackr's plain-JavaScript entry: the main one loads its native
// string extractor (msgpackr-extract, a `.node` addon) at import time, which an in-memory
// store does without. A store on disk imports the main entry (cold-tier.ts), which
// installs the extractor in the module this entry shares: with it, decoding the Debian
// index's values takes 1.6× less CPU and uncached cold reads ≈ 10 % less (bench/extractor.ts).
import { Packr, RESET_BUFFER_MODE, Unpackr } from 'msgpackr/pack';
import { LeanrecError } from '../errors.ts';
import { CHECK_BYTES, checkValue, readTable, sealTable, tableRoom } from './segments.ts';

/** What msgpackr decodes the never-used byte 0xc1 to (its `C1`, not typed in this entry). */
const C1: unknown = new Unpackr().unpack(Uint8Array.of(0xc1));

/** The format byte of values written by this version. */
export const FORMAT_V1 = 0x01;

/** The format byte of a whole record (layout version 2: segment table, then segments). */
export const FORMAT_V2 = 0x02;

/** Initial size of the scratch buffer of `encodeRecord`. */
const SCRATCH_BYTES = 4096;
/**
 * msgpackr packs into one module-wide buffer of 8 KiB that it grows to 4× a value too
 * large for it and never shrinks; a packed part above this may have grown it.
 */
const PACK_BUFFER = 8192;
const GROWS_PACK_BUFFER = PACK_BUFFER / 4;

/**
 * The bounds `decodePart` hands msgpackr (its `unpack(source, { start, end })`), reused:
 * msgpackr reads them before it decodes, and a decode does not re-enter this codec.
 */
const RANGE = { start: 0, end: 0 };

/** Most shared structures (msgpackr's maximum). */
const MAX_SHARED = 8160;

type Structures = unknown[][];

export class RecordCodec {
  #packr: Packr;
  /** Reused between encodes: the record value being built (table room, segments, check). */
  #scratch = new Uint8Array(SCRATCH_BYTES);
  /** Reused between `encodeRecordView` calls: each part's packed length. */
  #lengths = new Uint32Array(8);
  /** True once a part was packed that may have grown msgpackr's buffer (see {@link release}). */
  #grown = false;
  /** Structures known to be stored in the database. */
  #committed: Structures;
  /** Structures created by encodes not yet committed (undefined: none). */
  #pending: Structures | undefined;

  /**
   * @param structures - the shared structures stored in the database (`m structures`).
   * @throws LeanrecError `E_CORRUPT` when `structures` (decoded from the database) is not a
   *   list of at most 8,160 lists of field names.
   */
  constructor(structures: Structures = []) {
    if (!isStructures(structures))
      throw new LeanrecError(
        'E_CORRUPT',
        `metadata entry "structures" is not a list of at most ${MAX_SHARED} lists of field names`,
      );
    this.#committed = copy(structures);
    this.#packr = this.#make();
  }

  #make(): Packr {
    return new Packr({
      useRecords: true,
      // Structures must come through getStructures(), not the `structures` option:
      // only that path marks structures past the 32nd as two-byte ids (`highByte`),
      // without which a fresh reader misreads every record using them.
      getStructures: () => copy(this.#committed),
      maxSharedStructures: MAX_SHARED,
      // Bytes fields come back as Uint8Array copies, never as views into a read buffer.
      mapsAsObjects: true,
      saveStructures: (s: Structures & { sharedLength?: number }) => {
        const n = s.sharedLength ?? s.length;
        const known = this.#pending ?? this.#committed;
        // Stored structures never change, so only the new ones are copied: copying them
        // all for each new one made the 8,160th cost 8,160 copies (1.6 s of a 3.1 s ingest).
        this.#pending =
          known.length <= n ? known.concat(copy(s.slice(known.length, n))) : copy(s.slice(0, n));
        return true;
      },
    } as ConstructorParameters<typeof Packr>[0]);
  }

  /** Encodes `value` into a fresh buffer owned by the caller (format byte first). */
  encode(value: unknown): Uint8Array {
    const packed = this.#packr.pack(value);
    const out = new Uint8Array(packed.length + 1);
    out[0] = FORMAT_V1;
    out.set(packed, 1);
    return out;
  }

  /**
   * Encodes the parts of one record (hot part first, then each cold group) into one
   * fresh value: format byte, segment table, segments, check ({@link encodeRecordView},
   * copied once).
   */
  encodeRecord(parts: readonly unknown[]): Uint8Array {
    return this.encodeRecordView(parts).slice();
  }

  /**
   * Encodes the parts of one record like {@link encodeRecord}, into the codec's reused
   * buffer: the value is a view that the next encode overwrites, for a database that
   * copies it on `put` (classic-level copies into its native batch). Each part is packed
   * into msgpackr's buffer from its start (`RESET_BUFFER_MODE`: msgpackr reuses that
   * buffer instead of taking a fresh 8 KiB one each time it fills up) and copied once,
   * behind room for the table, which is then written in front of the segments.
   */
  encodeRecordView(parts: readonly unknown[]): Uint8Array {
    const n = parts.length;
    if (this.#lengths.length < n) this.#lengths = new Uint32Array(n);
    const lengths = this.#lengths;
    const room = tableRoom(n);
    let used = room;
    for (let i = 0; i < n; i++) {
      const packed = this.#packr.pack(parts[i], RESET_BUFFER_MODE);
      const len = packed.length;
      if (used + len + CHECK_BYTES > this.#scratch.length) {
        const size = Math.max(2 * this.#scratch.length, used + len + CHECK_BYTES);
        const grown = new Uint8Array(size);
        grown.set(this.#scratch.subarray(room, used), room);
        this.#scratch = grown;
      }
      this.#scratch.set(packed, used);
      used += len;
      if (len > GROWS_PACK_BUFFER) this.#grown = true;
      lengths[i] = len;
    }
    return sealTable(FORMAT_V2, lengths, n, this.#scratch, room, used);
  }

  /**
   * Gives back the buffers a large record grew (msgpackr's pack buffer, the scratch
   * buffer): call after a batch is encoded. Without it, one 230 kB record of the Debian
   * index left 0.9 MB of pack buffer and 150 kB of scratch held for good after an
   * ingest, which `memory()` did not count. Every encoded value is a copy, so nothing
   * still points into them.
   */
  release(): void {
    if (!this.#grown) return;
    this.#grown = false;
    // A fresh buffer of msgpackr's initial size and kind (a Buffer on Node: msgpackr
    // writes strings with its utf8Write); msgpackr grows it again when it must.
    this.#packr.useBuffer(Buffer.allocUnsafeSlow(PACK_BUFFER));
    if (this.#scratch.length > SCRATCH_BYTES) this.#scratch = new Uint8Array(SCRATCH_BYTES);
  }

  /**
   * Checks a record value's format byte and xxHash32 once, for several
   * `decodePart(…, checked = true)` of it.
   * @throws LeanrecError `E_CORRUPT` for a wrong format byte or a failed check.
   */
  checkRecord(bytes: Uint8Array, what: () => string): void {
    checkValue(bytes, FORMAT_V2, what);
  }

  /**
   * Decodes segment `index` of a record value (0: the hot part; 1 + g: cold group g);
   * `undefined` when the record has fewer segments (written before the group existed)
   * or an empty one (a group a layout-1 store did not hold for it). With `checked` the
   * value's check is skipped: the caller ran {@link checkRecord} on these bytes.
   * @throws LeanrecError `E_CORRUPT` for a wrong format byte, a broken segment table or
   *   undecodable bytes (`what` names the entry).
   */
  decodePart(bytes: Uint8Array, index: number, what: () => string, checked = false): unknown {
    const at = readTable(bytes, FORMAT_V2, index, what, checked);
    // A zero-length segment is a part the record does not have (no msgpack value is empty).
    if (at === undefined || at.start === at.end) return undefined;
    // Bounds instead of a subarray: no Buffer made per segment, and msgpackr keeps the
    // DataView it makes on `bytes` for the next segment read from the same value.
    RANGE.start = at.start;
    RANGE.end = at.end;
    return this.#unpack(bytes, what, RANGE);
  }

  /**
   * Decodes a stored value.
   * @throws LeanrecError `E_CORRUPT` for a wrong format byte or undecodable bytes (`what` names the entry).
   */
  decode(bytes: Uint8Array, what: () => string): unknown {
    if (bytes.length < 2 || bytes[0] !== FORMAT_V1)
      throw new LeanrecError(
        'E_CORRUPT',
        `${what()}: stored value has format byte ${bytes[0] ?? 'none'}, expected ${FORMAT_V1}`,
      );
    return this.#unpack(bytes.subarray(1), what);
  }

  #unpack(bytes: Uint8Array, what: () => string, range?: { start: number; end: number }): unknown {
    let value: unknown;
    try {
      value = this.#packr.unpack(bytes, range as never);
    } catch (cause) {
      throw new LeanrecError(
        'E_CORRUPT',
        `${what()}: stored value cannot be decoded (${(cause as Error).message})`,
        {
          cause,
        },
      );
    }
    // msgpackr decodes the never-used byte 0xc1 to a marker object instead of failing.
    if (value === C1)
      throw new LeanrecError('E_CORRUPT', `${what()}: stored value is the never-used byte 0xc1`);
    return value;
  }

  /** Structures created since the last commit, to be written with the batch; `undefined` if none. */
  get pending(): Structures | undefined {
    return this.#pending;
  }

  /** The batch that carried `pending` was written: the structures are now stored. */
  commit(): void {
    if (this.#pending !== undefined) this.#committed = this.#pending;
    this.#pending = undefined;
  }

  /** The batch failed: forget structures that were never stored. */
  rollback(): void {
    if (this.#pending === undefined) return;
    this.#pending = undefined;
    this.#packr = this.#make();
  }

  /** Number of stored shared structures. */
  get structureCount(): number {
    return this.#committed.length;
  }

  /**
   * The shared structures a stored value may reference: the stored ones and those of a
   * batch being written (its records may already be visible to a read). Entries never
   * change once listed; new ones are appended.
   */
  get structures(): readonly (readonly unknown[])[] {
    return this.#pending ?? this.#committed;
  }
}

function isStructures(s: unknown): s is Structures {
  return (
    Array.isArray(s) &&
    s.length <= MAX_SHARED &&
    s.every((k) => Array.isArray(k) && k.every((name) => typeof name === 'string'))
  );
}

function copy(s: Structures): Structures {
  return s.map((k) => [...k]);
}
