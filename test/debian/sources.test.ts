import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from 'leanrec';
import { debianSources, parseDeb822, readSources, toDeb822 } from 'leanrec/debian';
import { serializeParagraph } from '../../src/debian/serialize.ts';

const file = fileURLToPath(new URL('../fixtures/Sources-sample', import.meta.url));

test('Sources paragraphs map to debianSources records and back, byte for byte', async () => {
  const text = readFileSync(file, 'utf8');
  const originals: string[] = [];
  for await (const p of parseDeb822(file)) originals.push(serializeParagraph(p));
  assert.equal(originals.join('\n'), text);
  const records = [];
  for await (const r of readSources(file)) records.push(r);
  assert.equal(records.length, 2);
  assert.deepEqual(
    records.map((r) => toDeb822(r)),
    originals,
  );
  const bash = records[1]!;
  assert.equal(bash.package, 'bash');
  assert.equal(bash.architecture, 'any all');
  assert.match(bash.buildDepends ?? '', /^autoconf, /);
  // Testsuite-Triggers is not a typed field: it is kept in `rest`, in place.
  assert.deepEqual(records[0]!.rest, [['Testsuite-Triggers', 'dpkg-dev']]);
});

test('Sources records survive a store: view.record() gives the paragraph back', async () => {
  const store = await openStore(debianSources);
  await store.ingest(readSources(file));
  const originals: string[] = [];
  for await (const p of parseDeb822(file)) originals.push(serializeParagraph(p));
  const hello = store.get({ package: 'hello', version: '2.10-3' });
  assert.ok(hello);
  assert.equal(toDeb822(hello.record()), originals[0]);
  assert.equal(store.count({ section: 'shells' }), 1);
  await store.close();
});
