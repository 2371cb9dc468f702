/**
 * `verifyDependencies` as a library call: the batch size changes how relations are
 * loaded, never the answer; bad options are `E_ARGUMENT`. (The rules themselves are
 * checked on hand-made indexes in test/cli and against the reference on the real index.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from 'leanrec';
import { debianPackages, readPackages, verifyDependencies } from 'leanrec/debian';
import { isLeanrecError } from '../../src/errors.ts';

const sample = new URL('../fixtures/Packages-sample.gz', import.meta.url).pathname;

test('every batch size gives the same unsatisfied groups; bad options are E_ARGUMENT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leanrec-verify-'));
  try {
    const store = await openStore(debianPackages, { path: join(dir, 'db') });
    const { written } = await store.ingest(readPackages(sample));
    const all = await verifyDependencies(store);
    assert.ok(all.length > 0, 'the sample is a slice of an index: some groups are unsatisfied');
    for (const batchSize of [1, 7, written - 1, written, written + 1, 100_000])
      assert.deepEqual(await verifyDependencies(store, { batchSize }), all, `batch ${batchSize}`);
    const recommends = await verifyDependencies(store, { fields: ['Recommends'] });
    assert.ok(recommends.every((u) => u.field === 'Recommends'));
    for (const options of [
      { batchSize: 0 },
      { batchSize: -3 },
      { batchSize: 1.5 },
      { batchSize: Number.NaN },
      { fields: ['Nope' as 'Depends'] },
    ]) {
      await assert.rejects(
        verifyDependencies(store, options),
        (err) => isLeanrecError(err, 'E_ARGUMENT'),
        JSON.stringify(options),
      );
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed relation in a middle batch is E_PARSE naming the package; the store stays usable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leanrec-verify-'));
  try {
    const store = await openStore(debianPackages, { path: join(dir, 'db') });
    const paragraphs = Array.from({ length: 40 }, (_, i) => {
      const depends = i === 23 ? 'base (>= 1' : 'base';
      return `Package: p${i}\nVersion: 1\nArchitecture: amd64\nDepends: ${depends}\n`;
    });
    paragraphs.push('Package: base\nVersion: 1\nArchitecture: amd64\n');
    const bytes = Buffer.from(paragraphs.join('\n'));
    await store.ingest(
      readPackages(
        (async function* () {
          yield bytes;
        })(),
      ),
    );
    for (const batchSize of [1, 4, 64]) {
      await assert.rejects(
        verifyDependencies(store, { batchSize }),
        (err) =>
          isLeanrecError(err, 'E_PARSE') &&
          err.field === 'Depends' &&
          err.key === 'p23 1 amd64' &&
          /p23 1 amd64/.test(err.message),
      );
    }
    await store.put({
      ...store.get({ package: 'p23', version: '1', architecture: 'amd64' })!.record(),
      depends: 'base',
    } as never);
    assert.deepEqual(await verifyDependencies(store, { batchSize: 4 }), []);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
