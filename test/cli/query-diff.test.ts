/**
 * `leanrec query <db> '<query>'` and `leanrec diff <a> <b>` as a user runs them: counts
 * and lines against the plain-object model on the example index; diff of the index
 * against an edited copy, given as files and as databases.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DebianPackage, parseQuery, readPackages, toDeb822 } from 'leanrec/debian';
import { leanrec, root } from '../helpers/cli.ts';
import { readIndex } from '../helpers/debian-index.ts';
import { editIndex } from '../helpers/index-edits.ts';
import { modelFilter } from '../helpers/query-model.ts';
import { tempDir } from '../helpers/temp.ts';

const sample = join(root, 'examples/data/Packages.gz');

const tmp = tempDir('cli-query');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('leanrec query and diff on the example index', () => {
  const db = join(tmp, 'a.db');
  const recs = readIndex(sample);
  before(async () => {
    const r = await leanrec(['ingest', sample, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
  });

  test("query '<query>' prints and counts what the model selects", async () => {
    for (const q of [
      'Priority (optional), Section (admin)',
      'Section (% *libs), !$Architecture (all)',
      'Depends (libc6) | Essential',
      '$Version (>= 2.0), Installed-Size (<< 500)',
    ]) {
      const m = modelFilter(parseQuery(q));
      const want = recs.filter((r) => m(r.fields));
      assert.ok(want.length > 0, q);
      const list = await leanrec(['query', db, q]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(
        list.stdout
          .split('\n')
          .filter((l) => l !== '')
          .sort(),
        want.map((r) => `${r.package} ${r.version} ${r.architecture}`).sort(),
        q,
      );
      const count = await leanrec(['query', db, q, '--count']);
      assert.equal(count.stdout, `${want.length}\n`, q);
    }
  });

  test('a bad query is one E_PARSE line naming the column; query and --where do not mix', async () => {
    const r = await leanrec(['query', db, 'Priority (required']);
    assert.equal(r.code, 3); // bad data (E_PARSE): README "Exit codes"
    assert.match(r.stderr, /^leanrec: E_PARSE: .*column 19/);
    assert.equal(r.stderr.split('\n').length, 2);
    const both = await leanrec(['query', db, 'bash', '--where', 'section=shells']);
    assert.equal(both.code, 2);
    const where = await leanrec(['query', db, '--where', 'priority=required', '--count']);
    assert.equal(where.stdout, `${recs.filter((r) => r.priority === 'required').length}\n`);
  });

  test('diff of the index and an edited copy, as files and as databases', async () => {
    const records: DebianPackage[] = [];
    for await (const r of readPackages(sample)) records.push(r);
    const { records: edited, expected } = editIndex(records, 40);
    const file = join(tmp, 'edited-Packages');
    writeFileSync(file, edited.map((r) => toDeb822(r)).join('\n'));
    const want = expected.map((l) => l.split('\t').slice(0, 5).join('\t'));
    const files = await leanrec(['diff', sample, file]);
    assert.equal(files.code, 0, files.stderr);
    assert.deepEqual(
      files.stdout
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
      want,
    );
    const dbB = join(tmp, 'b.db');
    assert.equal((await leanrec(['ingest', file, '--db', dbB])).code, 0);
    const dbs = await leanrec(['diff', db, dbB]);
    assert.equal(dbs.stdout, files.stdout);
    const hot = await leanrec(['diff', db, dbB, '--hot']);
    assert.deepEqual(
      hot.stdout
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
      expected
        .filter((l) => !l.endsWith('\tdescription'))
        .map((l) => l.split('\t').slice(0, 5).join('\t')),
    );
    const missing = await leanrec(['diff', db, join(tmp, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope/);
  });
});
