import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const examples = readdirSync(new URL('../examples/', import.meta.url)).filter((f) =>
  f.endsWith('.ts'),
);

for (const file of examples) {
  test(`example ${file} runs on the sample index`, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=leanrec-source', '--import', 'tsx', `examples/${file}`],
      { cwd: root, timeout: 120_000 },
    );
    assert.match(stdout, /\d+ packages/);
  });
}
