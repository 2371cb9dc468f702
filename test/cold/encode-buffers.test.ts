/**
 * A large record does not leave grown encode buffers behind: msgpackr packs into one
 * module-wide buffer that it grows to 4× a value too large for it and never shrinks,
 * and the codec's scratch buffer grows to the largest record. After the batch, both are
 * given back (`RecordCodec.release`), so what a store holds after a write is what
 * `memory()` counts.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { setImmediate as yieldNow } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openStore, schema, t } from 'leanrec';
import { tempDir } from '../helpers/temp.ts';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

async function arrayBuffers(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    await yieldNow();
    collect();
  }
  return process.memoryUsage().arrayBuffers;
}

const Doc = schema({
  key: ['name'],
  hot: { name: t.string() },
  cold: { body: { text: t.string(), tags: t.list(t.string()).optional() } },
});

test('a 2 MB record leaves no grown encode buffer held after its batch', async () => {
  const dir = tempDir('encode-buffers');
  try {
    const store = await openStore(Doc, { path: dir, cacheBytes: 0 });
    await store.put({ name: 'small', text: 'x' });
    const before = await arrayBuffers();
    // 2 MB of text and ≈ 0.8 MB of tags: msgpackr would grow its buffer to ≥ 8 MB.
    await store.put({
      name: 'big',
      text: 'y'.repeat(2_000_000),
      tags: Array.from({ length: 1000 }, (_, i) => `tag-${i}-`.repeat(100)),
    });
    const after = await arrayBuffers();
    assert.ok(
      after - before < 1_000_000,
      `array buffers grew by ${after - before} bytes after writing one large record`,
    );
    // The store still writes and reads records, large and small, after the release.
    await store.put({ name: 'big2', text: 'z'.repeat(300_000) });
    await store.put({ name: 'small2', text: 'é' });
    assert.equal(store.cold({ name: 'big' })?.text.length, 2_000_000);
    assert.equal(store.cold({ name: 'big2' })?.text, 'z'.repeat(300_000));
    assert.equal(store.cold({ name: 'small2' })?.text, 'é');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
