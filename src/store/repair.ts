/**
 * `repairStore`: brings a damaged store on disk back to a consistent state and says what
 * could not be kept. First LevelDB's own repair (classic-level's `repair`: it rebuilds the
 * manifest and drops the blocks that fail their checks); then the store's checks, which
 * LevelDB cannot do: every record's hot entry decodes and has a key of its own, every
 * cold group of it is there and decodes. A record that fails is removed whole (a record
 * with half its fields would read as a valid one) and reported by key; in a layout-1 store
 * (one entry per group, migrated by the open that follows), cold entries whose hot entry
 * is gone are removed and reported by id. Finally the hot snapshot is dropped
 * and the store opened, which rebuilds the hot tier from the records that stayed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack, unpack } from 'msgpackr/pack';
import { RecordCodec } from '../cold/codec.ts';
import {
  idOfRecordKey,
  LAYOUT_VERSION,
  metaKey,
  RECORD_RANGE,
  range,
  recordKey,
  SNAPSHOT_RANGE,
  V1_HOT_RANGE,
  v1ColdKey,
  v1HotKey,
} from '../cold/layout.ts';
import { Shape } from '../cold/shape.ts';
import { LeanrecError } from '../errors.ts';
import { fingerprintOf, type SchemaDescriptor } from '../schema/fingerprint.ts';
import type { AnySchema } from '../schema/schema.ts';
import { RecordValidator } from '../schema/validate.ts';
import { openStore } from './open.ts';

/** A record the repair removed. */
export interface LostRecord {
  /** Its id in the database. */
  id: number;
  /** Its key (`bash 5.2.15-2+b2 amd64`), when its hot entry could still be read. */
  key?: string;
  /** For ids of which no entry is left at all: the last id of the range starting at `id`. */
  to?: number;
  /** What was wrong. */
  reason: string;
}

/** What {@link repairStore} did. */
export interface RepairReport {
  /** The schema the database holds (the first of the candidates that matched). */
  schema: AnySchema;
  /** What LevelDB's repair logged about damaged files (lines of its LOG). */
  levelDb: string[];
  /** Records in the store after the repair. */
  kept: number;
  /** Records removed, by key where known (sorted by id). */
  lost: LostRecord[];
}

/** Entries deleted per batch. */
const BATCH = 4096;

/**
 * Repairs the store in the directory `path`, which must not be open anywhere. `schemas`
 * are the schemas it may hold; the one it was written with is used.
 *
 * @throws LeanrecError `E_LOCKED` when the database is open; `E_SCHEMA` when it holds
 *   none of `schemas`; `E_CORRUPT` when its metadata (schema, shared structures) is lost,
 *   without which no record can be read; `E_IO` when the database fails.
 */
export async function repairStore(
  path: string,
  schemas: readonly AnySchema[],
): Promise<RepairReport> {
  const { ClassicLevel } = await import('classic-level');
  // LevelDB's repair does not take the LOCK: an open first tells whether anyone holds it.
  const probe = new ClassicLevel<Uint8Array, Uint8Array>(path, { createIfMissing: false });
  try {
    await probe.open();
  } catch (cause) {
    const locked = JSON.stringify(cause, ['code', 'cause']).includes('LEVEL_LOCKED');
    throw new LeanrecError(
      locked ? 'E_LOCKED' : 'E_IO',
      locked
        ? `the database at ${path} is open in another store or process`
        : `cannot open the database at ${path} to repair it`,
      { cause: (cause as { cause?: unknown }).cause ?? cause },
    );
  }
  await probe.close();
  try {
    await ClassicLevel.repair(path);
  } catch (cause) {
    throw new LeanrecError('E_IO', `LevelDB's repair of ${path} failed`, { cause });
  }
  // What the repair found: the lines of its log (a new LOG: the old one became LOG.old)
  // that name damage.
  const levelDb = readLog(path)
    .map((l) => l.replace(/^\S+ \S+ \S+ /, ''))
    .filter((l) => /Corruption|IO error|ignoring|Some data may have been lost/.test(l))
    // `#61: 17802 entries Corruption: …` names the table by number: its file's name.
    .map((l) =>
      l.replace(
        /^#(\d+): (\d+) entries /,
        (_, n: string, e: string) => `${n.padStart(6, '0')}.ldb: ${e} entries kept; `,
      ),
    );

  const db = new ClassicLevel<Uint8Array, Uint8Array>(path, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    createIfMissing: false,
  });
  await db.open();
  let schema: AnySchema;
  const lost: LostRecord[] = [];
  try {
    const meta = async (name: string): Promise<unknown> => {
      const v = await db.get(metaKey(name));
      if (v === undefined) return undefined;
      try {
        return unpack(v);
      } catch (cause) {
        throw new LeanrecError('E_CORRUPT', `metadata entry "${name}" of ${path} is damaged`, {
          cause,
        });
      }
    };
    const codec = new RecordCodec(((await meta('structures')) ?? []) as never);
    const layout = ((await meta('layout')) ?? 1) as number;
    if (layout !== 1 && layout !== LAYOUT_VERSION)
      throw new LeanrecError(
        'E_SCHEMA',
        `the database at ${path} has layout version ${String(layout)}; this version repairs layout versions 1 and ${LAYOUT_VERSION}`,
      );
    const entries = layout === 1 ? v1Entries(db, codec) : v2Entries(db, codec);
    const descriptor = await meta('schema');
    const restore: [string, unknown][] = [];
    let found: AnySchema | undefined;
    if (descriptor !== undefined) {
      const fingerprint = fingerprintOrUndefined(descriptor);
      found = schemas.find((s) => s.fingerprint === fingerprint);
    } else {
      // The schema entry went with the damage: the candidate whose hot fields decode the
      // first records is the one (and the entry is written again).
      found = await guessSchema(entries, schemas);
      if (found === undefined)
        throw new LeanrecError(
          'E_CORRUPT',
          `the schema entry of ${path} is lost and no record decodes as any known schema`,
        );
      restore.push(['schema', found.descriptor]);
    }
    if (found === undefined)
      throw new LeanrecError('E_SCHEMA', `the database at ${path} holds records of another schema`);
    schema = found;
    const since = ((await meta('since')) ?? []) as number[];
    const hotShape = new Shape(schema.hotFields);
    const groupShapes = schema.groups.map((g) => new Shape(g.fields));
    const validator = new RecordValidator(schema);

    const dels: Uint8Array[] = [];
    const valid = new Set<number>();
    const keys = new Map<string, number>();
    const drop = (id: number, reason: string, key?: string) => {
      lost.push({ id, reason, ...(key === undefined ? {} : { key }) });
      dels.push(...entries.keys(id, schema.groups.length));
    };
    for await (const entry of entries.scan(schema.groups.length)) {
      const id = entry.id;
      let rec: Record<string, unknown>;
      try {
        const raw = entry.hot();
        if (raw === null || typeof raw !== 'object') throw new Error('not a record');
        rec = hotShape.fromStored(raw as Record<string, unknown>, () => `record id ${id}`);
      } catch (e) {
        drop(id, `its hot entry cannot be decoded (${(e as Error).message})`);
        continue;
      }
      const key = validator.keyText(rec);
      const other = keys.get(key);
      if (other !== undefined) {
        drop(id, `its key is also the key of record id ${other}`, key);
        continue;
      }
      let problem: string | undefined;
      for (const g of schema.groups) {
        let raw: unknown;
        try {
          raw = entry.group(g.code, g.name);
        } catch (e) {
          problem = `its cold group "${g.name}" cannot be decoded (${(e as Error).message})`;
          break;
        }
        if (raw === undefined) {
          if (id >= (since[g.code] ?? 0)) problem = `its cold group "${g.name}" is lost`;
        } else {
          try {
            if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
              throw new Error('not a record');
            groupShapes[g.code]!.fromStored(
              raw as Record<string, unknown>,
              () => `cold group "${g.name}"`,
            );
          } catch (e) {
            problem = `its cold group "${g.name}" cannot be decoded (${(e as Error).message})`;
          }
        }
        if (problem !== undefined) break;
      }
      if (problem !== undefined) drop(id, problem, key);
      else {
        valid.add(id);
        keys.set(key, id);
      }
    }
    // The metadata the open needs, where the damage took it: the next id above every
    // record, the groups' first ids (0: every record must have every group).
    const next = (await meta('next')) as number | undefined;
    const top = valid.size === 0 ? 0 : Math.max(...valid) + 1;
    if (next === undefined || next < top) restore.push(['next', top]);
    if ((await meta('since')) === undefined) restore.push(['since', schema.groups.map(() => 0)]);
    if ((await meta('gen')) === undefined) restore.push(['gen', 0]);
    // Layout 1 only: cold entries of records whose hot entry is gone (the record cannot be
    // named by key). Layout 2 keeps a record in one entry.
    const orphans = new Map<number, string[]>();
    if (layout === 1)
      for (const g of schema.groups)
        for await (const k of db.keys(range(v1ColdKey(g.code, 0)[0]!, g.code))) {
          const id = ((k[2]! << 24) | (k[3]! << 16) | (k[4]! << 8) | k[5]!) >>> 0;
          if (valid.has(id) || lost.some((l) => l.id === id)) continue;
          let list = orphans.get(id);
          if (list === undefined) orphans.set(id, (list = []));
          list.push(g.name);
          dels.push(k);
        }
    for (const [id, groups] of orphans)
      lost.push({ id, reason: `its hot entry is lost (cold groups ${groups.join(', ')} removed)` });
    // Ids below the next id with no entry left at all: records lost whole with the damage,
    // or deleted before it (the database keeps no trace of a delete), as ranges.
    const seen = new Set<number>([...valid, ...lost.map((l) => l.id)]);
    const end = Math.max(next ?? 0, top);
    for (let id = 0; id < end; id++) {
      if (seen.has(id)) continue;
      let to = id;
      while (to + 1 < end && !seen.has(to + 1)) to++;
      lost.push({
        id,
        ...(to === id ? {} : { to }),
        reason: 'no entry is left: lost with the damage, unless deleted before it',
      });
      id = to;
    }
    lost.sort((a, b) => a.id - b.id);
    // The snapshot describes the store before the damage: the open rebuilds from the records.
    for await (const k of db.keys(SNAPSHOT_RANGE)) dels.push(k);
    dels.push(metaKey('snap'));
    if (restore.length > 0) {
      const batch = db.batch();
      for (const [name, value] of restore) batch.put(metaKey(name), pack(value));
      await batch.write({ sync: true } as never);
    }
    for (let i = 0; i < dels.length; i += BATCH) {
      const batch = db.batch();
      for (const k of dels.slice(i, i + BATCH)) batch.del(k);
      await batch.write({ sync: true } as never);
    }
  } finally {
    await db.close();
  }
  // The store's own open: it rebuilds the hot tier, and close() writes a new snapshot.
  const store = await openStore(schema, { path });
  const kept = store.size;
  await store.close();
  return { schema, levelDb, kept, lost };
}

/** One record's entries as the repair reads them, whatever the layout. */
interface RecordEntry {
  id: number;
  /** The hot part, decoded. @throws when it cannot be decoded. */
  hot(): unknown;
  /** Cold group `code`, decoded; undefined when the record has none. @throws when it cannot be decoded. */
  group(code: number, name: string): unknown;
}

/** The records of a database in one layout: read, and the keys that hold them. */
interface Entries {
  scan(groups: number, limit?: number): AsyncIterable<RecordEntry>;
  keys(id: number, groups: number): Uint8Array[];
}

type RawDb = {
  iterator(o: object): AsyncIterable<[Uint8Array, Uint8Array]>;
  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
};

/** Layout 2: one entry per record (hot segment, then one per cold group). */
function v2Entries(db: RawDb, codec: RecordCodec): Entries {
  return {
    async *scan(_groups, limit) {
      for await (const [k, value] of db.iterator({
        ...RECORD_RANGE,
        ...(limit ? { limit } : {}),
      })) {
        const id = idOfRecordKey(k);
        yield {
          id,
          hot: () => codec.decodePart(value, 0, () => `hot part of record id ${id}`),
          group: (code, name) =>
            codec.decodePart(value, 1 + code, () => `cold group "${name}" of record id ${id}`),
        };
      }
    },
    keys: (id) => [recordKey(id)],
  };
}

/** Layout 1 (before migration): a hot entry and an entry per cold group. */
function v1Entries(db: RawDb, codec: RecordCodec): Entries {
  return {
    async *scan(groups, limit) {
      for await (const [k, value] of db.iterator({
        ...V1_HOT_RANGE,
        ...(limit ? { limit } : {}),
      })) {
        const id = idOfRecordKey(k);
        const cold = await db.getMany(Array.from({ length: groups }, (_, g) => v1ColdKey(g, id)));
        yield {
          id,
          hot: () => codec.decode(value, () => `hot entry of record id ${id}`),
          group: (code, name) => {
            const bytes = cold[code];
            return bytes === undefined
              ? undefined
              : codec.decode(bytes, () => `cold group "${name}" of record id ${id}`);
          },
        };
      }
    },
    keys: (id, groups) => [
      v1HotKey(id),
      ...Array.from({ length: groups }, (_, g) => v1ColdKey(g, id)),
    ],
  };
}

/** The schema among `schemas` whose hot fields decode the first records of the database. */
async function guessSchema(
  entries: Entries,
  schemas: readonly AnySchema[],
): Promise<AnySchema | undefined> {
  const sample: Record<string, unknown>[] = [];
  for await (const entry of entries.scan(0, 64)) {
    try {
      sample.push(entry.hot() as Record<string, unknown>);
    } catch {}
  }
  if (sample.length === 0) return undefined;
  return schemas.find((s) => {
    const shape = new Shape(s.hotFields);
    const names = new Set(s.hotFields.map((f) => f.name));
    return sample.every((raw) => {
      try {
        const rec = shape.fromStored(raw, () => 'a hot entry');
        return (
          s.key.every((k) => rec[k] !== undefined) && Object.keys(rec).every((k) => names.has(k))
        );
      } catch {
        return false;
      }
    });
  });
}

/** The lines of LevelDB's LOG in `path` (none when it cannot be read). */
function readLog(path: string): string[] {
  try {
    return readFileSync(join(path, 'LOG'), 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** The fingerprint of a stored schema entry, or `undefined` when the entry is no descriptor. */
function fingerprintOrUndefined(stored: unknown): string | undefined {
  try {
    return fingerprintOf(stored as SchemaDescriptor);
  } catch {
    return undefined;
  }
}
