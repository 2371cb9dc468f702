/**
 * Every stored record carries a checksum (cold/segments.ts): a byte damaged on disk is
 * `E_CORRUPT` on read, never a record with a wrong value. LevelDB does not check its
 * blocks' CRCs on reads (classic-level does not ask it to), so without the checksum a
 * flipped byte inside a string read back as a valid record (found by the repair test).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, schema, t } from 'leanrec';
import { MemoryLevel } from 'memory-level';
import { recordKey } from '../../src/cold/layout.ts';

const s = schema({
  key: ['name'],
  hot: { name: t.string(), n: t.u32() },
  cold: { text: { body: t.string(), tags: t.list(t.string()) } },
});

test('a flipped bit anywhere in a stored record is E_CORRUPT on read, at every byte', async () => {
  let db: MemoryLevel<Uint8Array, Uint8Array> | undefined;
  const store = await openStore(s, {
    database: (_path, o) => {
      db = new MemoryLevel<Uint8Array, Uint8Array>(o as never);
      return db as never;
    },
    cacheBytes: 0,
  });
  try {
    const rec = { name: 'bash', n: 7, body: 'GNU Bourne Again SHell', tags: ['shell', 'gnu'] };
    await store.put(rec);
    await store.put({ name: 'other', n: 1, body: 'x', tags: [] });
    assert.deepEqual(await store.load({ name: 'bash' }, 'text'), {
      body: rec.body,
      tags: rec.tags,
    });
    const good = new Uint8Array((await db!.get(recordKey(0)))!);
    assert.ok(good.length > 30);
    for (let at = 0; at < good.length; at++)
      for (const bit of [0, 3, 7]) {
        const bad = new Uint8Array(good);
        bad[at]! ^= 1 << bit;
        await db!.put(recordKey(0), bad);
        await assert.rejects(
          () => store.load({ name: 'bash' }, 'text'),
          (e: { code?: string; message?: string }) =>
            e.code === 'E_CORRUPT' && /bash/.test(e.message ?? ''),
          `byte ${at} bit ${bit}`,
        );
      }
    await db!.put(recordKey(0), good);
    assert.deepEqual(await store.load({ name: 'bash' }, 'text'), {
      body: rec.body,
      tags: rec.tags,
    });
  } finally {
    await store.close();
  }
});
