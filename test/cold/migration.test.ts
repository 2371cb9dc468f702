/**
 * Stores written by the layout before one entry per record (layout 1: an entry per hot
 * part and per cold group) open with this code, which migrates them in place
 * (src/cold/migrate.ts). The fixture test/fixtures/old-stores/layout1-small was written
 * by leanrec at 207ac46 (the code before the change) with the `Small` schema
 * (test/helpers/small-store.ts): records 0…399 put in batches of 100, records 0…49 put
 * again at rev 1, rec-350…rec-359 deleted, closed (snapshot), opened and closed once
 * more so that LevelDB holds them in a table file.
 *
 * The kill test runs the migration in a child process (test/helpers/migrate-child.ts,
 * batches of 20 records) and kills it with SIGKILL at exact steps — before the first
 * batch, after 1, 10 and all copy batches, right after the switch, after each clean
 * step — and at seeded random delays (`LEANREC_SEED`, test/helpers/random.ts). A
 * killed migration leaves the layout-1 store (`m layout` absent, every 'h' entry there)
 * or the layout-2 one (`m layout` 2), never a mix, and the next open finds every record.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { isLeanrecError, openStore, type Store } from 'leanrec';
import { pack, unpack } from 'msgpackr';
import {
  LAYOUT_VERSION,
  metaKey,
  RECORD_RANGE,
  V1_COLD_RANGE,
  V1_HOT_RANGE,
} from '../../src/cold/layout.ts';
import { random } from '../helpers/random.ts';
import { Small, smallRecord } from '../helpers/small-store.ts';
import { tempDir } from '../helpers/temp.ts';

const fixture = fileURLToPath(new URL('../fixtures/old-stores/layout1-small/', import.meta.url));
const child = fileURLToPath(new URL('../helpers/migrate-child.ts', import.meta.url));
const SEED = Number(process.env.LEANREC_SEED ?? 0x1a70);

/** What the fixture holds, by name. */
const expected = new Map<string, unknown>();
for (let i = 0; i < 400; i++)
  if (i < 350 || i >= 360) expected.set(`rec-${i}`, smallRecord(i, i < 50 ? 1 : 0));

function copyFixture(): string {
  const dir = tempDir('migration');
  fs.cpSync(fixture, dir, { recursive: true });
  return dir;
}

async function raw<T>(dir: string, fn: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<T>) {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function count(db: ClassicLevel<Uint8Array, Uint8Array>, r: object): Promise<number> {
  let n = 0;
  for await (const _ of db.keys(r)) n++;
  return n;
}

/** The stored layout version (1 when absent) and the entries of each kind. */
async function layoutOf(dir: string) {
  return raw(dir, async (db) => {
    const v = await db.get(metaKey('layout'));
    return {
      layout: v === undefined ? 1 : (unpack(v) as number),
      hot: await count(db, V1_HOT_RANGE),
      cold: await count(db, V1_COLD_RANGE),
      records: await count(db, RECORD_RANGE),
    };
  });
}

/** Every record of the fixture, read whole, and nothing else. */
function assertEveryRecord(store: Store<typeof Small>): void {
  assert.equal(store.size, expected.size);
  const got = new Map<string, unknown>();
  for (const v of store.where()) got.set(v.name, v.record());
  assert.deepStrictEqual(got, expected);
}

test('a layout-1 store opens: migrated in place, snapshot kept, every record read back', async () => {
  const dir = copyFixture();
  try {
    assert.deepStrictEqual(await layoutOf(dir), { layout: 1, hot: 390, cold: 780, records: 0 });
    let store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'snapshot', 'the hot snapshot stays valid');
    assertEveryRecord(store);
    // Async reads too, and the cache does not change what is read.
    const views = [...store.where()];
    const loaded = await store.loadMany(views);
    for (const [i, v] of views.entries()) {
      const {
        name: _n,
        n: _x,
        tag: _t,
        on: _o,
        ...cold
      } = expected.get(v.name) as object & {
        name: string;
      } as Record<string, unknown>;
      assert.deepStrictEqual(loaded[i], cold);
    }
    await store.put(smallRecord(500));
    assert.equal(await store.delete({ name: 'rec-0' }), true);
    await store.close();
    assert.deepStrictEqual(await layoutOf(dir), {
      layout: LAYOUT_VERSION,
      hot: 0,
      cold: 0,
      records: 390,
    });
    store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'snapshot');
    assert.deepStrictEqual(store.get({ name: 'rec-500' })?.record(), smallRecord(500));
    assert.equal(store.get({ name: 'rec-0' }), undefined);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a layout-1 store without its snapshot: migrated, then rebuilt from the new entries', async () => {
  const dir = copyFixture();
  try {
    await raw(dir, (db) => db.del(metaKey('snap')));
    const store = await openStore(Small, { path: dir });
    assert.equal(store._cold?.openMode, 'rebuild');
    assertEveryRecord(store);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store of a newer layout is refused with E_SCHEMA naming both versions, untouched', async () => {
  const dir = copyFixture();
  try {
    await raw(dir, (db) => db.put(metaKey('layout'), pack(LAYOUT_VERSION + 1)));
    await assert.rejects(openStore(Small, { path: dir }), (err: unknown) => {
      assert.ok(isLeanrecError(err, 'E_SCHEMA'), String(err));
      assert.ok(err.message.includes(`layout version ${LAYOUT_VERSION + 1}`), err.message);
      assert.ok(err.message.includes(`${LAYOUT_VERSION}`), err.message);
      return true;
    });
    assert.deepStrictEqual(await layoutOf(dir), {
      layout: LAYOUT_VERSION + 1,
      hot: 390,
      cold: 780,
      records: 0,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

interface Run {
  steps: string[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the migration in a child and kills it at `kill` (a step, or a delay after "copy"). */
function migrateAndKill(dir: string, kill: { step: string } | { delayMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args = [child, dir, ...('step' in kill ? [kill.step] : [])];
    const p = spawn(process.execPath, ['--conditions=leanrec-source', '--import', 'tsx', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { steps: [], signal: null, stderr: '' };
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      run.stderr += s;
    });
    createInterface({ input: p.stdout }).on('line', (line) => {
      if (line.startsWith('step ')) run.steps.push(line.slice(5));
      if (line.startsWith('paused ')) p.kill('SIGKILL');
      if ('delayMs' in kill && line === 'step copy')
        setTimeout(() => p.kill('SIGKILL'), kill.delayMs);
    });
    p.on('error', reject);
    p.on('close', (_code, signal) => {
      run.signal = signal;
      resolve(run);
    });
  });
}

test('SIGKILL during the migration, at 8 steps and 4 random moments: old or new layout, every record', async (t) => {
  const rnd = random(SEED);
  const kills: ({ step: string } | { delayMs: number })[] = [
    { step: 'copy' },
    { step: 'copied 20' },
    { step: 'copied 200' },
    { step: 'copied 390' },
    { step: 'switched' },
    { step: 'cleaned hot 390' },
    { step: 'cleaned cold 780' },
    { step: 'done' },
    ...Array.from({ length: 4 }, () => ({ delayMs: Math.floor(rnd() * 150) })),
  ];
  for (const kill of kills) {
    const dir = copyFixture();
    try {
      const run = await migrateAndKill(dir, kill);
      const what = JSON.stringify(kill);
      if ('step' in kill) {
        assert.equal(run.signal, 'SIGKILL', `${what}: ${run.stderr}`);
        assert.equal(run.steps.at(-1), kill.step, what);
      }
      const after = await layoutOf(dir);
      if (after.layout === 1)
        assert.deepStrictEqual({ hot: after.hot, cold: after.cold }, { hot: 390, cold: 780 }, what);
      else {
        assert.equal(after.layout, LAYOUT_VERSION, what);
        assert.equal(after.records, 390, what);
      }
      t.diagnostic(`${what}: killed at ${run.steps.at(-1) ?? 'start'}, layout ${after.layout}`);
      const store = await openStore(Small, { path: dir });
      assertEveryRecord(store);
      await store.close();
      assert.deepStrictEqual(
        await layoutOf(dir),
        { layout: LAYOUT_VERSION, hot: 0, cold: 0, records: 390 },
        what,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
