/**
 * The LevelDB layout of one store. Keys are short binary strings; ids are big-endian so
 * records sort by id and ingest appends.
 *
 *   'h' id:u32be                → hot fields of the record (codec value)
 *   'c' group:u8 id:u32be       → one cold group of the record (codec value)
 *   'm' name                    → metadata (msgpack):
 *        m schema      the schema descriptor (JSON-safe object)
 *        m structures  msgpackr shared structures (array of key arrays)
 *        m next        next id (u32)
 *        m gen         generation of the data: bumped by the first write after a snapshot
 *        m snap        generation the hot snapshot was taken at (absent: no snapshot)
 *        m since       per cold group, the first id written with that group
 *        m pending     first id of an atomic ingest under way (absent otherwise): every
 *                      entry with an id ≥ it is staged, and is deleted if the ingest
 *                      fails or the process dies before its last batch (see staging.ts)
 *   's' part 0x00 chunk:u32be   → hot snapshot: raw column bytes, in chunks of ≤ 4 MiB
 *        's' "#meta"            → snapshot header (msgpack: rows, size, nextId, parts,
 *                                   format: see hot/snapshot-format.ts; absent = 1)
 *
 * Every codec value starts with a format byte (see codec.ts), so bytes from another
 * format are detected rather than misread.
 */

const H = 0x68; // 'h'
const C = 0x63; // 'c'
const M = 0x6d; // 'm'
const S = 0x73; // 's'

/** Largest snapshot chunk. */
export const SNAPSHOT_CHUNK = 4 * 1024 * 1024;

/** Key of a record's hot entry. */
export function hotKey(id: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = H;
  writeU32BE(k, 1, id);
  return k;
}

/** Key of a record's cold group entry. */
export function coldKey(group: number, id: number): Uint8Array {
  const k = new Uint8Array(6);
  k[0] = C;
  k[1] = group;
  writeU32BE(k, 2, id);
  return k;
}

/** Key of a metadata entry. */
export function metaKey(name: string): Uint8Array {
  return prefixed(M, name);
}

/** Key of a snapshot chunk. */
export function snapshotKey(part: string, chunk: number): Uint8Array {
  const name = new TextEncoder().encode(part);
  const k = new Uint8Array(1 + name.length + 1 + 4);
  k[0] = S;
  k.set(name, 1);
  k[1 + name.length] = 0;
  writeU32BE(k, 2 + name.length, chunk);
  return k;
}

/** Range bounds covering every key that starts with `prefix` bytes. */
export function range(...prefix: number[]): { gte: Uint8Array; lt: Uint8Array } {
  const gte = Uint8Array.from(prefix);
  const lt = Uint8Array.from(prefix);
  lt[lt.length - 1]!++;
  return { gte, lt };
}

/** Ranges of each entry kind. */
export const HOT_RANGE = range(H);
export const SNAPSHOT_RANGE = range(S);

/** Ranges of the hot entries and of each cold group's entries with ids ≥ `id`. */
export function rangesFrom(
  id: number,
  groups: readonly number[],
): { gte: Uint8Array; lt: Uint8Array }[] {
  return [
    { gte: hotKey(id), lt: HOT_RANGE.lt },
    // The last group's range ends where the 'c' entries end (g + 1 would wrap to 0).
    ...groups.map((g) => ({
      gte: coldKey(g, id),
      lt: g === 0xff ? Uint8Array.of(C + 1) : Uint8Array.of(C, g + 1),
    })),
  ];
}

/** The id in a hot key. */
export function idOfHotKey(k: Uint8Array): number {
  return readU32BE(k, 1);
}

/** Splits a snapshot key into its part name and chunk number. */
export function parseSnapshotKey(k: Uint8Array): { part: string; chunk: number } {
  const zero = k.indexOf(0, 1);
  return { part: new TextDecoder().decode(k.subarray(1, zero)), chunk: readU32BE(k, zero + 1) };
}

function prefixed(tag: number, name: string): Uint8Array {
  const n = new TextEncoder().encode(name);
  const k = new Uint8Array(1 + n.length);
  k[0] = tag;
  k.set(n, 1);
  return k;
}

function writeU32BE(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
