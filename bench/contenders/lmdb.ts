/**
 * `npm run bench`, contender "lmdb-js": whole records (the `readPackages` objects) under
 * `package\0version\0architecture` in a temp directory, msgpackr with shared structures
 * (`sharedStructuresKey`: a record's field names are written once per structure, not once
 * per record), default options otherwise. Puts are awaited every 1,000 records (lmdb-js
 * batches them into transactions on its own; the wait bounds what is queued).
 *
 * W2: its data lives in the memory map — file pages, in "RSS … file-backed", not counted
 * as native memory. W3: `get` (decodes the whole record). W4: what lmdb has for a filter on
 * a field — iterate every record (`getRange`) and test it. W6: the reference verify
 * (bench/lib/verify-reference.ts) over two `getRange` passes. W5: `get`, uncached after a
 * reopen (lmdb-js keeps no record cache by default; pages come from the map), cached
 * after a reopen with `cache: true` (its own record cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebianPackage } from 'leanrec/debian';
import { open, type RootDatabase } from 'lmdb';
import { plainKey } from '../lib/debian.ts';
import { diskBytes, runWorkloads } from '../lib/suite.ts';
import { verifyReference } from '../lib/verify-reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-lmdb-'));
const path = join(dir, 'db');
const sharedStructuresKey = Symbol.for('structures');
let db: RootDatabase<DebianPackage, string>;
const reopen = async (cache: boolean) => {
  await db.close();
  db = open({ path, sharedStructuresKey, cache });
};
const count = (test: (r: DebianPackage) => boolean) => {
  let n = 0;
  for (const { value } of db.getRange()) if (test(value)) n++;
  return n;
};

await runWorkloads({
  async ingest(records) {
    db = open({ path, sharedStructuresKey });
    let n = 0;
    let pending: Promise<boolean> | undefined;
    for await (const r of records) {
      pending = db.put(plainKey(r.package, r.version, r.architecture), r);
      if (++n % 1000 === 0) await pending;
    }
    await pending;
    await db.flushed;
    return n;
  },
  lookup(p, v, a) {
    const r = db.get(plainKey(p, v, a))!;
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  },
  countPriority: () => count((r) => r.priority === 'required' || r.priority === 'important'),
  countGamesAll: () => count((r) => r.section === 'games' && r.architecture === 'all'),
  verify: () =>
    verifyReference((visit) => {
      for (const { value } of db.getRange()) visit(value);
    }),
  fetch(p, v, a) {
    const r = db.get(plainKey(p, v, a))!;
    return (r.description?.length ?? 0) + (r.maintainer?.length ?? 0) + (r.depends?.length ?? 0);
  },
  uncached: () => reopen(false),
  cached: () => reopen(true),
  async extra(out) {
    out['diskBytes'] = diskBytes(dir);
  },
  async dispose() {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
