/**
 * Crash safety of an atomic ingest: a child process (store-child.ts `atomic`) replaces
 * and adds records in one atomic ingest with `sync: true`, and is killed with SIGKILL;
 * each time the parent reopens a copy of the same starting store.
 *
 * Exact moments: the child pauses there and says so, and the parent kills it then —
 * before the first record, after 1, 15 and all 30 batches were acknowledged (the commit
 * not begun), with the commit batch handed to the database but not written, with it
 * applied by LevelDB but not acknowledged, and after the ingest resolved. Killed before
 * the commit batch is applied, the reopened store holds exactly the old records; after,
 * exactly the new ones. A kill while LevelDB writes the commit batch cannot be reached
 * from outside LevelDB: its atomicity (one log record) is what the random kills below
 * exercise, with a delay after "acked 150", after the last batch and after the commit
 * batch began; there the store holds the old records or the new ones, never a mix.
 * Either way no staged entry is left, and the store takes the same ingest afterwards.
 * Runs without the Debian index.
 *
 * `LEANREC_SEED` picks the random delays; `LEANREC_LONG=1` repeats the random kills.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from 'leanrec';
import { metaKey, RECORD_RANGE } from '../../src/cold/layout.ts';
import { random } from '../helpers/random.ts';
import { Small, type SmallRecord, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const OLD = 200;
const NEW = 300;
const BATCHES = NEW / 10;
const SEED = Number(process.env.LEANREC_SEED ?? 0xa70);
const ROUNDS = process.env.LEANREC_LONG === '1' ? 4 : 1;
const child = fileURLToPath(new URL('../helpers/store-child.ts', import.meta.url));

interface Run {
  acked: number;
  /** True once the child said it hands the commit batch to the database. */
  commitBegun: boolean;
  committed: boolean;
  /** The moment the child paused at ("paused <moment>"), if it did. */
  paused: string | undefined;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/**
 * Runs the child on `db` and kills it: with `pause`, as soon as it paused at that moment;
 * otherwise `delayMs` after the line `when` ("acked <n>", "commit"…).
 */
function runAndKill(db: string, kill: { pause: string } | { when: string; delayMs: number }) {
  return new Promise<Run>((resolve, reject) => {
    const args = [child, db, 'atomic', String(NEW)];
    if ('pause' in kill) args.push(kill.pause);
    const p = spawn(process.execPath, ['--conditions=leanrec-source', '--import', 'tsx', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run: Run = {
      acked: 0,
      commitBegun: false,
      committed: false,
      paused: undefined,
      signal: null,
      code: null,
      stderr: '',
    };
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      run.stderr += s;
    });
    createInterface({ input: p.stdout }).on('line', (line) => {
      if (line.startsWith('acked ')) run.acked = Number(line.slice(6));
      if (line === 'commit') run.commitBegun = true;
      if (line === 'committed') run.committed = true;
      if (line.startsWith('paused ')) {
        run.paused = line.slice(7);
        p.kill('SIGKILL');
      }
      if ('when' in kill && line === kill.when) setTimeout(() => p.kill('SIGKILL'), kill.delayMs);
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

/** The records of the store by name, whole, checked against `size`. */
function contents(store: Store<typeof Small>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const v of store.where()) out.set(v.name, v.record());
  assert.equal(out.size, store.size);
  assert.equal(store.count(), store.size);
  return out;
}

function expected(records: SmallRecord[]): Map<string, unknown> {
  return new Map(records.map((r) => [r.name, r]));
}

/** The store each run starts from: OLD records, five of them deleted, closed with a snapshot. */
async function makeTemplate(template: string): Promise<void> {
  const s0 = await openStore(Small, { path: template });
  await s0.ingest(
    Array.from({ length: OLD }, (_, i) => smallRecord(i)),
    { batchSize: 50 },
  );
  for (let i = 10; i < 15; i++) await s0.delete({ name: `rec-${i}` });
  await s0.close();
}

const oldState = expected(
  Array.from({ length: OLD }, (_, i) => smallRecord(i)).filter((_, i) => i < 10 || i >= 15),
);
const newState = expected(Array.from({ length: NEW }, (_, i) => smallRecord(i, 1)));

/**
 * Reopens `db` after a kill: its records are exactly the old or the new ones (returned),
 * no staged entry is left, and the store takes the same ingest and reopens from its
 * snapshot with the new records.
 */
async function reopenAndCheck(db: string): Promise<{ isNew: boolean; mode: string | undefined }> {
  const store = await openStore(Small, { path: db });
  const mode = store._cold?.openMode;
  const got = contents(store);
  const isNew = got.size === newState.size;
  assert.deepStrictEqual(got, isNew ? newState : oldState);
  // No staged entry is left: one entry per record, no pending ingest.
  const db0 = store._cold!._db;
  let hot = 0;
  for await (const _ of db0.keys(RECORD_RANGE)) hot++;
  assert.equal(hot, got.size);
  assert.equal(await db0.get(metaKey('pending')), undefined);
  // The store keeps working: the same ingest, completed.
  if (!isNew) {
    await store.ingest(
      Array.from({ length: NEW }, (_, i) => smallRecord(i, 1)),
      { batchSize: 10, atomic: true },
    );
    assert.deepStrictEqual(contents(store), newState);
  }
  await store.close();
  const again = await openStore(Small, { path: db });
  assert.equal(again._cold?.openMode, 'snapshot');
  assert.deepStrictEqual(contents(again), newState);
  await again.close();
  return { isNew, mode };
}

function killed(run: Run): void {
  assert.equal(run.signal, 'SIGKILL', `the child was killed (exit ${run.code}): ${run.stderr}`);
}

test('SIGKILL at exact moments of an atomic ingest: before the commit batch is applied the old records, after it the new ones', {
  timeout: 300_000,
}, async (t) => {
  const root = tempDir('atomic-crash');
  try {
    const template = path.join(root, 'template');
    await makeTemplate(template);
    const moments: { pause: string; acked: number; expect: 'old' | 'new' }[] = [
      { pause: 'acked:0', acked: 0, expect: 'old' },
      { pause: 'acked:10', acked: 10, expect: 'old' },
      { pause: `acked:${(BATCHES / 2) * 10}`, acked: (BATCHES / 2) * 10, expect: 'old' },
      { pause: `acked:${NEW}`, acked: NEW, expect: 'old' },
      { pause: 'commit:before', acked: NEW, expect: 'old' },
      { pause: 'commit:after', acked: NEW, expect: 'new' },
      { pause: 'committed', acked: NEW, expect: 'new' },
    ];
    for (const [m, { pause, acked, expect }] of moments.entries()) {
      const db = path.join(root, `exact-${m}`);
      fs.cpSync(template, db, { recursive: true });
      const run = await runAndKill(db, { pause });
      killed(run);
      assert.equal(run.paused, pause, `the child paused at ${pause}: ${run.stderr}`);
      assert.equal(run.acked, acked);
      const { isNew, mode } = await reopenAndCheck(db);
      t.diagnostic(
        `killed at ${pause}: ${run.acked} records acknowledged; reopened ${mode} with the ${isNew ? 'new' : 'old'} records`,
      );
      assert.equal(isNew ? 'new' : 'old', expect, `killed at ${pause}`);
      fs.rmSync(db, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('SIGKILL after random delays during an atomic ingest: the reopened store holds the old records or the new ones, never a mix', {
  timeout: 300_000,
}, async (t) => {
  const root = tempDir('atomic-crash');
  try {
    const template = path.join(root, 'template');
    await makeTemplate(template);
    const rand = random(SEED);
    t.diagnostic(`seed ${SEED} (LEANREC_SEED)`);
    // After "acked 150" the ingest has 15 batches and the commit to go; the last staged
    // batch and the start of the commit batch are followed by its write within a few ms.
    const moments: [string, number][] = [
      [`acked ${(BATCHES / 2) * 10}`, 30],
      [`acked ${NEW}`, 4],
      ['commit', 3],
    ];
    for (let round = 0; round < ROUNDS; round++)
      for (const [m, [when, most]] of moments.entries()) {
        const db = path.join(root, `run-${round}-${m}`);
        fs.cpSync(template, db, { recursive: true });
        const delayMs = Math.floor(rand() * most);
        const run = await runAndKill(db, { when, delayMs });
        assert.ok(
          run.signal === 'SIGKILL' || (run.code === 0 && run.committed),
          `the child was killed (exit ${run.code}): ${run.stderr}`,
        );
        const { isNew, mode } = await reopenAndCheck(db);
        t.diagnostic(
          `${when} + ${delayMs} ms: ${run.acked} records acknowledged${run.committed ? ', committed' : ''}; reopened ${mode} with the ${isNew ? 'new' : 'old'} records`,
        );
        if (run.committed) assert.ok(isNew, 'a resolved atomic ingest stays');
        // The child says "commit" before the commit batch reaches LevelDB (lines are read to
        // the end after the kill): without it, the old records.
        if (!run.commitBegun) assert.ok(!isNew, 'an ingest killed before its commit is undone');
        fs.rmSync(db, { recursive: true, force: true });
      }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
