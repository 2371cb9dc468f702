/**
 * bench:xz — what reading an .xz index costs in memory, read after read.
 *
 *   node --conditions=leanrec-source --import tsx --expose-gc bench/xz-memory.ts <file.xz> [reads]
 *
 * Each variant runs in a child process of its own, so that its VmHWM (peak RSS, which the
 * kernel never resets) is its own:
 * - `bytes`: `openInput(file)`, the decompressed chunks counted and dropped;
 * - `records`: `readPackages(file)`, the records counted and dropped (the parser too).
 * Per read: time, `external` and `heapUsed` after gc (finalizers given a turn), RSS after
 * gc, and VmHWM after the read; the peak of the first read is compared with the stream's
 * dictionary size + 16 MiB. Works on any input openInput reads (.gz too, for comparison).
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
    const rows = [
      [
        'read',
        variant,
        'ms',
        'external MiB',
        'heapUsed MiB',
        'RSS MiB',
        'VmHWM MiB',
        'peak − RSS before',
      ],
      [
        'before',
        '',
        '',
        mib(r.before.external),
        mib(r.before.heapUsed),
        mib(r.before.rss),
        mib(r.before.hwm),
        '',
      ],
    ];
    let rssBefore = r.before.rss;
    let prevHwm = r.before.hwm;
    r.reads.forEach((x, i) => {
      // VmHWM only rises: a read that did not raise it peaked at most at the old value.
      const peak = x.hwm > prevHwm ? `${mib(x.hwm - rssBefore)}` : `≤ ${mib(x.hwm - rssBefore)}`;
      rows.push([
        String(i + 1),
        String(x.units),
        x.ms.toFixed(0),
        mib(x.external),
        mib(x.heapUsed),
        mib(x.rss),
        mib(x.hwm),
        peak,
      ]);
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
