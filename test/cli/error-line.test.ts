/**
 * The error line of the command line, in process: root causes in words through chains of
 * causes as LevelDB and Node build them, the closing note kept last, the code and exit
 * code of errors that are not leanrec's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeanrecError } from 'leanrec';
import { CliError, describeError, exitCodeOf, UsageError } from '../../src/cli/errors.ts';

/** An error as classic-level builds it: a code, a message, a cause. */
function levelError(code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

test('LevelDB causes two levels deep are named in words, with what to do', () => {
  const disk = new LeanrecError('E_IO', 'writing a batch: Database failed to write', {
    cause: levelError(
      'LEVEL_DATABASE_NOT_OPEN',
      'Database failed to write',
      levelError('LEVEL_IO_ERROR', 'IO error: /srv/db/000012.log: No space left on device'),
    ),
  });
  assert.equal(
    describeError(disk),
    'E_IO: writing a batch: no space left on device on /srv/db/000012.log; free some disk space and retry',
  );
  assert.equal(exitCodeOf(disk), 4);
  const corrupt = new LeanrecError('E_IO', 'reading record a 1 amd64: Corruption: bad block type', {
    cause: levelError('LEVEL_CORRUPTION', 'Corruption: bad block type'),
  });
  assert.match(
    describeError(corrupt),
    /^E_CORRUPT: reading record a 1 amd64: corrupted data \(LevelDB: bad block type\); run "leanrec repair <db>"/,
  );
  assert.equal(exitCodeOf(corrupt), 3);
  const table = new LeanrecError('E_IO', 'opening the database at d: IO error', {
    cause: levelError('LEVEL_IO_ERROR', 'IO error: d/000005.ldb: Invalid argument'),
  });
  assert.match(describeError(table), /^E_CORRUPT: .*damaged table file 000005\.ldb/);
});

test("Node's errno errors: the path and the words; ENOENT is not found", () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    path: '/tmp/m.tsv',
  });
  const wrapped = new CliError('E_IO', 'cannot write the memstats file /tmp/m.tsv', {
    cause: enospc,
  });
  assert.equal(
    describeError(wrapped),
    'E_IO: cannot write the memstats file /tmp/m.tsv: no space left on the device on /tmp/m.tsv; free some disk space and retry',
  );
  const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: 'x' });
  assert.equal(exitCodeOf(enoent), 1);
  assert.match(describeError(enoent), /^E_NOT_FOUND: /);
});

test('a closing note stays last; usage errors get no cause; a bug is E_INTERNAL, exit 4', () => {
  const parse = new LeanrecError(
    'E_PARSE',
    'truncated or corrupt gzip input: P.gz (80 records written before the error; they stay in the store)',
    { cause: Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }) },
  );
  assert.equal(
    describeError(parse),
    'E_PARSE: truncated or corrupt gzip input: P.gz: unexpected end of file (80 records written before the error; they stay in the store)',
  );
  assert.equal(exitCodeOf(parse), 3);
  assert.equal(
    describeError(new UsageError('get takes <db> <package>')),
    'E_USAGE: get takes <db> <package>',
  );
  assert.equal(exitCodeOf(new UsageError('x')), 2);
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  assert.match(describeError(bug), /^E_INTERNAL: Cannot read .*; this is a bug in leanrec/);
  assert.equal(exitCodeOf(bug), 4);
  assert.equal(describeError(new CliError('E_NOT_FOUND', 'a\nb')), 'E_NOT_FOUND: a; b');
});
