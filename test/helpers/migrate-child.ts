/**
 * Child process of test/cold/migration.test.ts: opens the layout-1 store at `<path>`,
 * which migrates it in place in batches of 20 records, printing "step <step>" after each
 * step of the migration (cold/migrate.ts: "copy", "copied <n>", "switched",
 * "cleaned hot <n>", "cleaned cold <n>", "done"), then "opened", and exits without
 * closing. With `<pause>`, it stops right after that step, prints "paused <step>" and
 * waits (its parent kills it there).
 *
 *   migrate-child.ts <path> [pause]
 */
import { writeSync } from 'node:fs';
import { openStore } from 'leanrec';
import { Small } from './small-store.ts';

const [path, pauseAt] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

await openStore(Small, {
  path: path!,
  _migrateBatch: 20,
  _onMigrate: async (step) => {
    say(`step ${step}`);
    if (step !== pauseAt) return;
    say(`paused ${step}`);
    await new Promise(() => setInterval(() => undefined, 1000));
  },
});
say('opened');
process.exit(0);
