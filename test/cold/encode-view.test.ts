/**
 * The bulk-write encode path: each record is encoded into the codec's reused buffer
 * (`encodeRecordView`) and handed to the database's batch as it is filled, the metadata
 * (new structures, next id, generation) read after the records. Checked here: the view's
 * bytes are exactly the fresh value's; a record that cannot be encoded part-way through a
 * batch writes nothing and leaves the generation and the codec as they were; on disk
 * (classic-level copies each value into its batch), records of many sizes over many
 * batches all read back after a reopen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import fc from 'fast-check';
import { isLeanrecError, LeanrecError, openStore, schema, t } from 'leanrec';
import type { BatchOp } from '../../src/cold/backend.ts';
import { FORMAT_V2, RecordCodec } from '../../src/cold/codec.ts';
import { Commits } from '../../src/cold/commit.ts';
import { recordKey } from '../../src/cold/layout.ts';
import type { Database } from '../../src/cold/options.ts';
import { writeTable } from '../../src/cold/segments.ts';
import { Shape } from '../../src/cold/shape.ts';
import { removeTempDir, tempDir } from '../helpers/temp.ts';

const what = () => 'test record';

const part = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
  fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: 3000, maxLength: 9000 }),
    fc.array(fc.string(), { maxLength: 5 }),
  ),
  { maxKeys: 6, noNullPrototype: true },
);

test('property: encodeRecordView gives the bytes of the table format, and every part back', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(part, { minLength: 1, maxLength: 5 }), { maxLength: 12 }),
      (records) => {
        const c = new RecordCodec();
        const reference = new RecordCodec();
        for (const parts of records) {
          const view = c.encodeRecordView(parts);
          // The same bytes as the format written segment by segment (a codec of its own,
          // so the structure ids match).
          const packed = parts.map((p) => reference.encode(p).subarray(1));
          const body = new Uint8Array(packed.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of packed) {
            body.set(p, at);
            at += p.length;
          }
          const expected = writeTable(
            FORMAT_V2,
            packed.map((p) => p.length),
            body,
          );
          assert.deepEqual(view, expected);
          c.checkRecord(view, what);
          for (const [i, p] of parts.entries())
            assert.deepEqual(c.decodePart(view, i, what, true), p);
          assert.deepEqual(c.encodeRecord(parts), expected, 'the fresh value has the same bytes');
        }
      },
    ),
    { numRuns: 60 },
  );
});

async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const dir = tempDir('encode-view');
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  }) as unknown as Database;
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
    removeTempDir(dir);
  }
}

async function keyCount(db: Database): Promise<number> {
  let n = 0;
  for await (const _ of db.keys()) n++;
  return n;
}

test('a record that fails to encode part-way through a batch writes nothing, and the next batch stands', async () => {
  await withDb(async (db) => {
    const codec = new RecordCodec();
    let written = 0;
    const commits = new Commits(db, codec, true, { gen: 0, snap: 0, next: 0 }, () => {
      written++;
    });
    const failure = new LeanrecError('E_INVALID_RECORD', 'record 3: cannot be encoded');
    function* puts(fail: boolean): Generator<BatchOp, void, undefined> {
      for (let id = 0; id < 5; id++) {
        if (fail && id === 3) throw failure;
        // A new structure per record: the codec holds them pending until the batch stands.
        yield {
          type: 'put',
          key: recordKey(id),
          value: codec.encodeRecordView([{ [`f${id}`]: id }]),
        };
      }
    }
    await assert.rejects(
      commits.commit([], 5, 'writing a batch', puts(true)),
      (err) => err === failure,
    );
    assert.equal(await keyCount(db), 0, 'nothing of the batch is in the database');
    assert.equal(commits.gen, 0, 'the generation of a batch never written is not used up');
    assert.equal(commits.dirty, false, 'nothing changed since the snapshot');
    assert.equal(codec.pending, undefined, "the failed batch's structures are rolled back");
    assert.equal(written, 0);

    // A failure that is not leanrec's reaches the caller as E_IO.
    function* broken(): Generator<BatchOp, void, undefined> {
      yield { type: 'put', key: recordKey(9), value: codec.encodeRecordView([{ x: 1 }]) };
      throw new TypeError('boom');
    }
    await assert.rejects(commits.commit([], 10, 'writing a batch', broken()), (err) =>
      isLeanrecError(err, 'E_IO'),
    );
    assert.equal(await keyCount(db), 0);

    await commits.commit([], 5, 'writing a batch', puts(false));
    assert.equal(commits.gen, 1);
    assert.equal(codec.pending, undefined);
    assert.equal(codec.structureCount, 5, 'the structures the records created are stored');
    // 5 records + structures + next + gen.
    assert.equal(await keyCount(db), 8);
    const stored = await db.get(recordKey(4));
    assert.ok(stored !== undefined);
    assert.deepEqual(codec.decodePart(stored, 0, what), { f4: 4 });
  });
});

test('on disk, records of many sizes over many batches all read back after a reopen', async () => {
  const S = schema({
    key: ['k'],
    hot: { k: t.u32(), tag: t.string() },
    cold: {
      text: { body: t.string(), words: t.list(t.string()).optional() },
      extra: { n: t.f64().optional(), note: t.string().optional() },
    },
  });
  const size = (k: number) => (k * 7919) % 5000;
  const rec = (k: number) => ({
    k,
    tag: `t${k % 13}`,
    body: String.fromCharCode(97 + (k % 26)).repeat(size(k)),
    ...(k % 3 === 0 ? { words: Array.from({ length: k % 17 }, (_, i) => `w${i}-${k}`) } : {}),
    ...(k % 4 === 0 ? { n: k / 3, note: `é${k}` } : {}),
  });
  const dir = tempDir('encode-view-store');
  try {
    let store = await openStore(S, { path: dir });
    const n = 700;
    const r = await store.ingest(
      Array.from({ length: n }, (_, k) => rec(k)),
      { batchSize: 37 },
    );
    assert.equal(r.written, n);
    await store.close();
    store = await openStore(S, { path: dir, cacheBytes: 0 });
    for (let k = 0; k < n; k++) {
      const want = rec(k);
      assert.deepEqual(store.cold({ k }, 'text'), {
        body: want.body,
        ...(want.words !== undefined ? { words: want.words } : {}),
      });
      assert.deepEqual(store.cold({ k }, 'extra'), {
        ...(want.n !== undefined ? { n: want.n, note: want.note } : {}),
      });
    }
    await store.close();
  } finally {
    removeTempDir(dir);
  }
});

test("a part's stored form: escaped names, own values only, -0 as null, absent fields left out", () => {
  const S = schema({
    key: ['k'],
    hot: { k: t.u32() },
    cold: {
      g: {
        constructor: t.string().optional(),
        ['__proto__']: t.string().optional(),
        '\0x': t.string().optional(),
        f: t.f64().optional(),
        fl: t.list(t.f64()).optional(),
        j: t.json().optional(),
        s: t.string(),
      },
    },
  });
  const shape = new Shape(S.groups[0]!.fields);
  const rec: Record<string, unknown> = {
    k: 1,
    constructor: 'c',
    '\0x': 'nul',
    f: -0,
    fl: [1, -0],
    j: JSON.parse('{"__proto__": {"a": 1}}'),
    s: 'str',
  };
  Object.defineProperty(rec, '__proto__', { value: 'p', enumerable: true, writable: true });
  const stored = shape.toStored(rec);
  assert.deepEqual(Object.keys(stored), [
    'constructor',
    '\0__proto__',
    '\0\0x',
    'f',
    'fl',
    'j',
    's',
  ]);
  assert.deepEqual(stored, {
    constructor: 'c',
    '\0__proto__': 'p',
    '\0\0x': 'nul',
    f: null,
    fl: [1, null],
    j: JSON.parse('{"\\u0000__proto__": {"a": 1}}'),
    s: 'str',
  });
  // Object.prototype's `constructor` is not the record's.
  const bare = { k: 2, s: 'own' };
  assert.deepEqual(Object.keys(shape.toStored(bare)), ['s']);
  assert.equal(shape.toStored(bare)['s'], 'own');
});
