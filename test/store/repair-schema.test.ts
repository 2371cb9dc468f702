/**
 * `repairStore` picks the schema a database was written with among the candidates by the
 * fingerprint of its stored schema entry: the matching one whatever the candidates' order,
 * `E_SCHEMA` when none matches, and the same schema when the stored descriptor's properties
 * come in another order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { isLeanrecError, openStore, schema, t } from 'leanrec';
import { pack } from 'msgpackr';
import { metaKey } from '../../src/cold/layout.ts';
import { repairStore } from '../../src/store/repair.ts';
import { removeTempDir, tempDir } from '../helpers/temp.ts';

const A = schema({
  key: ['name'],
  hot: { name: t.string(), n: t.u32() },
  cold: { text: { body: t.string() } },
});
const B = schema({
  key: ['name'],
  hot: { name: t.string(), n: t.u16() },
  cold: { text: { body: t.string() } },
});

async function withStore(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('repair-schema');
  try {
    const s = await openStore(A, { path: dir });
    await s.ingest([
      { name: 'a', n: 1, body: 'one' },
      { name: 'b', n: 70000, body: 'two' },
    ]);
    await s.close();
    await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

async function records(dir: string): Promise<unknown[]> {
  const s = await openStore(A, { path: dir });
  try {
    return [...s.where()].map((v) => v.record());
  } finally {
    await s.close();
  }
}

test('the candidate whose fingerprint matches the stored schema is used; none matching is E_SCHEMA', async () => {
  await withStore(async (dir) => {
    await assert.rejects(repairStore(dir, [B]), (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_SCHEMA');
      assert.ok(err.message.includes(dir), err.message);
      return true;
    });
    const report = await repairStore(dir, [B, A]);
    assert.equal(report.schema, A);
    assert.deepStrictEqual(report.lost, []);
    assert.deepStrictEqual(await records(dir), [
      { name: 'a', n: 1, body: 'one' },
      { name: 'b', n: 70000, body: 'two' },
    ]);
  });
});

test('a stored descriptor with its properties in another order is the same schema', async () => {
  await withStore(async (dir) => {
    const reversed = (d: object) => Object.fromEntries(Object.entries(d).reverse());
    const d = A.descriptor;
    const stored = {
      groups: d.groups.map(([g, fs]) => [g, fs.map(([n, f]) => [n, reversed(f)])]),
      hot: d.hot.map(([n, f]) => [n, reversed(f)]),
      key: d.key,
    };
    assert.notEqual(JSON.stringify(stored), JSON.stringify(d));
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.put(metaKey('schema'), pack(stored));
    await db.close();
    const report = await repairStore(dir, [B, A]);
    assert.equal(report.schema, A);
    assert.deepStrictEqual(report.lost, []);
    assert.equal((await records(dir)).length, 2);
  });
});
