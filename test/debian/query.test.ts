/**
 * `store.query`: package queries compiled to the hot tier give the answers aptly gave
 * (test/fixtures/aptly-queries.json, recorded by bench/aptly/record-queries.mjs) and the
 * answers of a plain-object model (test/helpers/query-model.ts), on the sample index always
 * and on the real index when LEANREC_DEBIAN_PACKAGES is set; cold groups are read only
 * for rows the hot conditions let through.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openStore, type Store } from 'leanrec';
import { debianPackages, parseQuery, readPackages } from 'leanrec/debian';
import { ROW, type ViewBase } from '../../src/hot/view.ts';
import { queryRows } from '../../src/query/compile.ts';
import { popcount } from '../../src/query/filter.ts';
import { debianIndexPath, debianSkip, readIndex } from '../helpers/debian-index.ts';
import { arbQuery, modelFilter } from '../helpers/query-model.ts';
import { tempDir } from '../helpers/temp.ts';

type Pkgs = Store<typeof debianPackages>;
type Rec = ReturnType<typeof readIndex>[number];

const SAMPLE = new URL('../fixtures/Packages-sample', import.meta.url).pathname;
const keyOf = (v: { package: string; version: string; architecture: string }) =>
  `${v.package}_${v.version}_${v.architecture}`;
const answer = (store: Pkgs, q: string): string[] => Array.from(store.query(q), keyOf).sort();
/** Real-index answers, computed once per query. */
const answers = new Map<string, string[]>();
const modelAnswer = (recs: readonly Rec[], q: string): string[] => {
  const m = modelFilter(parseQuery(q));
  return recs
    .filter((r) => m(r.fields))
    .map(keyOf)
    .sort();
};

async function ingest(file: string): Promise<{ store: Pkgs; dir: string }> {
  const dir = tempDir('query');
  const store = await openStore(debianPackages, { path: dir });
  await store.ingest(readPackages(file));
  return { store, dir };
}

/** Queries beyond aptly's fixtures: relation fields per relation, rest fields, Size… */
const MORE = [
  'Depends (libc6), !Pre-Depends',
  'Provides (mail-transport-agent)',
  'Provides (% x-*), Section (x11)',
  'Recommends (~ ^python3-), Section (python)',
  'Pre-Depends (<< b), Section (admin)',
  'Size (>> 50000000)',
  'Size (% 1???)',
  'Section (games), SHA256 (% 00*)',
  'Section (games), Description-md5 (~ ^ff)',
  'Name (% bash*), Filename (% pool/main/b/bash/*)',
  'Essential (yes) | Important (yes)',
  'Build-Essential, !Essential',
  '$PackageType (udeb)',
  '$Architecture (source)',
  '$Architecture (i386)',
  '!$Architecture (amd64)',
  'Source',
  '!Source, Section (shells)',
  'bash | dash | zsh, !Priority (required)',
  'Name (% python3-d*), !Depends (python3)',
  'Homepage (~ github), (Section (devel) | Section (vcs))',
  'Section (ruby), Ruby-Versions | Section (lua), Lua-Versions',
  'Section (golang), Go-Import-Path (% *github.com*)',
];

describe('store.query on the sample index', () => {
  let store: Pkgs;
  let dir: string;
  let recs: Rec[];
  before(async () => {
    ({ store, dir } = await ingest(SAMPLE));
    recs = readIndex(SAMPLE);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees with the plain-object model on random queries (property)', () => {
    const names = [...new Set(recs.map((r) => r.package))].slice(0, 12);
    const values = ['required', 'optional', 'admin', 'libs', 'python3', 'libc6', 'utils', 'debian'];
    fc.assert(
      fc.property(arbQuery(names, values), (q) => {
        const want = recs
          .filter((r) => modelFilter(q)(r.fields))
          .map(keyOf)
          .sort();
        assert.deepEqual(Array.from(store.query(q), keyOf).sort(), want);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves out deleted records and sees upserts', async () => {
    const first = recs[0]!;
    assert.deepEqual(answer(store, `${first.package}_${first.version}_${first.architecture}`), [
      keyOf(first),
    ]);
    await store.delete({
      package: first.package,
      version: first.version,
      architecture: first.architecture as 'amd64',
    });
    assert.deepEqual(answer(store, `${first.package}_${first.version}_${first.architecture}`), []);
    assert.deepEqual(answer(store, `Name (${first.package})`), []);
  });

  it('throws E_PARSE with the column, and E_ARGUMENT for unknown fields', () => {
    assert.throws(() => store.query('Priority (required'), { code: 'E_PARSE', column: 19 });
    assert.throws(
      () => store.query('$Nope (x)'),
      (e: Error & { code?: string }) => e.code === 'E_ARGUMENT' && e.message.includes('$Nope'),
    );
  });

  it('rejects cold conditions on a hot-only store, answers hot ones', async () => {
    const hot = await openStore(debianPackages, { cold: false });
    try {
      await hot.ingest(readPackages(SAMPLE));
      assert.deepEqual(
        answer(hot, 'Priority (required)'),
        modelAnswer(recs.slice(1), 'Priority (required)'),
      );
      assert.throws(() => hot.query('Depends (libc6)'), { code: 'E_ARGUMENT' });
    } finally {
      await hot.close();
    }
  });

  it('reads cold groups only for rows the hot conditions let through', () => {
    const tier = store._tier;
    const views = new Map<number, typeof store.where extends () => Iterable<infer V> ? V : never>();
    for (const v of store.where()) views.set((v as unknown as ViewBase)[ROW], v);
    const reads: number[] = [];
    const cold = (row: number, group: string) => {
      reads.push(row);
      return views.get(row)!.cold(group as 'control') as Record<string, unknown>;
    };
    // Hot only: nothing read.
    queryRows(tier, 'Priority (optional), !Essential | Section (% lib*)', cold);
    assert.equal(reads.length, 0);
    // AND: only the rows of the section.
    const libs = store.count({ section: 'libs' });
    assert.ok(libs > 0);
    const rows = queryRows(tier, 'Description (~ x), Section (libs)', cold);
    assert.equal(reads.length, libs);
    assert.equal(popcount(rows), answer(store, 'Description (~ x), Section (libs)').length);
    // OR: only the rows the hot branch did not take.
    reads.length = 0;
    queryRows(tier, 'Maintainer (~ x) | Priority (optional)', cold);
    assert.equal(reads.length, store.size - store.count({ priority: 'optional' }));
  });
});

describe('store.query on the real index', { skip: debianSkip() }, () => {
  let store: Pkgs;
  let dir: string;
  let recs: Rec[];
  before(async () => {
    const file = debianIndexPath();
    ({ store, dir } = await ingest(file));
    recs = readIndex(file);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fixtures: Record<string, { count: number; sha256: string; keys?: string[] }> = JSON.parse(
    readFileSync(new URL('../fixtures/aptly-queries.json', import.meta.url), 'utf8'),
  );

  it("gives aptly's answers to every recorded query", () => {
    assert.ok(Object.keys(fixtures).length >= 40);
    for (const [q, want] of Object.entries(fixtures)) {
      const keys = answer(store, q);
      answers.set(q, keys);
      if (want.keys !== undefined) assert.deepEqual(keys, want.keys, q);
      assert.equal(keys.length, want.count, q);
      assert.equal(createHash('sha256').update(keys.join('\n')).digest('hex'), want.sha256, q);
    }
  });

  it("gives the plain-object model's answers to queries aptly was not asked", () => {
    // aptly's answers check the model on a few of its queries; the rest are checked above.
    for (const q of [...Object.keys(fixtures).filter((_, i) => i % 6 === 0), ...MORE])
      assert.deepEqual(answer(store, q), modelAnswer(recs, q), q);
    // Relation fields match per relation (aptly 1.5.0 compares the whole field text).
    assert.ok(answer(store, 'Depends (libc6)').length > 10_000);
    assert.ok(
      answer(store, 'Provides (mail-transport-agent)').length >
        fixtures['mail-transport-agent']!.count - 3,
    );
  });

  it('agrees with the model on random queries (property)', () => {
    const names = [
      'bash',
      'libc6',
      'mail-transport-agent',
      'awk',
      'python3',
      'perl',
      'x-terminal-emulator',
    ];
    const values = ['required', 'optional', 'admin', 'libs', 'games', 'same', 'python3', 'libc6'];
    fc.assert(
      fc.property(arbQuery(names, values), (q) => {
        const m = modelFilter(q);
        const want = recs
          .filter((r) => m(r.fields))
          .map(keyOf)
          .sort();
        assert.deepEqual(Array.from(store.query(q), keyOf).sort(), want);
      }),
      { numRuns: 8 },
    );
  });
});
