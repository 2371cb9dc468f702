/**
 * The whole real Debian index (63,440 records) through a LevelDB store on disk:
 * ingest, close, reopen from the snapshot, and every cold group equal to the source;
 * `loadMany` over every view equal to `cold()`.
 *
 * Needs `LEANREC_DEBIAN_PACKAGES` (skipped when unset; fails when set to a missing file).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { openStore } from 'leanrec';
import {
  DEBIAN_RECORDS,
  DebianLocal,
  debianIndexPath,
  debianSkip,
  hotOf,
  keyOf,
  readIndex,
} from '../helpers/debian-index.ts';
import { tempDir } from '../helpers/temp.ts';

test('all 63,440 Debian records: ingest, close, reopen (snapshot), every cold group equal; loadMany equals cold()', {
  skip: debianSkip(),
  timeout: 120_000,
}, async () => {
  const records = readIndex(debianIndexPath());
  assert.equal(records.length, DEBIAN_RECORDS);
  const dir = tempDir('test');
  try {
    const first = await openStore(DebianLocal, { path: dir });
    const res = await first.ingest(records, { batchSize: 2000 });
    assert.deepEqual(res, {
      written: DEBIAN_RECORDS,
      inserted: DEBIAN_RECORDS,
      updated: 0,
      skipped: 0,
      batches: Math.ceil(DEBIAN_RECORDS / 2000),
    });
    await first.close();

    const store = await openStore(DebianLocal, { path: dir, cacheBytes: 1 << 20 });
    assert.equal(store._cold?.openMode, 'snapshot');
    assert.equal(store.size, DEBIAN_RECORDS);
    const views = [];
    for (const r of records) {
      const v = store.get(keyOf(r));
      assert.ok(v !== undefined, `${r.package} ${r.version} ${r.architecture}`);
      assert.deepStrictEqual(v.toObject(), hotOf(r));
      assert.deepStrictEqual(v.cold('control'), { fields: r.fields });
      const text: Record<string, unknown> = {};
      if (r.description !== undefined) text.description = r.description;
      if (r.maintainer !== undefined) text.maintainer = r.maintainer;
      assert.deepStrictEqual(v.cold('text'), text);
      views.push(v);
    }
    const mem = store.memory();
    assert.ok(mem.cache <= 1 << 20, `cache ${mem.cache} B within 1 MiB`);

    // loadMany over every view (in the store's row order) equals cold(), per group and merged.
    const all = [...store.where()];
    assert.equal(all.length, DEBIAN_RECORDS);
    const control = await store.loadMany(all, 'control', { cache: false });
    const merged = await store.loadMany(all);
    assert.equal(control.length, DEBIAN_RECORDS);
    for (let i = 0; i < all.length; i++) {
      assert.deepStrictEqual(control[i], all[i]!.cold('control'));
      assert.deepStrictEqual(merged[i], all[i]!.cold());
    }
    // And in input order, through the views taken by key.
    const texts = await store.loadMany(views, 'text');
    texts.forEach((t, i) => {
      assert.equal(t.description, records[i]!.description);
    });
    assert.equal(store.count({ essential: true }), records.filter((r) => r.essential).length);
    assert.equal(
      store.count({ architecture: 'all' }),
      records.filter((r) => r.architecture === 'all').length,
    );
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
