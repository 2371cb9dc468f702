#!/usr/bin/env node
// The `leanrec` command. Runs the compiled CLI (dist/, which an installed package always
// has: `prepare` builds it on pack and on install from git), else the TypeScript source
// through tsx (a devDependency: fine in a clone of the repository).
// LEANREC_SOURCE=1 forces the source even when dist/ exists (the tests use it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (existsSync(dist) && process.env.LEANREC_SOURCE !== '1') {
  mod = await import(dist.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    process.stderr.write(
      'leanrec: dist/ is not built and tsx is not installed: run npm run build\n',
    );
    process.exit(1);
  }
  const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
process.exitCode = await mod.main(process.argv.slice(2));
