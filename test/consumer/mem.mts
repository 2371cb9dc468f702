/**
 * The consumer's use of `leanrec/mem` (see ./check.sh and ./app.mts): estimates, process
 * figures and a store's memory, typed without any DOM or chart library types.
 */
import { openStore, type StoreMemory } from 'leanrec';
import {
  type Estimate,
  estimate,
  memstatsTable,
  parseMemstats,
  processMemory,
  sparkline,
} from 'leanrec/mem';
import { Book, books, expectType } from './books.mjs';

const e = estimate(Book, { records: 1_000_000, cold: true });
expectType<typeof e, Estimate>(true);
// @ts-expect-error: the number of records is required
void (() => estimate(Book, {}));
const store = await openStore(Book, { cold: false });
await store.putMany(books);
const mem = store.memory();
expectType<typeof mem, StoreMemory>(true);
await store.close();
const samples = parseMemstats(
  't_ms\trss\theapTotal\theapUsed\texternal\tarrayBuffers\tmark\n0\t1\t1\t1\t1\t1\t\n',
);
console.log(
  [
    `estimate ${e.total > e.hot}`,
    `hot ${mem.hot > 0}`,
    `rss ${processMemory().rss > 0}`,
    sparkline([1, 3, 2]),
    memstatsTable(samples).split('\n')[0],
  ].join('\n'),
);
