/**
 * `npm run bench`, contender "sqlite": better-sqlite3 on a database file in a temp
 * directory, laid out as a competent user would for this data:
 *
 * - one table, a column per hot field (package, version, architecture, section, priority,
 *   source, source_version, installed_size, size, multi_arch, one 0/1 column per flag)
 *   and one BLOB column `cold` with every other field of the record, msgpackr-encoded
 *   (plain msgpack maps: each blob decodes on its own);
 * - PRIMARY KEY (package, version, architecture) — the key of `debianPackages` — and no
 *   other index while W1–W6 run; WAL journal, `synchronous = NORMAL`, default page cache;
 * - prepared statements; ingest in one transaction per 1,000 records (`INSERT OR REPLACE`,
 *   a put like the other contenders').
 *
 * W3: `SELECT package, version, section … WHERE` the key. W4: `SELECT count(*) … WHERE
 * priority IN ('required', 'important')` and `… WHERE section = 'games' AND architecture
 * = 'all'` — full table scans, as leanrec's are (the filters stand for ad-hoc queries on
 * hot fields; no index serves every one). Afterwards, for reference, the same two counts
 * with an index made for each (`scan*Indexed`, rows of the table per second of query).
 * W5: the blob by key, decoded, then description, maintainer, depends: uncached with the
 * default page cache (better-sqlite3 builds SQLite with `cache_size = -16000`, 16 MB; W2
 * counts that bound as native memory), cached with `PRAGMA cache_size` raised to 256 MiB
 * after a warm-up pass. W6: the reference verify over two passes of `SELECT package, version, cold`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type DebianPackage, debianPackages, readPackages } from 'leanrec/debian';
import { Packr } from 'msgpackr';
import { emit, rate, status } from '../lib/harness.ts';
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

const BATCH = 1000;
const HOT = new Set(debianPackages.hotFields.map((f) => f.name));
const packr = new Packr({ useRecords: false });

const SCHEMA = `CREATE TABLE packages (
  package TEXT NOT NULL,
  version TEXT NOT NULL,
  architecture TEXT NOT NULL,
  section TEXT,
  priority TEXT,
  source TEXT,
  source_version TEXT,
  installed_size INTEGER,
  size INTEGER,
  multi_arch TEXT,
  essential INTEGER NOT NULL,
  protected INTEGER NOT NULL,
  important INTEGER NOT NULL,
  build_essential INTEGER NOT NULL,
  cold BLOB NOT NULL,
  PRIMARY KEY (package, version, architecture)
)`;

/** The cold part of a record: every field that has no column. */
function coldPart(r: DebianPackage): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const k in r) if (!HOT.has(k)) c[k] = (r as Record<string, unknown>)[k];
  return c;
}

function row(r: DebianPackage): unknown[] {
  return [
    r.package,
    r.version,
    r.architecture,
    r.section ?? null,
    r.priority ?? null,
    r.source ?? null,
    r.sourceVersion ?? null,
    r.installedSize ?? null,
    r.size ?? null,
    r.multiArch ?? null,
    r.essential ? 1 : 0,
    r.protected ? 1 : 0,
    r.important ? 1 : 0,
    r.buildEssential ? 1 : 0,
    packr.pack(coldPart(r)),
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-sqlite-'));
const out: Record<string, unknown> = {};
try {
  // W1
  const before = settled();
  const t0 = performance.now();
  const db = new Database(join(dir, 'packages.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT OR REPLACE INTO packages VALUES (${Array(15).fill('?').join(', ')})`,
  );
  const insertAll = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(r);
  });
  let batch: unknown[][] = [];
  let records = 0;
  for await (const r of readPackages(FILE)) {
    batch.push(row(r));
    records++;
    if (batch.length === BATCH) {
      insertAll(batch);
      batch = [];
    }
  }
  if (batch.length > 0) insertAll(batch);
  batch = [];
  out['ingestMs'] = performance.now() - t0;
  out['peakRss'] = status('VmHWM');
  out['records'] = records;

  // W2: SQLite's page cache is outside V8; count its configured bound (negative = KiB).
  const cacheSize = Number(db.pragma('cache_size', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pageCache = cacheSize < 0 ? -cacheSize * 1024 : cacheSize * pageSize;
  Object.assign(out, residentAfter(before, settled(), pageCache));
  out['pageCacheBytes'] = pageCache;
  db.pragma('wal_checkpoint(TRUNCATE)');
  out['diskBytes'] = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

  // W3
  const q = await queryKeys();
  out['queryRecords'] = q.records;
  const lookup = db.prepare(
    'SELECT package, version, section FROM packages WHERE package = ? AND version = ? AND architecture = ?',
  );
  out['lookups'] = passRate(LOOKUPS, LOOKUP_PASSES, (i) => {
    const r = lookup.get(q.package[i], q.version[i], q.architecture[i]) as {
      package: string;
      version: string;
      section: string | null;
    };
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  });
  out['lookupsFresh'] = freshPassRate(q, LOOKUP_PASSES, (k, i) => {
    const r = lookup.get(k.package[i], k.version[i], k.architecture[i]) as {
      package: string;
      version: string;
      section: string | null;
    };
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  });

  // W4
  const countPriority = db
    .prepare("SELECT count(*) FROM packages WHERE priority IN ('required', 'important')")
    .pluck();
  const countGamesAll = db
    .prepare("SELECT count(*) FROM packages WHERE section = 'games' AND architecture = 'all'")
    .pluck();
  out['scanPriority'] = rate(() => {
    out['priorityCount'] = countPriority.get();
  }, records);
  out['scanGamesAll'] = rate(() => {
    out['gamesAllCount'] = countGamesAll.get();
  }, records);

  // W5
  const coldOf = db
    .prepare('SELECT cold FROM packages WHERE package = ? AND version = ? AND architecture = ?')
    .pluck();
  const coldFetch = (i: number): number => {
    const c = packr.unpack(coldOf.get(q.package[i], q.version[i], q.architecture[i]) as Buffer);
    return (c.description?.length ?? 0) + (c.maintainer?.length ?? 0) + (c.depends?.length ?? 0);
  };
  out['coldUncached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);

  // W6 (default page cache)
  const all = db.prepare('SELECT package, version, cold FROM packages');
  Object.assign(
    out,
    await measureVerify(() =>
      verifyReference((visit) => {
        for (const r of all.iterate() as Iterable<{
          package: string;
          version: string;
          cold: Buffer;
        }>) {
          const c = packr.unpack(r.cold);
          c.package = r.package;
          c.version = r.version;
          visit(c);
        }
      }),
    ),
  );

  db.pragma(`cache_size = ${-256 * 1024}`);
  out['coldCached'] = passRate(COLD_KEYS, COLD_PASSES, coldFetch);
  db.pragma(`cache_size = ${cacheSize}`);

  // For reference: the two counts with an index made for each.
  const t = performance.now();
  db.exec('CREATE INDEX packages_priority ON packages (priority)');
  db.exec('CREATE INDEX packages_section_arch ON packages (section, architecture)');
  db.exec('ANALYZE');
  out['indexMs'] = performance.now() - t;
  const countPriorityIx = db
    .prepare("SELECT count(*) FROM packages WHERE priority IN ('required', 'important')")
    .pluck();
  const countGamesAllIx = db
    .prepare("SELECT count(*) FROM packages WHERE section = 'games' AND architecture = 'all'")
    .pluck();
  out['scanPriorityIndexed'] = rate(() => {
    out['priorityCountIndexed'] = countPriorityIx.get();
  }, records);
  out['scanGamesAllIndexed'] = rate(() => {
    out['gamesAllCountIndexed'] = countGamesAllIx.get();
  }, records);
  out['planPriorityIndexed'] = db
    .prepare(
      "EXPLAIN QUERY PLAN SELECT count(*) FROM packages WHERE priority IN ('required', 'important')",
    )
    .all()
    .map((r) => (r as { detail: string }).detail)
    .join('; ');
  db.close();
  out['sink'] = sink.value;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
emit(out);
