/**
 * Migration of a layout-1 store (one entry per record part) to layout 2 (one entry per
 * record, layout.ts), in place, on open. Copy, switch, clean:
 *
 *   1. copy    every record's 'h' and 'c' entries into one 'r' entry, in batches (each
 *              `sync`). Readers of this code look at 'r' entries only once `m layout`
 *              is 2, so until then the store is the layout-1 store it was, plus unused
 *              'r' entries. A copy killed part-way is started again from the beginning
 *              by the next open (its 'r' entries are deleted first).
 *   2. switch  one batch puts `m layout` = 2 and `m migrate`: from here on the store is
 *              a layout-2 store. This batch is the only moment the layout changes, so a
 *              SIGKILL leaves either the old layout or the new one, never a mix.
 *   3. clean   the layout-1 entries are deleted in batches, then `m migrate`; a clean
 *              killed part-way is finished by the next open.
 *
 * The values are not decoded: a layout-1 value is a format byte and one msgpack value,
 * which is what a segment holds. The store needs room for a second copy of its records
 * while it migrates. The hot snapshot stays valid (the hot tier does not change).
 */
import { LeanrecError } from '../errors.ts';
import { type BatchOp, deleteRange, putMeta, writeOps } from './backend.ts';
import { FORMAT_V1, FORMAT_V2 } from './codec.ts';
import {
  idOfRecordKey,
  LAYOUT_VERSION,
  metaKey,
  RECORD_RANGE,
  range,
  recordKey,
  V1_COLD_RANGE,
  V1_HOT_RANGE,
} from './layout.ts';
import type { Database } from './options.ts';
import { writeTable } from './segments.ts';

const C = 0x63;
/** Records per copy batch (≈ 0.5 MB of the Debian index), and keys per clean batch. */
const DEFAULT_BATCH = 1000;
const CLEAN_BATCH = 4096;

/** How the migration runs: batch size and a hook awaited after each step (tests). */
export interface MigrateOptions {
  batch?: number | undefined;
  onStep?: ((step: string) => void | Promise<void>) | undefined;
}

/** Copies a layout-1 store into layout 2 and switches to it, then cleans (steps 1–3). */
export async function migrateV1(
  db: Database,
  groupCount: number,
  options: MigrateOptions,
): Promise<void> {
  const write = (ops: BatchOp[]) => writeOps(db, ops, true);
  const batch = options.batch ?? DEFAULT_BATCH;
  await deleteRange(db, RECORD_RANGE, CLEAN_BATCH, write);
  await options.onStep?.('copy');
  const groups = Array.from({ length: groupCount }, (_, g) => new Cursor(db, range(C, g)));
  const hot = db.iterator(V1_HOT_RANGE);
  let copied = 0;
  try {
    for (;;) {
      const entries = await hot.nextv(batch);
      if (entries.length === 0) break;
      const ops: BatchOp[] = [];
      for (const [key, value] of entries) {
        const id = idOfRecordKey(key);
        const parts: Uint8Array[] = [segment(value, () => `hot entry of record id ${id}`)];
        for (const [g, cursor] of groups.entries()) {
          const v = await cursor.take(id);
          parts.push(
            v === undefined ? EMPTY : segment(v, () => `cold group ${g} of record id ${id}`),
          );
        }
        ops.push({ type: 'put', key: recordKey(id), value: join(parts) });
      }
      await write(ops);
      copied += entries.length;
      await options.onStep?.(`copied ${copied}`);
    }
  } finally {
    await hot.close();
    for (const c of groups) await c.close();
  }
  await write([putMeta('layout', LAYOUT_VERSION), putMeta('migrate', 1)]);
  await options.onStep?.('switched');
  await cleanV1(db, options);
}

/** Deletes the layout-1 entries a migration left (step 3), then `m migrate`. */
export async function cleanV1(db: Database, options: MigrateOptions): Promise<void> {
  const write = (ops: BatchOp[]) => writeOps(db, ops, true);
  for (const [name, r] of [
    ['hot', V1_HOT_RANGE],
    ['cold', V1_COLD_RANGE],
  ] as const)
    await deleteRange(db, r, CLEAN_BATCH, write, (n) => options.onStep?.(`cleaned ${name} ${n}`));
  await write([{ type: 'del', key: metaKey('migrate') }]);
  await options.onStep?.('done');
}

const EMPTY = new Uint8Array(0);

/** The msgpack bytes of a layout-1 value (its format byte checked and dropped). */
function segment(value: Uint8Array, what: () => string): Uint8Array {
  if (value.length < 2 || value[0] !== FORMAT_V1)
    throw new LeanrecError(
      'E_CORRUPT',
      `${what()}: stored value has format byte ${value[0] ?? 'none'}, expected ${FORMAT_V1}`,
    );
  return value.subarray(1);
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const body = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return writeTable(
    FORMAT_V2,
    parts.map((p) => p.length),
    body,
  );
}

/** Walks one group's layout-1 entries in id order, alongside the hot entries. */
class Cursor {
  readonly #it: ReturnType<Database['iterator']>;
  #buf: [Uint8Array, Uint8Array][] = [];
  #at = 0;
  #done = false;

  constructor(db: Database, r: { gte: Uint8Array; lt: Uint8Array }) {
    this.#it = db.iterator(r);
  }

  /** The value for `id`, skipping entries of smaller ids (orphans); `undefined` if none. */
  async take(id: number): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#at === this.#buf.length) {
        if (this.#done) return undefined;
        this.#buf = (await this.#it.nextv(DEFAULT_BATCH)) as [Uint8Array, Uint8Array][];
        this.#at = 0;
        if (this.#buf.length === 0) {
          this.#done = true;
          return undefined;
        }
      }
      const [key, value] = this.#buf[this.#at]!;
      const kid = ((key[2]! << 24) | (key[3]! << 16) | (key[4]! << 8) | key[5]!) >>> 0;
      if (kid > id) return undefined;
      this.#at++;
      if (kid === id) return value;
    }
  }

  async close(): Promise<void> {
    await this.#it.close();
  }
}
