/**
 * Opening existing databases: schema evolution (compatible and not), the directory
 * lock (in one process and across processes), use after close, corrupt or missing
 * entries, and failed batches that must write nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { type AnySchema, isLeanrecError, openStore, schema, t } from 'leanrec';
import { pack } from 'msgpackr';
import { idOfRecordKey, metaKey, RECORD_RANGE } from '../../src/cold/layout.ts';
import { getPart, setPart } from '../helpers/record-entry.ts';
import { Small, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const helper = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('test');
  try {
    await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts that `p` rejects (or `fn` throws) a LeanrecError with `code` whose message contains every string of `contains`. */
async function rejectsWith(
  p: Promise<unknown> | (() => unknown),
  code: string,
  ...contains: string[]
): Promise<void> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ${code}, nothing thrown`);
  assert.ok(
    isLeanrecError(caught),
    `expected a LeanrecError ${code}, got ${String(caught)} ${(caught as Error)?.stack}`,
  );
  assert.equal(caught.code, code, caught.message);
  for (const s of contains)
    assert.ok(caught.message.includes(s), `message names "${s}": ${caught.message}`);
}

function rawDb(dir: string): ClassicLevel<Uint8Array, Uint8Array> {
  return new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
}

// ── schema evolution ─────────────────────────────────────────────────────────

const V1 = schema({
  key: ['name'],
  hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
  cold: { text: { body: t.string() } },
});

const V2 = schema({
  key: ['name'],
  hot: {
    name: t.string(),
    n: t.u32(),
    kind: t.enum(['a', 'b']),
    extra: t.string().optional(),
  },
  cold: {
    text: { body: t.string(), note: t.string().optional() },
    more: { tags: t.list(t.string()).optional(), score: t.f64().optional() },
  },
});

const v1Record = (i: number) => ({
  name: `r${i}`,
  n: i,
  kind: i % 2 ? ('a' as const) : ('b' as const),
  body: `body ${i}`,
});
const v2Record = (i: number) => ({
  ...v1Record(i),
  extra: `extra ${i}`,
  note: `note ${i}`,
  tags: [`t${i}`, 'x'],
  score: i / 3,
});

test('compatible evolution: added optional hot field, optional cold field and new cold group', async () => {
  await withDir(async (dir) => {
    const old = await openStore(V1, { path: dir });
    await old.ingest(
      Array.from({ length: 50 }, (_, i) => v1Record(i)),
      { batchSize: 16 },
    );
    await old.close();

    const check = (s: Awaited<ReturnType<typeof openStore<typeof V2>>>) => {
      assert.equal(s.size, 60);
      for (let i = 0; i < 50; i++) {
        const v = s.get({ name: `r${i}` })!;
        assert.deepStrictEqual(v.toObject(), { name: `r${i}`, n: i, kind: i % 2 ? 'a' : 'b' });
        assert.equal(v.extra, undefined);
        assert.deepStrictEqual(v.cold('text'), { body: `body ${i}` });
        assert.deepStrictEqual(v.cold('more'), {});
        assert.deepStrictEqual(v.record(), v1Record(i));
      }
      for (let i = 50; i < 60; i++) {
        const v = s.get({ name: `r${i}` })!;
        assert.equal(v.extra, `extra ${i}`);
        assert.deepStrictEqual(v.cold('more'), { tags: [`t${i}`, 'x'], score: i / 3 });
        assert.deepStrictEqual(v.record(), v2Record(i));
      }
      assert.equal(s.count({ extra: 'extra 55' }), 1);
    };

    let s = await openStore(V2, { path: dir });
    await s.ingest(Array.from({ length: 10 }, (_, i) => v2Record(50 + i)));
    // An old record rewritten with the new fields keeps them.
    check(s);
    await s.put(v2Record(3));
    assert.deepStrictEqual(s.get({ name: 'r3' })?.record(), v2Record(3));
    await s.put(v1Record(3));
    check(s);
    await s.close();

    s = await openStore(V2, { path: dir });
    assert.equal(s._cold?.openMode, 'snapshot');
    check(s);
    await s._cold!._db.del(metaKey('snap'));
    await s.close();
    s = await openStore(V2, { path: dir });
    assert.equal(s._cold?.openMode, 'rebuild');
    check(s);
    await s.close();

    // Back to the old schema: the fields it lacks are now stored.
    await rejectsWith(openStore(V1, { path: dir }), 'E_SCHEMA', 'extra', 'note', 'more');
  });
});

test('incompatible changes → E_SCHEMA listing what differs; the database stays usable', async () => {
  await withDir(async (dir) => {
    const old = await openStore(V1, { path: dir });
    await old.ingest([v1Record(1), v1Record(2)]);
    await old.close();

    const cases: [string, AnySchema, string[]][] = [
      [
        'hot type change',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u16(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.string() } },
        }),
        ['n'],
      ],
      [
        'enum values change',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b', 'c']) },
          cold: { text: { body: t.string() } },
        }),
        ['kind'],
      ],
      [
        'cold type change',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.json() } },
        }),
        ['body'],
      ],
      [
        'removed hot field',
        schema({
          key: ['name'],
          hot: { name: t.string(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.string() } },
        }),
        ['n'],
      ],
      [
        'removed cold field',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
          cold: { text: { body2: t.string().optional() } },
        }),
        ['body'],
      ],
      [
        'new required hot field',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']), must: t.u8() },
          cold: { text: { body: t.string() } },
        }),
        ['must'],
      ],
      [
        'new required cold field',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.string(), must: t.string() } },
        }),
        ['must'],
      ],
      [
        'new group with a required field',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.string() }, extra: { must: t.string() } },
        }),
        ['extra'],
      ],
      [
        'changed key',
        schema({
          key: ['name', 'n'],
          hot: { name: t.string(), n: t.u32(), kind: t.enum(['a', 'b']) },
          cold: { text: { body: t.string() } },
        }),
        ['key', 'name', 'n'],
      ],
      [
        'several changes at once',
        schema({
          key: ['name'],
          hot: { name: t.string(), n: t.i32(), must: t.flag() },
          cold: { text: { body: t.string() } },
        }),
        ['"n"', '"kind"', '"must"'],
      ],
    ];
    for (const [what, S, names] of cases) {
      await rejectsWith(openStore(S, { path: dir }), 'E_SCHEMA', ...names).catch((err) => {
        throw new Error(`${what}: ${(err as Error).message}`);
      });
    }
    // A refused open releases the directory and changes nothing.
    const again = await openStore(V1, { path: dir });
    assert.equal(again._cold?.openMode, 'snapshot');
    assert.deepStrictEqual(again.get({ name: 'r2' })?.record(), v1Record(2));
    await again.close();
  });
});

test('the schema check compares fingerprints: a stored descriptor with its properties in another order is the same schema', async () => {
  await withDir(async (dir) => {
    const old = await openStore(V1, { path: dir });
    await old.ingest([v1Record(1), v1Record(2)]);
    await old.close();
    // The same descriptor, every field's properties written in reverse order (as another
    // encoder could write them): its JSON differs, its fingerprint does not.
    const reversed = (d: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(d)
          .reverse()
          .map(([k, v]) => [k, k === 'inner' ? reversed(v as Record<string, unknown>) : v]),
      );
    const d = V1.descriptor;
    const stored = {
      key: d.key,
      hot: d.hot.map(([n, f]) => [n, reversed({ ...f })]),
      groups: d.groups.map(([g, fs]) => [g, fs.map(([n, f]) => [n, reversed({ ...f })])]),
    };
    assert.notEqual(JSON.stringify(stored), JSON.stringify(d));
    const bytes = pack(stored);
    const db = rawDb(dir);
    await db.put(metaKey('schema'), bytes);
    await db.close();

    const s = await openStore(V1, { path: dir });
    assert.deepStrictEqual(s.get({ name: 'r2' })?.record(), v1Record(2));
    await s.close();
    // Opened as the same schema: the entry was not rewritten.
    const after = rawDb(dir);
    assert.deepStrictEqual(await after.get(metaKey('schema')), bytes);
    await after.close();
    // A different schema still fails, naming the field.
    const other = schema({
      key: ['name'],
      hot: { name: t.string(), n: t.u16(), kind: t.enum(['a', 'b']) },
      cold: { text: { body: t.string() } },
    });
    await rejectsWith(openStore(other, { path: dir }), 'E_SCHEMA', '"n"');
    await openStore(other, { path: dir }).catch((err: Error) =>
      assert.ok(!err.message.includes('"kind"'), `only "n" differs: ${err.message}`),
    );
  });
});

// ── the lock ─────────────────────────────────────────────────────────────────

function startChild(dir: string): Promise<{ first: string; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=leanrec-source', '--import', 'tsx', helper('store-child.ts'), dir, 'hold'],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((res) => p.on('close', (code) => res(code)));
    p.on('error', reject);
    const lines = createInterface({ input: p.stdout });
    lines.once('line', (first) =>
      resolve({
        first,
        stop: () => {
          p.stdin.end();
          return exited;
        },
      }),
    );
    exited.then((code) => reject(new Error(`child exited (${code}) before saying anything`)));
  });
}

test('two opens of one directory → E_LOCKED, in one process and from another process', async () => {
  await withDir(async (dir) => {
    const a = await openStore(Small, { path: dir });
    await a.put(smallRecord(1) as never);
    await rejectsWith(openStore(Small, { path: dir }), 'E_LOCKED', dir);
    // The first store is unaffected by the refused open.
    assert.deepStrictEqual(a.get({ name: 'rec-1' })?.record(), smallRecord(1));

    const child = await startChild(dir);
    assert.equal(child.first, 'error E_LOCKED');
    assert.equal(await child.stop(), 2);
    await a.close();

    // Now the child holds it, and this process is refused.
    const holder = await startChild(dir);
    assert.equal(holder.first, 'open');
    await rejectsWith(openStore(Small, { path: dir }), 'E_LOCKED', dir);
    assert.equal(await holder.stop(), 0);
    const b = await openStore(Small, { path: dir });
    assert.deepStrictEqual(b.get({ name: 'rec-1' })?.record(), smallRecord(1));
    await b.close();
  });
});

// ── use after close ──────────────────────────────────────────────────────────

test('every method after close() → E_CLOSED; close() twice is fine', async () => {
  for (const where of ['disk', 'memory'] as const) {
    await withDir(async (dir) => {
      const store = await openStore(Small, where === 'disk' ? { path: dir } : {});
      await store.ingest([smallRecord(1), smallRecord(2)]);
      const view = store.get({ name: 'rec-1' })!;
      await store.close();
      await store.close();
      await store[Symbol.asyncDispose]();
      assert.equal(store.closed, true);
      const key = { name: 'rec-1' };
      const sync: [string, () => unknown][] = [
        ['size', () => store.size],
        ['get', () => store.get(key)],
        ['has', () => store.has(key)],
        ['where', () => [...store.where()]],
        ['where(filter)', () => store.where({ n: 7 }).next()],
        ['count', () => store.count()],
        ['count(filter)', () => store.count({ on: true })],
        ['cold', () => store.cold(key)],
        ['memory', () => store.memory()],
        ['view.cold', () => view.cold()],
        ['view.cold(group)', () => view.cold('text')],
        ['view.record', () => view.record()],
      ];
      for (const [name, fn] of sync)
        await rejectsWith(fn, 'E_CLOSED').catch((err) => {
          throw new Error(`${where} ${name}: ${(err as Error).message}`);
        });
      const async: [string, () => Promise<unknown>][] = [
        ['load', () => store.load(key)],
        ['loadMany', () => store.loadMany([view])],
        ['put', () => store.put(smallRecord(3) as never)],
        ['putMany', () => store.putMany([smallRecord(3)])],
        ['ingest', () => store.ingest([smallRecord(3)])],
        ['ingest(empty)', () => store.ingest([])],
        ['delete', () => store.delete(key)],
        ['compact', () => store.compact()],
        ['view.load', () => view.load()],
        ['view.loadRecord', () => view.loadRecord()],
      ];
      for (const [name, fn] of async) {
        let p: Promise<unknown>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        await rejectsWith(p, 'E_CLOSED').catch((err) => {
          throw new Error(`${where} ${name}: ${(err as Error).message}`);
        });
      }
    });
  }
});

test('close() waits for writes already queued, then refuses new ones', async () => {
  await withDir(async (dir) => {
    const store = await openStore(Small, { path: dir });
    const writing = store.ingest(
      Array.from({ length: 200 }, (_, i) => smallRecord(i)),
      { batchSize: 50 },
    );
    const put = store.put(smallRecord(500) as never);
    await put;
    await store.close();
    // The ingest was cut at a batch boundary by close(): it rejects E_CLOSED or finished.
    const res = await writing.then(
      (r) => r.written,
      (err) => {
        assert.ok(isLeanrecError(err, 'E_CLOSED'), String(err));
        return -1;
      },
    );
    const again = await openStore(Small, { path: dir });
    assert.ok(again.get({ name: 'rec-500' }) !== undefined);
    assert.equal(again.size % 50, 1, 'whole batches plus the put');
    if (res === 200) assert.equal(again.size, 201);
    await again.close();
  });
});

// ── corrupt and missing entries ──────────────────────────────────────────────

test('a cold entry overwritten with garbage or deleted → E_CORRUPT naming the key', async () => {
  await withDir(async (dir) => {
    const store = await openStore(Small, { path: dir });
    // Fresh store: ids are given in order, so record i has id i.
    await store.ingest(Array.from({ length: 12 }, (_, i) => smallRecord(i)));
    await store.close();

    const text = Small.group('text')!.code;
    const extra = Small.group('extra')!.code;
    const raw = rawDb(dir);
    await raw.open();
    const bad: [number, Uint8Array][] = [
      [1, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)], // wrong format byte
      [2, Uint8Array.of(0x01, 0xc1)], // never-used msgpack byte
      [3, Uint8Array.of(0x01, 0x81, 0xa1)], // truncated
      [4, Uint8Array.of(0x01, 0x05)], // a number, not a record
      [5, new Uint8Array(0)], // empty
      [6, Uint8Array.of(0x01, 0xdd, 0xff, 0xff, 0xff, 0xff)], // array32 claiming 4 G items
    ];
    for (const [id, bytes] of bad) await setPart(raw, id, 1 + text, bytes);
    await setPart(raw, 7, 1 + text, undefined);
    await setPart(raw, 8, 1 + extra, undefined);
    await raw.close();

    const s = await openStore(Small, { path: dir });
    assert.equal(s.size, 12);
    for (const id of [1, 2, 3, 4, 5, 6, 7]) {
      const name = `rec-${id}`;
      const v = s.get({ name })!;
      assert.equal(v.n, smallRecord(id).n, 'hot fields are unaffected');
      await rejectsWith(() => v.cold('text'), 'E_CORRUPT', name);
      await rejectsWith(() => v.cold(), 'E_CORRUPT', name);
      await rejectsWith(() => v.record(), 'E_CORRUPT', name);
      await rejectsWith(() => s.cold({ name }, 'text'), 'E_CORRUPT', name);
      await rejectsWith(v.load('text'), 'E_CORRUPT', name);
      await rejectsWith(v.loadRecord(), 'E_CORRUPT', name);
      await rejectsWith(s.loadMany([s.get({ name: 'rec-0' })!, v], 'text'), 'E_CORRUPT', name);
      // The other group of the record is intact.
      assert.deepStrictEqual(v.cold('extra'), { data: smallRecord(id).data });
    }
    const v8 = s.get({ name: 'rec-8' })!;
    await rejectsWith(() => v8.cold('extra'), 'E_CORRUPT', 'rec-8', 'extra');
    await rejectsWith(s.loadMany([v8]), 'E_CORRUPT', 'rec-8');
    assert.equal(v8.cold('text').body, smallRecord(8).body);
    for (const id of [0, 9, 10, 11])
      assert.deepStrictEqual(s.get({ name: `rec-${id}` })?.record(), smallRecord(id));
    // An error is not cached: a repaired entry reads again.
    await s.close();
  });
});

test('a corrupt hot entry fails the rebuild with E_CORRUPT and releases the directory', async () => {
  await withDir(async (dir) => {
    const store = await openStore(Small, { path: dir });
    await store.ingest(Array.from({ length: 5 }, (_, i) => smallRecord(i)));
    await store.close();
    const raw = rawDb(dir);
    await raw.open();
    await setPart(raw, 2, 0, Uint8Array.of(0x07, 0x00));
    await raw.del(metaKey('snap'));
    await raw.close();
    await rejectsWith(openStore(Small, { path: dir }), 'E_CORRUPT', 'id 2');
    // Not locked by the failed open.
    const r2 = rawDb(dir);
    await r2.open();
    await r2.close();
  });
});

// ── failed batches ───────────────────────────────────────────────────────────

test('an invalid record fails its batch: nothing of that batch is stored, earlier batches are', async () => {
  await withDir(async (dir) => {
    const store = await openStore(Small, { path: dir, sync: true });
    const input: unknown[] = Array.from({ length: 30 }, (_, i) => smallRecord(i));
    input[15] = { ...smallRecord(15), n: -1 };
    const acked: number[] = [];
    await rejectsWith(
      store.ingest(input as never, { batchSize: 10, onBatch: (p) => acked.push(p.written) }),
      'E_INVALID_RECORD',
      '"n"',
      'rec-15',
    );
    assert.deepEqual(acked, [10]);
    assert.equal(store.size, 10);
    assert.equal(store.get({ name: 'rec-10' }), undefined);
    // A batch of upserts that fails leaves the old values.
    await rejectsWith(
      store.putMany([
        smallRecord(0, 5),
        smallRecord(1, 5),
        { ...smallRecord(2, 5), body: 7 },
      ] as never),
      'E_INVALID_RECORD',
      'body',
      'rec-2',
    );
    assert.deepStrictEqual(store.get({ name: 'rec-0' })?.record(), smallRecord(0));
    await store.close();

    const again = await openStore(Small, { path: dir });
    assert.equal(again.size, 10);
    for (let i = 0; i < 30; i++) {
      const v = again.get({ name: `rec-${i}` });
      if (i < 10) assert.deepStrictEqual(v?.record(), smallRecord(i));
      else assert.equal(v, undefined, `rec-${i} absent`);
    }
    const db = again._cold!._db;
    let entries = 0;
    for (const k of await db.keys(RECORD_RANGE).all()) {
      entries++;
      const id = idOfRecordKey(k);
      for (const g of Small.groups)
        assert.ok((await getPart(db, id, 1 + g.code)) !== undefined, `${g.name} of id ${id}`);
    }
    assert.equal(entries, 10, 'record entries');
    await again.close();
  });
});

test('undecodable shared structures: E_CORRUPT at open, and the directory is released', async () => {
  await withDir(async (dir) => {
    const store = await openStore(Small, { path: dir });
    await store.ingest([smallRecord(1)]);
    await store.close();
    const raw = rawDb(dir);
    await raw.open();
    const good = (await raw.get(metaKey('structures')))!;
    await raw.put(metaKey('structures'), Uint8Array.of(0x05)); // the number 5, not a list
    await raw.close();
    await rejectsWith(openStore(Small, { path: dir }), 'E_CORRUPT', 'structures');
    // Not held by the failed open: the repaired store opens in this process.
    const r2 = rawDb(dir);
    await r2.open();
    await r2.put(metaKey('structures'), good);
    await r2.close();
    const again = await openStore(Small, { path: dir });
    assert.deepStrictEqual(again.get({ name: 'rec-1' })?.record(), smallRecord(1));
    await again.close();
  });
});
