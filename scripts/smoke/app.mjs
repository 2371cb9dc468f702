// A user's app, in plain ESM JavaScript, run against the installed package (see .ci/smoke):
// every entry point imports, and a store on disk ingests, answers queries and cold reads,
// closes and reopens with its data. Optional peers (fast-check, vega, vega-lite) are not
// installed: the chart says what to install. Exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isLeanrecError, openStore, schema, t } from 'leanrec';
import { compareVersions, debianPackages, parseDeb822 } from 'leanrec/debian';
import { breakdownChart, memstatsTable, processMemory } from 'leanrec/mem';

const Pkg = schema({
  key: ['name', 'version'],
  hot: { name: t.string(), version: t.string(), size: t.u32(), essential: t.flag() },
  cold: { text: { description: t.string() } },
});
const records = Array.from({ length: 500 }, (_, i) => ({
  name: `pkg${i}`,
  version: `1.${i % 7}`,
  size: i * 100,
  essential: i % 50 === 0,
  description: `package number ${i}`,
}));

const dir = mkdtempSync(join(tmpdir(), 'leanrec-smoke-'));
try {
  const path = join(dir, 'pkgs.db');
  let store = await openStore(Pkg, { path });
  await store.ingest(records);
  assert.equal(store.count({ essential: true }), 10);
  const v = store.get({ name: 'pkg42', version: '1.0' });
  assert.equal(v?.size, 4200);
  assert.equal(v?.cold('text').description, 'package number 42');
  assert.equal([...store.where({ size: { gt: 49_500 } })].length, 4);
  await store.close();

  store = await openStore(Pkg, { path });
  assert.equal(store.count(), 500);
  assert.equal(
    store.get({ name: 'pkg499', version: '1.2' })?.cold('text').description,
    'package number 499',
  );
  assert.ok(processMemory({ stores: [store] }).rss > 0);
  const memory = store.memory();
  await store.close();

  // leanrec/debian: paragraphs parse; versions compare; the Debian schema is there.
  const text = 'Package: bash\nVersion: 5.2\n\nPackage: zsh\nVersion: 5.9\n';
  const paragraphs = [];
  for await (const p of parseDeb822(Readable.from([Buffer.from(text)]))) paragraphs.push(p);
  assert.equal(paragraphs.length, 2);
  assert.ok(compareVersions('1.0~rc1', '1.0') < 0);
  assert.equal(typeof debianPackages, 'object');

  // leanrec/mem without vega: the text chart works, the SVG chart names what to install.
  assert.match(memstatsTable([]), /no samples/);
  await assert.rejects(
    breakdownChart(memory),
    (e) => isLeanrecError(e, 'E_MISSING_PEER') && /npm install vega vega-lite/.test(e.message),
  );

  // leanrec/testing: with its peer fast-check installed, it draws valid records; without,
  // it fails to load naming fast-check.
  let hasFastCheck = true;
  try {
    import.meta.resolve('fast-check');
  } catch {
    hasFastCheck = false;
  }
  if (hasFastCheck) {
    const { default: fc } = await import('fast-check');
    const { arbitraryRecord } = await import('leanrec/testing');
    const mem = await openStore(Pkg); // in memory: the drawn records must all be accepted
    await mem.ingest(fc.sample(arbitraryRecord(Pkg), 50));
    assert.ok(mem.count() >= 1);
    await mem.close();
  } else await assert.rejects(import('leanrec/testing'), /fast-check/);

  const pkg = JSON.parse(
    readFileSync(new URL(import.meta.resolve('leanrec/package.json')), 'utf8'),
  );
  console.log(
    `leanrec ${pkg.version} on Node ${process.version}: all entry points OK (fast-check ${hasFastCheck ? 'present' : 'absent'})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
