#!/usr/bin/env node
// `npm run lint:layers`: dependency-cruiser with .dependency-cruiser.cjs over src/, then
// the check that it saw every module of src/. dependency-cruiser passes a tree it cannot
// parse as "0 modules, no violations" (it did so with TypeScript 7 as its parser), so a
// count other than the number of .ts files under src/ fails here too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function check(json) {
  // depcruise's exit code is its count of error-level violations; the report tells them.
  spawnSync(
    'depcruise',
    ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--output-to', json],
    { stdio: 'inherit' },
  );
  if (!existsSync(json)) {
    console.error('lint:layers: dependency-cruiser wrote no result');
    return 1;
  }
  const fmt = spawnSync('depcruise-fmt', [json, '--output-type', 'err', '--exit-code'], {
    stdio: 'inherit',
  });
  const cruised = JSON.parse(readFileSync(json, 'utf8')).summary.totalCruised;
  const files = readdirSync('src', { recursive: true }).filter((f) => f.endsWith('.ts')).length;
  if (cruised !== files) {
    console.error(`lint:layers: dependency-cruiser saw ${cruised} modules; src/ has ${files}`);
    return 1;
  }
  console.log(`lint:layers: ${cruised} modules of src/ checked`);
  return fmt.status ?? 1;
}

const dir = mkdtempSync(join(tmpdir(), 'leanrec-layers-'));
let code = 1;
try {
  code = check(join(dir, 'cruise.json'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
