/**
 * Cold suite, contender "lmdb": lmdb-js with whole records (the same {@link Full} record
 * objects leanrec ingests) under the key `package\0version\0architecture`, with
 * `sharedStructuresKey` set so msgpackr shares record structures. Ingest (time, peak RSS,
 * resident), then reads of the same 10,000 keys with the synchronous `get` after a
 * reopen: a first pass, then steady passes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FullRecord,
  plainKey,
  readParagraphs,
  readRecords,
  toFullRecord,
  toPlainObject,
} from '../lib/debian.ts';
import { emit, median, pickIndices, RssSampler, settledMemory, status } from '../lib/harness.ts';
import { openLmdb, putAll } from '../lib/lmdb.ts';

const READS = 10_000;
const PASSES = 5;

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-lmdb-'));
const out: Record<string, unknown> = {};
try {
  const before = settledMemory();
  const sampler = new RssSampler(20);
  let t0 = performance.now();
  let db = openLmdb<FullRecord>(join(dir, 'db'));
  const records = await putAll(db, readRecords(toFullRecord), (rec) =>
    plainKey(rec.package, rec.version, rec.architecture),
  );
  out['ingestMs'] = performance.now() - t0;
  out['records'] = records;
  out['peakRssSampled'] = sampler.stop();
  out['peakRss'] = status('VmHWM');
  const after = settledMemory();
  out['residentV8'] = after.resident - before.resident;
  out['rssAfter'] = after.rss;
  out['rssDelta'] = after.rss - before.rss;
  await db.close();
  out['diskBytes'] = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

  // Keys in file order (leanrec's row order), for the shared key sequence; read again
  // here so that holding them does not count in the figures above.
  const keys: string[] = [];
  for await (const p of readParagraphs()) {
    const o = toPlainObject(p);
    keys.push(plainKey(o['Package']!, o['Version']!, o['Architecture']!));
  }
  const queries = Array.from(pickIndices(keys.length, READS), (i) => keys[i]!);
  keys.length = 0;
  t0 = performance.now();
  db = openLmdb<FullRecord>(join(dir, 'db'));
  out['reopenMs'] = performance.now() - t0;
  let sink = 0;
  const pass = (): number => {
    const t = performance.now();
    for (const k of queries) {
      const r = db.get(k)!;
      sink += r.description.length + r.maintainer.length + (r.depends?.length ?? 0);
    }
    return READS / ((performance.now() - t) / 1000);
  };
  out['getFirst'] = pass();
  out['get'] = median(Array.from({ length: PASSES }, pass));
  await db.close();
  out['sink'] = sink;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
emit(out);
