/**
 * `store.memory()` adds up (issue #12, item 5): with the record cache empty, half full
 * and full, `memory().total` is within 10 % of what the store takes as measured —
 * `heapUsed` + `external` after `gc()` above the same process before the open, plus
 * LevelDB's configured native buffers (block cache and write buffer, outside V8's
 * counters: what `memory().leveldb` says, as `npm run bench` counts them).
 *
 * The records are shaped like the Debian index's (an enum and strings hot; a long
 * description, a maintainer, tags, and dependency lists cold, a few strings beyond
 * Latin-1), 8,000 of them, so that the default 4 MiB cache fills. "Before the open" is
 * taken after a first store was opened, read and closed in this process, so that the
 * modules a store on disk loads (LevelDB, msgpackr) and their compiled code are the
 * process's, not the store's.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { setImmediate as yieldNow } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openStore, schema, t } from 'leanrec';
import { DEFAULT_CACHE_BYTES } from '../../src/store/options.ts';
import { random } from '../helpers/random.ts';
import { tempDir } from '../helpers/temp.ts';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** Two collections, each after a turn of the event loop (LevelDB frees buffers in finalizers). */
async function settled(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    await yieldNow();
    collect();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const Pkg = schema({
  key: ['name', 'version'],
  hot: { name: t.string(), version: t.string(), section: t.enum() },
  cold: {
    control: {
      description: t.string(),
      maintainer: t.string(),
      homepage: t.string().optional(),
      tags: t.list(t.string()).optional(),
      size: t.u32(),
    },
    relations: { depends: t.json().optional(), recommends: t.json().optional() },
  },
});

const WORDS =
  'the of a package library tool for and data files with support runtime development documentation module bindings plugin utilities server client'.split(
    ' ',
  );

function record(i: number, rnd: () => number) {
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const r: Record<string, unknown> = {
    name: `pkg-${i}`,
    version: `${i % 7}.${i % 13}-${i % 3}`,
    section: ['libs', 'devel', 'utils', 'python', 'doc'][i % 5],
    description: `${words(6)}\n ${words(Math.floor(20 + rnd() * 120))}${i % 17 === 0 ? ' — naïve café' : ''}`,
    maintainer: `${i % 11 === 0 ? 'Jörg Müller' : 'Debian Team'} <team-${i % 50}@lists.debian.org>`,
    size: Math.floor(rnd() * 1e6),
  };
  if (i % 3 === 0) r['homepage'] = `https://example.org/${i}`;
  if (i % 4 === 0)
    r['tags'] = ['role::program', `implemented-in::c${i % 3}`, 'interface::commandline'];
  if (i % 5 !== 0)
    r['depends'] = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, k) => [
      { name: `lib${k}-${i % 97}`, version: k % 2 === 0 ? ['>=', `${k}.0`] : null },
    ]);
  if (i % 6 === 0) r['recommends'] = [[{ name: 'extra-tool', version: null }]];
  return r;
}

const N = 8_000;

test('memory().total is within 10 % of the measured memory with the cache empty, half full, full', async (t) => {
  const dir = tempDir('memory-bound');
  const warm = tempDir('memory-warm');
  try {
    // Written, and a first store used and closed, in a function of its own: nothing of
    // them is reachable when the baseline is taken.
    await (async () => {
      const rnd = random(0x5eed);
      const recs = Array.from({ length: N }, (_, i) => record(i, rnd));
      const writer = await openStore(Pkg, { path: dir });
      await writer.ingest(recs as never);
      await writer.close();
      // The process as it will be before the open: modules loaded, code compiled.
      const w = await openStore(Pkg, { path: warm });
      await w.ingest(recs.slice(0, 200) as never);
      for (const v of w.where()) v.cold();
      await w.close();
    })();

    const before = await settled();
    const store = await openStore(Pkg, { path: dir });
    assert.equal(store._cold?.openMode, 'snapshot');
    const check = async (stage: string) => {
      const measured = (await settled()) - before + store.memory().leveldb;
      const m = store.memory();
      const ratio = m.total / measured;
      t.diagnostic(
        `${stage}: memory().total ${(m.total / 1e6).toFixed(2)} MB (cache ${(m.cache / 1e6).toFixed(2)} MB, ${m.cacheEntries} entries), measured ${(measured / 1e6).toFixed(2)} MB, ratio ${ratio.toFixed(3)}`,
      );
      assert.ok(Math.abs(ratio - 1) <= 0.1, `${stage}: total ${m.total}, measured ${measured}`);
    };
    await check('cache empty');
    // Records are read by key, one view at a time: no list of views to count.
    const read = (k: number, group?: 'control' | 'relations') => {
      const v = store.get({ name: `pkg-${k}`, version: `${k % 7}.${k % 13}-${k % 3}` })!;
      return group === undefined ? v.cold() : v.cold(group);
    };
    let i = 0;
    const fillTo = (bytes: number) => {
      while (i < N && store.memory().cache < bytes) {
        read(i, 'control');
        read(i, 'relations');
        i++;
      }
    };
    fillTo(DEFAULT_CACHE_BYTES / 2);
    await check('cache half full');
    fillTo(0.97 * DEFAULT_CACHE_BYTES);
    assert.ok(i < N, 'the records fill the cache');
    for (; i < N; i++) read(i); // evictions: the cache stays full
    assert.ok(store.memory().cache > 0.9 * DEFAULT_CACHE_BYTES);
    assert.ok(store.memory().cache <= DEFAULT_CACHE_BYTES);
    await check('cache full');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(warm, { recursive: true, force: true });
  }
});
