/**
 * Child of test/cold/crash.test.ts: ingests the Debian index into a store with
 * `sync: true`, resuming after the records the store already holds, and prints after
 * each acknowledged batch how many records of the index are stored ("acked <n>"). The
 * parent kills it with SIGKILL at some moment; it never closes the store on purpose.
 *
 *   crash-child.ts <index> <db> <batchSize>
 */
import { writeSync } from 'node:fs';
import { openStore } from 'leanrec';
import { DebianLocal, readIndex } from './debian-index.ts';

const [index, db, batchArg] = process.argv.slice(2);
const batchSize = Number(batchArg);
const say = (line: string) => writeSync(1, `${line}\n`);

const records = readIndex(index!);
const store = await openStore(DebianLocal, { path: db!, sync: true });
const start = store.size;
say(`opened ${store._cold?.openMode} ${start}`);
await store.ingest(records.slice(start), {
  batchSize,
  onBatch: (p) => say(`acked ${start + p.written}`),
});
say('complete');
await store.close();
