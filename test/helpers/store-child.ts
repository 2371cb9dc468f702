/**
 * Child process for tests that need another process on a store directory.
 *
 *   store-child.ts <path> write-exit <count>   ingest records 0…count-1 (batches of 10),
 *        upsert records 0…9 (rev 1), delete rec-10…rec-14, print "acked <n>" after each
 *        acknowledged write, then exit WITHOUT closing the store (no snapshot).
 *   store-child.ts <path> atomic <count>       one atomic ingest (batches of 10) of records
 *        0…count-1 at rev 1 (upserts of what the store holds, and new records); prints
 *        "opened", "acked <n>" after each acknowledged batch and "committed" when the
 *        ingest resolved, then exits WITHOUT closing the store.
 *   store-child.ts <path> hold                 open the store, print "open", and keep it
 *        open until stdin ends; print "error <code>" if opening fails.
 */
import { writeSync } from 'node:fs';
import { LeanrecError, openStore } from 'leanrec';
import { Small, smallRecord } from './small-store.ts';

const [path, mode, countArg] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

try {
  const store = await openStore(Small, { path: path!, sync: true });
  if (mode === 'write-exit') {
    const count = Number(countArg);
    let acked = 0;
    await store.ingest(
      Array.from({ length: count }, (_, i) => smallRecord(i)),
      { batchSize: 10, onBatch: (p) => say(`acked ${(acked = p.written)}`) },
    );
    for (let i = 0; i < 10; i++) await store.put(smallRecord(i, 1) as never);
    for (let i = 10; i < 15; i++) await store.delete({ name: `rec-${i}` });
    say(`done ${acked}`);
    process.exit(0);
  } else if (mode === 'atomic') {
    say('opened');
    await store.ingest(
      Array.from({ length: Number(countArg) }, (_, i) => smallRecord(i, 1)),
      { batchSize: 10, atomic: true, onBatch: (p) => say(`acked ${p.written}`) },
    );
    say('committed');
    process.exit(0);
  } else if (mode === 'hold') {
    say('open');
    process.stdin.resume();
    process.stdin.on('end', () => {
      void store.close().then(() => process.exit(0));
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (err) {
  say(`error ${err instanceof LeanrecError ? err.code : String(err)}`);
  process.exit(2);
}
