/**
 * `checkRoundTrip` fails on a store that changes what it stored. Its database is a real
 * classic-level database on disk with a corrupting read path (a subclass whose reads of
 * record entries — keys `r` + id — return other bytes); writes, the hot snapshot and
 * everything else pass through untouched. Two kinds of change: one flipped byte (the
 * record checksum must catch it: `E_CORRUPT`), and the whole value of another record
 * (well-formed, so only the comparison with what was written can catch it). The same
 * check passes over the same layer with corruption off, so a failure is the corruption's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { type DatabaseFactory, isLeanrecError, schema, t } from 'leanrec';
import { checkRoundTrip } from 'leanrec/testing';

type Change = 'none' | 'flip' | 'swap';
type Get = (key: Uint8Array, options: object) => Uint8Array | undefined;
type GetAsync = (key: Uint8Array, options: object) => Promise<Uint8Array | undefined>;
/** The storage methods of abstract-level that classic-level implements (not in its typings). */
const base = ClassicLevel.prototype as unknown as { _getSync: Get; _get: GetAsync };
const R = 0x72; // 'r': a record entry, 'r' id:u32be (src/cold/layout.ts)

/** classic-level whose reads of record entries are changed as `change` says. */
class CorruptingLevel extends ClassicLevel<Uint8Array, Uint8Array> {
  /** Reads of record entries it changed. */
  changed = 0;
  constructor(
    path: string,
    options: object,
    readonly change: Change,
  ) {
    super(path, options);
  }

  /** The key read instead of `key`: the record with the id's lowest bit flipped. */
  #other(key: Uint8Array): Uint8Array {
    const k = new Uint8Array(key);
    k[k.length - 1]! ^= 1;
    return k;
  }

  #isRecord(key: Uint8Array): boolean {
    return this.change !== 'none' && key[0] === R && key.length === 5;
  }

  #flip(value: Uint8Array | undefined): Uint8Array | undefined {
    if (value === undefined || value.length === 0) return value;
    const v = new Uint8Array(value);
    v[v.length - 1]! ^= 0x01;
    this.changed++;
    return v;
  }

  _getSync(key: Uint8Array, options: object): Uint8Array | undefined {
    const read = (k: Uint8Array) => base._getSync.call(this, k, options);
    if (!this.#isRecord(key)) return read(key);
    if (this.change === 'flip') return this.#flip(read(key));
    const other = read(this.#other(key));
    if (other === undefined) return read(key);
    this.changed++;
    return other;
  }

  async _get(key: Uint8Array, options: object): Promise<Uint8Array | undefined> {
    const read = (k: Uint8Array) => base._get.call(this, k, options);
    if (!this.#isRecord(key)) return read(key);
    if (this.change === 'flip') return this.#flip(await read(key));
    const other = await read(this.#other(key));
    if (other === undefined) return read(key);
    this.changed++;
    return other;
  }

  async _getMany(keys: Uint8Array[], options: object): Promise<(Uint8Array | undefined)[]> {
    return Promise.all(keys.map((k) => this._get(k, options)));
  }
}

const S = schema({
  key: ['id'],
  hot: { id: t.u32(), name: t.string() },
  cold: { body: t.string(), extra: t.json().optional() },
});

function layer(change: Change): { database: DatabaseFactory; dbs: CorruptingLevel[] } {
  const dbs: CorruptingLevel[] = [];
  const database: DatabaseFactory = (path, options) => {
    const db = new CorruptingLevel(path!, options, change);
    dbs.push(db);
    return db as never;
  };
  return { database, dbs };
}
const options = { numRuns: 10, maxRecords: 12, seed: 5 };

test('the corrupting layer changes nothing when off: checkRoundTrip passes over it', async () => {
  const { database, dbs } = layer('none');
  const report = await checkRoundTrip(S, { ...options, database });
  assert.equal(report.runs, 10);
  assert.ok(report.records > 0);
  assert.equal(dbs.length, 20, 'a writer and a reader per run went through the layer');
});

test('checkRoundTrip fails when a stored record comes back with a flipped byte', async () => {
  const { database, dbs } = layer('flip');
  await assert.rejects(checkRoundTrip(S, { ...options, database }), (err: Error) => {
    assert.match(err.message, /Property failed/);
    // fast-check's error has the property's error as its cause.
    assert.ok(isLeanrecError(err.cause), String(err.cause));
    assert.equal(err.cause.code, 'E_CORRUPT');
    return true;
  });
  assert.ok(dbs.some((db) => db.changed > 0));
});

test('checkRoundTrip fails when a stored record comes back as another record', async () => {
  const { database, dbs } = layer('swap');
  await assert.rejects(checkRoundTrip(S, { ...options, database }), (err: Error) => {
    assert.match(err.message, /Property failed/);
    // A well-formed value of another record: the comparison with what was written
    // catches it, and names the record.
    const cause = err.cause as Error & { code?: string };
    assert.equal(cause?.code, 'ERR_ASSERTION', String(cause));
    assert.match(cause.message, /^record \d+/);
    return true;
  });
  assert.ok(dbs.some((db) => db.changed > 0));
});
