/**
 * A Packages index with CRLF line ends comes back byte for byte: through records, a store
 * on disk closed and reopened, and `leanrec get`. A paragraph that
 * mixes LF and CRLF comes back with LF, as the README says.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from 'leanrec';
import { debianPackages, readPackages, readSources, toDeb822 } from 'leanrec/debian';
import { leanrecOk } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('crlf');
after(() => rmSync(dir, { recursive: true, force: true }));

// The sample's paragraphs: all CRLF but the third, which mixes (its first line ends in LF).
const lf = readFileSync(join(root, 'test/fixtures/Packages-sample'), 'utf8')
  .split(/\n\n+/)
  .filter((p) => p.trim() !== '')
  .map((p) => `${p.replace(/\n+$/, '')}\n`);
const MIXED = 2;
const written = lf.map((p, i) => {
  const crlf = p.replace(/\n/g, '\r\n');
  return i === MIXED ? crlf.replace('\r\n', '\n') : crlf;
});
const file = join(dir, 'Packages');
writeFileSync(file, written.join('\r\n'));
/** What `toDeb822` must give for paragraph i. */
const expected = written.map((p, i) => (i === MIXED ? lf[i]! : p));
const nameOf = (p: string) => /^Package: (.*)$/m.exec(p.replace(/\r/g, ''))![1]!;

test('CRLF paragraphs come back byte for byte from records and from a reopened store', async () => {
  assert.ok(lf.length >= 10 && new Set(lf.map(nameOf)).size === lf.length);
  const records = [];
  for await (const r of readPackages(file)) records.push(r);
  assert.deepEqual(records.map(toDeb822), expected);
  assert.deepEqual(
    records.map((r) => r.lineEnd),
    records.map((_, i) => (i === MIXED ? undefined : 'crlf')),
  );

  const path = join(dir, 'db');
  let store = await openStore(debianPackages, { path });
  await store.ingest(readPackages(file));
  await store.close();
  store = await openStore(debianPackages, { path });
  for (let i = 0; i < lf.length; i++) {
    const views = [...store.where({ package: nameOf(lf[i]!) })];
    assert.equal(views.length, 1);
    assert.equal(toDeb822(views[0]!.record()), expected[i], nameOf(lf[i]!));
  }
  await store.close();
});

test('a CRLF Sources index comes back byte for byte too', async () => {
  const text = readFileSync(join(root, 'test/fixtures/Sources-sample'), 'utf8').replace(
    /\n/g,
    '\r\n',
  );
  const sources = join(dir, 'Sources');
  writeFileSync(sources, text);
  let out = '';
  for await (const r of readSources(sources)) out += (out === '' ? '' : '\r\n') + toDeb822(r);
  assert.equal(out, text.replace(/(\r\n)+$/, '\r\n'));
});

test('leanrec get prints a CRLF paragraph byte for byte', async () => {
  const db = join(dir, 'cli.db');
  await leanrecOk(['ingest', file, '--db', db]);
  for (const i of [0, MIXED])
    assert.equal(await leanrecOk(['get', db, nameOf(lf[i]!)]), expected[i]);
});
