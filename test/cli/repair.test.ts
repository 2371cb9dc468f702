/**
 * `leanrec repair` on a real store whose .ldb files were damaged, lightly and heavily:
 * before, a read of a damaged record is E_CORRUPT pointing to `leanrec repair`; after,
 * every record is either in the store, byte for byte as it was ingested, or named in the
 * repair's report (by key, or by id when its hot entry went with the damage).
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { openStore } from 'leanrec';
import { debianPackages, readPackages, toDeb822 } from 'leanrec/debian';
import { leanrec } from '../helpers/cli.ts';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { random } from '../helpers/random.ts';
import { tempDir } from '../helpers/temp.ts';

/** Paragraphs of the real index in the store: enough for a dozen .ldb files, quick to ingest. */
const PARAGRAPHS = 6000;

const tmp = tempDir('repair');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('leanrec repair', { skip: debianSkip() }, () => {
  const clean = join(tmp, 'clean.db');
  /** Key text → the paragraph, in ingest order (ids 0, 1, …: a fresh store, no repeated key). */
  const originals = new Map<string, string>();
  let order: string[] = [];

  before(async () => {
    const text = gunzipSync(readFileSync(debianIndexPath())).toString('utf8');
    const cut = text.split('\n\n').slice(0, PARAGRAPHS).join('\n\n');
    const file = join(tmp, 'Packages');
    writeFileSync(file, `${cut}\n`);
    // A small write buffer: many table files, as a large store has.
    const store = await openStore(debianPackages, {
      path: clean,
      levelWriteBufferBytes: 64 * 1024,
    });
    const records = [];
    for await (const r of readPackages(file)) records.push(r);
    await store.ingest(records);
    await store.close();
    for (const r of records)
      originals.set(`${r.package} ${r.version} ${r.architecture}`, toDeb822(r));
    order = [...originals.keys()];
    assert.equal(order.length, records.length, 'no repeated key in the excerpt');
  });

  /** The .ldb files of `db`, largest first. */
  const tables = (db: string) =>
    readdirSync(db)
      .filter((f) => f.endsWith('.ldb'))
      .sort((a, b) => statSync(join(db, b)).size - statSync(join(db, a)).size);

  /** Overwrites `length` bytes at `at` (a share of the file) with seeded noise. */
  function damage(file: string, at: number, length: number, seed: number): void {
    const bytes = readFileSync(file);
    const next = random(seed);
    const start = Math.floor(bytes.length * at);
    for (let i = start; i < Math.min(bytes.length, start + length); i++)
      bytes[i] = Math.floor(next() * 256);
    writeFileSync(file, bytes);
  }

  /** Repairs `db` with the CLI and checks every original record against the report. */
  async function repairAndCheck(
    db: string,
    strict = true,
  ): Promise<{ lost: number; code: number }> {
    const r = await leanrec(['repair', db]);
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    assert.match(r.stderr, /^[\d,]+ records kept, [\d,]+ removed/m);
    const named = new Set<string>();
    let byId = 0;
    for (const line of r.stdout.split('\n').slice(0, -1)) {
      const [tag, who, reason] = line.split('\t');
      assert.equal(tag, 'lost');
      assert.ok(reason !== undefined && reason.length > 0, line);
      // By key, or by id where nothing of the record that names it is left.
      const ids = /^ids? (\d+)(?:-(\d+))?$/.exec(who!);
      if (ids === null) named.add(who!);
      else byId += Number(ids[2] ?? ids[1]) - Number(ids[1]) + 1;
    }
    assert.equal(r.code, named.size + byId === 0 ? 0 : 3);
    const store = await openStore(debianPackages, { path: db });
    try {
      let kept = 0;
      let unnamed = 0;
      for (const key of order) {
        const [p, v, a] = key.split(' ') as [string, string, string];
        const view = store.get({ package: p, version: v, architecture: a });
        if (view === undefined) {
          if (!named.has(key)) unnamed++;
          continue;
        }
        assert.ok(!named.has(key), `${key} is reported lost and is still there`);
        assert.equal(toDeb822(view.record()), originals.get(key), key);
        kept++;
      }
      assert.equal(store.size, kept);
      // Every record gone is named by key, or counted in the report's ids.
      // With the metadata damaged too, the last ids can vanish without a trace (no entry
      // of them, nor the next id, is left): then the report names fewer than are gone.
      if (strict) {
        assert.equal(unnamed, byId, 'records gone without their key = ids reported');
        assert.equal(kept + named.size + byId, order.length);
      } else assert.ok(unnamed >= byId);
    } finally {
      await store.close();
    }
    return { lost: named.size + byId, code: r.code };
  }

  test('light damage: a few bytes of one table; every undamaged record kept', async () => {
    const db = join(tmp, 'light.db');
    cpSync(clean, db, { recursive: true });
    const [first] = tables(db);
    damage(join(db, first!), 0.5, 16, 1);
    const { lost } = await repairAndCheck(db);
    assert.ok(lost < order.length / 10, `${lost} records lost to 16 bytes`);
  });

  test('heavy damage: two tables overwritten, one truncated; E_CORRUPT points to repair first', async () => {
    const db = join(tmp, 'heavy.db');
    cpSync(clean, db, { recursive: true });
    const list = tables(db);
    assert.ok(list.length >= 4, `${list.length} tables`);
    damage(join(db, list[0]!), 0.2, 20_000, 2);
    damage(join(db, list[1]!), 0.5, 20_000, 3);
    truncateSync(join(db, list[2]!), Math.floor(statSync(join(db, list[2]!)).size / 2));
    // Before: a damaged record (or the open itself) fails as E_CORRUPT with the way out.
    let victim: string | undefined;
    let openFailed = false;
    try {
      const store = await openStore(debianPackages, { path: db });
      try {
        for (const key of order) {
          const [p, v, a] = key.split(' ') as [string, string, string];
          try {
            store.get({ package: p, version: v, architecture: a })?.record();
          } catch {
            victim = key;
            break;
          }
        }
      } finally {
        await store.close().catch(() => {});
      }
    } catch {
      openFailed = true;
    }
    assert.ok(victim !== undefined || openFailed, 'the damage is seen');
    const r = await leanrec(
      victim === undefined ? ['stats', db] : ['get', db, ...victim.split(' ')],
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^leanrec: E_CORRUPT: [^\n]*(corrupted|damaged table file \d+\.ldb)[^\n]*; run "leanrec repair [^\n]*heavy\.db"[^\n]*\n$/,
    );
    // Which tables hold the metadata depends on when LevelDB compacted during the ingest:
    // when the damage took the schema and the shared structures, no record can be read, and
    // repair says so (E_CORRUPT, exit 3) instead of guessing.
    const copy = join(tmp, 'heavy-copy.db');
    cpSync(db, copy, { recursive: true });
    const first = await leanrec(['repair', copy]);
    if (
      /^leanrec: E_CORRUPT: the schema entry of [^\n]*heavy-copy\.db is lost/.test(first.stderr)
    ) {
      assert.equal(first.code, 3, first.stderr);
      return;
    }
    const { lost, code } = await repairAndCheck(db, false);
    assert.ok(lost > 0 && code === 3, `${lost} records lost`);
  });
});
