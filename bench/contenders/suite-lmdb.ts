/**
 * `npm run bench`, contender "lmdb": lmdb-js holding whole records (the `readPackages`
 * objects) under `package\0version\0architecture`, msgpackr with shared structures
 * (bench/lib/lmdb.ts), in a temp directory.
 *
 * W3: `get` (decodes the whole record), then package, version, section. W4: what lmdb has
 * for a filter on a field — iterate every record (`getRange`) and test it. W5: `get`, then
 * description, maintainer, depends: uncached on the database as ingest left it (lmdb-js
 * keeps no record cache by default; pages come from the mmap), cached after reopening with
 * `cache: true` (lmdb-js's own record cache) and one warm-up pass. W6: the reference
 * verify (bench/lib/verify-reference.ts) over two `getRange` passes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DebianPackage, readPackages } from 'leanrec/debian';
import { plainKey } from '../lib/debian.ts';
import { emit, rate, status } from '../lib/harness.ts';
import { openLmdb, putAll } from '../lib/lmdb.ts';
import {
  COLD_KEYS,
  COLD_PASSES,
  FILE,
  freshPassRate,
  LOOKUP_PASSES,
  LOOKUPS,
  measureVerify,
  passRate,
  queryKeys,
  residentAfter,
  settled,
  sink,
} from '../lib/suite.ts';
import { verifyReference } from '../lib/verify-reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-lmdb-'));
const path = join(dir, 'db');
const out: Record<string, unknown> = {};
try {
  // W1
  const before = settled();
  const t0 = performance.now();
  let db = openLmdb<DebianPackage>(path);
  out['records'] = await putAll(db, readPackages(FILE), (r) =>
    plainKey(r.package, r.version, r.architecture),
  );
  out['ingestMs'] = performance.now() - t0;
  out['peakRss'] = status('VmHWM');

  // W2 (its data lives in the memory map: file pages, in rssFile, not counted as native)
  Object.assign(out, residentAfter(before, settled(), 0));
  out['diskBytes'] = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

  // W3
  const q = await queryKeys();
  out['queryRecords'] = q.records;
  const key = (i: number) => plainKey(q.package[i]!, q.version[i]!, q.architecture[i]!);
  out['lookups'] = passRate(LOOKUPS, LOOKUP_PASSES, (i) => {
    const r = db.get(key(i))!;
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  });
  out['lookupsFresh'] = freshPassRate(q, LOOKUP_PASSES, (k, i) => {
    const r = db.get(plainKey(k.package[i]!, k.version[i]!, k.architecture[i]!))!;
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  });

  // W4
  const rows = out['records'] as number;
  out['scanPriority'] = rate(() => {
    let n = 0;
    for (const { value } of db.getRange()) {
      const p = value.priority;
      if (p === 'required' || p === 'important') n++;
    }
    out['priorityCount'] = n;
  }, rows);
  out['scanGamesAll'] = rate(() => {
    let n = 0;
    for (const { value } of db.getRange())
      if (value.section === 'games' && value.architecture === 'all') n++;
    out['gamesAllCount'] = n;
  }, rows);

  // W5
  const coldFetch = (i: number): number => {
    const r = db.get(key(i))!;
    return (r.description?.length ?? 0) + (r.maintainer?.length ?? 0) + (r.depends?.length ?? 0);
  };
  out['coldUncached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);

  // W6 (on the database as ingest left it)
  Object.assign(
    out,
    await measureVerify(() =>
      verifyReference((visit) => {
        for (const { value } of db.getRange()) visit(value);
      }),
    ),
  );

  await db.close();
  db = openLmdb<DebianPackage>(path, { cache: true });
  out['coldCached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);
  await db.close();
  out['sink'] = sink.value;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
emit(out);
