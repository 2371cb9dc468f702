/**
 * Crash safety of an atomic ingest: a child process (store-child.ts `atomic`) replaces
 * and adds records in one atomic ingest with `sync: true`; the parent kills it with
 * SIGKILL at several moments — right after it opened the store, after the first, a middle
 * and the last staged batch (the commit batch then being written), and after the ingest
 * resolved — and each time reopens a copy of the same starting store. The reopened store
 * holds exactly the old records or exactly the new ones, never a mix, and no staged entry
 * is left behind. Runs without the Debian index.
 *
 * `LEANREC_SEED` picks the delays after each moment; `LEANREC_LONG=1` kills more often.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from 'leanrec';
import { HOT_RANGE, metaKey } from '../../src/cold/layout.ts';
import { Small, type SmallRecord, smallRecord } from '../helpers/small-store.ts';

const OLD = 200;
const NEW = 300;
const BATCHES = NEW / 10;
const SEED = Number(process.env.LEANREC_SEED ?? 0xa70);
const ROUNDS = process.env.LEANREC_LONG === '1' ? 4 : 1;
const child = fileURLToPath(new URL('../helpers/store-child.ts', import.meta.url));

/** mulberry32, as in crash.test.ts: a failing run replays with the same LEANREC_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  acked: number;
  committed: boolean;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the child on `db` and kills it `delayMs` after the line `when` ("opened", "acked <n>", "committed"). */
function runAndKill(db: string, when: string, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=leanrec-source', '--import', 'tsx', child, db, 'atomic', String(NEW)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const run: Run = { acked: 0, committed: false, signal: null, code: null, stderr: '' };
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      run.stderr += s;
    });
    createInterface({ input: p.stdout }).on('line', (line) => {
      if (line.startsWith('acked ')) run.acked = Number(line.slice(6));
      if (line === 'committed') run.committed = true;
      if (line === when) setTimeout(() => p.kill('SIGKILL'), delayMs);
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

test('SIGKILL during an atomic ingest: the reopened store holds the old records or the new ones, never a mix', {
  timeout: 300_000,
}, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanrec-atomic-crash-'));
  try {
    // The starting store: OLD records, five of them deleted, closed with a snapshot.
    const template = path.join(root, 'template');
    const s0 = await openStore(Small, { path: template });
    await s0.ingest(
      Array.from({ length: OLD }, (_, i) => smallRecord(i)),
      { batchSize: 50 },
    );
    for (let i = 10; i < 15; i++) await s0.delete({ name: `rec-${i}` });
    await s0.close();
    const oldState = expected(
      Array.from({ length: OLD }, (_, i) => smallRecord(i)).filter((_, i) => i < 10 || i >= 15),
    );
    const newState = expected(Array.from({ length: NEW }, (_, i) => smallRecord(i, 1)));

    const rand = random(SEED);
    t.diagnostic(`seed ${SEED} (LEANREC_SEED)`);
    const moments = [
      'opened',
      'acked 10',
      `acked ${(BATCHES / 2) * 10}`,
      `acked ${NEW}`,
      'committed',
    ];
    const seen = { old: 0, new: 0, oldAfterAcks: 0 };
    for (let round = 0; round < ROUNDS; round++)
      for (const [m, when] of moments.entries()) {
        const db = path.join(root, `run-${round}-${m}`);
        fs.cpSync(template, db, { recursive: true });
        // The last staged batch is followed at once by the commit: kill within a few ms.
        const delayMs = Math.floor(rand() * (when === `acked ${NEW}` ? 4 : 30));
        const run = await runAndKill(db, when, delayMs);
        assert.ok(
          run.signal === 'SIGKILL' || (run.code === 0 && run.committed),
          `the child was killed (exit ${run.code}): ${run.stderr}`,
        );

        const store = await openStore(Small, { path: db });
        const got = contents(store);
        const isNew = got.size === newState.size;
        t.diagnostic(
          `${when} + ${delayMs} ms: ${run.acked} records acknowledged${run.committed ? ', committed' : ''}; reopened ${store._cold?.openMode} with the ${isNew ? 'new' : 'old'} records`,
        );
        assert.deepStrictEqual(got, isNew ? newState : oldState);
        if (run.committed) assert.ok(isNew, 'a resolved atomic ingest stays');
        // No staged entry is left: one hot entry per record, no pending ingest.
        const db0 = store._cold!._db;
        let hot = 0;
        for await (const _ of db0.keys(HOT_RANGE)) hot++;
        assert.equal(hot, got.size);
        assert.equal(await db0.get(metaKey('pending')), undefined);
        // The store keeps working: the same ingest, completed.
        if (!isNew) {
          if (run.acked > 0) seen.oldAfterAcks++;
          seen.old++;
          await store.ingest(
            Array.from({ length: NEW }, (_, i) => smallRecord(i, 1)),
            { batchSize: 10, atomic: true },
          );
          assert.deepStrictEqual(contents(store), newState);
        } else seen.new++;
        await store.close();
        const again = await openStore(Small, { path: db });
        assert.equal(again._cold?.openMode, 'snapshot');
        assert.deepStrictEqual(contents(again), newState);
        await again.close();
        fs.rmSync(db, { recursive: true, force: true });
      }
    // Killed after staged batches were acknowledged, the old records came back; after the
    // ingest resolved, the new ones stayed.
    assert.ok(
      seen.oldAfterAcks >= 2,
      `old contents after acknowledged batches: ${seen.oldAfterAcks}`,
    );
    assert.ok(seen.new >= 1);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
