/**
 * `npm start`: the main job the way a Debian user meets it. Reads a Packages index — the
 * argument, else this machine's apt lists (/var/lib/apt/lists/*_Packages*), else the
 * sample in examples/data/ — into a leanrec store on disk (a temporary directory), then
 * reports what that cost next to the same data held as plain objects (measured in a
 * child process, in the same run), answers a few questions and verifies dependencies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as zlib from 'node:zlib';
import { openStore } from 'leanrec';
import { debianPackages, parseDeb822, readPackages, verifyDependencies } from 'leanrec/debian';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
/** Heap and RSS after a full collection. */
function settled(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

/** The files to read: the argument, else apt's lists, else the committed sample. */
function inputs(): string[] {
  if (process.argv[2] !== undefined && process.argv[2] !== '--plain') return process.argv.slice(2);
  const lists = '/var/lib/apt/lists';
  const zstd = 'createZstdDecompress' in zlib;
  let apt: string[] = [];
  try {
    apt = readdirSync(lists)
      .filter((f) => /_Packages(\.(gz|xz|lz4|zst))?$/.test(f) && (zstd || !f.endsWith('.zst')))
      .map((f) => join(lists, f));
  } catch {}
  return apt.length > 0 ? apt : [fileURLToPath(new URL('./data/Packages.gz', import.meta.url))];
}

// Child mode: hold the same paragraphs as plain objects (every field a property) and
// report the heap and RSS they add, after gc.
if (process.argv[2] === '--plain') {
  const before = settled();
  const all: Record<string, string>[] = [];
  for (const file of process.argv.slice(3))
    for await (const p of parseDeb822(file)) all.push(Object.fromEntries(p.fields));
  const after = settled();
  console.log(
    JSON.stringify({ n: all.length, heap: after.heap - before.heap, rss: after.rss - before.rss }),
  );
  process.exit(0);
}

const files = inputs();
const dir = mkdtempSync(join(tmpdir(), 'leanrec-quickstart-'));
try {
  const before = settled();
  const t0 = performance.now();
  const store = await openStore(debianPackages, { path: dir });
  for (const file of files) await store.ingest(readPackages(file));
  const ms = performance.now() - t0;
  const after = settled();
  const mem = store.memory();
  console.log(`read ${files.join(', ')}`);
  console.log(
    `${store.size} packages in ${(ms / 1000).toFixed(2)} s (${Math.round(store.size / (ms / 1000))} records/s), cold tier in LevelDB at ${dir}`,
  );

  const child = spawnSync(
    process.execPath,
    [
      '--conditions=leanrec-source',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--plain',
      ...files,
    ],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`plain-object child failed: ${child.stderr}`);
  const plain = JSON.parse(child.stdout) as { n: number; heap: number; rss: number };
  console.log(
    '\nmemory (after gc; "plain" = the same paragraphs as plain objects, all fields, measured in a child process)',
  );
  console.log(
    `  leanrec hot tier (memory().hot)        ${MiB(mem.hot).padStart(10)}  (${(mem.hot / store.size).toFixed(1)} B/record)`,
  );
  console.log(
    `  leanrec store (memory().total)         ${MiB(mem.total).padStart(10)}  (incl. ${MiB(mem.leveldb)} LevelDB cache+buffer, outside V8)`,
  );
  console.log(
    `  leanrec heap+external added by ingest  ${MiB(after.heap - before.heap).padStart(10)}   RSS added ${MiB(after.rss - before.rss)}`,
  );
  console.log(
    `  plain objects heap+external            ${MiB(plain.heap).padStart(10)}   RSS added ${MiB(plain.rss)}  (${plain.n} records)`,
  );
  if (store.size < 10_000)
    console.log('  (a small index: fixed costs and GC noise dominate these figures)');
  console.log(
    `  => plain objects need ${(plain.heap / Math.max(1, after.heap - before.heap)).toFixed(1)}x the heap, ${(plain.heap / mem.hot).toFixed(0)}x the hot tier`,
  );

  const essential = [...store.where({ essential: true })].map((v) => v.package);
  console.log(
    `\nessential: ${essential.length} packages${essential.length ? `: ${essential.join(' ')}` : ''}`,
  );
  const sized = [...store.where({ size: { gt: 0 } })].sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
  console.log('largest packages (descriptions from the cold tier):');
  for (const v of sized.slice(0, 5)) {
    const desc = v.cold('control').description ?? '';
    console.log(
      `  ${v.package.padEnd(32)} ${((v.size ?? 0) / 1e6).toFixed(1).padStart(6)} MB  ${desc.split('\n')[0]}`,
    );
  }
  const priorities = new Set<string>();
  for (const v of store.where({}, { reuse: true }))
    if (v.priority !== undefined) priorities.add(v.priority);
  console.log(
    `per priority: ${[...priorities]
      .sort()
      .map((p) => `${p} ${store.count({ priority: p })}`)
      .join(', ')}`,
  );

  const t1 = performance.now();
  const unsatisfied = await verifyDependencies(store);
  console.log(
    `\nverify (Pre-Depends, Depends): ${unsatisfied.length} unsatisfied groups in ${((performance.now() - t1) / 1000).toFixed(2)} s`,
  );
  for (const u of unsatisfied.slice(0, 5))
    console.log(`  ${u.package} ${u.version} ${u.architecture} ${u.field}: ${u.group}`);
  if (unsatisfied.length > 5)
    console.log(`  … and ${unsatisfied.length - 5} more (leanrec verify <index> lists them all)`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
