/**
 * Child process for tests that need another process on a store directory.
 *
 *   store-child.ts <path> write-exit <count>   ingest records 0…count-1 (batches of 10),
 *        upsert records 0…9 (rev 1), delete rec-10…rec-14, print "acked <n>" after each
 *        acknowledged write, then exit WITHOUT closing the store (no snapshot).
 *   store-child.ts <path> atomic <count> [pause]   one atomic ingest (batches of 10) of
 *        records 0…count-1 at rev 1 (upserts of what the store holds, and new records);
 *        prints "opened", "acked <n>" after each acknowledged batch, "commit" when the
 *        commit batch (the one that deletes `m pending`) goes to LevelDB and "committed"
 *        when the ingest resolved, then exits WITHOUT closing the store. With `pause`, it
 *        stops at that moment, prints "paused <pause>" and waits for a line on stdin (a
 *        parent kills it there):
 *          acked:<n>      exactly n records were acknowledged, no later batch handed to the
 *                         database yet (n = count: every batch staged, the commit not
 *                         begun); acked:0 is the source asked for its first record. The
 *                         ingest reads a batch ahead, so this is taken in `onBatch`, which
 *                         blocks on stdin there
 *          commit:before  the commit batch is handed to the database, nothing of it written
 *          commit:after   LevelDB applied the commit batch (synced), not yet acknowledged
 *          committed      the ingest resolved
 *   store-child.ts <path> hold                 open the store, print "open", and keep it
 *        open until stdin ends; print "error <code>" if opening fails.
 */
import { readSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ClassicLevel as Level } from 'classic-level';
import { LeanrecError, openStore } from 'leanrec';
import { FaultyLevel } from 'leanrec/testing';
import { metaKey } from '../../src/cold/layout.ts';
import { Small, smallRecord } from './small-store.ts';

const [path, mode, countArg, pauseArg] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

/** At the moment `pauseArg` names: says so, then waits for a line on stdin. */
async function pause(moment: string): Promise<void> {
  if (moment !== pauseArg) return;
  say(`paused ${moment}`);
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
}

/** Blocks the whole process until stdin has a byte or ends (a parent kills it meanwhile). */
function blockOnStdin(): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;)
    try {
      readSync(0, Buffer.alloc(1));
      return;
    } catch (err) {
      // stdin may be non-blocking: wait a little and try again.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(nap, 0, 0, 10);
    }
}

const PENDING = Buffer.from(metaKey('pending'));

/**
 * The built-in database (classic-level), passed through FaultyLevel with no fault armed,
 * around the commit batch of an atomic ingest (the only batch here that deletes
 * `m pending`): the moments just before it reaches LevelDB and just after LevelDB applied it.
 */
class CommitWatch extends FaultyLevel {
  override async _batch(
    ops: { type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[],
    options: { sync?: boolean },
  ): Promise<void> {
    const commit = ops.some((op) => op.type === 'del' && PENDING.equals(op.key));
    if (commit) {
      say('commit');
      await pause('commit:before');
    }
    await super._batch(ops, options);
    if (commit) await pause('commit:after');
  }
}

try {
  const store = await openStore(Small, {
    path: path!,
    sync: true,
    ...(mode === 'atomic'
      ? { database: (p, o) => new CommitWatch(new Level(p!, o) as never) }
      : {}),
  });
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
    const count = Number(countArg);
    let acked = 0;
    async function* source() {
      await pause('acked:0');
      for (let i = 0; i < count; i++) yield smallRecord(i, 1);
    }
    await store.ingest(source(), {
      batchSize: 10,
      atomic: true,
      onBatch: (p) => {
        say(`acked ${(acked = p.written)}`);
        // Called once the batch is acknowledged and before the next one goes to the
        // database: blocking here (no await in a callback) holds exactly this moment.
        if (pauseArg === `acked:${acked}`) {
          say(`paused acked:${acked}`);
          blockOnStdin();
        }
      },
    });
    say('committed');
    await pause('committed');
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
