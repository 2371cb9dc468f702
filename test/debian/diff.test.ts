/**
 * `diff` (generic, by key) and `diffStores` (per package and architecture): exact answers
 * on a modified copy of an index (removals, upgrades, downgrades, changed descriptions and
 * sections, additions), on the sample always and on the real index when
 * LEANREC_DEBIAN_PACKAGES is set; `cold: false` reads no cold group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diff, openStore, type Store } from 'leanrec';
import { type DebianPackage, debianPackages, diffStores, readPackages } from 'leanrec/debian';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { editIndex } from '../helpers/index-edits.ts';
import { Small, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

/** Every item of an async iterable (Node 20 has no Array.fromAsync). */
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const SAMPLE = new URL('../fixtures/Packages-sample', import.meta.url).pathname;

async function storeOf(records: Iterable<DebianPackage> | AsyncIterable<DebianPackage>) {
  const s = await openStore(debianPackages, { path: tempDir() });
  await s.ingest(records);
  return s;
}

async function lines(
  a: Store<typeof debianPackages>,
  b: Store<typeof debianPackages>,
  cold = true,
) {
  const out: string[] = [];
  for await (const d of diffStores(a, b, { cold })) {
    const f = d.kind === 'changed' ? `\t${d.fields!.join(',')}` : '';
    out.push(
      `${d.kind}\t${d.package}\t${d.architecture}\t${d.versionA ?? '-'}\t${d.versionB ?? '-'}${f}`,
    );
  }
  return out;
}

async function checkEdited(file: string, step: number) {
  const records: DebianPackage[] = [];
  for await (const r of readPackages(file)) records.push(r);
  const { records: edited, expected } = editIndex(records, step);
  assert.ok(expected.length >= 6, 'every kind of edit is present');
  const a = await storeOf(records);
  const b = await storeOf(edited);
  try {
    const got = await lines(a, b);
    assert.deepEqual([...got].sort(), expected);
    // `changed` as found, then the version changes by package and architecture.
    const firstOther = got.findIndex((l) => !l.startsWith('changed'));
    assert.ok(
      got.slice(firstOther).every((l) => !l.startsWith('changed\t') || l.endsWith('\tversion')),
    );
    const rest = got.slice(firstOther).map((l) => l.split('\t').slice(1, 3).join('\t'));
    assert.deepEqual(rest, [...rest].sort());
    // Hot fields only: the description edits are not seen; everything else is.
    const hot = await lines(a, b, false);
    assert.deepEqual(
      [...hot].sort(),
      expected.filter((l) => !l.endsWith('\tdescription')),
    );
    // Same store both sides: nothing; and the reverse diff (hot fields) mirrors the kinds.
    assert.deepEqual(await lines(a, a, false), []);
    const back = await lines(b, a, false);
    assert.equal(
      back.filter((l) => l.startsWith('added')).length,
      got.filter((l) => l.startsWith('removed')).length,
    );
    assert.equal(
      back.filter((l) => l.startsWith('upgraded')).length,
      got.filter((l) => l.startsWith('downgraded')).length,
    );
  } finally {
    await a.close();
    await b.close();
  }
}

describe('diffStores', () => {
  it('reports every kind of change exactly on the sample', async () => {
    await checkEdited(SAMPLE, 6);
  });

  it('reports every kind of change exactly on the real index', { skip: debianSkip() }, async () => {
    await checkEdited(debianIndexPath(), 997);
  });

  it('pairs several versions of one package newest to newest', async () => {
    const [base] = await collect(readPackages(SAMPLE));
    const v = (version: string): DebianPackage => ({
      ...base!,
      package: 'p',
      version,
      architecture: 'amd64',
    });
    const a = await storeOf([v('1.0'), v('2.0'), v('3.0')]);
    const b = await storeOf([v('2.0'), v('4.0'), v('1:0.1'), { ...v('1.0'), architecture: 'all' }]);
    try {
      assert.deepEqual(
        await lines(a, b),
        // By package and architecture (all < amd64); newest to newest: 1:0.1 > 4.0.
        ['added\tp\tall\t-\t1.0', 'upgraded\tp\tamd64\t3.0\t1:0.1', 'upgraded\tp\tamd64\t1.0\t4.0'],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('diff (generic, by key)', () => {
  it('reports removed, changed (naming hot and cold fields) and added records', async () => {
    const a = await openStore(Small, { path: tempDir() });
    const b = await openStore(Small, { path: tempDir() });
    try {
      await a.putMany([0, 1, 2, 3].map((i) => smallRecord(i)));
      await b.putMany([
        smallRecord(0),
        { ...smallRecord(1), n: 99 },
        { ...smallRecord(2), body: 'x' },
        smallRecord(4),
      ]);
      const got = await collect(diff(a, b));
      // Removed as found; changed once their cold groups are compared; then added.
      assert.deepEqual(got, [
        { kind: 'removed', key: { name: 'rec-3' } },
        { kind: 'changed', key: { name: 'rec-1' }, fields: ['n'] },
        { kind: 'changed', key: { name: 'rec-2' }, fields: ['body'] },
        { kind: 'added', key: { name: 'rec-4' } },
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses stores of different schemas', async () => {
    const a = await openStore(Small);
    const b = await openStore(debianPackages);
    try {
      await assert.rejects(collect(diff(a as never, b as never)), { code: 'E_ARGUMENT' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
