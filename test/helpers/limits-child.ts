/**
 * Second process of the boundary tests: `limits-child.ts <schema> <dir>` opens the store
 * at `dir` with the named schema (from limits-schemas.ts) and prints every record, sorted
 * by its key, as JSON on stdout.
 */
import { openStore } from 'leanrec';
import { type AnyStore, allRecords } from './limits.ts';
import { childSchemas } from './limits-schemas.ts';

const [name, dir] = process.argv.slice(2);
const entry = childSchemas[name!];
if (entry === undefined) throw new Error(`unknown schema ${name}`);
const store = (await openStore(entry.schema, { path: dir! })) as AnyStore;
const json = JSON.stringify(allRecords(store, entry.key));
await store.close();
process.stdout.write(json);
