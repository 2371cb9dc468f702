/**
 * The LevelDB layout of one store, version 2 (`m layout` = 2). Keys are short binary
 * strings; ids are big-endian so records sort by id and ingest appends.
 *
 *   'r' id:u32be                → the whole record, one entry (see "record value" below)
 *   'm' name                    → metadata (msgpack):
 *        m layout      this layout's version (absent: version 1, see below)
 *        m schema      the schema descriptor (JSON-safe object)
 *        m structures  msgpackr shared structures (array of key arrays)
 *        m next        next id (u32)
 *        m gen         generation of the data: bumped by the first write after a snapshot
 *        m snap        generation the hot snapshot was taken at (absent: no snapshot)
 *        m since       per cold group, the first id written with that group
 *        m pending     first id of an atomic ingest under way (absent otherwise): every
 *                      record with an id ≥ it is staged, and is deleted if the ingest
 *                      fails or the process dies before its last batch (see staging.ts)
 *        m migrate     set while version-1 entries left by a migration are deleted
 *   's' part 0x00 chunk:u32be   → hot snapshot: raw column bytes, in chunks of ≤ 4 MiB
 *        's' "#meta"            → snapshot header (msgpack: rows, size, nextId, parts,
 *                                   format: see hot/snapshot-format.ts; absent = 1)
 *
 * Record value: one segment per part, each a msgpack value of its own, so that a read
 * decodes only the part it asks for (segments.ts):
 *
 *   [ FORMAT_V2 ][ n−1:u8 ][ len 0 ][ len 1 ] … [ len n−1 ][ hot ][ group 0 ] … [ group n−2 ]
 *                         └ varints (LEB128) ┘
 *
 * A record written before a cold group was added has fewer segments; the group's
 * absence is then told from a missing one by `m since` (as in version 1).
 *
 * Version 1 (every store written before `m layout` existed) kept one entry per part:
 *   'h' id:u32be → hot fields;  'c' group:u8 id:u32be → one cold group;
 * each value a FORMAT_V1 codec value. `open` migrates it in place (migrate.ts).
 *
 * DESIGN: why one entry per record. Measured on the Debian index (63,440 records) with
 * bench/cold-layout.ts: random `getSync` of the W5 key sequence plus decoding `control`
 * and `relations`, 2 MiB block cache, variants in turns in one process; two sittings on
 * a shared 2-core host (load 9.2 and 5.1), figures of the second, first in brackets:
 * - the number of gets per record is the lever. A `getSync` costs a fixed ≈ 2.3–3.8 µs
 *   however small the value (issue #12's measurements), and a W5 fetch of two groups
 *   paid it twice in layout 1. One entry per record: 95 k records/s against 44 k for
 *   'h'/'c' entries at 4 KiB blocks, 2.15× [1.81×]. A view that reads several groups of
 *   one record in a row reuses the bytes it read (reads.ts), so it pays one get too.
 *   (Issue #12 also measured 'c' id group — groups side by side under separate keys — at
 *   the rate of 'c' group id: co-location alone does not help.)
 * - segments, not one msgpack map: a read decodes only the groups it names (a verify
 *   reads `relations` without decoding descriptions).
 * - the hot part rides in the same entry: a write puts one entry per record instead of
 *   1 + groups, a delete deletes one; the rebuild after a crash (rare) iterates whole
 *   records but decodes only their hot segment.
 * - block size (BLOCK_SIZE): 512 B 89 k [15 k], 1 KiB 95 k [40 k], 2 KiB 94 k [23 k],
 *   4 KiB 89 k [30 k] records/s; on disk after a compaction 30.3, 30.3, 26.7, 24.1 MB.
 *   1 KiB was fastest in both sittings (issue #12 measured 1.3–2.5× over 4 KiB on
 *   layout 1), at 26 % more disk than 4 KiB.
 * - compression stays on (snappy): off, 4 KiB blocks read 108 k [44 k] records/s, the
 *   fastest, but the store grows from 24 to 42 MB; not worth 75 % more disk here.
 * - a bloom filter is always on: classic-level's binding sets LevelDB's
 *   `NewBloomFilterPolicy(10)` on every database (binding.cc) and exposes no option for
 *   it (its options: cache, write buffer, block size, restart interval, file size,
 *   compression). A get on a key absent from a table skips that table's data blocks.
 * - where an uncached read's time goes (10,000 W5 records, CPU per record, one sitting,
 *   load 6–13): raw `getSync` of the record 7.1–9.5 µs whatever the block cache (512 KiB,
 *   1, 2, 8 or 32 MiB: the blocks are found; the cost is the lookup and the copy into a
 *   new Buffer); leanrec's own part (checksum, table, msgpack, shape check of two groups)
 *   ≈ 4.5–7 µs, of which msgpackr's unpack ≈ 52 %, the shape check ≈ 24 %, the xxHash32
 *   ≈ 11 %. lmdb-js's whole fetch is ≈ 9 µs in the suite: LevelDB's get alone costs
 *   about as much, which bounds W5 uncached below lmdb-js with this backend.
 * - the cost: a scan of one group over all records reads whole records. A raw iterator
 *   pass decoding `relations` ran at 141 k [41 k] records/s against 228 k [92 k] for
 *   layout 1's 'c' entries (0.62×). Through `loadMany` (getMany of 256 records, as
 *   verify reads) `verifyDependencies` took 1.32×, 1.18× and 1.30× of layout 1's time in
 *   three interleaved runs of the suite's contenders (load 3–4.5), and its peak RSS
 *   above its start rose from 12–22 MB to 35–56 MB (whole records are copied out of
 *   LevelDB). An iterator over the range instead of getMany was no faster and peaked
 *   at ≈ 50 MB. This is the price of one get per random fetch; see issue #12's report.
 *   Later, reading less around each get (one xxHash per value, no per-read closure
 *   naming, the next getMany under way while a batch decodes): a `loadMany` pass of
 *   `relations` over every record, layout 1 (207ac46) vs this code in turns, 3 runs,
 *   load 1.5–2.5: 562 → 688 ms (1.22×; CPU 1.19×), of `control` 635 → 767 ms; a
 *   fresh open + `verifyDependencies` 2120 → 1519 ms (0.72×: the verify rewrite).
 *   What stays: classic-level copies each whole value out (≈ 650 B against the group's
 *   ≈ 250 B) and the raw `getMany` of every record is ≈ 400 ms CPU by itself; an
 *   iterator (nextv of 64 or 256) took as much CPU and peaked at 88 MB against 42 MB.
 *   Later still (the segment table read with integer shifts, msgpackr given the
 *   segment's bounds, one pass of the shape check): `loadMany` of `relations` over every
 *   record in batches of 256, process CPU, layout 1 (207ac46) / the code before / now in
 *   turns, two rounds, load ≈ 12: 489, 427 / 645, 637 / 557, 559 ms (1.2× layout 1,
 *   was 1.4×). Raw classic-level over the same records: `getMany` of 64 or 256 keys
 *   337–451 ms CPU, an iterator's `nextv(1000)` 412–551 ms; a CPU profile puts ≈ 3 µs a
 *   record of it on the main thread in classic-level (a Buffer per value), which no
 *   read order avoids.
 * - the RSS a scan adds is LevelDB's memory-mapped table files, not heap: LevelDB
 *   reads its table files through mmap (up to 1,000 files on 64-bit, not configurable
 *   through classic-level), and a pass over every record maps every page of them.
 *   Measured in the runs above (RssFile and RssAnon from /proc/self/status, end of the
 *   pass minus start): layout 1 +5.2 MB file-backed (the 'c' relations range only),
 *   layout 2 +30.5 MB (the whole store); anonymous memory +14–17 MB in layout 1 and
 *   +14 MB here. Those pages are clean page cache the kernel can drop, but `VmHWM`
 *   counts them, hence verify's higher "peak RSS above its start" in the suite.
 *
 * Every codec value starts with a format byte (see codec.ts), so bytes from another
 * format are detected rather than misread.
 */

const R = 0x72; // 'r'
const H = 0x68; // 'h' (version 1)
const C = 0x63; // 'c' (version 1)
const M = 0x6d; // 'm'
const S = 0x73; // 's'

/** The layout this code writes. */
export const LAYOUT_VERSION = 2;

/**
 * LevelDB block size of the built-in database: 1 KiB, the fastest for random reads of
 * whole records (≈ 480 bytes of disk each) in both sittings of bench/cold-layout.ts (see
 * the DESIGN notes above).
 */
export const BLOCK_SIZE = 1024;

/** Largest snapshot chunk. */
export const SNAPSHOT_CHUNK = 4 * 1024 * 1024;

/** Key of a record's entry. */
export function recordKey(id: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = R;
  writeU32BE(k, 1, id);
  return k;
}

/** Key of a record's hot entry in layout version 1. */
export function v1HotKey(id: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = H;
  writeU32BE(k, 1, id);
  return k;
}

/** Key of a record's cold group entry in layout version 1. */
export function v1ColdKey(group: number, id: number): Uint8Array {
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
export const RECORD_RANGE = range(R);
export const SNAPSHOT_RANGE = range(S);
/** Version-1 entries: hot ('h') and cold ('c'). */
export const V1_HOT_RANGE = range(H);
export const V1_COLD_RANGE = range(C);

/** The range of the records with ids ≥ `id`. */
export function recordsFrom(id: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: recordKey(id), lt: RECORD_RANGE.lt };
}

/** The id in a record key (or a version-1 hot key). */
export function idOfRecordKey(k: Uint8Array): number {
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
