/**
 * The model-based tests of one mode (model.ts has the commands): a long random sequence
 * of commands checked after each, and the wide case (an open enum past 256 values).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checked, commands, floodArb, wideCommands } from './commands.ts';
import { type Counts, checkAll, M, type Model, type Real } from './model.ts';
import { type Mode, Place } from './modes.ts';

const LONG = process.env.LEANREC_LONG === '1';

/** Cases and commands per case, by mode: a case on disk costs the most. */
export interface ModelBudget {
  runs: number;
  maxCommands: number;
  wideRuns: number;
}

/** Runs `cmds` on a fresh store of `mode`; on disk, ends with a clean close and a reopen without the wrapper. */
async function runCase(mode: Mode, counts: Counts, cmds: Iterable<fc.AsyncCommand<Model, Real>>) {
  const place = new Place(mode);
  try {
    // On disk through a FaultyLevel, so that the Crash command can cut the database.
    const store = await place.open(M, { faulty: mode.persistent, cacheBytes: 2048 });
    const real: Real = { place, store, mode, counts };
    const model: Model = { records: new Map(), dirty: true, used: false };
    await fc.asyncModelRun(() => ({ model, real }), cmds);
    await checkAll(model, real);
    if (mode.persistent) {
      await real.store.close();
      real.store = await place.open(M);
      assert.equal(real.store._cold?.openMode, model.used ? 'snapshot' : 'new');
      await checkAll(model, real);
    }
  } finally {
    await place.dispose();
  }
}

export function modelTests(mode: Mode, budget: ModelBudget): void {
  describe(`${mode.name}: behaves like a Map of plain records`, () => {
    test('random sequences of every command, the whole store checked after each', async (t) => {
      const counts: Counts = {
        commands: 0,
        reopens: 0,
        crashes: 0,
        rebuilds: 0,
        snapshots: 0,
        atomicCommitted: 0,
        atomicFailed: 0,
        lost: 0,
      };
      const runs = LONG ? budget.runs * 10 : budget.runs;
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands(mode, 12), {
            maxCommands: LONG ? budget.maxCommands * 3 : budget.maxCommands,
            // Long sequences on disk, where reopens and crashes need something to find.
            size: mode.persistent ? 'max' : 'large',
          }),
          async (cmds) => {
            await runCase(mode, counts, [...cmds].map(checked));
          },
        ),
        { numRuns: runs },
      );
      assert.equal(counts.lost, 0);
      assert.ok(counts.atomicFailed > 0 && counts.atomicCommitted > 0);
      if (mode.persistent) assert.ok(counts.crashes > 0 && counts.rebuilds > 0);
      t.diagnostic(
        `${mode.name}: ${runs} cases, ${counts.commands} commands, ${counts.reopens} clean reopens, ` +
          `${counts.crashes} crashes survived (${counts.rebuilds} rebuilds, ${counts.snapshots} snapshot loads), ` +
          `${counts.atomicCommitted} atomic ingests committed, ${counts.atomicFailed} failed part-way (undone), ` +
          `${counts.lost} records lost`,
      );
    });

    test('an open enum past 256 values and numbers at their edges (arbitraries size knobs)', async () => {
      let crossed = 0;
      const cases = LONG ? budget.wideRuns * 12 : budget.wideRuns;
      const counts = { commands: 0, reopens: 0, crashes: 0, rebuilds: 0, snapshots: 0 } as Counts;
      await fc.assert(
        // Every case starts with a flood, so every case crosses 256 values.
        fc.asyncProperty(
          floodArb,
          fc.commands(wideCommands, { maxCommands: LONG ? 40 : 12 }),
          async (flood, cmds) => {
            const place = new Place(mode);
            try {
              const store = await place.open(M, { cacheBytes: 2048 });
              const real: Real = { place, store, mode, counts };
              const model: Model = { records: new Map(), dirty: true, used: false };
              const setup = () => ({ model, real });
              await fc.asyncModelRun(setup, [flood]);
              // Records of the flood that share a key replace each other, and compact()
              // may drop unused values: the width is checked right after the flood.
              const col = (store as unknown as { _tier: { columns: { values?: string[] }[] } })
                ._tier.columns[M.byName.get('sec')!.index]!;
              if (col.values!.length > 256) crossed++;
              await fc.asyncModelRun(setup, cmds);
              // Every record of the model reads back whole (a flood has no Get of its own).
              await checkAll(model, real);
              // On disk, the snapshot brings the two-byte codes back.
              real.store = await place.reopen(M);
              await checkAll(model, real);
            } finally {
              await place.dispose();
            }
          },
        ),
        // Shrinking sequences of 300-record floods takes minutes: report the first failure.
        { numRuns: cases, endOnFailure: true },
      );
      assert.equal(crossed, cases, 'every case took the enum past 256 values');
    });
  });
}
