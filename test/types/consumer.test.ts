/**
 * A strict application type-checks against the published declarations: test/consumer's
 * app (no DOM lib, `exactOptionalPropertyTypes`, `skipLibCheck: false`, `nodenext` and
 * `bundler` resolution) against the package built with `--stripInternal`, laid out in a
 * temporary app's node_modules; then the app runs on the built JavaScript.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const script = path.join(import.meta.dirname, '..', 'consumer', 'check.sh');

test('a strict TypeScript app type-checks and runs against the built package', () => {
  const r = spawnSync('bash', [script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(r.stdout, /consumer: nodenext ok/, out);
  assert.match(r.stdout, /consumer: bundler ok/, out);
  // The app's own output: its books stored, queried and read back through the cold groups.
  assert.match(r.stdout, /^3 books$/m, out);
  assert.match(r.stdout, /^Trois 2 1 One,Zwei,Trois$/m, out);
  // leanrec/testing's constantHash: every key collides, and each is found.
  assert.match(r.stdout, /^colliding keys found 3$/m, out);
  assert.match(r.stdout, /consumer: ran/, out);
});
