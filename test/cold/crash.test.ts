/**
 * Crash safety on the real Debian index: a child process ingests with `sync: true` and
 * reports each acknowledged batch; the parent kills it with SIGKILL at seeded random
 * moments, reopens, and checks that every acknowledged record is whole, that only whole
 * batches are stored (a prefix of the input), and that ingest resumes to completion.
 *
 * Needs `LEANREC_DEBIAN_PACKAGES` (skipped when unset; fails when set to a missing file).
 * `LEANREC_SEED` picks the kill moments; `LEANREC_LONG=1` kills more often.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from 'leanrec';
import {
  DEBIAN_RECORDS,
  DebianLocal,
  type DebRecord,
  debianIndexPath,
  debianSkip,
  hotOf,
  keyOf,
  readIndex,
} from '../helpers/debian-index.ts';
import { random } from '../helpers/random.ts';
import { tempDir } from '../helpers/temp.ts';

const BATCH = 500;
const REPS = process.env.LEANREC_LONG === '1' ? 12 : 5;
const SEED = Number(process.env.LEANREC_SEED ?? 0x5eed);
const child = fileURLToPath(new URL('../helpers/crash-child.ts', import.meta.url));

interface Run {
  /** Records of the index the child reported as stored (acknowledged). */
  acked: number;
  /** Batches acknowledged in this run. */
  batches: number;
  /** How the child ended. */
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/**
 * Runs the child and kills it `delayMs` after its `afterBatches`-th acknowledged batch
 * (0: after it opened the store).
 */
function runAndKill(
  index: string,
  db: string,
  afterBatches: number,
  delayMs: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=leanrec-source', '--import', 'tsx', child, index, db, String(BATCH)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const run: Run = { acked: -1, batches: 0, signal: null, code: null, stderr: '' };
    const kill = () => setTimeout(() => p.kill('SIGKILL'), delayMs);
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      run.stderr += s;
    });
    createInterface({ input: p.stdout }).on('line', (line) => {
      const [word, n] = line.split(' ');
      if (word === 'opened') {
        run.acked = Number(line.split(' ')[2]);
        if (afterBatches === 0) kill();
      } else if (word === 'acked') {
        run.acked = Number(n);
        if (++run.batches === afterBatches) kill();
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

type DebStore = Store<typeof DebianLocal>;

/** Every record of the store is one of the first `size` of the input, whole; the next one is absent. */
function assertPrefix(store: DebStore, records: readonly DebRecord[], size: number): void {
  assert.equal(store.size, size);
  for (let i = 0; i < size; i++) {
    const r = records[i]!;
    const v = store.get(keyOf(r));
    assert.ok(v !== undefined, `record #${i} (${r.package} ${r.version}) present`);
    assert.deepStrictEqual(v.toObject(), hotOf(r));
    assert.deepStrictEqual(v.record(), r);
    if (i % 97 === 0) {
      assert.deepStrictEqual(v.cold('control'), { fields: r.fields });
      assert.equal(v.cold('text').description, r.description);
    }
  }
  if (size < records.length) assert.equal(store.get(keyOf(records[size]!)), undefined);
}

test('SIGKILL during a synced ingest loses no acknowledged batch and stores only whole batches', {
  skip: debianSkip(),
  timeout: 300_000,
}, async (t) => {
  const index = debianIndexPath();
  const records = readIndex(index);
  assert.equal(records.length, DEBIAN_RECORDS);
  const rand = random(SEED);
  t.diagnostic(`seed ${SEED} (LEANREC_SEED)`);
  const dir = tempDir('test');
  try {
    let stored = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const remaining = Math.ceil((records.length - stored) / BATCH);
      // Leave room for the later repetitions; 0 kills right after the store opened.
      const afterBatches = Math.floor(rand() * (Math.floor(remaining / (REPS - rep + 1)) + 1));
      const delayMs = Math.floor(rand() * 40);
      const run = await runAndKill(index, dir, afterBatches, delayMs);
      assert.equal(run.signal, 'SIGKILL', `child was killed (exit ${run.code}): ${run.stderr}`);
      assert.ok(run.acked >= stored, 'the child saw the stored records');

      const store = await openStore(DebianLocal, { path: dir });
      const size = store.size;
      t.diagnostic(
        `run ${rep}: kill ${delayMs} ms after batch ${afterBatches}: ${run.acked} acknowledged, ${size} stored (${store._cold?.openMode})`,
      );
      assert.ok(size >= run.acked, `${size} stored ≥ ${run.acked} acknowledged`);
      assert.ok(size % BATCH === 0 || size === records.length, `${size}: whole batches only`);
      if (size > stored) assert.equal(store._cold?.openMode, 'rebuild');
      assertPrefix(store, records, size);
      await store.close();
      stored = size;
    }

    // The killed ingest resumes to completion.
    const store = await openStore(DebianLocal, { path: dir, sync: true });
    assert.equal(store.size, stored);
    const res = await store.ingest(records.slice(stored), { batchSize: BATCH });
    assert.equal(res.inserted, records.length - stored);
    assert.equal(store.size, DEBIAN_RECORDS);
    assert.equal(store.count(), DEBIAN_RECORDS);
    await store.close();

    const after = await openStore(DebianLocal, { path: dir });
    assert.equal(after._cold?.openMode, 'snapshot');
    assert.equal(after.size, DEBIAN_RECORDS);
    for (const i of [0, 1, stored - 1, stored, 31_337, DEBIAN_RECORDS - 1]) {
      const r = records[Math.max(0, i)]!;
      assert.deepStrictEqual(after.get(keyOf(r))?.record(), r, `record #${i}`);
    }
    const bash = records.find((r) => r.package === 'bash')!;
    const v = after.get(keyOf(bash))!;
    assert.equal(v.essential, true);
    assert.equal(v.cold('text').maintainer, bash.maintainer);
    assert.equal(after.count({ essential: true }), records.filter((r) => r.essential).length);
    await after.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
