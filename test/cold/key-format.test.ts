/**
 * Stores written before -0 and 0 became one number key (snapshot format 1), opened by
 * this code. The fixtures in test/fixtures/old-stores were made by leanrec at 459d20e
 * (the code before the change) with the schema below (`f64` or `f32` key `k`), each
 * written by `put` one record at a time, closed (format-1 snapshot) and opened and
 * closed once more, so that LevelDB holds them in a table file:
 *
 *   f64-minus0, f32-minus0  {k: -0, n: 1, note: 'minus zero'}, {k: 2, n: 2, note: 'two'}
 *   f64-both                {k: -0, n: 1, …}, {k: 0, n: 2, note: 'zero'}, {k: 1.5, n: 3, …}
 *   f32-both                {k: 0, n: 1, note: 'zero'}, {k: -0, n: 2, …}, {k: 1.5, n: 3, …}
 *
 * Each is opened through its old snapshot and, with `m snap` deleted, through a rebuild.
 * A format-1 snapshot of a float key would hold -0's old hash: `get({ k: 0 })` missed
 * and an upsert added a second record. It is not loaded; two records that are one key
 * now stop the open with `E_SCHEMA`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { openStore, schema, t } from 'leanrec';
import { pack, unpack } from 'msgpackr';
import { metaKey, RECORD_RANGE, snapshotKey } from '../../src/cold/layout.ts';
import { tempDir } from '../helpers/temp.ts';

const F64 = schema({
  key: ['k'],
  hot: { k: t.f64(), n: t.u32() },
  cold: { text: { note: t.string() } },
});
const F32 = schema({
  key: ['k'],
  hot: { k: t.f32(), n: t.u32() },
  cold: { text: { note: t.string() } },
});
const U32 = schema({
  key: ['k'],
  hot: { k: t.u32(), n: t.u32() },
  cold: { text: { note: t.string() } },
});
const fixtures = fileURLToPath(new URL('../fixtures/old-stores/', import.meta.url));
const PATHS = ['snapshot', 'rebuild'] as const;

/** A copy of fixture `name` in a temp folder; for `rebuild`, without its snapshot mark. */
async function copy(name: string, via: (typeof PATHS)[number]): Promise<string> {
  const dir = tempDir('key-format');
  fs.cpSync(path.join(fixtures, name), dir, { recursive: true });
  if (via === 'rebuild') await raw(dir, (db) => db.del(metaKey('snap')));
  return dir;
}

async function raw(dir: string, fn: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>) {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** The snapshot header's `format` (undefined: format 1, or no snapshot). */
async function snapshotFormat(dir: string): Promise<number | undefined> {
  let format: number | undefined;
  await raw(dir, async (db) => {
    const head = await db.get(snapshotKey('#meta', 0));
    format = head === undefined ? undefined : (unpack(head) as { format?: number }).format;
  });
  return format;
}

for (const [name, S] of [
  ['f64-minus0', F64],
  ['f32-minus0', F32],
] as const)
  for (const via of PATHS)
    test(`${name} (old store, ${via}): -0 is found by 0 and -0, and an upsert replaces it`, async () => {
      const dir = await copy(name, via);
      try {
        const s = await openStore(S, { path: dir });
        assert.equal(s.size, 2);
        for (const k of [0, -0]) {
          const v = s.get({ k });
          assert.ok(v, `get({ k: ${Object.is(k, -0) ? '-0' : k} })`);
          assert.ok(Object.is(v.k, -0), 'the stored value stays -0');
          assert.equal(v.n, 1);
          assert.equal((await v.loadRecord()).note, 'minus zero');
        }
        assert.equal(s.count({ k: 0 }), 1);
        // The old snapshot is never loaded for a float key: the hot tier is rebuilt.
        assert.equal(s._cold?.openMode, 'rebuild');
        assert.equal(s.get({ k: 2 })?.n, 2);
        const r = await s.putMany([{ k: 0, n: 9, note: 'upserted' }]);
        assert.equal(r.updated, 1);
        assert.equal(r.inserted, 0);
        assert.equal(s.size, 2);
        await s.close();
        assert.equal(await snapshotFormat(dir), 2);

        for (const again of PATHS) {
          if (again === 'rebuild') await raw(dir, (db) => db.del(metaKey('snap')));
          const s2 = await openStore(S, { path: dir });
          assert.equal(s2._cold?.openMode, again);
          assert.equal(s2.size, 2);
          assert.equal(s2.get({ k: -0 })?.n, 9);
          assert.equal(s2.get({ k: 0 })?.n, 9);
          assert.equal((await s2.get({ k: -0 })?.loadRecord())?.note, 'upserted');
          await s2.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

for (const [name, S, minusId] of [
  ['f64-both', F64, 0],
  ['f32-both', F32, 1],
] as const)
  for (const via of PATHS)
    test(`${name} (old store, ${via}): -0 and 0 in two records stop the open with E_SCHEMA naming both`, async () => {
      const dir = await copy(name, via);
      try {
        for (let attempt = 0; attempt < 2; attempt++)
          await assert.rejects(openStore(S, { path: dir }), (err: any) => {
            assert.equal(err.code, 'E_SCHEMA');
            assert.equal(err.field, 'k');
            assert.match(err.message, /-0 and 0/);
            assert.ok(err.message.includes(`${minusId} (k=-0)`), err.message);
            assert.ok(err.message.includes(`${1 - minusId} (k=0)`), err.message);
            return true;
          });
        // Nothing of the records was lost: the store (migrated to layout 2 on open) holds
        // all three, for a repair.
        let hot = 0;
        await raw(dir, async (db) => {
          for await (const _ of db.keys(RECORD_RANGE)) hot++;
        });
        assert.equal(hot, 3);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

/** A store of `S` closed by this code, whose snapshot header then gets `format` (or none). */
async function withFormat(S: typeof F64 | typeof U32, format: number | undefined) {
  const dir = tempDir('key-format');
  const s = await openStore(S, { path: dir });
  await s.putMany([
    { k: 1, n: 1, note: 'one' },
    { k: 7, n: 7, note: 'seven' },
  ]);
  await s.close();
  await raw(dir, async (db) => {
    const head = unpack((await db.get(snapshotKey('#meta', 0)))!) as Record<string, unknown>;
    assert.equal(head.format, 2);
    if (format === undefined) delete head.format;
    else head.format = format;
    await db.put(snapshotKey('#meta', 0), pack(head));
  });
  return dir;
}

for (const [label, S, format, mode] of [
  ['an integer key, format 1', U32, undefined, 'snapshot'],
  ['a float key, format 1', F64, undefined, 'rebuild'],
  ['a float key, format 2', F64, 2, 'snapshot'],
  ['an integer key, a newer format', U32, 3, 'rebuild'],
] as const)
  test(`a snapshot of ${label} opens by ${mode}`, async () => {
    const dir = await withFormat(S, format);
    try {
      const s = await openStore(S as typeof F64, { path: dir });
      assert.equal(s._cold?.openMode, mode);
      assert.equal(s.size, 2);
      assert.equal(s.get({ k: 7 })?.n, 7);
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
