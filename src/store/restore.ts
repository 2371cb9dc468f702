/**
 * The hot tier's round trip through the cold tier's database: on open, it comes back
 * from the hot snapshot when that snapshot is current, and is otherwise rebuilt from the
 * stored records; on close, a new snapshot is stored (when the data changed).
 *
 * The snapshot is the tier's raw arrays in chunks of ≤ 4 MiB under snapshot keys
 * (cold/layout.ts), plus a header (`#meta`: rows, size, next id, parts, format). The
 * cold tier stores and lists those entries; this file is what knows the hot tier.
 */
import { pack, unpack } from 'msgpackr/pack';
import type { BatchOp } from '../cold/backend.ts';
import type { ColdTier } from '../cold/cold-tier.ts';
import { parseSnapshotKey, snapshotKey } from '../cold/layout.ts';
import { duplicateKeyError, snapshotUsable } from '../hot/snapshot-format.ts';
import type { HotTier } from '../hot/tier.ts';

/**
 * Brings the hot tier back after the cold tier opened: nothing for a new store, the
 * snapshot when it is current and complete, else a rebuild from the stored records.
 * Sets `cold.openMode`.
 */
export async function restoreHot(cold: ColdTier, tier: HotTier): Promise<void> {
  const next = cold.storedNextId;
  if (next === 0) {
    cold.openMode = 'new';
    return;
  }
  if (cold.snapshotCurrent && (await loadSnapshot(cold, tier))) {
    cold.openMode = 'snapshot';
    tier.nextId = Math.max(tier.nextId, next);
    return;
  }
  // The snapshot is stale or incomplete: forget it, so that close() writes a new one.
  if (cold.snapshotMarked) await cold.forgetSnapshot();
  for await (const { id, rec } of cold.hotRecords()) {
    const row = tier.findRow(rec);
    if (row >= 0) throw duplicateKeyError(tier, row, id, rec);
    tier.insert(rec, id);
  }
  tier.nextId = Math.max(tier.nextId, next);
  tier.settle();
  cold.openMode = 'rebuild';
}

/** Closes the cold tier, saving the hot snapshot first when it needs one. */
export function closeCold(cold: ColdTier, tier: HotTier): Promise<void> {
  return cold.close(() => cold.writeSnapshot(snapshotEntries(tier, cold.chunkBytes)));
}

/** The snapshot of `tier` as puts: every array in chunks of ≤ `chunkBytes`, then the header. */
function* snapshotEntries(tier: HotTier, chunkBytes: number): Generator<BatchOp> {
  const { meta, parts } = tier.snapshot();
  const header: Record<string, number> = {};
  for (const [name, arrays] of parts) {
    header[name] = arrays.length;
    for (const [i, bytes] of arrays.entries()) {
      const part = `${name}#${i}`;
      let chunk = 0;
      for (let off = 0; off < bytes.length || chunk === 0; off += chunkBytes)
        yield {
          type: 'put',
          key: snapshotKey(part, chunk++),
          value: bytes.slice(off, off + chunkBytes),
        };
    }
  }
  yield { type: 'put', key: snapshotKey('#meta', 0), value: pack({ ...meta, parts: header }) };
}

/**
 * Restores the hot tier from the stored snapshot; false when there is none or it is
 * incomplete (the caller then rebuilds from the records). Each array is joined from its
 * chunks as soon as its last chunk is read, and handed to the tier without another copy,
 * so the snapshot is held about once while it is restored, not three times.
 */
async function loadSnapshot(cold: ColdTier, tier: HotTier): Promise<boolean> {
  const arrays = new Map<string, Uint8Array>();
  let part = '';
  let chunks: Uint8Array[] = [];
  const finish = () => {
    if (chunks.length > 0) arrays.set(part, concat(chunks));
    chunks = [];
  };
  // Keys sort by part, then chunk number: a part's chunks arrive together and in order.
  for await (const [key, value] of cold.snapshotEntries()) {
    const k = parseSnapshotKey(key);
    if (k.part !== part) {
      finish();
      part = k.part;
    }
    if (k.chunk !== chunks.length) return false; // a chunk is missing
    chunks.push(value);
  }
  finish();
  const head = arrays.get('#meta');
  if (head === undefined) return false;
  const header = unpack(head) as {
    rowCount: number;
    size: number;
    nextId: number;
    parts: Record<string, number>;
    format?: number;
  };
  // An older format's key index may hash keys differently: rebuilt from the records.
  if (!snapshotUsable(tier.schema, header.format)) return false;
  const parts = new Map<string, Uint8Array[]>();
  for (const [name, count] of Object.entries(header.parts)) {
    const list: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = arrays.get(`${name}#${i}`);
      if (bytes === undefined) return false;
      list.push(bytes);
    }
    parts.set(name, list);
  }
  tier.restore(
    { rowCount: header.rowCount, size: header.size, nextId: header.nextId },
    parts,
    true,
  );
  return true;
}

/** The chunks joined, as a plain `Uint8Array` (a `Buffer` would slice as a view). */
function concat(list: Uint8Array[]): Uint8Array {
  if (list.length === 1) {
    const b = list[0]!;
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const out = new Uint8Array(list.reduce((s, b) => s + b.length, 0));
  let off = 0;
  for (const b of list) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}
