/**
 * The record codec: one msgpackr `Packr` per store, with record structures shared
 * across all values and persisted in the database.
 *
 *   value = [ FORMAT_V1 ][ msgpack (records referencing shared structures) ]
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
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr/pack';
import { LeanrecError } from '../errors.ts';

/** What msgpackr decodes the never-used byte 0xc1 to (its `C1`, not typed in this entry). */
const C1: unknown = new Unpackr().unpack(Uint8Array.of(0xc1));

/** The format byte of values written by this version. */
export const FORMAT_V1 = 0x01;

/** Most shared structures (msgpackr's maximum). */
const MAX_SHARED = 8160;

type Structures = unknown[][];

export class RecordCodec {
  #packr: Packr;
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

  /**
   * Encodes `value` without a copy: the bytes (format byte first) are a view into
   * msgpackr's pack buffer, which it never writes over (a full buffer is replaced by a
   * new one), so the view stays valid; but it keeps that shared buffer (8 KiB, several
   * values) alive as long as it is held. For a database that copies what it is given
   * (classic-level copies each put into its write batch), where it is dropped once the
   * batch is written: a copy less and one allocation per 8 KiB instead of one per value.
   */
  encodeView(value: unknown): Uint8Array {
    const out = this.#packr.pack(value, RESERVE_START_SPACE | 1);
    out[0] = FORMAT_V1;
    return out;
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
   * Decodes a stored value.
   * @throws LeanrecError `E_CORRUPT` for a wrong format byte or undecodable bytes (`what` names the entry).
   */
  decode(bytes: Uint8Array, what: () => string): unknown {
    if (bytes.length < 2 || bytes[0] !== FORMAT_V1)
      throw new LeanrecError(
        'E_CORRUPT',
        `${what()}: stored value has format byte ${bytes[0] ?? 'none'}, expected ${FORMAT_V1}`,
      );
    let value: unknown;
    try {
      value = this.#packr.unpack(bytes.subarray(1));
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
