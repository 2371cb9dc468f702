/**
 * Tests that damage a stored record on purpose: layout 2 keeps a record in one entry,
 * one segment per part (src/cold/layout.ts). `setPart` replaces one part of it.
 */
import { recordKey } from '../../src/cold/layout.ts';
import { readTable, writeTable } from '../../src/cold/segments.ts';

const FORMAT_V2 = 0x02;

/** What these helpers need of a database (a store's, or a raw classic-level one). */
interface Db {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
}

/** The segments of a stored record value. */
export function parts(value: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i <= value[1]!; i++) {
    const at = readTable(value, FORMAT_V2, i, () => 'record')!;
    out.push(value.subarray(at.start, at.end));
  }
  return out;
}

/**
 * Replaces part `index` (0: hot, 1 + g: cold group g) of record `id`: with `bytes` given
 * as a codec value (format byte 0x01 then msgpack: its msgpack goes in), raw bytes
 * otherwise, or nothing (`undefined`: the part is absent).
 */
export async function setPart(
  db: Db,
  id: number,
  index: number,
  bytes: Uint8Array | undefined,
): Promise<void> {
  const value = await db.get(recordKey(id));
  if (value === undefined) throw new Error(`record id ${id} is not stored`);
  const list = parts(value);
  list[index] =
    bytes === undefined ? new Uint8Array(0) : bytes[0] === 0x01 ? bytes.subarray(1) : bytes;
  const body = new Uint8Array(list.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of list) {
    body.set(p, at);
    at += p.length;
  }
  await db.put(
    recordKey(id),
    writeTable(
      FORMAT_V2,
      list.map((p) => p.length),
      body,
    ),
  );
}

/** Part `index` of record `id` as a codec value (format byte 0x01 first); `undefined` if absent. */
export async function getPart(db: Db, id: number, index: number): Promise<Uint8Array | undefined> {
  const value = await db.get(recordKey(id));
  if (value === undefined) return undefined;
  const p = parts(value)[index];
  if (p === undefined || p.length === 0) return undefined;
  const out = new Uint8Array(p.length + 1);
  out[0] = 0x01;
  out.set(p, 1);
  return out;
}
