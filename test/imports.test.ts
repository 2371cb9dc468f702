/**
 * Lean imports: leanrec's entry points, used for a schema, a hot-only store or an
 * in-memory store, load no native binding and neither LevelDB module; a store with a
 * `path` loads classic-level and msgpackr's native extractor (the check's own control:
 * the probe does see them). Each job runs in a fresh process
 * (test/helpers/import-probe.ts), which reports the `.node` files mapped into it and the
 * LevelDB packages in its module cache.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runTs } from './helpers/cli.ts';
import type { ProbeJob, ProbeReport } from './helpers/import-probe.ts';
import { tempDir } from './helpers/temp.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const probe = fileURLToPath(new URL('./helpers/import-probe.ts', import.meta.url));

async function probeJob(job: ProbeJob, dir?: string): Promise<ProbeReport> {
  const r = await runTs(probe, dir === undefined ? [job] : [job, dir], { timeout: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const stdout = r.stdout;
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeReport;
  assert.equal(report.job, job);
  return report;
}

/** Packages an in-memory store may load: memory-level and its base, both plain JavaScript. */
const MEMORY_PACKAGES = ['abstract-level', 'memory-level'];

function assertLean(r: ProbeReport, allowed: readonly string[]): void {
  assert.deepEqual(r.nativeFiles, [], `${r.job}: native bindings mapped`);
  const extra = r.packages.filter((p) => !allowed.includes(p));
  assert.deepEqual(extra, [], `${r.job}: packages loaded`);
}

function extractorInstalled(): boolean {
  const msgpackr = createRequire(join(root, 'package.json')).resolve('msgpackr');
  try {
    createRequire(msgpackr).resolve('msgpackr-extract');
    return true;
  } catch {
    return false;
  }
}

const record = { description: 'GNU Bourne Again SHell' };

test('lean imports: no native binding, no LevelDB module until a store has a path', async (t) => {
  const dir = tempDir('imports');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // In parallel: each child is a fresh node + tsx start (≈ 1 s); the machine has 2 cores.
  const [schema, debian, mem, testing, hot, memory, disk] = await Promise.all([
    probeJob('schema'),
    probeJob('import:leanrec/debian'),
    probeJob('import:leanrec/mem'),
    probeJob('import:leanrec/testing'),
    probeJob('hot'),
    probeJob('memory'),
    probeJob('disk', dir),
  ]);

  await t.test('(a) schema builder, and each entry point imported', () => {
    assertLean(schema, []);
    assert.deepEqual((schema.result as { key: string[] }).key, ['name']);
    assertLean(debian, []);
    assert.deepEqual(debian.result, [3, -1]);
    assertLean(mem, []);
    assert.equal(mem.result, true);
    // FaultyLevel extends abstract-level's class, so that much loads with the module.
    assertLean(testing, MEMORY_PACKAGES);
    assert.deepEqual(testing.result, ['function', true]);
  });

  await t.test('(b) a hot-only store: put and get', () => {
    assertLean(hot, []);
    assert.deepEqual(hot.result, { name: 'bash', size: 1234 });
  });

  await t.test('(c) in-memory stores: put, get, cold reads, a gzip index, FaultyLevel', () => {
    assertLean(memory, MEMORY_PACKAGES);
    const [synced, loaded, viaFaulty, size, description, estimated] = memory.result as unknown[];
    assert.deepEqual(synced, record);
    assert.deepEqual(loaded, record);
    assert.deepEqual(viaFaulty, record);
    assert.equal(size, 20);
    assert.equal(description, 'string');
    assert.equal(estimated, true);
  });

  await t.test('(d) a store on disk loads classic-level and msgpackr-extract', () => {
    assert.deepEqual(disk.result, record);
    assert.ok(disk.packages.includes('classic-level'), `packages: ${disk.packages.join(', ')}`);
    assert.ok(
      disk.nativeFiles.some((f) => f.includes('/classic-level/')),
      `mapped: ${disk.nativeFiles.join(', ')}`,
    );
    // msgpackr's extractor is an optional dependency of msgpackr: loaded where installed.
    if (extractorInstalled()) {
      assert.ok(
        disk.packages.includes('msgpackr-extract'),
        `packages: ${disk.packages.join(', ')}`,
      );
      assert.ok(disk.nativeFiles.some((f) => f.includes('msgpackr-extract')));
    }
  });
});
