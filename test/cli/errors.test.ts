/**
 * One test per class of failure of the `leanrec` command: the line is
 * `leanrec: E_CODE: message`, the exit code is the class's, the root cause is named in
 * words and the position is said once. (Corruption: test/cli/repair.test.ts.)
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from 'leanrec';
import { debianPackages } from 'leanrec/debian';
import { leanrec, root } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('cli-errors');
after(() => rmSync(tmp, { recursive: true, force: true }));

const index = join(tmp, 'Packages');
writeFileSync(
  index,
  'Package: a\nVersion: 1\nArchitecture: amd64\nDepends: b\n\nPackage: b\nVersion: 2\nArchitecture: all\n',
);
const db = join(tmp, 'db');

/** One line on stderr, `leanrec: CODE: …`, nothing on stdout. */
function oneLine(r: { stdout: string; stderr: string }, code: string): string {
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^leanrec: ${code}: [^\\n]+\\n$`), r.stderr);
  return r.stderr;
}

describe('leanrec error classes', () => {
  before(async () => {
    const r = await leanrec(['ingest', index, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    chmodSync(db, 0o755);
  });

  test('usage: E_USAGE, exit 2, where the help is; --help documents the exit codes', async () => {
    const r = await leanrec(['ingest', index]);
    assert.equal(r.code, 2);
    assert.match(oneLine(r, 'E_USAGE'), /--db <dir>.*\(see leanrec ingest --help\)/);
    const bad = await leanrec(['verify', '--fields', 'Build-Depends', index]);
    assert.equal(bad.code, 2);
    assert.match(oneLine(bad, 'E_USAGE'), /source packages.*--build-deps/);
    const help = await leanrec(['--help']);
    assert.match(help.stdout, /Exit status: 0 success; 1 not found.*2 usage/s);
    assert.match(help.stdout, /3 bad data.*4 system/s);
  });

  test('not found: E_NOT_FOUND, exit 1, the missing path named', async () => {
    const r = await leanrec(['ingest', join(tmp, 'nope.gz'), '--db', join(tmp, 'x')]);
    assert.equal(r.code, 1);
    assert.match(oneLine(r, 'E_NOT_FOUND'), /nope\.gz: no such file or directory on .*nope\.gz/);
    const get = await leanrec(['get', db, 'zzz']);
    assert.equal(get.code, 1);
    assert.match(oneLine(get, 'E_NOT_FOUND'), /no record of zzz in .*db/);
  });

  test('permission: E_IO, exit 4, the LOCK file named and what to check', async () => {
    // A read-only directory; as root, the command runs without the capabilities that let
    // root ignore permissions.
    chmodSync(db, 0o555);
    chmodSync(join(db, 'LOCK'), 0o444);
    try {
      for (const cmd of [
        ['stats', db],
        ['query', db, '--count'],
        ['get', db, 'a'],
      ]) {
        const r = await leanrec(cmd, { unprivileged: true });
        assert.equal(r.code, 4, r.stderr);
        const line = oneLine(r, 'E_IO');
        assert.match(line, /permission denied on [^\n]*db\/LOCK; check the permissions/);
        assert.doesNotMatch(line, /Database failed to open/);
      }
    } finally {
      chmodSync(join(db, 'LOCK'), 0o644);
      chmodSync(db, 0o755);
    }
  });

  test('lock: E_LOCKED, exit 4, what to do', async () => {
    const store = await openStore(debianPackages, { path: db });
    try {
      const r = await leanrec(['stats', db]);
      assert.equal(r.code, 4);
      assert.match(
        oneLine(r, 'E_LOCKED'),
        /open in another store or process.*wait for the other process/,
      );
    } finally {
      await store.close();
    }
  });

  test('bad input: E_PARSE, exit 3, file:line:column once', async () => {
    const bin = join(tmp, 'random.bin');
    writeFileSync(bin, Buffer.from([0xdc, 0x01, 0x02, 0x0a, 0x41, 0x3a, 0x0a]));
    const r = await leanrec(['ingest', bin, '--db', join(tmp, 'rnd')]);
    assert.equal(r.code, 3);
    const line = oneLine(r, 'E_PARSE');
    assert.match(line, /random\.bin:1:1: field line without a colon\n$/);
    assert.doesNotMatch(line, /at line/);
  });

  test('limits: E_LIMIT, exit 3, the limit named (xz decoder, estimate past 2^32 rows)', async () => {
    const xz = join(root, 'test/fixtures/Packages-sample.xz');
    const [small, bad, huge] = await Promise.all([
      leanrec(['ingest', xz, '--db', join(tmp, 'xz.db'), '--xz-memory-limit', '1MiB']),
      leanrec(['ingest', xz, '--db', join(tmp, 'xz.db'), '--xz-memory-limit', 'lots']),
      leanrec(['estimate', '--records', '5000000000']),
    ]);
    assert.equal(small.code, 3);
    assert.match(
      oneLine(small, 'E_LIMIT'),
      /limit of 1 MiB.*raise --xz-memory-limit.*Packages-sample\.xz/,
    );
    assert.equal(bad.code, 2);
    assert.match(oneLine(bad, 'E_USAGE'), /--xz-memory-limit needs a size/);
    assert.equal(huge.code, 3);
    assert.match(oneLine(huge, 'E_LIMIT'), /at most 4,294,967,294 records/);
  });

  test('an empty index: 0 records and no per-record figure', async () => {
    const empty = join(tmp, 'empty-Packages');
    writeFileSync(empty, '');
    const r = await leanrec(['ingest', empty, '--db', join(tmp, 'empty.db')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^records +0 /m);
    assert.match(r.stdout, /^hot +[\d.]+ [KM]?i?B\n/m);
    assert.doesNotMatch(r.stdout, /B\/record/);
  });

  test('plot: a header-only file is E_PARSE, exit 3, with or without -o', async () => {
    const tsv = join(tmp, 'empty.tsv');
    writeFileSync(tsv, 't_ms\trss\theapTotal\theapUsed\texternal\tarrayBuffers\tmark\n');
    const text = await leanrec(['plot', tsv]);
    const svg = await leanrec(['plot', tsv, '-o', join(tmp, 'x.svg')]);
    for (const r of [text, svg]) {
      assert.equal(r.code, 3);
      assert.match(oneLine(r, 'E_PARSE'), /empty\.tsv holds no samples/);
    }
    const missing = await leanrec(['plot', join(tmp, 'none.tsv')]);
    assert.equal(missing.code, 1);
    oneLine(missing, 'E_NOT_FOUND');
  });
});
