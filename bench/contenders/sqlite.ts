/**
 * `npm run bench`, contender "better-sqlite3": a database file in a temp directory, laid
 * out as a competent user would for this data:
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
 * W3: `SELECT package, version, section … WHERE` the key. W4: `SELECT count(*) … WHERE` the
 * filter — full table scans, as leanrec's are (the filters stand for ad-hoc queries on hot
 * fields; no index serves every one); afterwards, for reference, the same two counts with
 * an index made for each (`scan*Indexed`, rows of the table per second of query). W5: the
 * blob by key, decoded: uncached with the default page cache (better-sqlite3 builds SQLite
 * with `cache_size = -16000`, 16 MB; W2 counts that bound as native memory), cached with
 * `cache_size` raised to 256 MiB. W6: the reference verify over two passes of
 * `SELECT package, version, cold`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DebianPackage } from 'leanrec/debian';
import { Packr } from 'msgpackr';
import { rate } from '../lib/harness.ts';
import { diskBytes, runWorkloads } from '../lib/suite.ts';
import { type VerifyFields, verifyReference } from '../lib/verify-reference.ts';

const HOT = [
  ['package', 'package', 'TEXT NOT NULL'],
  ['version', 'version', 'TEXT NOT NULL'],
  ['architecture', 'architecture', 'TEXT NOT NULL'],
  ['section', 'section', 'TEXT'],
  ['priority', 'priority', 'TEXT'],
  ['source', 'source', 'TEXT'],
  ['sourceVersion', 'source_version', 'TEXT'],
  ['installedSize', 'installed_size', 'INTEGER'],
  ['size', 'size', 'INTEGER'],
  ['multiArch', 'multi_arch', 'TEXT'],
  ['essential', 'essential', 'FLAG'],
  ['protected', 'protected', 'FLAG'],
  ['important', 'important', 'FLAG'],
  ['buildEssential', 'build_essential', 'FLAG'],
] as const;
const HOT_FIELDS = new Set<string>(HOT.map(([f]) => f));
const PRIORITY = "priority IN ('required', 'important')";
const GAMES_ALL = "section = 'games' AND architecture = 'all'";
const BY_KEY = 'WHERE package = ? AND version = ? AND architecture = ?';
const packr = new Packr({ useRecords: false });

/** A record as a row: the hot columns (flags as 0/1), then every other field packed. */
function row(r: DebianPackage): unknown[] {
  const rec = r as unknown as Record<string, unknown>;
  const cold: Record<string, unknown> = {};
  for (const k in rec) if (!HOT_FIELDS.has(k)) cold[k] = rec[k];
  const hot = HOT.map(([f, , type]) => (type === 'FLAG' ? (rec[f] ? 1 : 0) : (rec[f] ?? null)));
  return [...hot, packr.pack(cold)];
}

const dir = mkdtempSync(join(tmpdir(), 'leanrec-bench-suite-sqlite-'));
let db: Database.Database;
const count = (where: string) => db.prepare(`SELECT count(*) FROM packages WHERE ${where}`).pluck();
let pageCache = 0;
let cacheSize = 0;
let lookup: Database.Statement;
let coldOf: Database.Statement;
let countPriority: Database.Statement;
let countGamesAll: Database.Statement;

await runWorkloads({
  async ingest(records) {
    db = new Database(join(dir, 'packages.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const cols = HOT.map(([, c, t]) => `${c} ${t === 'FLAG' ? 'INTEGER NOT NULL' : t}`);
    db.exec(
      `CREATE TABLE packages (${cols.join(', ')}, cold BLOB NOT NULL, PRIMARY KEY (package, version, architecture))`,
    );
    const insert = db.prepare(`INSERT OR REPLACE INTO packages VALUES (${'?, '.repeat(14)}?)`);
    const insertAll = db.transaction((rows: unknown[][]) => {
      for (const r of rows) insert.run(r);
    });
    let batch: unknown[][] = [];
    let n = 0;
    for await (const r of records) {
      batch.push(row(r));
      n++;
      if (batch.length === 1000) {
        insertAll(batch);
        batch = [];
      }
    }
    if (batch.length > 0) insertAll(batch);
    // SQLite's page cache is outside V8: its configured bound counts (negative = KiB).
    cacheSize = Number(db.pragma('cache_size', { simple: true }));
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    pageCache = cacheSize < 0 ? -cacheSize * 1024 : cacheSize * pageSize;
    lookup = db.prepare(`SELECT package, version, section FROM packages ${BY_KEY}`);
    coldOf = db.prepare(`SELECT cold FROM packages ${BY_KEY}`).pluck();
    countPriority = count(PRIORITY);
    countGamesAll = count(GAMES_ALL);
    return n;
  },
  native: () => pageCache,
  lookup(p, v, a) {
    const r = lookup.get(p, v, a) as { package: string; version: string; section: string | null };
    return r.package.length + r.version.length + (r.section?.length ?? 0);
  },
  countPriority: () => countPriority.get() as number,
  countGamesAll: () => countGamesAll.get() as number,
  verify: () =>
    verifyReference((visit) => {
      const all = db.prepare('SELECT package, version, cold FROM packages');
      for (const r of all.iterate() as Iterable<{
        package: string;
        version: string;
        cold: Buffer;
      }>) {
        const c = packr.unpack(r.cold) as VerifyFields;
        c.package = r.package;
        c.version = r.version;
        visit(c);
      }
    }),
  fetch(p, v, a) {
    const c = packr.unpack(coldOf.get(p, v, a) as Buffer);
    return (c.description?.length ?? 0) + (c.maintainer?.length ?? 0) + (c.depends?.length ?? 0);
  },
  async cached() {
    db.pragma(`cache_size = ${-256 * 1024}`);
  },
  async extra(out) {
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    out['diskBytes'] = diskBytes(dir);
    const t = performance.now();
    db.exec('CREATE INDEX packages_priority ON packages (priority)');
    db.exec('CREATE INDEX packages_section_arch ON packages (section, architecture)');
    db.exec('ANALYZE');
    out['indexMs'] = performance.now() - t;
    const rows = out['records'] as number;
    const [pri, games] = [count(PRIORITY), count(GAMES_ALL)];
    out['scanPriorityIndexed'] = rate(() => (out['priorityCountIndexed'] = pri.get()), rows);
    out['scanGamesAllIndexed'] = rate(() => (out['gamesAllCountIndexed'] = games.get()), rows);
    out['planPriorityIndexed'] = db
      .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM packages WHERE ${PRIORITY}`)
      .all()
      .map((r) => (r as { detail: string }).detail)
      .join('; ');
  },
  dispose() {
    if (db?.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
