/**
 * `npm run bench:xz -- <file.xz> [reads]`: what reading an .xz index costs in memory, read
 * after read, for `openInput` (bytes) and `readPackages` (records), each in its own child
 * (VmHWM, which only rises, is then its own). Per read: time, external, heapUsed and RSS
 * after gc, VmHWM; the first read's peak is set beside the dictionary size + 16 MiB.
 */
import { spawnSync } from 'node:child_process';
import { openSync, readSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readPackages } from '../src/debian/index.ts';
import { openInput } from '../src/debian/input.ts';
import { xzDictionarySize } from '../src/debian/xz.ts';
import { CHILD_FLAGS, ROOT, status, textTable } from './lib/harness.ts';

const MiB = 1024 * 1024;
const VARIANTS = ['bytes', 'records'] as const;
type Variant = (typeof VARIANTS)[number];

interface Read {
  ms: number;
  units: number;
  external: number;
  heapUsed: number;
  rss: number;
  hwm: number;
}
interface ChildResult {
  variant: Variant;
  before: { external: number; heapUsed: number; rss: number; hwm: number };
  reads: Read[];
}

/** gc, then let finalizers and their follow-up work run, then gc again (twice over). */
async function settle(): Promise<{ external: number; heapUsed: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await turn();
    await turn();
  }
  gc();
  const m = process.memoryUsage();
  return { external: m.external, heapUsed: m.heapUsed, rss: m.rss };
}

async function readOnce(variant: Variant, file: string): Promise<number> {
  let n = 0;
  if (variant === 'bytes') for await (const c of openInput(file)) n += c.length;
  else for await (const _ of readPackages(file)) n++;
  return n;
}

async function child(variant: Variant, file: string, reads: number): Promise<void> {
  const before = { ...(await settle()), hwm: status('VmHWM') };
  const out: Read[] = [];
  for (let i = 0; i < reads; i++) {
    const t0 = performance.now();
    const units = await readOnce(variant, file);
    const ms = performance.now() - t0;
    const hwm = status('VmHWM');
    out.push({ ms, units, hwm, ...(await settle()) });
  }
  const result: ChildResult = { variant, before, reads: out };
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

function dictionary(file: string): number | undefined {
  const head = new Uint8Array(2048);
  const fd = openSync(file, 'r');
  const n = readSync(fd, head, 0, head.length, 0);
  return xzDictionarySize(head.subarray(0, n));
}

const mib = (b: number): string => (b / MiB).toFixed(1);

function parent(file: string, reads: number): void {
  const dict = dictionary(file);
  console.log(`${file}: ${reads} reads per variant, each variant in its own process`);
  console.log(
    dict === undefined
      ? 'not .xz (no dictionary): figures for comparison'
      : `xz dictionary ${mib(dict)} MiB → peak limit per read: dictionary + 16 MiB = ${mib(dict + 16 * MiB)} MiB`,
  );
  for (const variant of VARIANTS) {
    const args = [...CHILD_FLAGS, fileURLToPath(import.meta.url), '--child', variant, file];
    const res = spawnSync(process.execPath, [...args, String(reads)], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * MiB,
    });
    const line = res.stdout.trim().split('\n').at(-1) ?? '';
    if (res.status !== 0 || !line.startsWith('{')) {
      console.error(`${variant}: child failed (${res.status ?? res.signal})\n${res.stderr}`);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(line) as ChildResult;
    const mibs = (m: { external: number; heapUsed: number; rss: number; hwm: number }) =>
      [m.external, m.heapUsed, m.rss, m.hwm].map(mib);
    const head = ['external MiB', 'heapUsed MiB', 'RSS MiB', 'VmHWM MiB', 'peak − RSS before'];
    const rows = [
      ['read', variant, 'ms', ...head],
      ['before', '', '', ...mibs(r.before), ''],
    ];
    let rssBefore = r.before.rss;
    let prevHwm = r.before.hwm;
    r.reads.forEach((x, i) => {
      // VmHWM only rises: a read that did not raise it peaked at most at the old value.
      const peak = x.hwm > prevHwm ? `${mib(x.hwm - rssBefore)}` : `≤ ${mib(x.hwm - rssBefore)}`;
      rows.push([String(i + 1), String(x.units), x.ms.toFixed(0), ...mibs(x), peak]);
      rssBefore = x.rss;
      prevHwm = x.hwm;
    });
    console.log(`\n${variant === 'bytes' ? 'openInput: bytes' : 'readPackages: records'}`);
    console.log(textTable(rows));
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1] as Variant, argv[2]!, Number(argv[3]));
} else {
  const file = argv[0];
  if (file === undefined) {
    console.error('usage: bench/xz-memory.ts <file.xz> [reads=4]');
    process.exit(2);
  }
  parent(file, Number(argv[1] ?? 4));
}
