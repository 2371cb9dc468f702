/**
 * Package references skip the rows whose stored `relations` group cannot name the
 * package (ColdTier.readIfContains): on the sample index, for names that are provided,
 * depended on and absent, every row's answer agrees with a full read — `undefined` only
 * where the group's text does not contain the name, the decoded group otherwise — and
 * store.query answers as queryRows with a plain cold reader (no skipping) does.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { openStore } from 'leanrec';
import { debianPackages, readPackages } from 'leanrec/debian';
import { ID, ROW, type ViewBase } from '../../src/hot/view.ts';
import { queryRows } from '../../src/query/compile.ts';
import { tempDir } from '../helpers/temp.ts';

const SAMPLE = new URL('../fixtures/Packages-sample', import.meta.url).pathname;

test('package references read Provides only where the stored bytes hold the name', async () => {
  const dir = tempDir('provides');
  const store = await openStore(debianPackages, { path: dir, cacheBytes: 0 });
  try {
    await store.ingest(readPackages(SAMPLE));
    const tier = store._tier;
    const coldTier = store._cold!;
    const views = [...store.where()] as unknown as (ViewBase & { package: string })[];
    const provided = views
      .map((v) => store.get(v as never)!)
      .flatMap((v) =>
        ((v as { cold(g: string): { provides?: string } }).cold('relations').provides ?? '').split(
          /[ ,]+/,
        ),
      )
      .filter((s) => /^[a-z0-9][a-z0-9+.-]+$/.test(s));
    const names = [...new Set(provided)].slice(0, 5);
    assert.ok(names.length > 0, 'the sample has Provides');
    names.push('libc6', 'no-such-package-anywhere', views[0]!.package);
    let skipped = 0;
    for (const name of names) {
      const needle = new TextEncoder().encode(name);
      for (const v of views) {
        const full = coldTier.read(v[ID], 'relations', () => 'k');
        const got = coldTier.readIfContains(v[ID], 'relations', needle, () => 'k');
        if (got === undefined) {
          skipped++;
          for (const value of Object.values(full))
            assert.ok(!JSON.stringify(value ?? '').includes(name), `${name} in row ${v[ROW]}`);
        } else assert.deepEqual(got, full);
      }
      const plain = (row: number, group: string) => coldTier.read(tier.ids[row]!, group, () => 'k');
      const want = queryRows(tier, name, plain);
      const ours = [...store.query(name)].map((v) => (v as unknown as ViewBase)[ROW]);
      const wanted: number[] = [];
      for (let r = 0; r < want.length * 32; r++)
        if ((want[r >>> 5]! >>> (r & 31)) & 1) wanted.push(r);
      assert.deepEqual(ours, wanted, name);
    }
    assert.ok(skipped > views.length, `only ${skipped} rows skipped`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
