import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLeanrecError, openStore, schema, t } from 'leanrec';
import { parseMemstats, processMemory, sampleMemory, TSV_HEADER } from 'leanrec/mem';
import { runNode } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the sampler writes well-formed TSV with marks, and stops cleanly', async () => {
  const dir = tempDir('mem');
  try {
    const file = join(dir, 'memstats.tsv');
    const seen: number[] = [];
    const sampler = sampleMemory({ intervalMs: 10, file, onSample: (s) => seen.push(s.tMs) });
    await sleep(80);
    sampler.mark('ingest\tdone');
    await sleep(40);
    await sampler.stop();
    await sampler.stop(); // idempotent
    assert.throws(
      () => sampler.mark('late'),
      (e) => isLeanrecError(e, 'E_CLOSED'),
    );
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], TSV_HEADER);
    assert.ok(text.endsWith('\n'));
    const rows = parseMemstats(text);
    assert.equal(rows.length, sampler.count);
    assert.equal(rows.length, seen.length);
    assert.ok(rows.length >= 5, `only ${rows.length} samples`);
    assert.deepEqual(
      rows.filter((r) => r.mark !== undefined).map((r) => r.mark),
      ['start', 'ingest done', 'stop'],
    );
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.tMs >= rows[i - 1]!.tMs);
    for (const r of rows) assert.ok(r.rss > 0 && r.heapUsed > 0 && r.heapTotal >= r.heapUsed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sampler uses the injected clock', async () => {
  let now = 1000;
  const sampler = sampleMemory({ intervalMs: 1e6, now: () => now });
  now = 1250;
  assert.equal(sampler.mark('a').tMs, 250);
  now = 1500;
  await sampler.stop();
  assert.equal(sampler.count, 3);
});

test('a sampler that is never stopped does not keep the process alive', async () => {
  const code =
    "import('leanrec/mem').then(({ sampleMemory }) => { sampleMemory({ intervalMs: 5 }); console.log('started'); })";
  const t0 = Date.now();
  const r = await runNode(['--conditions=leanrec-source', '--import', 'tsx', '-e', code], {
    timeout: 20_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const stdout = r.stdout;
  assert.match(stdout, /started/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('bad intervals and malformed memstats are refused', () => {
  assert.throws(
    () => sampleMemory({ intervalMs: 0 }),
    (e) => isLeanrecError(e, 'E_ARGUMENT'),
  );
  assert.throws(
    () => parseMemstats('t\trss\n1\t2\n'),
    (e) => isLeanrecError(e, 'E_PARSE'),
  );
  assert.throws(
    () => parseMemstats(`${TSV_HEADER}\n1\t2\t3\tx\t5\t6\t\n`),
    (e) => isLeanrecError(e, 'E_PARSE') && (e as { line?: number }).line === 2,
  );
});

test('processMemory reports OS and V8 figures, and what the given stores account for', async () => {
  const S = schema({ key: ['k'], hot: { k: t.string() }, cold: { v: t.string() } });
  const dir = tempDir('mem');
  const store = await openStore(S, {
    path: dir,
    levelCacheBytes: 3 << 20,
    levelWriteBufferBytes: 1 << 20,
  });
  try {
    await store.ingest(
      Array.from({ length: 2000 }, (_, i) => ({ k: `key-${i}`, v: `value ${i}` })),
    );
    const m = processMemory({ stores: [store] });
    assert.ok(
      m.rss > 0 && m.heapUsed > 0 && m.heapTotal >= m.heapUsed && m.external >= m.arrayBuffers,
    );
    assert.ok(m.heapSpaces.some((s) => s.name === 'old_space' && s.used > 0));
    assert.equal(m.leveldb, (3 << 20) + (1 << 20));
    assert.equal(m.stores, store.memory().total);
    if (process.platform === 'linux') {
      assert.ok(m.virtual !== undefined && m.virtual >= m.rss);
      assert.ok(m.peakRss !== undefined && m.peakRss >= m.rss * 0.5);
      assert.ok(m.rssAnon !== undefined && m.rssFile !== undefined);
    }
    assert.equal(processMemory().stores, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(processMemory({ stores: [store] }).stores, 0, 'closed stores count for nothing');
});
