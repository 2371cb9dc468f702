/**
 * `npm run bench:debian [Packages.gz]`: the Debian job, measured. Each contender runs in
 * its own child process (≥ 3 runs, 7 for the parse; interleaved; medians):
 *
 * - parse throughput (MB/s of uncompressed text; the index is decompressed into memory
 *   first, only the parse is timed): `parseDeb822` vs a plain `readline` + indexOf(':')
 *   parser, both fed the same 64 KiB chunks;
 * - full ingest into an on-disk store (read, decompress, parse, map, write, close);
 * - verify: time and peak RSS (VmHWM) of leanrec (store reopened from disk, then
 *   `verifyDependencies`) vs the same verify over plain objects (every paragraph parsed
 *   into an object, then the same algorithm with `parseRelations`/`satisfies`);
 * - the floor under any peak RSS here: a bare `node` (no tsx) that does nothing, one that
 *   only imports leanrec's runtime dependencies, and what each contender's process holds
 *   after its imports, before any work.
 *
 * Input: the argument, else $LEANREC_DEBIAN_PACKAGES, else ../shared/data/…, else the
 * sample. Writes bench/results/debian.md (and .json).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openStore } from 'leanrec';
import { debianPackages, parseDeb822, readPackages, verifyDependencies } from 'leanrec/debian';
import { openInput } from '../src/debian/input.ts';
import {
  gcTwice,
  markdownTable,
  median,
  ROOT,
  RUNS,
  status,
  verdict,
  writeResults,
} from './lib/harness.ts';
import { DEB822_FIELDS, verifyReference } from './lib/verify-reference.ts';

/** The parse runs take a second each and vary most from run to run: more of them. */
const PARSE_RUNS = Math.max(RUNS, 7);
const runsOf = (task: string) => (task.startsWith('parse-') ? PARSE_RUNS : RUNS);
const CHUNK = 64 * 1024;

// ── helpers ─────────────────────────────────────────────────────────────────────────────

async function decompressed(file: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of openInput(file)) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunksOf(buf: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

// ── the contenders (child side) ─────────────────────────────────────────────────────────

type Result = Record<string, number>;

/** The readline baseline: paragraphs of [name, value] pairs, continuation lines joined. */
async function readlineParse(buf: Buffer): Promise<number> {
  let n = 0;
  let fields: [string, string][] = [];
  const input = Readable.from(chunksOf(buf), { objectMode: false });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') {
      if (fields.length > 0) n++;
      fields = [];
    } else if (line[0] === ' ' || line[0] === '\t') fields[fields.length - 1]![1] += `\n${line}`;
    else {
      const colon = line.indexOf(':');
      fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  return fields.length > 0 ? n + 1 : n;
}

/** The verify algorithm of `verifyDependencies`, over plain objects (bench/lib/verify-reference.ts). */
function plainVerify(pkgs: Record<string, string>[]): number {
  return verifyReference((visit) => {
    for (const p of pkgs) visit(p);
  }, DEB822_FIELDS);
}

async function child(task: string, file: string, dir: string): Promise<Result> {
  switch (task) {
    case 'parse-leanrec':
    case 'parse-readline': {
      const buf = await decompressed(file);
      gcTwice();
      const t0 = performance.now();
      let n = 0;
      if (task === 'parse-leanrec') for await (const _ of parseDeb822(chunksOf(buf))) n++;
      else n = await readlineParse(buf);
      const ms = performance.now() - t0;
      return { ms, records: n, mbps: buf.length / 1e6 / (ms / 1000), mb: buf.length / 1e6 };
    }
    case 'ingest': {
      rmSync(dir, { recursive: true, force: true });
      const t0 = performance.now();
      const store = await openStore(debianPackages, { path: dir });
      const { written } = await store.ingest(readPackages(file));
      await store.close();
      const ms = performance.now() - t0;
      return { ms, records: written, recsPerSec: written / (ms / 1000), peak: status('VmHWM') };
    }
    case 'verify-leanrec': {
      gcTwice();
      const base = status('VmRSS');
      const t0 = performance.now();
      const store = await openStore(debianPackages, { path: dir });
      const t1 = performance.now();
      const n = (await verifyDependencies(store)).length;
      const ms = performance.now() - t1;
      const peak = status('VmHWM');
      await store.close();
      return { ms, loadMs: t1 - t0, unsatisfied: n, peak, base, above: peak - base };
    }
    case 'verify-plain': {
      gcTwice();
      const base = status('VmRSS');
      const t0 = performance.now();
      const pkgs: Record<string, string>[] = [];
      for await (const p of parseDeb822(file)) pkgs.push(Object.fromEntries(p.fields));
      const t1 = performance.now();
      const n = plainVerify(pkgs);
      const ms = performance.now() - t1;
      const peak = status('VmHWM');
      return { ms, loadMs: t1 - t0, unsatisfied: n, peak, base, above: peak - base };
    }
  }
  throw new Error(`unknown task ${task}`);
}

if (process.argv[2] === '--child') {
  const [, , , task, file, dir] = process.argv as string[];
  process.stdout.write(`${JSON.stringify(await child(task!, file!, dir!))}\n`);
  process.exit(0);
}

// ── the parent: runs, medians, table ────────────────────────────────────────────────────

const file =
  process.argv[2] ??
  (process.env['LEANREC_DEBIAN_PACKAGES'] ||
    [join(ROOT, '../shared/data/debian-bookworm-main-amd64-Packages.gz')].find(existsSync) ||
    join(ROOT, 'examples/data/Packages.gz'));
const tmp = mkdtempSync(join(tmpdir(), 'leanrec-bench-debian-'));
const dir = join(tmp, 'store');
const tasks = [
  'parse-leanrec',
  'parse-readline',
  'ingest',
  'verify-leanrec',
  'verify-plain',
  'node-floor',
  'deps-floor',
];
/** A bare node process (no tsx) reporting its own peak RSS, after `imports`. */
const floorScript = (imports: string[]) =>
  `${imports.map((m) => `await import('${m}');`).join('')}const m=/^VmHWM:\\s+(\\d+) kB/m.exec((await import('node:fs')).readFileSync('/proc/self/status','utf8'));console.log(JSON.stringify({peak:Number(m[1])*1024}))`;
/** leanrec's runtime dependencies on the verify path. */
const DEPS = ['msgpackr', 'lru-cache', 'classic-level'];
const runs: Record<string, Result[]> = Object.fromEntries(tasks.map((t) => [t, []]));
try {
  for (let r = 1; r <= PARSE_RUNS; r++)
    for (const task of tasks) {
      if (r > runsOf(task)) continue;
      const args = task.endsWith('-floor')
        ? ['--input-type=module', '-e', floorScript(task === 'deps-floor' ? DEPS : [])]
        : [...process.execArgv, fileURLToPath(import.meta.url), '--child', task, file, dir];
      const res = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (res.status !== 0) throw new Error(`${task} failed:\n${res.stderr}`);
      const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as Result;
      runs[task]!.push(out);
      process.stderr.write(`run ${r}/${runsOf(task)} ${task}: ${JSON.stringify(out)}\n`);
    }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const med = (task: string, key: string) => median(runs[task]!.map((x) => x[key]!));
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

const parseL = med('parse-leanrec', 'mbps');
const parseR = med('parse-readline', 'mbps');
const peakL = med('verify-leanrec', 'peak');
const peakP = med('verify-plain', 'peak');
const aboveL = med('verify-leanrec', 'above');
const aboveP = med('verify-plain', 'above');
const floor = med('node-floor', 'peak');
const depsFloor = med('deps-floor', 'peak');
const rows: string[][] = [
  ['measure', 'leanrec', 'plain', 'leanrec / plain', 'target'],
  [
    'parse (MB/s of uncompressed text)',
    `${parseL.toFixed(1)}`,
    `${parseR.toFixed(1)} (readline)`,
    x(parseL, parseR),
    `≥ 1.5× — ${verdict(parseL / parseR >= 1.5)}`,
  ],
  [
    'ingest into an on-disk store',
    `${(med('ingest', 'ms') / 1000).toFixed(2)} s (${Math.round(med('ingest', 'recsPerSec'))} rec/s)`,
    '—',
    '—',
    '—',
  ],
  [
    'verify: load (reopen / parse into objects)',
    `${(med('verify-leanrec', 'loadMs') / 1000).toFixed(2)} s`,
    `${(med('verify-plain', 'loadMs') / 1000).toFixed(2)} s`,
    x(med('verify-leanrec', 'loadMs'), med('verify-plain', 'loadMs')),
    '—',
  ],
  [
    'verify: time',
    `${(med('verify-leanrec', 'ms') / 1000).toFixed(2)} s`,
    `${(med('verify-plain', 'ms') / 1000).toFixed(2)} s`,
    x(med('verify-leanrec', 'ms'), med('verify-plain', 'ms')),
    '—',
  ],
  [
    'verify: peak RSS (VmHWM)',
    MiB(peakL),
    MiB(peakP),
    x(peakL, peakP),
    `≤ 0.25× — ${verdict(peakL / peakP <= 0.25)}`,
  ],
  [
    'verify: peak RSS above baseline after imports',
    MiB(aboveL),
    MiB(aboveP),
    x(aboveL, aboveP),
    `(≤ 0.25×: ${verdict(aboveL / aboveP <= 0.25)})`,
  ],
  [
    'baseline RSS after imports',
    MiB(med('verify-leanrec', 'base')),
    MiB(med('verify-plain', 'base')),
    '—',
    '—',
  ],
  [
    'floor: peak RSS of a bare `node` doing nothing',
    MiB(floor),
    '—',
    `${x(floor, peakP)} of plain's peak`,
    '—',
  ],
  [
    `floor: bare \`node\` that only imports ${DEPS.join(', ')}`,
    MiB(depsFloor),
    '—',
    `${x(depsFloor, peakP)} of plain's peak`,
    '—',
  ],
  [
    'unsatisfied groups found',
    `${med('verify-leanrec', 'unsatisfied')}`,
    `${med('verify-plain', 'unsatisfied')}`,
    '—',
    'equal',
  ],
];
const header = [
  `# Debian index benchmark`,
  '',
  `Input: \`${file}\` (${med('parse-leanrec', 'records')} paragraphs, ${med('parse-leanrec', 'mb').toFixed(1)} MB uncompressed).`,
  `Node ${process.version}, ${RUNS} runs per contender (${PARSE_RUNS} for the parse), each in its own process, interleaved; medians. ${new Date().toISOString().slice(0, 10)}.`,
  '',
];
const text = [...header, markdownTable(rows), ''].join('\n');
console.log(text);
writeResults('debian', { file, runs }, text);
