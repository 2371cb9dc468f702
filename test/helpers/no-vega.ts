/**
 * Node options under which `vega` and `vega-lite` do not resolve, for the tests of what
 * the charts do without their optional peers: a resolve hook asks node's own resolver for
 * them from a directory with no node_modules, so the error is node's real "package not
 * found". Pass the result to `leanrec`, `runTs` or `runNode` (helpers/cli.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from './cli.ts';

/** Writes the hook into `dir` and returns the options that load it. */
export function withoutVega(dir: string): RunOptions {
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
       if (specifier === 'vega' || specifier === 'vega-lite')
         return next(specifier, { ...context, parentURL: ${JSON.stringify(`file://${dir}/nowhere/x.mjs`)} });
       return next(specifier, context);
     }\n`,
  );
  writeFileSync(
    join(dir, 'no-vega.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
  return { nodeArgs: ['--import', join(dir, 'no-vega.mjs')] };
}
