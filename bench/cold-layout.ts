/**
 * How the cold layout was chosen (src/cold/layout.ts): random and sequential reads of the
 * Debian index's records, one process, each variant measured in turns so that a slow
 * moment of the machine does not land on one of them.
 *
 * A store is built with leanrec (layout 2: one entry per record), then its record
 * entries are copied raw into LevelDBs that differ in one thing each:
 * - `r/<block>`: one entry per record, LevelDB block size 512 B, 1, 2 or 4 KiB;
 * - `h+c/4k`: layout 1's shape — one entry per part ('h' id, 'c' group id), 4 KiB
 *   blocks (the old default): a fetch of two groups is two `getSync`s;
 * - `r/4k-raw`: one entry per record, 4 KiB blocks, compression off.
 * Each variant: `getSync` of the records of the 10,000-key W5 sequence (random), plus
 * decoding the `control` and `relations` segments; and a sequential pass reading only
 * `relations` of every record (an iterator: what verify and export do). 2 MiB block cache.
 *
 *   node --expose-gc --conditions=leanrec-source --import tsx bench/cold-layout.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openStore } from 'leanrec';
import { debianPackages, readPackages } from 'leanrec/debian';
import { unpack } from 'msgpackr';
import { FORMAT_V2, RecordCodec } from '../src/cold/codec.ts';
import { metaKey, RECORD_RANGE, range, recordKey } from '../src/cold/layout.ts';
import { readTable } from '../src/cold/segments.ts';
import { packagesPath } from './lib/debian.ts';
import { median, pickIndices, SEED } from './lib/harness.ts';

type DB = ClassicLevel<Uint8Array, Uint8Array>;
const FILE = packagesPath();
const KEYS = 10_000;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'leanrec-cold-layout-'));
const open = (name: string, o: object) =>
  new ClassicLevel<Uint8Array, Uint8Array>(join(root, name), {
    keyEncoding: 'view',
    valueEncoding: 'view',
    cacheSize: 2 * 1024 * 1024,
    ...o,
  });
const what = () => 'bench';

try {
  const store = await openStore(debianPackages, { path: join(root, 'store') });
  await store.ingest(readPackages(FILE));
  const ids = store.size;
  await store.close();
  const src = open('store', {});
  const codec = new RecordCodec(unpack((await src.get(metaKey('structures')))!) as unknown[][]);
  const records: [Uint8Array, Uint8Array][] = (await src.iterator(RECORD_RANGE).all()) as never;
  await src.close();

  const variants: { name: string; db: DB; split: boolean }[] = [];
  for (const [name, o, split] of [
    ['r/512', { blockSize: 512 }, false],
    ['r/1k', { blockSize: 1024 }, false],
    ['r/2k', { blockSize: 2048 }, false],
    ['r/4k', { blockSize: 4096 }, false],
    ['r/4k-raw', { blockSize: 4096, compression: false }, false],
    ['h+c/4k', { blockSize: 4096 }, true],
  ] as const) {
    const db = open(name, o);
    await db.open();
    for (let i = 0; i < records.length; i += 1000) {
      const b = db.batch();
      for (const [k, v] of records.slice(i, i + 1000)) {
        if (!split) {
          b.put(k, v);
          continue;
        }
        // Layout 1: 'h' id → hot, 'c' g id → group g (each with a format byte).
        const id = k.subarray(1);
        for (let s = 0; s <= v[1]!; s++) {
          const at = readTable(v, FORMAT_V2, s, what)!;
          const key = s === 0 ? Uint8Array.of(0x68, ...id) : Uint8Array.of(0x63, s - 1, ...id);
          b.put(key, Uint8Array.of(1, ...v.subarray(at.start, at.end)));
        }
      }
      await b.write();
    }
    await db.compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
    await db.close();
    await db.open();
    variants.push({ name, db, split });
  }
  records.length = 0;

  const picks = pickIndices(ids, KEYS, SEED);
  let sink = 0;
  const random = (v: (typeof variants)[number]): number => {
    const t = performance.now();
    for (const i of picks) {
      if (v.split) {
        const id = recordKey(i).subarray(1);
        const c = v.db.getSync(Uint8Array.of(0x63, 0, ...id));
        const r = v.db.getSync(Uint8Array.of(0x63, 1, ...id));
        sink += codec.decode(c!, what) ? 1 : 0;
        sink += codec.decode(r!, what) ? 1 : 0;
        continue;
      }
      const b = v.db.getSync(recordKey(i))!;
      for (const s of [1, 2]) sink += codec.decodePart(b, s, what) ? 1 : 0;
    }
    return KEYS / ((performance.now() - t) / 1000);
  };
  const sequential = async (v: (typeof variants)[number]): Promise<number> => {
    const t = performance.now();
    let n = 0;
    const it = v.db.iterator(v.split ? range(0x63, 1) : RECORD_RANGE);
    for (;;) {
      const batch = await it.nextv(1000);
      if (batch.length === 0) break;
      for (const [, b] of batch as [Uint8Array, Uint8Array][]) {
        n++;
        sink += (v.split ? codec.decode(b, what) : codec.decodePart(b, 2, what)) ? 1 : 0;
      }
    }
    await it.close();
    return n / ((performance.now() - t) / 1000);
  };
  const rnd = new Map<string, number[]>();
  const seq = new Map<string, number[]>();
  for (const v of variants) random(v); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (const v of variants) {
      rnd.set(v.name, [...(rnd.get(v.name) ?? []), random(v)]);
      seq.set(v.name, [...(seq.get(v.name) ?? []), await sequential(v)]);
    }
  const base = median(rnd.get('h+c/4k')!);
  console.log(`load ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  console.log(
    'variant    | random records/s (control + relations) | × h+c/4k | sequential relations/s | disk',
  );
  for (const v of variants) {
    const du = execFileSync('du', ['-sb', join(root, v.name)], { encoding: 'utf8' }).split('\t')[0];
    const r = median(rnd.get(v.name)!);
    console.log(
      `${v.name.padEnd(10)} | ${(r / 1000).toFixed(1).padStart(8)} k/s | ${(r / base).toFixed(2)}× | ${(median(seq.get(v.name)!) / 1000).toFixed(0).padStart(6)} k/s | ${(Number(du) / 1e6).toFixed(1)} MB`,
    );
    await v.db.close();
  }
  if (sink < 0) console.log(sink);
} finally {
  rmSync(root, { recursive: true, force: true });
}
