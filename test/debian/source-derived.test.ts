import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openStore } from 'leanrec';
import { debianPackages, parseDeb822, readPackages, toDeb822 } from 'leanrec/debian';
import { packageRecord } from '../../src/debian/read.ts';

const sample = fileURLToPath(new URL('../../examples/data/Packages.gz', import.meta.url));

async function recordOf(text: string) {
  async function* bytes() {
    yield Buffer.from(text);
  }
  for await (const p of parseDeb822(bytes())) return packageRecord(p);
  throw new Error('no paragraph');
}

test('source: the package itself without a Source field; toDeb822 writes exactly the fields given', async () => {
  const cases: [string, string, string | undefined][] = [
    ['Package: bash\nVersion: 5.2\nArchitecture: amd64\n', 'bash', undefined],
    ['Package: libc6\nSource: glibc\nVersion: 2.36\nArchitecture: amd64\n', 'glibc', undefined],
    ['Package: bash\nSource: bash\nVersion: 5.2\nArchitecture: amd64\n', 'bash', undefined],
    ['Package: bash\nSource: bash (5.1)\nVersion: 5.2+b1\nArchitecture: amd64\n', 'bash', '5.1'],
    ['Package: zz\nVersion: 1\nArchitecture: all\nsource: zz\n', 'zz', undefined],
  ];
  for (const [text, source, version] of cases) {
    const rec = await recordOf(text);
    assert.equal(rec.source, source, text);
    assert.equal(rec.sourceVersion, version, text);
    assert.equal(toDeb822(rec), text);
    // And through a store on disk's cold and hot tiers.
    const store = await openStore(debianPackages);
    await store.put(rec);
    const view = store.get(rec);
    assert.ok(view);
    assert.equal(toDeb822(view.record()), text);
    await store.close();
  }
});

test('where({ source }) finds every binary of a source, with or without a Source field', async () => {
  const text = gunzipSync(readFileSync(sample)).toString('utf8');
  const paragraphs = text.split('\n\n').filter((p) => p.trim() !== '');
  const sourceOf = (p: string) => /^Source: (\S+)/m.exec(p)?.[1] ?? /^Package: (\S+)/m.exec(p)![1]!;
  const store = await openStore(debianPackages);
  await store.ingest(readPackages(sample));
  const counts = new Map<string, number>();
  for (const p of paragraphs) counts.set(sourceOf(p), (counts.get(sourceOf(p)) ?? 0) + 1);
  // Sources named only by their binaries' own names, and by Source fields, both found.
  const implicit = paragraphs.filter((p) => !/^Source:/m.test(p)).map(sourceOf);
  const explicit = paragraphs.filter((p) => /^Source:/m.test(p)).map(sourceOf);
  assert.ok(implicit.length > 0 && explicit.length > 0);
  for (const name of [implicit[0]!, explicit[0]!, explicit.at(-1)!])
    assert.equal(store.count({ source: name }), counts.get(name), name);
  assert.equal(store.count({ source: 'no-such-source' }), 0);
  await store.close();
});
