#!/usr/bin/env node
// The `leanrec` command. Runs the compiled CLI (dist/) when there is one, else the
// TypeScript source through tsx (a devDependency: fine in a clone of the repository).
// LEANREC_SOURCE=1 forces the source even when dist/ exists (the tests use it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (existsSync(dist) && process.env.LEANREC_SOURCE !== '1') {
  mod = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
process.exitCode = await mod.main(process.argv.slice(2));
